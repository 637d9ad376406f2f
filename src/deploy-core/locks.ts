/** The per-service deploy lock on every host (all taken, in host order, or none; always released), and the audit log beside it. */
import { randomBytes } from 'node:crypto';
import { sleep } from '../common/retry';
import type { HostSession } from './session';
import { type HostLock, isStale, LEASE_MS, type LockInfo, LockLostError } from './lease';
import type { DeployContext } from './result';

export function newLock(ctx: DeployContext): LockInfo {
  return {
    id: randomBytes(8).toString('hex'),
    holder: ctx.holder,
    time: ctx.now().toISOString(),
    run: ctx.runUrl,
  };
}

/**
 * Takes the lock on every host (in host order, all or none), removes what an interrupted run left,
 * keeps renewing the leases while `work` runs, and always releases them. A lease found lost
 * (another deploy took it over after this one stalled for a whole lease) aborts the deploy through
 * `ctx.onLockLost`: it must not go on.
 */
export async function withHostLocks<T>(
  sessions: readonly HostSession[],
  lock: LockInfo,
  request: { readonly lockTimeoutMs: number; readonly dryRun: boolean },
  ctx: DeployContext,
  work: () => Promise<T>,
): Promise<T> {
  const waitMs = request.lockTimeoutMs;
  const held: HostSession[] = [];
  const leased: LockInfo = { ...lock, leaseMs: LEASE_MS };
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = Promise.all(
      held.map(async (session) => {
        const ours = await session.lock.renew(lock.id).catch(() => true);
        if (!ours)
          ctx.onLockLost?.(
            new LockLostError(`${session.where}: the deploy lock was taken over by another deploy; stopping`),
          );
      }),
    );
  }, LEASE_MS / 4);
  try {
    for (const session of sessions) {
      ctx.signal?.throwIfAborted();
      await acquire(session, leased, waitMs, ctx);
      held.push(session);
    }
    // Holding every lock: whatever an interrupted run left (secrets in env files, pre-deploy
    // containers) cannot be in use any more.
    if (!request.dryRun) await Promise.all(held.map((s) => sweep(s, ctx)));
    return await work();
  } finally {
    clearInterval(timer);
    await renewing;
    await Promise.all(held.map((s) => s.lock.release(lock.id).catch(() => {})));
  }
}

/**
 * Keeps renewing the lease `id` on `session` while `work` runs (the post step, whose cleanup can
 * outlast one lease: waiting for a Swarm rollback; a change to the shared proxy). Says whether the
 * lease may have been lost on the way: a renewal found it another party's, or the renewal after
 * the work could not say it is still ours (an SSH error then is not proof either way). An SSH error
 * on a renewal during the work is retried at the next one.
 */
export async function whileRenewing<T>(
  session: { readonly lock: Pick<HostLock, 'renew'> },
  id: string,
  work: () => Promise<T>,
  intervalMs = LEASE_MS / 4,
): Promise<{ value: T; lost: boolean }> {
  let lost = false;
  let renewing: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    renewing = session.lock.renew(id).then(
      (ours) => (lost ||= !ours),
      () => undefined,
    );
  }, intervalMs);
  let value: T;
  try {
    value = await work();
  } finally {
    clearInterval(timer);
    await renewing;
  }
  const ours = await session.lock.renew(id).catch(() => undefined);
  return { value, lost: lost || ours !== true };
}

async function sweep(session: HostSession, ctx: DeployContext): Promise<void> {
  const removed = await session.sweepLeftovers();
  if (removed.length > 0)
    ctx.log(`${session.where}: removed what an interrupted deploy left: ${removed.join(', ')}`);
}

/** Waits for one host's lock up to `waitMs`, taking over a lock whose lease ran out. */
export async function acquire(
  session: Pick<HostSession, 'lock' | 'where' | 'dir' | 'name'>,
  info: LockInfo,
  waitMs: number,
  ctx: DeployContext,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told = false;
  for (;;) {
    const busy = await session.lock.tryAcquire(info);
    if (busy === true) return;
    if (isStale(busy, waitMs)) {
      const holder = busy.holder ? `${busy.holder.holder} (${busy.holder.run || 'no run'})` : 'a deploy';
      if (await session.lock.takeOver(busy, info.id, waitMs)) {
        ctx.log(`${session.where}: took over the lock of ${holder}: not renewed for ${busy.ageS} s`);
        continue;
      }
      // Another party is taking it over or releasing it right now: look again in a moment — up to
      // lock-timeout, then fail like any wait (a lock that stays stale is reported, never waited on forever).
      if (Date.now() <= deadline) {
        await sleep(250, ctx.signal);
        continue;
      }
    }
    if (Date.now() > deadline) {
      const h = busy.holder;
      if (!h)
        throw new Error(
          `${session.where}: the lock ${session.dir}/lock of ${session.name} has no readable holder record and could not be taken over within ${Math.round(waitMs / 1000)} s; remove that directory on the host if no deploy is running`,
        );
      throw new Error(
        `${session.where}: ${session.name} is being deployed by ${h.holder ?? 'someone'} since ${h.time ?? '?'}${h.run ? ` (${h.run})` : ''}; gave up waiting for the lock after ${Math.round(waitMs / 1000)} s`,
      );
    }
    if (busy.holder && !told) {
      ctx.log(
        `${session.where}: waiting for the lock held by ${busy.holder.holder} since ${busy.holder.time}`,
      );
      told = true;
    }
    await sleep(1000, ctx.signal);
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
