/** Reading a repository with the git program: argv only, no shell; '' (or no bytes) when git fails. */
import { execFileSync } from 'node:child_process';

export function gitBytes(args: readonly string[], cwd: string, timeoutMs?: number): Buffer {
  try {
    return execFileSync('git', args, {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 1 << 30,
      ...(timeoutMs !== undefined && { timeout: timeoutMs }),
    });
  } catch {
    return Buffer.alloc(0);
  }
}

export function git(args: readonly string[], cwd: string, timeoutMs?: number): string {
  return gitBytes(args, cwd, timeoutMs).toString('utf8').trim();
}
