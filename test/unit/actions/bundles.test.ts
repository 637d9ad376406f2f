import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTIONS } from '../../../scripts/action-docs.mjs';
import { REPO_ROOT, runBundle } from '../../helpers/run-bundle';

interface ActionMetadata {
  inputs: Record<string, { required?: boolean; description?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string };
}

function metadata(path: string): ActionMetadata {
  return parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as ActionMetadata;
}

describe('bundles run as the runner runs them', () => {
  it('runs under Node 24, like GitHub runners for node24 actions', () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
  });

  describe.each(ACTIONS)('%s', (name) => {
    const meta = metadata(`actions/${name}/action.yml`);
    const required = Object.entries(meta.inputs)
      .filter(([, i]) => i.required)
      .map(([k]) => k);

    it('declares node24 and points at its bundle', () => {
      expect(meta.runs.using).toBe('node24');
      expect(meta.runs.main).toBe(`../../dist/${name}/index.js`);
    });

    it('loads and fails clearly, naming the first missing required input', async () => {
      const run = await runBundle(name, {});
      expect(run.exitCode).toBe(1);
      expect(run.log).toContain(`::error::input "${required[0]}": is required but was not given`);
    });

    if (meta.runs.post) {
      it('has a post step that runs cleanly when the main step did nothing', async () => {
        const run = await runBundle(name, {}, { state: { 'slipway-post': 'true' } });
        expect(run.exitCode).toBe(0);
        expect(run.log).not.toContain('::error::');
      });
    }
  });
});
