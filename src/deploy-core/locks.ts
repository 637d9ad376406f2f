/** The per-service deploy lock on every host (all taken, in host order, or none; always released), and the audit log beside it. */
import { randomBytes } from 'node:crypto';
import type { HostSession, LockInfo } from './host';
import type { DeployContext } from './result';

export function newLock(ctx: DeployContext): LockInfo {
  return {
    id: randomBytes(8).toString('hex'),
    holder: ctx.holder,
    time: ctx.now().toISOString(),
    run: ctx.runUrl,
  };
}

export async function withHostLocks<T>(
  sessions: readonly HostSession[],
  lock: LockInfo,
  lockTimeoutMs: number,
  log: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  const held: HostSession[] = [];
  try {
    for (const session of sessions) {
      await session.acquireLock(lock, lockTimeoutMs, lockTimeoutMs, (holder) =>
        log(`${session.where}: waiting for the lock held by ${holder.holder} since ${holder.time}`),
      );
      held.push(session);
    }
    return await work();
  } finally {
    await Promise.all(held.map((s) => s.releaseLock(lock.id).catch(() => {})));
  }
}

/**
 * One audit log line on each host: what was done, its result there, and who did it from which run.
 * A host whose log cannot be written does not fail the deploy that already happened.
 */
export async function auditHosts(
  sessions: readonly HostSession[],
  ctx: DeployContext,
  action: string,
  entry: (index: number) => Record<string, unknown>,
): Promise<void> {
  await Promise.all(
    sessions.map((session, i) =>
      session
        .audit({
          time: ctx.now().toISOString(),
          action,
          ...entry(i),
          holder: ctx.holder,
          run: ctx.runUrl,
          commit: ctx.commit,
        })
        .catch(() => {}),
    ),
  );
}
