/**
 * Temporary directories for tests, the demo and the benchmarks, all under the system's temp
 * directory as slipway-<purpose>-XXXXXX, each registered for removal: test/setup-temp.ts removes a
 * test file's directories after the file (vitest setupFiles); scripts call removeTempDirs in a
 * finally. Directories holding secrets (SSH keys, registry passwords, docker logins) go first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const secrets: string[] = [];
const others: string[] = [];

/** A new private (0700) directory, removed by removeTempDirs. */
export function tempDir(purpose: string, options: { secret?: boolean } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `slipway-${purpose}-`));
  (options.secret ? secrets : others).push(dir);
  return dir;
}

/** Removes every directory tempDir made in this process so far, secrets first. */
export function removeTempDirs(): void {
  for (const dir of [...secrets.splice(0), ...others.splice(0)])
    rmSync(dir, { recursive: true, force: true });
}
