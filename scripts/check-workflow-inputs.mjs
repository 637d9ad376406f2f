#!/usr/bin/env node
// Every input of an action a reusable workflow runs must be reachable from that workflow: set in
// the step's `with:` (from the workflow's inputs, the environment's variables or its secrets), or
// listed with a reason in .github/unexposed-inputs.yml as deliberately not exposed. The same for a
// reusable workflow calling another one: each input of the called workflow is passed or listed.
// Also refused: `with:` keys the action or called workflow does not have (a typo passes actionlint
// for a remote `uses:`), and listed inputs that are in fact exposed or do not exist (stale lines).
//
// Run by the unit tests (test/unit/workflow-inputs.test.ts) and on its own:
//   node scripts/check-workflow-inputs.mjs
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const EXCEPTIONS = join('.github', 'unexposed-inputs.yml');
const WORKFLOWS = join('.github', 'workflows');
const REPO = 'slipway-dev/slipway';

/**
 * What a `uses:` names inside this repository, or undefined for anything else:
 * { kind: 'action', name: '.' | 'remote-deploy-ssh' … } or { kind: 'workflow', name: 'deploy.yml' }.
 * The forms: slipway-dev/slipway[/path]@ref, ./path (a local path) and $/path (the workflow's own
 * repository and commit).
 */
export function target(uses) {
  if (typeof uses !== 'string') return undefined;
  let path;
  const remote = new RegExp(`^${REPO}(/[^@]*)?@`).exec(uses);
  if (remote) path = (remote[1] ?? '').replace(/^\//, '');
  else if (uses.startsWith('./')) path = uses.slice(2).split('@')[0];
  else if (uses.startsWith('$/')) path = uses.slice(2).split('@')[0];
  else return undefined;
  path = path.replace(/\/$/, '');
  const workflow = /^\.github\/workflows\/([^/]+\.ya?ml)$/.exec(path);
  if (workflow) return { kind: 'workflow', name: workflow[1] };
  if (path === '') return { kind: 'action', name: '.' };
  const action = /^actions\/([^/]+)$/.exec(path);
  if (action) return { kind: 'action', name: action[1] };
  return undefined;
}

const label = (t) => (t.kind === 'workflow' ? t.name : t.name === '.' ? 'slipway (action.yml)' : t.name);
const key = (t) => (t.kind === 'workflow' ? t.name : t.name === '.' ? '.' : `actions/${t.name}`);

function inputsOf(t, root) {
  if (t.kind === 'action') {
    const file = t.name === '.' ? join(root, 'action.yml') : join(root, 'actions', t.name, 'action.yml');
    return Object.keys(parse(readFileSync(file, 'utf8')).inputs ?? {});
  }
  const meta = parse(readFileSync(join(root, WORKFLOWS, t.name), 'utf8'));
  return Object.keys(meta.on?.workflow_call?.inputs ?? {});
}

/** Each use of this repository's actions and workflows in one workflow: target → the `with:` keys. */
export function usesIn(workflow) {
  const found = new Map();
  const add = (t, keys) => {
    const k = key(t);
    const entry = found.get(k) ?? { target: t, keys: new Set() };
    for (const name of keys) entry.keys.add(name);
    found.set(k, entry);
  };
  for (const job of Object.values(workflow?.jobs ?? {})) {
    const jt = target(job?.uses);
    if (jt) add(jt, Object.keys(job.with ?? {}));
    for (const step of job?.steps ?? []) {
      const st = target(step?.uses);
      if (st) add(st, Object.keys(step.with ?? {}));
    }
  }
  return found;
}

/** The problems, one a line; empty when every workflow exposes or lists every input. */
export function checkWorkflowInputs(root = '.') {
  const problems = [];
  const exceptionsPath = join(root, EXCEPTIONS);
  const exceptions = existsSync(exceptionsPath) ? (parse(readFileSync(exceptionsPath, 'utf8')) ?? {}) : {};
  const files = readdirSync(join(root, WORKFLOWS)).filter((f) => /\.ya?ml$/.test(f));
  for (const file of Object.keys(exceptions))
    if (!files.includes(file)) problems.push(`${EXCEPTIONS}: ${file} is not a workflow in ${WORKFLOWS}`);
  for (const file of files) {
    const workflow = parse(readFileSync(join(root, WORKFLOWS, file), 'utf8'));
    const listed = exceptions[file] ?? {};
    const uses = usesIn(workflow);
    for (const k of Object.keys(listed))
      if (!uses.has(k)) problems.push(`${EXCEPTIONS}: ${file} does not use ${k}`);
    for (const [k, { target: t, keys }] of uses) {
      const inputs = inputsOf(t, root);
      const notExposed = listed[k] ?? {};
      for (const name of keys)
        if (!inputs.includes(name))
          problems.push(`${file}: passes "${name}" to ${label(t)}, which has no such input`);
      for (const name of inputs) {
        const reason = notExposed[name];
        if (keys.has(name)) {
          if (reason !== undefined)
            problems.push(`${EXCEPTIONS}: ${file} → ${k}: "${name}" is listed as not exposed but is exposed`);
        } else if (reason === undefined) {
          problems.push(
            `${file}: input "${name}" of ${label(t)} is neither exposed (with: ${name}) nor listed with a reason in ${EXCEPTIONS} under ${file} → ${k}`,
          );
        } else if (typeof reason !== 'string' || reason.trim().length < 10) {
          problems.push(`${EXCEPTIONS}: ${file} → ${k}: "${name}" needs a reason (a sentence)`);
        }
      }
      for (const name of Object.keys(notExposed))
        if (!inputs.includes(name))
          problems.push(`${EXCEPTIONS}: ${file} → ${k}: "${name}" is not an input of ${label(t)}`);
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = checkWorkflowInputs('.');
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log('workflow inputs: every action and workflow input is exposed or listed with a reason');
}
