import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliInputReader, parseArgs } from '../../../src/cli/args';
import { ciEnvironment } from '../../../src/cli/git';
import { Inputs } from '../../../src/common/inputs';
import { tempDir } from '../../helpers/temp';

describe('CLI options are the actions’ inputs', () => {
  it('reads --name value, --name=value, repeated options as lines, bare flags as true', () => {
    const parsed = parseArgs([
      'deploy',
      '--hosts',
      'a:22',
      '--hosts=b:22',
      '--dry-run',
      '--health-timeout',
      '30s',
      '--json',
    ]);
    expect(parsed).toEqual({
      command: 'deploy',
      values: { hosts: 'a:22\nb:22', 'dry-run': 'true', 'health-timeout': '30s' },
      json: true,
    });
  });

  it('reads a value from a file with --name-file (secrets stay off the command line), but not compose-file', () => {
    const dir = tempDir('cli');
    writeFileSync(join(dir, 'key'), 'KEY\nLINES');
    const parsed = parseArgs([
      'deploy',
      '--private-key-file',
      join(dir, 'key'),
      '--compose-file',
      'compose.yml',
    ]);
    expect(parsed.values).toEqual({ 'private-key': 'KEY\nLINES', 'compose-file': 'compose.yml' });
    expect(() => parseArgs(['deploy', '--private-key-file', join(dir, 'missing')])).toThrow(
      /--private-key-file: cannot read .*missing: ENOENT/,
    );
  });

  it('refuses what is not an option', () => {
    expect(() => parseArgs(['deploy', 'stray'])).toThrow(/unexpected argument "stray"/);
    expect(() => parseArgs(['deploy', '--Bad'])).toThrow(/is not an option/);
  });

  it('falls back to SLIPWAY_<NAME> in the environment', () => {
    const read = cliInputReader({ image: 'x' }, { SLIPWAY_PRIVATE_KEY: 'k', SLIPWAY_IMAGE: 'ignored' });
    expect(read('image')).toBe('x');
    expect(read('private-key')).toBe('k');
    expect(read('hosts')).toBeUndefined();
  });

  it('Inputs.with replaces values for the next step and keeps the rest', () => {
    const inputs = new Inputs((n) => ({ image: 'a', run: 'r' })[n]);
    const next = inputs.with({ image: 'b' });
    expect(next.string('image')).toBe('b');
    expect(next.string('run')).toBe('r');
    expect(inputs.string('image')).toBe('a');
  });
});

describe('CI context outside GitHub', () => {
  it('takes GitLab CI variables', () => {
    const env = ciEnvironment(
      {
        CI_COMMIT_SHA: 'abc123',
        CI_COMMIT_BRANCH: 'main',
        CI_PIPELINE_IID: '42',
        CI_PROJECT_PATH: 'shop/web',
      },
      '/nonexistent',
    );
    expect(env).toMatchObject({
      GITHUB_SHA: 'abc123',
      GITHUB_REF: 'refs/heads/main',
      GITHUB_RUN_NUMBER: '42',
      GITHUB_REPOSITORY: 'shop/web',
    });
    expect(ciEnvironment({ CI_COMMIT_SHA: 'abc', CI_COMMIT_TAG: 'v1.2.3' }, '/nonexistent').GITHUB_REF).toBe(
      'refs/tags/v1.2.3',
    );
  });

  it('changes nothing inside GitHub Actions', () => {
    expect(ciEnvironment({ GITHUB_ACTIONS: 'true', CI_COMMIT_SHA: 'x' })).toEqual({});
  });
});
