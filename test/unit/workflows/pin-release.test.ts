import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { pin, unpinned } from '../../../scripts/pin-release.mjs';
import { REPO_ROOT } from '../../helpers/run-bundle';

const P = 'a'.repeat(40);
const R1 = 'b'.repeat(40);
const WORKFLOWS = join(REPO_ROOT, '.github', 'workflows');
const workflows = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => ({ file: f, text: readFileSync(join(WORKFLOWS, f), 'utf8') }));

describe('scripts/pin-release.mjs', () => {
  it('pins the actions first, then the nested workflows; comments keep @v1', () => {
    const text = `# uses: slipway-dev/slipway/.github/workflows/pipeline.yml@v1
jobs:
  a:
    uses: slipway-dev/slipway/.github/workflows/deploy.yml@v1
  b:
    steps:
      - uses: slipway-dev/slipway@v1
      - uses: "slipway-dev/slipway/actions/remote-deploy-ssh@v1"
      - uses: actions/checkout@v5
`;
    const actions = pin(text, 'actions', P);
    expect(actions).toContain(`- uses: slipway-dev/slipway@${P}`);
    expect(actions).toContain(`- uses: "slipway-dev/slipway/actions/remote-deploy-ssh@${P}"`);
    expect(actions).toContain('uses: slipway-dev/slipway/.github/workflows/deploy.yml@v1');
    const both = pin(actions, 'workflows', R1);
    expect(both).toContain(`uses: slipway-dev/slipway/.github/workflows/deploy.yml@${R1}`);
    expect(both).toContain('# uses: slipway-dev/slipway/.github/workflows/pipeline.yml@v1');
    expect(both).toContain('actions/checkout@v5');
    expect(unpinned(both)).toEqual([]);
    expect(() => pin(text, 'actions', 'v1')).toThrow(/not a full commit SHA/);
  });

  it("leaves nothing of this repository's workflows at @v1 after both steps", () => {
    for (const { file, text } of workflows)
      expect(unpinned(pin(pin(text, 'actions', P), 'workflows', R1)), file).toEqual([]);
  });
});

describe('registry credentials in the workflows', () => {
  /** Every step of every job with its job and the workflow's permissions. */
  const steps = workflows.flatMap(({ file, text }) => {
    const meta = parse(text);
    return Object.entries(meta.jobs ?? {}).flatMap(([job, spec]) =>
      ((spec as { steps?: Record<string, unknown>[] }).steps ?? []).map((step) => ({
        where: `${file} ${job}`,
        step,
        permissions: (spec as { permissions?: Record<string, string> }).permissions ?? meta.permissions ?? {},
      })),
    );
  });

  it('hosts pull with SLIPWAY_PULL_* (or a token that can only read), never with the push credential', () => {
    const deploys = steps.filter(({ step }) =>
      String(step.uses ?? '').includes('/actions/remote-deploy-ssh@'),
    );
    expect(deploys.length).toBeGreaterThanOrEqual(2);
    for (const { where, step, permissions } of deploys) {
      const w = step.with as Record<string, string>;
      for (const input of ['registry-username', 'registry-password']) {
        expect(w[input], where).not.toMatch(/SLIPWAY_REGISTRY_|SLIPWAY_STAGING_/);
        expect(w[input], where).toMatch(/SLIPWAY_PULL_/);
      }
      if (/github\.token/.test(w['registry-password'] ?? ''))
        expect(permissions.packages, where).toBe('read');
    }
  });

  it('every workflow states its permissions; a step that pushes with the job token has packages: write', () => {
    for (const { file, text } of workflows) expect(parse(text).permissions, file).toBeDefined();
    const pushing = steps.filter(({ step }) => {
      const w = (step.with ?? {}) as Record<string, string>;
      // base-image-check only reads; a dry run writes nothing.
      if (String(step.uses).includes('/actions/base-image-check@') || w['dry-run']) return false;
      return /github\.token/.test(`${w.password ?? ''}${w['destination-password'] ?? ''}`);
    });
    expect(pushing.map((s) => s.where).sort()).toEqual([
      'build-test-push.yml build-test-push',
      'build-test-push.yml merge',
      'promote.yml production',
    ]);
    for (const { where, permissions } of pushing) expect(permissions.packages, where).toBe('write');
  });
});
