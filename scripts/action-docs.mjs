#!/usr/bin/env node
// Generates the inputs/outputs tables of every action in README.md from its action.yml, between
// <!-- action-docs:NAME --> and <!-- /action-docs:NAME --> markers, and those of the reusable
// workflows (inputs, secrets, outputs of on.workflow_call) between <!-- workflow-docs:NAME --> markers. `--check` fails when the
// README is out of date (a unit test runs it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ACTIONS = [
  'build-and-tag',
  'test-in-container',
  'push-registry',
  'promote-between-registries',
  'remote-deploy-ssh',
  'base-image-check',
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
  const inputs = Object.entries(meta.inputs ?? {}).map(
    ([key, spec]) =>
      `| \`${key}\` | ${spec.required ? 'yes' : ''} | ${spec.default !== undefined ? `\`${cell(spec.default)}\`` : ''} | ${cell(spec.description)} |`,
  );
  const outputs = Object.entries(meta.outputs ?? {}).map(
    ([key, spec]) => `| \`${key}\` | ${cell(spec.description)} |`,
  );
  return [
    '| input | required | default | description |',
    '| --- | --- | --- | --- |',
    ...inputs,
    '',
    '| output | description |',
    '| --- | --- |',
    ...outputs,
  ].join('\n');
}

/** The reusable workflows documented in the README, from their `on.workflow_call` section. */
export const WORKFLOWS = ['pipeline', 'build-test-push', 'deploy', 'promote', 'rebuild-on-base-change'];

export function workflowTablesFor(name, root = '.') {
  const meta = parse(readFileSync(join(root, '.github', 'workflows', `${name}.yml`), 'utf8'));
  const call = meta.on?.workflow_call ?? {};
  const rows = (entries, fn) => Object.entries(entries ?? {}).map(fn);
  return [
    '| input | type | default | description |',
    '| --- | --- | --- | --- |',
    ...rows(
      call.inputs,
      ([key, spec]) =>
        `| \`${key}\` | ${spec.type ?? ''}${spec.required ? ' (required)' : ''} | ${spec.default !== undefined && spec.default !== '' ? `\`${cell(spec.default)}\`` : ''} | ${cell(spec.description)} |`,
    ),
    '',
    '| secret | required | description |',
    '| --- | --- | --- |',
    ...rows(
      call.secrets,
      ([key, spec]) => `| \`${key}\` | ${spec?.required ? 'yes' : ''} | ${cell(spec?.description)} |`,
    ),
    '',
    '| output | description |',
    '| --- | --- |',
    ...rows(call.outputs, ([key, spec]) => `| \`${key}\` | ${cell(spec.description)} |`),
  ].join('\n');
}

export function render(readme, root = '.') {
  let out = readme;
  for (const name of WORKFLOWS) {
    const re = new RegExp(`(<!-- workflow-docs:${name} -->\\n)[\\s\\S]*?(<!-- /workflow-docs:${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- workflow-docs:${name} --> section`);
    out = out.replace(re, (_, open, close) => `${open}${workflowTablesFor(name, root)}\n${close}`);
  }
  for (const name of [ROOT, ...ACTIONS]) {
    const re = new RegExp(`(<!-- action-docs:${name} -->\\n)[\\s\\S]*?(<!-- /action-docs:${name} -->)`);
    if (!re.test(out)) throw new Error(`README.md has no <!-- action-docs:${name} --> section`);
    out = out.replace(re, (_, open, close) => `${open}${tablesFor(name, root)}\n${close}`);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync('README.md', 'utf8');
  const rendered = render(readme);
  if (process.argv.includes('--check')) {
    if (rendered !== readme) {
      console.error('README.md is out of date with the action.yml files: run node scripts/action-docs.mjs');
      process.exit(1);
    }
  } else {
    writeFileSync('README.md', rendered);
  }
}
