#!/usr/bin/env node
// Generates the reference pages' tables from the metadata: every action's description, inputs and
// outputs from its action.yml, in docs/reference/<name>.md between <!-- action-docs:NAME --> and
// <!-- /action-docs:NAME --> markers, and every reusable workflow's inputs, secrets, outputs (of
// on.workflow_call) and its jobs' environments and permissions, in docs/reference/workflows/<name>.md
// between <!-- workflow-docs:NAME --> markers. `--check` fails when a page is out of date (a unit test
// checks the same). It also writes src/cli/metadata.ts, the same metadata (descriptions, inputs,
// defaults) and the package version for the CLI's help, from the same files, and
// src/common/secret-inputs.ts, the inputs whose description says they are masked.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { parse } from 'yaml';

export const ACTIONS = [
  'build-and-tag',
  'test-in-container',
  'push-registry',
  'promote-between-registries',
  'remote-deploy-ssh',
  'base-image-check',
  'merge-by-digest',
];
/** The root action (action.yml at the top: build, test and push in one step). */
export const ROOT = 'slipway';
const metadataPath = (name, root) =>
  name === ROOT ? join(root, 'action.yml') : join(root, 'actions', name, 'action.yml');
const cell = (text) =>
  String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .trim();

export function tablesFor(name, root = '.') {
  const meta = parse(readFileSync(metadataPath(name, root), 'utf8'));
  const uses = name === ROOT ? 'slipway-dev/slipway@v1' : `slipway-dev/slipway/actions/${name}@v1`;
  const inputs = Object.entries(meta.inputs ?? {}).map(
    ([key, spec]) =>
      `| \`${key}\` | ${spec.required ? 'yes' : ''} | ${spec.default !== undefined ? `\`${cell(spec.default)}\`` : ''} | ${cell(spec.description)} |`,
  );
  const outputs = Object.entries(meta.outputs ?? {}).map(
    ([key, spec]) => `| \`${key}\` | ${cell(spec.description)} |`,
  );
  return [
    `${cell(meta.description)}`,
    '',
    `\`uses: ${uses}\` — runs on \`${meta.runs?.using}\`; uses no GitHub token: \`contents: read\` (for the checkout) is all its job needs.`,
    '',
    '## Inputs',
    '',
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '## Outputs',
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs,
  ].join('\n');
}

/** The reusable workflows documented in docs/reference/workflows/, from their `on.workflow_call` section. */
export const WORKFLOWS = ['pipeline', 'build-test-push', 'deploy', 'promote', 'rebuild-on-base-change'];

export function workflowTablesFor(name, root = '.') {
  const meta = parse(readFileSync(join(root, '.github', 'workflows', `${name}.yml`), 'utf8'));
  const call = meta.on?.workflow_call ?? {};
  const rows = (entries, fn) => Object.entries(entries ?? {}).map(fn);
  const permissions = (p) =>
    p === undefined
      ? ''
      : typeof p === 'string'
        ? `\`${p}\``
        : Object.entries(p)
            .map(([k, v]) => `\`${k}: ${v}\``)
            .join(', ') || 'none';
  return [
    `\`uses: slipway-dev/slipway/.github/workflows/${name}.yml@v1\`; the workflow's token permissions: ${permissions(meta.permissions) || "the caller's"}.`,
    '',
    '## Inputs',
    '',
    '| input | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows(
      call.inputs,
      ([key, spec]) =>
        `| \`${key}\` | ${spec.type ?? ''}${spec.required ? ' (required)' : ''} | ${spec.default !== undefined && spec.default !== '' ? `\`${cell(spec.default)}\`` : ''} | ${cell(spec.description)} |`,
    ),
    '',
    '## Secrets',
    '',
    '| secret | required | description |',
    '| --- | --- | --- |',
    ...rows(
      call.secrets,
      ([key, spec]) => `| \`${key}\` | ${spec?.required ? 'yes' : ''} | ${cell(spec?.description)} |`,
    ),
    '',
    '## Outputs',
    '',
    '| output | description |',
    '| --- | --- |',
    ...rows(call.outputs, ([key, spec]) => `| \`${key}\` | ${cell(spec.description)} |`),
    '',
    '## Jobs',
    '',
    '| job | runs in environment | permissions | what it runs |',
    '| --- | --- | --- | --- |',
    ...rows(meta.jobs, ([key, job]) => {
      const env = typeof job.environment === 'object' ? job.environment?.name : job.environment;
      const runs = job.uses ? `calls \`${job.uses}\`` : `${(job.steps ?? []).length} steps`;
      return `| \`${key}\` | ${env ? `\`${cell(env)}\`` : 'none'} | ${permissions(job.permissions) || "the workflow's"} | ${cell(runs)} |`;
    }),
  ].join('\n');
}

/** Where the CLI's copy of the actions' metadata lives (a generated module, committed). */
export const CLI_METADATA = join('src', 'cli', 'metadata.ts');

/** The TypeScript module with every action's description and inputs and the package version. */
export async function cliMetadata(root = '.') {
  const actions = {};
  for (const name of [ROOT, ...ACTIONS]) {
    const meta = parse(readFileSync(metadataPath(name, root), 'utf8'));
    const inputs = {};
    for (const [key, spec] of Object.entries(meta.inputs ?? {})) {
      inputs[key] = {
        description: String(spec.description ?? '').trim(),
        required: spec.required === true,
        ...(spec.default !== undefined && { default: String(spec.default) }),
      };
    }
    actions[name] = { description: String(meta.description ?? '').trim(), inputs };
  }
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const text = [
    '// Generated by scripts/action-docs.mjs from the action.yml files and package.json: do not edit.',
    'export interface InputMetadata {',
    '  readonly description: string;',
    '  readonly required: boolean;',
    '  readonly default?: string;',
    '}',
    'export interface ActionMetadata {',
    '  readonly description: string;',
    '  readonly inputs: Readonly<Record<string, InputMetadata>>;',
    '}',
    `export const VERSION = ${JSON.stringify(version)};`,
    `export const ACTION_METADATA: Readonly<Record<string, ActionMetadata>> = ${JSON.stringify(actions, null, 2)};`,
    '',
  ].join('\n');
  const filepath = join(root, CLI_METADATA);
  return prettier.format(text, { ...(await prettier.resolveConfig(filepath)), filepath });
}

/** Where the inputs whose values are secret are listed for the code (a generated module, committed). */
export const SECRET_INPUTS_MODULE = join('src', 'common', 'secret-inputs.ts');

/**
 * An input is secret when its description says its value is masked: the one convention the
 * action.yml files follow, so the list of secret inputs is never kept by hand.
 */
export const isSecretDescription = (description) => /\bmasked\b/i.test(String(description ?? ''));

/** The module listing every action's secret inputs (the CLI uses the same names). */
export async function secretInputsModule(root = '.') {
  const names = new Set();
  for (const name of [ROOT, ...ACTIONS]) {
    const meta = parse(readFileSync(metadataPath(name, root), 'utf8'));
    for (const [key, spec] of Object.entries(meta.inputs ?? {}))
      if (isSecretDescription(spec.description)) names.add(key);
  }
  const text = [
    '// Generated by scripts/action-docs.mjs from the action.yml files (inputs whose description says',
    '// "masked"): do not edit.',
    `export const SECRET_INPUT_NAMES: readonly string[] = ${JSON.stringify([...names].sort())};`,
    '',
  ].join('\n');
  const filepath = join(root, SECRET_INPUTS_MODULE);
  return prettier.format(text, { ...(await prettier.resolveConfig(filepath)), filepath });
}

/** The reference page of an action (ROOT: the one-step action) or of a reusable workflow. */
export const actionPage = (name) => join('docs', 'reference', `${name}.md`);
export const workflowPage = (name) => join('docs', 'reference', 'workflows', `${name}.md`);

/** A page's text with its generated sections (the markers it must have) rendered again. */
export function render(text, root = '.', { actions = [], workflows = [] } = {}, page = 'the page') {
  let out = text;
  const sections = [
    ...workflows.map((name) => ['workflow-docs', name, () => workflowTablesFor(name, root)]),
    ...actions.map((name) => ['action-docs', name, () => tablesFor(name, root)]),
  ];
  for (const [kind, name, tables] of sections) {
    const re = new RegExp(`(<!-- ${kind}:${name} -->\\n)[\\s\\S]*?(<!-- /${kind}:${name} -->)`);
    if (!re.test(out)) throw new Error(`${page} has no <!-- ${kind}:${name} --> section`);
    out = out.replace(re, (_, open, close) => `${open}${tables()}\n${close}`);
  }
  return out;
}

/** Every reference page: [path, its text now, its text rendered from the metadata]. */
export function renderPages(root = '.') {
  const pages = [
    ...[ROOT, ...ACTIONS].map((name) => [actionPage(name), { actions: [name] }]),
    ...WORKFLOWS.map((name) => [workflowPage(name), { workflows: [name] }]),
  ];
  return pages.map(([path, which]) => {
    let text;
    try {
      text = readFileSync(join(root, path), 'utf8');
    } catch {
      throw new Error(`${path} is missing: every action and reusable workflow has a reference page`);
    }
    return [path, text, render(text, root, which, path)];
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const pages = renderPages();
  const metadata = await cliMetadata();
  const secrets = await secretInputsModule();
  if (process.argv.includes('--check')) {
    const stale = pages.filter(([, text, rendered]) => text !== rendered).map(([path]) => path);
    if (metadata !== readFileSync(CLI_METADATA, 'utf8')) stale.push(CLI_METADATA);
    if (secrets !== readFileSync(SECRET_INPUTS_MODULE, 'utf8')) stale.push(SECRET_INPUTS_MODULE);
    if (stale.length > 0) {
      console.error(
        `${stale.join(', ')}: out of date with the action.yml files and workflows: run node scripts/action-docs.mjs`,
      );
      process.exit(1);
    }
  } else {
    for (const [path, text, rendered] of pages) if (text !== rendered) writeFileSync(path, rendered);
    writeFileSync(CLI_METADATA, metadata);
    writeFileSync(SECRET_INPUTS_MODULE, secrets);
  }
}
