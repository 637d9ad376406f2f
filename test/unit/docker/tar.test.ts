import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarFile } from '../../../src/docker/tar';
import { tempDir } from '../../helpers/temp';

describe('tar of one file', () => {
  it('is read by a real tar', () => {
    const dir = tempDir('tar');
    writeFileSync(join(dir, 'a.tar'), tarFile('Caddyfile', 'hello\n'));
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toBe('hello\n');
  });
});
