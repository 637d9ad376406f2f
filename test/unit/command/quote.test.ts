import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteArg, toShellLine } from '../../../src/command/quote';

const HOSTILE = [
  'plain',
  '',
  'two words',
  '; touch /tmp/pwned',
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  "it's",
  "'; echo '",
  '"double"',
  'line\nbreak',
  'tab\there',
  '\\backslash\\',
  '$HOME ${PATH}',
  '*',
  '~',
  '!event',
  'ünïcødé ✓',
  '--flag=value',
  '-n',
];

/** What a real POSIX shell makes of the line: the argv it would execute. */
function shellArgv(line: string): string[] {
  const result = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout.split('\0').slice(0, -1);
}

describe('shell quoting', () => {
  it('leaves safe words bare and quotes the rest', () => {
    expect(quoteArg('docker')).toBe('docker');
    expect(quoteArg('127.0.0.1:5000/app@sha256:ab')).toBe('127.0.0.1:5000/app@sha256:ab');
    expect(quoteArg('')).toBe("''");
    expect(quoteArg("it's")).toBe("'it'\\''s'");
  });

  it.each(HOSTILE)('a real shell gets back exactly %j', (arg) => {
    expect(shellArgv(quoteArg(arg))).toEqual([arg]);
  });

  it('keeps every argument of a hostile argv intact through a real shell', () => {
    expect(shellArgv(toShellLine(HOSTILE))).toEqual(HOSTILE);
  });

  it('prefixes environment with env, quoted', () => {
    const line = toShellLine(['sh', '-c', 'printf %s "$X"'], { X: '$(id); `id`' });
    expect(line.startsWith('env ')).toBe(true);
    const result = spawnSync('/bin/sh', ['-c', line], { encoding: 'utf8' });
    expect(result.stdout).toBe('$(id); `id`');
  });

  it('refuses what a command line cannot carry', () => {
    expect(() => quoteArg('a\0b')).toThrow('NUL');
    expect(() => toShellLine([])).toThrow('empty command');
    expect(() => toShellLine(['true'], { 'A;B': 'x' })).toThrow('invalid environment variable name');
  });
});
