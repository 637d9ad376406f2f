/**
 * The deploy freeze of a service on its hosts (`slipway lock acquire|release|status`, and
 * remote-deploy-ssh with operation lock-acquire, lock-release or lock-status): see
 * deploy-core/freeze.ts for what a freeze is on a host.
 */
import { randomBytes } from 'node:crypto';
import { InputError, type Inputs } from '../common/inputs';
import type { Outcome, Reporter } from '../common/reporter';
import { connectAll } from '../deploy-core/connect';
import { describeFreeze, type FreezeRecord, HostFreeze, readFreezeMessage } from '../deploy-core/freeze';
import { HostSession } from '../deploy-core/session';
import { readConnection, readName } from '../deploy-core/inputs';
import { auditHosts, newLock, withHostLocks } from '../deploy-core/locks';
import { deployContext } from './operation';

export const LOCK_ACTIONS = ['acquire', 'release', 'status'] as const;

/** The action's state: the deploy lease a day-two operation holds (its post step frees it if killed). */
export const DAY_TWO_LOCK_STATE = 'day-two-lock';

/**
 * The post step of lock-acquire, maintenance and live: a run killed while it held the service's
 * deploy lease on some hosts frees it now (only where it is still this run's), instead of a lease
 * later. What it did on the hosts is finished by running it again.
 */
export async function releaseLeftLease(inputs: Inputs, report: Reporter): Promise<void> {
  const id = report.readState(DAY_TWO_LOCK_STATE);
  if (!id) return;
  for (const secret of ['private-key', 'passphrase']) report.mask(inputs.string(secret));
  const request = readConnection(inputs);
  const name = readName(inputs);
  const runners = await connectAll(request, () => {});
  try {
    await Promise.all(runners.map((runner) => new HostSession(runner, name).lock.release(id)));
    report.info(`Released the deploy lock ${id} the interrupted run held`);
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
}
export type LockAction = (typeof LOCK_ACTIONS)[number];

export interface HostFreezeState {
  readonly host: string;
  /** The freeze on this host now (after the operation); absent: not frozen. */
  readonly freeze?: FreezeRecord;
  /** acquire: false when a freeze was already there (it was kept as it was). release: whether one was lifted. */
  readonly changed: boolean;
}

function outcome(
  action: LockAction,
  name: string,
  hosts: readonly HostFreezeState[],
  error?: string,
): Outcome {
  const frozen = hosts.filter((h) => h.freeze);
  const lines = hosts.map((h) => `${h.host}: ${h.freeze ? describeFreeze(h.freeze) : 'not frozen'}`);
  const title =
    action === 'acquire'
      ? `Deploys of ${name} are frozen`
      : action === 'release'
        ? `Deploys of ${name} are no longer frozen`
        : frozen.length > 0
          ? `${name} is frozen on ${frozen.length} of ${hosts.length} host(s)`
          : `${name} is not frozen`;
  return {
    outputs: {
      frozen: String(frozen.length > 0),
      hosts: JSON.stringify(hosts),
    },
    summary: [`## ${error ? `Freeze of ${name} failed` : title}`, lines.join('\n')],
    ...(error && { error }),
  };
}

/**
 * acquire: takes the deploy lease of every host (waiting up to lock-timeout for a deploy in
 * progress), writes the freeze where there is none, audits it, releases the leases. Rerun after an
 * interruption, it completes the hosts that were not frozen yet. Fails only when every host was
 * already frozen (by someone else's freeze, named).
 * release: lifts the freeze on every host, whoever set it (audited). status: reads it.
 */
export async function runLockOperation(
  action: LockAction,
  inputs: Inputs,
  report: Reporter,
  signal?: AbortSignal,
): Promise<Outcome> {
  for (const secret of ['private-key', 'passphrase']) report.mask(inputs.string(secret));
  if (!(LOCK_ACTIONS as readonly string[]).includes(action))
    throw new InputError('operation', `lock-${action} is not one of lock-${LOCK_ACTIONS.join(', lock-')}`);
  const request = readConnection(inputs);
  const name = readName(inputs);
  const message = action === 'acquire' ? readFreezeMessage(inputs) : '';
  const ctx = deployContext(report, signal);
  const runners = await connectAll(request, ctx.log);
  try {
    const sessions = runners.map((runner) => new HostSession(runner, name));
    const freezes = sessions.map((s) => new HostFreeze(s.runner, s.dir));
    if (action === 'status') {
      const hosts = await Promise.all(
        sessions.map(async (s, i) => {
          const freeze = await (freezes[i] as HostFreeze).read();
          return { host: s.where, ...(freeze && { freeze }), changed: false };
        }),
      );
      return outcome(action, name, hosts);
    }
    if (action === 'release') {
      const hosts = await Promise.all(
        sessions.map(async (s, i) => {
          const lifted = await (freezes[i] as HostFreeze).release();
          return { host: s.where, changed: lifted !== undefined };
        }),
      );
      const lifted = sessions.filter((_, i) => hosts[i]?.changed);
      await auditHosts(lifted, ctx, 'unfreeze', () => ({ result: 'released' }));
      for (const h of hosts) if (!h.changed) ctx.log(`${h.host}: ${name} was not frozen here`);
      return outcome(action, name, hosts);
    }
    const lock = newLock(ctx);
    report.saveState(DAY_TWO_LOCK_STATE, lock.id);
    const record: FreezeRecord = {
      holder: ctx.holder,
      time: ctx.now().toISOString(),
      message,
      run: ctx.runUrl,
    };
    const id = randomBytes(8).toString('hex');
    const hosts = await withHostLocks(
      sessions,
      lock,
      { lockTimeoutMs: request.lockTimeoutMs, dryRun: false, ignoreFreeze: true, ignoreMaintenance: true },
      ctx,
      () =>
        Promise.all(
          sessions.map(async (s, i): Promise<HostFreezeState> => {
            const taken = await (freezes[i] as HostFreeze).acquire(record, id);
            return taken === true
              ? { host: s.where, freeze: record, changed: true }
              : { host: s.where, freeze: taken, changed: false };
          }),
        ),
    );
    report.saveState(DAY_TWO_LOCK_STATE, '');
    const frozenNow = sessions.filter((_, i) => hosts[i]?.changed);
    await auditHosts(frozenNow, ctx, 'freeze', () => ({ result: 'frozen', message }));
    for (const h of hosts)
      if (!h.changed && h.freeze) ctx.log(`${h.host}: already ${describeFreeze(h.freeze)} (kept as it is)`);
    const first = hosts[0]?.freeze;
    return outcome(
      action,
      name,
      hosts,
      frozenNow.length === 0 && first
        ? `${name} is already ${describeFreeze(first)}; release it first (slipway lock release) to freeze it again`
        : undefined,
    );
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
}
