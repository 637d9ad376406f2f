import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkWorkflowInputs, target } from '../../../scripts/check-workflow-inputs.mjs';
import { REPO_ROOT } from '../../helpers/run-bundle';
import { tempDir } from '../../helpers/temp';

/** A repository with one action (inputs a, b, c) and the given workflows and exception list. */
function fixture(workflows: Record<string, string>, exceptions?: string): string {
  const root = tempDir('workflow-inputs');
  mkdirSync(join(root, 'actions', 'thing'), { recursive: true });
  mkdirSync(join(root, '.github', 'workflows'), { recursive: true });
  writeFileSync(
    join(root, 'actions', 'thing', 'action.yml'),
    'name: thing\ninputs:\n  a: { description: a }\n  b: { description: b }\n  c: { description: c }\n',
  );
  writeFileSync(join(root, 'action.yml'), 'name: root\ninputs:\n  image: { description: i }\n');
  for (const [name, text] of Object.entries(workflows))
    writeFileSync(join(root, '.github', 'workflows', name), text);
  if (exceptions !== undefined) writeFileSync(join(root, '.github', 'unexposed-inputs.yml'), exceptions);
  return root;
}

const runsThing = (uses: string, keys: string[]) => `on:
  workflow_call:
    inputs:
      a: { type: string }
jobs:
  j:
    runs-on: ubuntu-latest
    steps:
      - uses: ${uses}
        with:
${keys.map((k) => `          ${k}: x`).join('\n')}
`;

describe('scripts/check-workflow-inputs.mjs', () => {
  it("passes on this repository's workflows: every input exposed or listed with a reason", () => {
    expect(checkWorkflowInputs(REPO_ROOT)).toEqual([]);
  });

  it('fails on an action input neither exposed nor listed, naming the workflow, the action and the input', () => {
    const root = fixture({ 'w.yml': runsThing('slipway-dev/slipway/actions/thing@v1', ['a', 'b']) });
    expect(checkWorkflowInputs(root)).toEqual([
      'w.yml: input "c" of thing is neither exposed (with: c) nor listed with a reason in .github/unexposed-inputs.yml under w.yml → actions/thing',
    ]);
  });

  it('accepts an input listed with a reason, and refuses one listed without a reason', () => {
    const uses = runsThing('slipway-dev/slipway/actions/thing@v1', ['a', 'b']);
    expect(
      checkWorkflowInputs(
        fixture({ 'w.yml': uses }, 'w.yml:\n  actions/thing:\n    c: Not for this workflow, on purpose.\n'),
      ),
    ).toEqual([]);
    expect(checkWorkflowInputs(fixture({ 'w.yml': uses }, 'w.yml:\n  actions/thing:\n    c: ""\n'))).toEqual([
      '.github/unexposed-inputs.yml: w.yml → actions/thing: "c" needs a reason (a sentence)',
    ]);
  });

  it('refuses stale lines (an input exposed after all, or gone) and with: keys the action lacks', () => {
    const root = fixture(
      { 'w.yml': runsThing('./actions/thing', ['a', 'b', 'c', 'd']) },
      'w.yml:\n  actions/thing:\n    c: Listed before it was exposed.\n    z: An input that no longer exists.\n',
    );
    expect(checkWorkflowInputs(root)).toEqual([
      'w.yml: passes "d" to thing, which has no such input',
      '.github/unexposed-inputs.yml: w.yml → actions/thing: "c" is listed as not exposed but is exposed',
      '.github/unexposed-inputs.yml: w.yml → actions/thing: "z" is not an input of thing',
    ]);
  });

  it('checks a reusable workflow calling another: each input of the called workflow passed or listed', () => {
    const called = runsThing('$/actions/thing', ['a', 'b', 'c']);
    const caller = `on: push
jobs:
  call:
    uses: slipway-dev/slipway/.github/workflows/called.yml@v1
    with: { b: x }
`;
    expect(checkWorkflowInputs(fixture({ 'called.yml': called, 'caller.yml': caller }))).toEqual([
      'caller.yml: passes "b" to called.yml, which has no such input',
      'caller.yml: input "a" of called.yml is neither exposed (with: a) nor listed with a reason in .github/unexposed-inputs.yml under caller.yml → called.yml',
    ]);
  });

  it('knows the forms of uses: that name this repository', () => {
    expect(target('slipway-dev/slipway@v1')).toEqual({ kind: 'action', name: '.' });
    expect(target('slipway-dev/slipway/actions/remote-deploy-ssh@0123abc')).toEqual({
      kind: 'action',
      name: 'remote-deploy-ssh',
    });
    expect(target('./actions/push-registry')).toEqual({ kind: 'action', name: 'push-registry' });
    expect(target('$/actions/push-registry')).toEqual({ kind: 'action', name: 'push-registry' });
    expect(target('slipway-dev/slipway/.github/workflows/deploy.yml@v1')).toEqual({
      kind: 'workflow',
      name: 'deploy.yml',
    });
    expect(target('actions/checkout@v5')).toBeUndefined();
  });
});
