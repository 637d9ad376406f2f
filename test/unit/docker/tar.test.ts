import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tarFile } from '../../../src/docker/tar';

describe('tar of one file', () => {
  it('is read by a real tar', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tar-'));
    writeFileSync(join(dir, 'a.tar'), tarFile('Caddyfile', 'hello\n'));
    execFileSync('tar', ['-xf', join(dir, 'a.tar'), '-C', dir]);
    expect(readFileSync(join(dir, 'Caddyfile'), 'utf8')).toBe('hello\n');
  });
});
