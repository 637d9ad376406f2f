import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { toShellLine } from '../../../src/command/quote';
import {
  composeUp,
  parseComposeVersion,
  WITH_VALUES_SCRIPT,
} from '../../../src/deploy-compose/compose-commands';

const HOSTILE: Array<[string, string]> = [
  ['PASSWORD', 'pa$word1 #x'],
  ['QUOTED', "'quoted'"],
  ['DOUBLE', '"double" \\ back'],
  ['EXPANDS', 'a${HOME}b $(touch /tmp/pwned) `id`'],
  ['SPACES', '  leading and trailing  '],
  ['EMPTY', ''],
  ['PATH', '/app/bin'],
  ['DOCKER_HOST', 'tcp://127.0.0.1:9'],
  ['UNICODE', 'ünïcødé ✓'],
];

describe('compose commands', () => {
  it('carries env values on stdin only, through a constant script', () => {
    const command = composeUp({
      program: ['docker-compose'],
      project: 'shop',
      file: '/home/deploy/.slipway/shop/compose.yml',
      env: { DOCKER_CONFIG: '/tmp/c' },
      values: HOSTILE,
    });
    expect(command.argv).toEqual([
      'sh',
      '-c',
      WITH_VALUES_SCRIPT,
      'sh',
      'docker-compose',
      '--project-name',
      'shop',
      '--file',
      '/home/deploy/.slipway/shop/compose.yml',
      'up',
      '--detach',
      '--remove-orphans',
      '--no-build',
    ]);
    const line = toShellLine(command.argv, command.env);
    for (const [, value] of HOSTILE.filter(([, v]) => v.length > 3)) expect(line).not.toContain(value);
    expect(command.stdin).toContain("export SLIPWAY_ENV_PASSWORD='pa$word1 #x'\n");
  });

  it('gives compose every value byte for byte, under prefixed names only, through a real shell', () => {
    // "compose" here prints its environment; the command line is what an SSH exec request runs.
    const command = composeUp({
      program: ['sh', '-c', 'env -0', 'compose'],
      project: 'p',
      file: 'f',
      values: HOSTILE,
    });
    const result = spawnSync('/bin/sh', ['-c', toShellLine(command.argv, command.env)], {
      input: command.stdin,
      env: { PATH: process.env.PATH, HOME: '/root' },
    });
    expect(result.status, result.stderr.toString()).toBe(0);
    const env = Object.fromEntries(
      result.stdout
        .toString('utf8')
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
    for (const [name, value] of HOSTILE) expect(env[`SLIPWAY_ENV_${name}`]).toBe(value);
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.DOCKER_HOST).toBeUndefined();
  });

  it('runs compose directly when there are no values', () => {
    const command = composeUp({ program: ['docker', 'compose'], project: 'p', file: 'f' });
    expect(command.argv.slice(0, 2)).toEqual(['docker', 'compose']);
    expect(command.stdin).toBeUndefined();
  });
});

describe('compose version', () => {
  it('reads v2 and v1 version lines, and keeps an unknown first line as it is', () => {
    expect(parseComposeVersion('Docker Compose version v2.32.4\n')).toBe('2.32.4');
    expect(parseComposeVersion('Docker Compose version 2.29.1+ds1-0ubuntu1~24.04.1\n')).toBe(
      '2.29.1+ds1-0ubuntu1~24.04.1',
    );
    expect(
      parseComposeVersion(
        'docker-compose version 1.29.2, build unknown\ndocker-py version: 5.0.3\nCPython version: 3.11.2\n',
      ),
    ).toBe('1.29.2');
    expect(parseComposeVersion('something else\nmore')).toBe('something else');
  });
});
