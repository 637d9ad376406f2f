import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliInputReader, closest, parseArgs } from '../../../src/cli/args';
import { COMMANDS } from '../../../src/cli/commands';
import { ACTION_METADATA } from '../../../src/cli/metadata';
import { isSecretInput } from '../../../src/common/inputs';

const DEPLOY = Object.keys(COMMANDS.deploy?.options ?? {});
import { ciEnvironment } from '../../../src/cli/git';
import { Inputs } from '../../../src/common/inputs';
import { tempDir } from '../../helpers/temp';

describe('CLI options are the actions’ inputs', () => {
  it('reads --name value, --name=value, repeated options as lines, bare flags as true', () => {
    const parsed = parseArgs(
      ['--hosts', 'a:22', '--hosts=b:22', '--dry-run', '--health-timeout', '30s', '--json'],
      DEPLOY,
    );
    expect(parsed).toEqual({
      values: { hosts: 'a:22\nb:22', 'dry-run': 'true', 'health-timeout': '30s' },
      json: true,
    });
  });

  it('reads a value from a file with --name-file (secrets stay off the command line), but not compose-file', () => {
    const dir = tempDir('cli');
    writeFileSync(join(dir, 'key'), 'KEY\nLINES');
    const parsed = parseArgs(
      ['--private-key-file', join(dir, 'key'), '--compose-file', 'compose.yml'],
      DEPLOY,
    );
    expect(parsed.values).toEqual({ 'private-key': 'KEY\nLINES', 'compose-file': 'compose.yml' });
    expect(() => parseArgs(['--private-key-file', join(dir, 'missing')], DEPLOY)).toThrow(
      /--private-key-file: cannot read .*missing: ENOENT/,
    );
  });

  it('an option takes the next argument as its value whatever it starts with (a PEM key, -1), unless it is an option', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----';
    const verify = Object.keys(COMMANDS.promote?.options ?? {});
    expect(parseArgs(['--verify-key', pem, '--dry-run'], verify).values).toEqual({
      'verify-key': pem,
      'dry-run': 'true',
    });
    expect(parseArgs(['--health-timeout', '-1'], DEPLOY).values).toEqual({ 'health-timeout': '-1' });
    expect(parseArgs(['--dry-run', '--health-timeout=5s'], DEPLOY).values).toEqual({
      'dry-run': 'true',
      'health-timeout': '5s',
    });
  });

  it('refuses what is not an option', () => {
    expect(() => parseArgs(['stray'], DEPLOY)).toThrow(/unexpected argument "stray"/);
    expect(() => parseArgs(['--Bad'], DEPLOY)).toThrow(/is not an option/);
  });

  it('refuses unknown options and suggests the nearest', () => {
    expect(() => parseArgs(['--publsh', '8089'], DEPLOY)).toThrow(
      'unknown option --publsh (did you mean --publish?)',
    );
    expect(() => parseArgs(['--helth-path=/health'], DEPLOY)).toThrow(
      'unknown option --helth-path (did you mean --health-path?)',
    );
    expect(() => parseArgs(['--zzzzzzzz'], DEPLOY)).toThrow(/^unknown option --zzzzzzzz$/);
    expect(() => parseArgs(['--nope-file', 'x'], DEPLOY)).toThrow(/unknown option --nope-file/);
    expect(closest('jsn', ['json', 'name'])).toBe('json');
  });

  it('refuses secrets as arguments, without echoing them, and points to the file and the environment', () => {
    const promote = Object.keys(COMMANDS.promote?.options ?? {});
    for (const args of [['--destination-password', 'hunter22'], ['--destination-password=hunter22']]) {
      let message = '';
      try {
        parseArgs(args, promote);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain('--destination-password-file');
      expect(message).toContain('SLIPWAY_DESTINATION_PASSWORD');
      expect(message).not.toContain('hunter22');
    }
    expect(() => parseArgs(['--private-key', 'KEY'], DEPLOY)).toThrow(/--private-key-file/);
  });

  it('counts an input as secret exactly when its description says it is masked, as every password, token, key or passphrase is', () => {
    for (const action of Object.values(ACTION_METADATA)) {
      for (const [name, input] of Object.entries(action.inputs)) {
        expect(isSecretInput(name), name).toBe(/\bmasked\b/i.test(input.description));
        if (/password|token|private key|passphrase/i.test(input.description))
          expect(
            isSecretInput(name),
            `${name} speaks of a secret: its description must say it is masked`,
          ).toBe(true);
      }
    }
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
