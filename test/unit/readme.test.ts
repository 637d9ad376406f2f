import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI_METADATA, cliMetadata, render } from '../../scripts/action-docs.mjs';
import { REPO_ROOT } from '../helpers/run-bundle';

describe('README', () => {
  it("has every action's inputs and outputs exactly as its action.yml declares them", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(render(readme, REPO_ROOT), 'run: node scripts/action-docs.mjs').toBe(readme);
  });

  it("gives the CLI (its help) every action's inputs exactly as its action.yml declares them", async () => {
    const module = readFileSync(join(REPO_ROOT, CLI_METADATA), 'utf8');
    expect(await cliMetadata(REPO_ROOT), 'run: node scripts/action-docs.mjs').toBe(module);
  });

  it('documents the quick start commands that CI runs', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('npm run demo');
    expect(readme).toContain('npm test');
    expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')).toContain('npm test');
  });
});
