import { describe, expect, it } from 'vitest';
import * as files from '../../../src/command/files';

describe('commands on a host’s files, as data', () => {
  it('reads, tails and tests paths', () => {
    expect(files.readFile('.slipway/a/lock/holder.json').argv).toEqual([
      'cat',
      '.slipway/a/lock/holder.json',
    ]);
    expect(files.tailFile('.slipway/a/audit.log', 5).argv).toEqual([
      'tail',
      '-n',
      '5',
      '.slipway/a/audit.log',
    ]);
    expect(files.pathExists('/proc/sys/net/ipv4/tcp_migrate_req').argv).toEqual([
      'test',
      '-e',
      '/proc/sys/net/ipv4/tcp_migrate_req',
    ]);
  });

  it('writes contents through stdin, never argv', () => {
    const install = files.installFile('.slipway/a/x.env', '0600', 'K=secret\n');
    expect(install.argv).toEqual(['install', '-m', '0600', '/dev/stdin', '.slipway/a/x.env']);
    expect(install.stdin).toBe('K=secret\n');
    const append = files.appendToFile('.slipway/a/audit.log', '{"a":1}\n');
    expect(append.argv).toEqual(['tee', '-a', '.slipway/a/audit.log']);
    expect(append.stdin).toBe('{"a":1}\n');
  });

  it('moves, copies, makes and removes', () => {
    expect(files.moveFile('a', 'b').argv).toEqual(['mv', '-f', 'a', 'b']);
    expect(files.copyFile('a', 'b').argv).toEqual(['cp', '-p', 'a', 'b']);
    expect(files.makeDirectory('d/routes').argv).toEqual(['mkdir', '-p', 'd/routes']);
    expect(files.removeFile('a').argv).toEqual(['rm', '-f', 'a']);
    // `--`: a path starting with a dash is never an option.
    expect(files.removeTrees(['-x', 'y']).argv).toEqual(['rm', '-rf', '--', '-x', 'y']);
  });

  it('finds entries by name, one level deep', () => {
    expect(files.findByName('.slipway/a', ['*.env', 'lock.new-*']).argv).toEqual([
      'find',
      '.slipway/a',
      '-mindepth',
      '1',
      '-maxdepth',
      '1',
      '(',
      '-name',
      '*.env',
      '-o',
      '-name',
      'lock.new-*',
      ')',
      '-print',
    ]);
    expect(files.readAllMatching('.slipway/_proxy/routes', '*.json').argv).toEqual([
      'find',
      '.slipway/_proxy/routes',
      '-maxdepth',
      '1',
      '-name',
      '*.json',
      '-exec',
      'cat',
      '{}',
      '+',
    ]);
  });
});
