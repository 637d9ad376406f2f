/**
 * Deploying one service to several hosts: locks first, pulls everywhere before any switch,
 * migrations once, then hosts switched max-parallel at a time. A host whose new version never
 * gets healthy keeps its old one serving; hosts already switched in this run are switched back,
 * so every host ends on one version. Old versions are kept for rollback, volumes never removed.
 */
import { sleep } from '../common/retry';
import { runPool } from '../common/pool';
import { formatReference } from '../common/reference';
import type { DeployRequest } from './request';
import { configFingerprint } from '../deploy-core/fingerprint';
import { auditHosts, newLock, withHostLocks } from '../deploy-core/locks';
import { LockLostError } from '../deploy-core/lease';
import type { PinnedImage } from '../deploy-core/pin';
import { rollOut } from '../deploy-core/rollout';
import { routeConflict, type ServiceRoutes, UPSTREAM_SETTLE_MS } from '../proxy/caddy';
import { proxyLockId, type RouteChange, SharedProxy } from '../proxy/shared-proxy';
import {
  type DeployContext,
  DeployError,
  type DeployResult,
  type HostOutcome,
  type HostResult,
} from '../deploy-core/result';
import { LABEL, type LockInfo } from '../deploy-core/session';
import {
  type ContainerHost,
  type Health,
  type HostState,
  type Version,
  type VersionSpec,
} from './container-host';

export type {
  DeployContext,
  DeployResult,
  HostOutcome,
  HostResult,
  ServiceChange,
} from '../deploy-core/result';
export { DeployError } from '../deploy-core/result';

function stamp(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14);
}

function healthOf(request: DeployRequest): Health {
  return {
    ...(request.port !== undefined && { port: request.port }),
    ...(request.healthPath && { path: request.healthPath }),
    timeoutMs: request.healthTimeoutMs,
  };
}

/** What the container is configured with besides its image. */
export function configOf(request: DeployRequest): string {
  return configFingerprint(request.fingerprintKey, [...request.env, ...request.secretEnv], {
    volumes: request.volumes,
    network: request.network ?? '',
    healthCmd: request.healthCmd ?? '',
  });
}

/** What this service asks of a host's shared proxy (routes to its stable alias on its live network). */
export function routesOf(request: DeployRequest, session: ContainerHost): ServiceRoutes | undefined {
  const shared = request.shared;
  if (!shared || request.port === undefined) return undefined;
  return {
    service: request.name,
    upstream: session.alias,
    network: session.live,
    port: request.port,
    routes: shared.routes,
    tls: shared.tls,
    ...(shared.acmeEmail && { acmeEmail: shared.acmeEmail }),
    ...(shared.acmeCa && { acmeCa: shared.acmeCa }),
    ...(shared.acmeCaRoot && { acmeCaRoot: shared.acmeCaRoot }),
  };
}

/** The version in service is this digest with this configuration (routes are the shared proxy's: checked apart). */
function isUnchanged(request: DeployRequest, state: HostState, digest: string): boolean {
  const current = state.current;
  if (!current || current.digest !== digest || !current.running) return false;
  if (state.serving.length > 1) return false;
  if (current.config !== configOf(request)) return false;
  if (request.shared) return true;
  if (request.publish === undefined) return true;
  return state.proxy?.running === true;
}

/**
 * The version a rollback goes back to: the kept one `to` names (version, digest or container), or
 * else the newest kept version older than the one in service — so a second rollback goes further
 * back or stops, never forward again to what was just rolled back.
 */
export function rollbackTarget(state: HostState, current: Version, to?: string): Version | undefined {
  const kept = state.previous.filter((v) => v.digest !== current.digest || v.config !== current.config);
  if (to) return kept.find((v) => v.version === to || v.digest === to || v.container === to);
  return kept.find((v) => v.time < current.time);
}

interface Switched {
  readonly session: ContainerHost;
  readonly from?: Version;
  readonly to: string;
  readonly started: number;
}

/** The result of a host that was switched in this run: what it ran before, and how long it took. */
function switchedResult(
  s: Switched,
  result: HostOutcome,
  fields: Pick<HostResult, 'image' | 'container'> & Partial<HostResult>,
): HostResult {
  return {
    host: s.session.where,
    previous: s.from?.image ?? null,
    durationMs: performance.now() - s.started,
    result,
    ...fields,
  };
}

export class Deployer {
  private readonly request: DeployRequest;
  private readonly sessions: readonly ContainerHost[];
  private readonly ctx: DeployContext;
  readonly lock: LockInfo;
  /** Per host, this service's shared-proxy routes before this run (null: none): what a switch back restores. */
  private readonly priorRoutes = new Map<ContainerHost, ServiceRoutes | null>();

  constructor(request: DeployRequest, sessions: readonly ContainerHost[], ctx: DeployContext) {
    this.request = request;
    this.sessions = sessions;
    this.ctx = ctx;
    this.lock = newLock(ctx);
  }

  private parallel<T>(items: readonly ContainerHost[], fn: (s: ContainerHost) => Promise<T>): Promise<T[]> {
    return runPool(
      items.map((s) => () => fn(s)),
      this.request.maxParallel,
    );
  }

  /** Takes every host's lock (all or none), runs `work`, and always releases them. */
  withLocks<T>(work: () => Promise<T>): Promise<T> {
    return withHostLocks(this.sessions, this.lock, this.request, this.ctx, async () => {
      if (this.request.shared && !this.request.dryRun)
        await Promise.all(this.sessions.map((s) => this.releaseOrphanedProxyLock(s)));
      return work();
    });
  }

  /** With this service's deploy lock held: a shared-proxy lock a killed run of it left is freed (see SharedProxy.releaseOrphanedLock). */
  async releaseOrphanedProxyLock(session: ContainerHost): Promise<void> {
    const freed = await new SharedProxy(session.runner).releaseOrphanedLock(
      this.request.name,
      proxyLockId(this.lock.id),
    );
    if (freed)
      this.ctx.log(
        `${session.where}: freed the shared proxy's lock an interrupted deploy of ${this.request.name} left (${freed})`,
      );
  }

  private spec(image: PinnedImage): VersionSpec {
    const r = this.request;
    const now = this.ctx.now();
    const container = `${r.name}-${image.digest.slice(7, 19)}-${stamp(now)}`;
    return {
      container,
      image: image.reference,
      digest: image.digest,
      version: image.version,
      labels: {
        [LABEL.service]: r.name,
        [LABEL.role]: 'app',
        [LABEL.version]: image.version,
        [LABEL.digest]: image.digest,
        [LABEL.image]: image.reference,
        [LABEL.commit]: this.ctx.commit,
        [LABEL.run]: this.ctx.runUrl,
        [LABEL.time]: now.toISOString(),
        [LABEL.config]: configOf(r),
      },
      env: [...r.env, ...r.secretEnv],
      volumes: r.volumes,
      ...(r.network && { network: r.network }),
      ...(r.healthCmd && { healthCmd: r.healthCmd }),
    };
  }

  async deploy(image: PinnedImage): Promise<DeployResult> {
    const r = this.request;
    // Hostnames another service owns are refused before anything is made on the hosts.
    const routed = await this.checkRoutes();
    if (!r.dryRun) await this.parallel(this.sessions, (s) => s.prepare());
    const states = await this.parallel(this.sessions, (s) => this.converged(s));
    const previousImage = states.find((s) => s.current)?.current?.image ?? null;
    this.sessions.forEach((session, i) => {
      const published = states[i]?.proxy?.publish;
      if (r.publish !== undefined && published !== undefined && published !== r.publish) {
        throw new Error(
          `${session.where}: the proxy of ${r.name} publishes port ${published}, not ${r.publish}. Moving it needs a new proxy (a short outage): remove the container slipway-proxy-${r.name} on that host, then deploy again. Nothing was changed.`,
        );
      }
    });
    const plan = this.sessions.map((session, i) => ({ session, state: states[i] as HostState }));
    const changing = plan.filter((p) => !isUnchanged(r, p.state, image.digest));
    // The version runs as asked, but the shared proxy does not serve its routes as recorded (new
    // hostnames, or a change a killed run recorded): only the proxy changes, nothing restarts.
    const rerouting = r.shared
      ? plan.filter((p) => !changing.includes(p) && routed.get(p.session) !== true)
      : [];
    const unchanged = (p: (typeof plan)[number]): HostResult => ({
      host: p.session.where,
      previous: p.state.current?.image ?? null,
      image: image.reference,
      container: p.state.current?.container ?? null,
      durationMs: 0,
      result: r.dryRun ? 'planned' : 'unchanged',
    });
    if (r.dryRun) {
      for (const p of plan) {
        this.ctx.log(
          `${p.session.where}: ${changing.includes(p) ? `would deploy ${image.reference} (now ${p.state.current?.image ?? 'nothing'})` : `already runs ${image.digest}${rerouting.includes(p) ? '; would apply its routes to the shared proxy' : ''}`}`,
        );
      }
      return {
        digest: image.digest,
        changed: changing.length + rerouting.length > 0,
        hosts: plan.map(unchanged),
        previousImage,
      };
    }
    if (changing.length === 0) {
      if (rerouting.length === 0) {
        this.ctx.log(`every host already runs ${image.digest}: nothing restarted`);
        return { digest: image.digest, changed: false, hosts: plan.map(unchanged), previousImage };
      }
      const results = new Map(plan.map((p) => [p.session, unchanged(p)]));
      const failure = await this.reroute(rerouting, results);
      const hosts = plan.map((p) => results.get(p.session) as HostResult);
      await this.auditAll(hosts, image, failure ? 'deploy-failed' : 'deploy');
      if (failure) throw new DeployError(failure, hosts);
      return { digest: image.digest, changed: true, hosts, previousImage };
    }

    this.ctx.signal?.throwIfAborted();
    this.ctx.log(`pulling ${image.reference} on ${changing.length} host(s)`);
    const pullMs = new Map<ContainerHost, number>();
    const timings = new Map<ContainerHost, { healthMs: number; stopMs: number }>();
    await this.parallel(
      changing.map((p) => p.session),
      async (s) => {
        const t0 = performance.now();
        await s.pull(image.reference);
        pullMs.set(s, performance.now() - t0);
        this.ctx.log(`${s.where}: pulled`);
      },
    );

    if (r.preDeploy) {
      const first = changing[0]?.session as ContainerHost;
      const spec = { ...this.spec(image), container: `${r.name}-pre-deploy-${stamp(this.ctx.now())}` };
      this.ctx.signal?.throwIfAborted();
      this.ctx.log(`${first.where}: running pre-deploy once`);
      const result = await first.runOnce(spec, r.preDeploy, this.ctx.signal);
      if (result.output) this.ctx.log(result.output);
      if (result.exitCode !== 0) {
        throw new DeployError(
          `pre-deploy failed with exit code ${result.exitCode}; no host was switched`,
          plan.map(unchanged),
        );
      }
    }

    const results = new Map<ContainerHost, HostResult>();
    for (const p of plan) if (!changing.includes(p)) results.set(p.session, unchanged(p));
    const started = new Map<ContainerHost, number>();
    const ended = new Map<ContainerHost, number>();
    const rollout = await rollOut(changing, r.maxParallel, async (p) => {
      started.set(p.session, performance.now());
      this.ctx.signal?.throwIfAborted();
      const spec = this.spec(image);
      try {
        const timing = await this.switchHost(p.session, p.state, spec);
        this.ctx.log(`${p.session.where}: now serving ${spec.container}`);
        return { container: spec.container, timing };
      } finally {
        ended.set(p.session, performance.now());
      }
    });
    const switched: Switched[] = rollout.done.map(({ host: p, result }) => ({
      session: p.session,
      ...(p.state.current && { from: p.state.current }),
      to: result.container,
      started: started.get(p.session) as number,
    }));
    for (const { host: p, result } of rollout.done) timings.set(p.session, result.timing);
    for (const { host: p, error } of rollout.failed) {
      results.set(p.session, {
        host: p.session.where,
        previous: p.state.current?.image ?? null,
        image: image.reference,
        container: p.state.current?.container ?? null,
        durationMs: (ended.get(p.session) ?? 0) - (started.get(p.session) ?? 0),
        result: 'failed',
        error: error.message,
      });
    }
    const failure = rollout.failure && {
      session: rollout.failure.host.session,
      message: rollout.failure.error.message,
    };

    if (failure) {
      // Bring every host switched in this run back to what it ran before — unless the run was
      // cancelled: then there is no time for health checks, each host serves one version and the
      // next run converges them all.
      for (const s of this.ctx.signal?.aborted ? [] : switched) {
        try {
          if (s.from) await this.switchBack(s.session, s.from, s.to);
          results.set(
            s.session,
            switchedResult(s, 'reverted', {
              image: s.from?.image ?? null,
              container: s.from?.container ?? null,
            }),
          );
        } catch (error) {
          results.set(
            s.session,
            switchedResult(s, 'failed', {
              image: image.reference,
              container: s.to,
              error: `could not switch back: ${error instanceof Error ? error.message : error}`,
            }),
          );
        }
      }
      // Hosts of batches after the failing one were never touched.
      for (const p of plan) if (!results.has(p.session)) results.set(p.session, unchanged(p));
      const hosts = this.sessions.map((s) => results.get(s) as HostResult);
      await this.auditAll(hosts, image, 'deploy-failed');
      throw new DeployError(`${failure.session.where}: ${failure.message}`, hosts);
    }

    for (const s of switched) {
      results.set(
        s.session,
        switchedResult(s, 'deployed', {
          image: image.reference,
          container: s.to,
          pullMs: Math.round(pullMs.get(s.session) ?? 0),
          healthMs: Math.round(timings.get(s.session)?.healthMs ?? 0),
          stopMs: Math.round(timings.get(s.session)?.stopMs ?? 0),
        }),
      );
    }
    // Hosts that keep their version get their routes once every switch succeeded (a failed switch
    // elsewhere leaves them as they were).
    const rerouteFailure = await this.reroute(rerouting, results);
    const hosts = this.sessions.map((s) => results.get(s) as HostResult);
    const before = new Map(plan.map((p) => [p.session, p.state]));
    const pruning = Promise.all(
      switched.map(async (s) => {
        // Kept for rollback: the version just replaced and the ones stopped before it, newest first.
        const stopped = [...(s.from ? [s.from] : []), ...(before.get(s.session)?.previous ?? [])];
        const pruned = await s.session.prune(r.keep, stopped);
        if (pruned.length > 0) this.ctx.log(`${s.session.where}: pruned ${pruned.join(', ')}`);
      }),
    );
    await Promise.all([pruning, this.auditAll(hosts, image, rerouteFailure ? 'deploy-failed' : 'deploy')]);
    if (rerouteFailure) throw new DeployError(rerouteFailure, hosts);
    return { digest: image.digest, changed: true, hosts, previousImage };
  }

  /**
   * Puts the routes of hosts that keep their version in the shared proxy (`rerouted`), each
   * host's failure its own `failed` result; returns the first failure for the caller to report.
   */
  private async reroute(
    entries: ReadonlyArray<{ session: ContainerHost; state: HostState }>,
    results: Map<ContainerHost, HostResult>,
  ): Promise<string | undefined> {
    let failure: string | undefined;
    await this.parallel(
      entries.map((e) => e.session),
      async (session) => {
        this.ctx.signal?.throwIfAborted();
        const current = entries.find((e) => e.session === session)?.state.current as Version;
        const started = performance.now();
        const result = (outcome: HostOutcome, error?: string): HostResult => ({
          host: session.where,
          previous: current.image,
          image: current.image,
          container: current.container,
          durationMs: performance.now() - started,
          result: outcome,
          ...(error && { error }),
        });
        try {
          await this.serve(session, current.container);
          this.ctx.log(`${session.where}: ${current.container} keeps running; its routes are served now`);
          results.set(session, result('rerouted'));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          results.set(session, result('failed', message));
          failure ??= `${session.where}: ${message}`;
        }
      },
    );
    return failure;
  }

  /**
   * With hostnames, before anything changes: no host's shared proxy serves one of them for another
   * service, and its ports are the ones asked for. Returns, per host, whether the proxy already runs
   * with exactly this service's routes.
   */
  private async checkRoutes(): Promise<Map<ContainerHost, boolean>> {
    const r = this.request;
    const routed = new Map<ContainerHost, boolean>();
    const shared = r.shared;
    if (!shared) return routed;
    await this.parallel(this.sessions, async (session) => {
      const mine = routesOf(r, session) as ServiceRoutes;
      const proxy = new SharedProxy(session.runner);
      const [table, status] = await Promise.all([proxy.table(), proxy.status()]);
      const conflict = routeConflict(table, mine);
      if (conflict) throw new Error(`${session.where}: hostnames: ${conflict}; nothing was changed`);
      proxy.checkPorts(status, shared.ports);
      this.priorRoutes.set(session, table.find((t) => t.service === r.name) ?? null);
      routed.set(session, await proxy.serves(mine));
    });
    return routed;
  }

  /**
   * Reads a host's state and brings it back to one version in service from whatever an interrupted
   * run left: versions started but never put in service are removed; when several versions serve
   * (a switch cut between putting the new one in service and stopping the old), the newest — the one
   * that passed its health check to get there — stays and the others leave service.
   */
  async converged(session: ContainerHost): Promise<HostState> {
    const state = await session.state();
    if (this.request.dryRun) return state;
    for (const orphan of state.orphans) {
      if (state.current && orphan.time < state.current.time) {
        // An older version started again by an interrupted switch-back or rollback: kept, stopped.
        this.ctx.log(`${session.where}: stopping ${orphan.container}, started by an interrupted run`);
        await session.stop(orphan.container);
      } else {
        this.ctx.log(`${session.where}: removing ${orphan.container}, left running by an interrupted deploy`);
        await session.remove(orphan.container);
      }
    }
    const [keep, ...extra] = state.serving;
    for (const version of extra) {
      this.ctx.log(
        `${session.where}: ${version.container} and ${keep?.container} were both in service (an interrupted switch); taking ${version.container} out`,
      );
      await session.stop(version.container);
    }
    if (state.orphans.length === 0 && extra.length === 0) return state;
    return {
      ...state,
      serving: keep ? [keep] : [],
      orphans: [],
      previous: [
        ...[...extra, ...state.orphans.filter((o) => state.current && o.time < state.current.time)].map(
          (v) => ({ ...v, running: false }),
        ),
        ...state.previous,
      ].sort((a, b) => b.time.localeCompare(a.time)),
    };
  }

  /** Starts the new version beside the old (rolling) or after it (recreate), then switches. */
  /** Returns how long the health wait and the old version's (graceful) stop took. */
  private async switchHost(
    session: ContainerHost,
    state: HostState,
    spec: VersionSpec,
  ): Promise<{ healthMs: number; stopMs: number }> {
    const r = this.request;
    const current = state.current;
    if (r.strategy === 'recreate' && current) await session.stop(current.container);
    await session.start(spec);
    const healthStarted = performance.now();
    let health: Awaited<ReturnType<ContainerHost['waitHealthy']>>;
    try {
      health = await session.waitHealthy(spec.container, healthOf(r), this.ctx.signal);
    } catch (error) {
      // Cancelled while the new version was starting: it never served, so it goes. The old one comes
      // back after a recreate — unless the lock was lost: then another deploy owns the host now.
      await session.remove(spec.container);
      const lockLost = this.ctx.signal?.reason instanceof LockLostError;
      if (r.strategy === 'recreate' && current && !lockLost) await this.restore(session, current.container);
      throw error;
    }
    const healthWaitMs = performance.now() - healthStarted;
    if (!health.ok) {
      const logs = await session.logs(spec.container);
      await session.remove(spec.container);
      if (r.strategy === 'recreate' && current) await this.restore(session, current.container);
      throw new Error(
        `${spec.container} never became healthy: ${health.detail}\n--- last log lines ---\n${logs || '(none)'}\nThe previous version keeps serving.`,
      );
    }
    try {
      await this.serve(session, spec.container, state.proxy?.running === true);
    } catch (error) {
      // Not in service after all (the proxy could not be made to serve): the new version goes,
      // the old one — still on the live network, or restarted after a recreate — keeps serving.
      await session.remove(spec.container);
      if (r.strategy === 'recreate' && current) await this.restore(session, current.container);
      throw error;
    }
    // The old version leaves service when it stops: docker drops it from the alias, and a
    // graceful app finishes what it has in flight on SIGTERM.
    const stopStarted = performance.now();
    if (current && r.strategy === 'rolling') await session.stop(current.container);
    return { healthMs: healthWaitMs, stopMs: performance.now() - stopStarted };
  }

  /**
   * Puts a healthy version in service behind the proxy (creating the proxy on the first deploy).
   * With `back`, a version of before this run returns: the shared proxy gets back the routes this
   * service had then (none: its routes go), not the ones this run asked for.
   */
  private async serve(
    session: ContainerHost,
    container: string,
    proxyRunning = false,
    back = false,
  ): Promise<void> {
    const r = this.request;
    await session.activate(container);
    const routes =
      back && this.priorRoutes.has(session) ? this.priorRoutes.get(session) : routesOf(r, session);
    if (r.shared) {
      const change: RouteChange = routes
        ? { kind: 'set', routes, ...(r.healthPath && { probePath: r.healthPath }) }
        : { kind: 'remove', service: r.name, network: session.live };
      await new SharedProxy(session.runner).apply(
        change,
        { image: formatReference(r.proxyImage), ports: r.shared.ports },
        this.lock,
        this.ctx,
        r.lockTimeoutMs,
      );
    } else if (r.publish !== undefined && r.port !== undefined) {
      await session.ensureProxy(r.port, r.publish, formatReference(r.proxyImage), r.healthPath, proxyRunning);
    }
    // Every proxy looks the live network's addresses up in the background: the version this one
    // replaces leaves service (its caller stops it next) only once they have this one's.
    // Not cancellable: a switch in progress is finished (the old version leaves), never left halfway.
    if (r.shared || r.publish !== undefined) await sleep(UPSTREAM_SETTLE_MS);
  }

  /** Returns a host to `from` and removes the version that replaced it in this run. */
  private async switchBack(session: ContainerHost, from: Version, to: string): Promise<void> {
    await this.bringBack(session, from.container, `${to} keeps serving`);
    await session.stop(to);
    await session.remove(to);
  }

  /** After a failed recreate: the old version back in service, or a log line saying why it is not. */
  private async restore(session: ContainerHost, container: string): Promise<void> {
    await this.bringBack(session, container).catch((error: Error) =>
      this.ctx.log(`${session.where}: ${error.message}`),
    );
  }

  /** Starts a kept version again and puts it in service once it passed its health check. */
  private async bringBack(
    session: ContainerHost,
    container: string,
    otherwise = 'nothing serves',
  ): Promise<void> {
    await session.startExisting(container);
    const health = await session.waitHealthy(container, healthOf(this.request));
    if (!health.ok) {
      await session.stop(container);
      throw new Error(`${container} did not become healthy again (${health.detail}); ${otherwise}`);
    }
    await this.serve(session, container, false, true);
  }

  /** rollback: true — every host goes back to the version it ran before the current one. */
  async rollback(): Promise<DeployResult> {
    const r = this.request;
    const states = await this.parallel(this.sessions, (s) => this.converged(s));
    const targets = this.sessions.map((session, i) => {
      const state = states[i] as HostState;
      const current = state.current;
      if (!current) throw new Error(`${session.where}: ${r.name} is not in service: nothing to roll back`);
      const target = rollbackTarget(state, current, r.rollbackTo);
      if (!target) {
        const kept = state.previous.map((v) => v.version || v.digest).join(', ') || 'none';
        throw new Error(
          r.rollbackTo
            ? `${session.where}: no kept version of ${r.name} matches ${r.rollbackTo} (kept: ${kept})`
            : `${session.where}: no kept version of ${r.name} older than the one in service (${current.version || current.digest}); name one with rollback-to (kept: ${kept})`,
        );
      }
      return { session, state, current, target };
    });
    const digests = new Set(targets.map((t) => t.target.digest));
    if (digests.size > 1) {
      throw new Error(
        `the hosts would roll back to different versions (${[...digests].join(', ')}); deploy a digest instead`,
      );
    }
    const results: HostResult[] = [];
    if (r.dryRun) {
      for (const t of targets)
        this.ctx.log(`${t.session.where}: would roll back ${t.current.image} → ${t.target.image}`);
    } else {
      await this.parallel(
        targets.map((t) => t.session),
        async (session) => {
          const t = targets.find((x) => x.session === session) as (typeof targets)[number];
          const started = performance.now();
          await session.startExisting(t.target.container);
          const health = await session.waitHealthy(t.target.container, healthOf(r));
          if (!health.ok) {
            await session.stop(t.target.container);
            throw new Error(
              `${session.where}: ${t.target.container} did not become healthy again: ${health.detail}`,
            );
          }
          await this.serve(session, t.target.container);
          await session.stop(t.current.container);
          results.push({
            host: session.where,
            previous: t.current.image,
            image: t.target.image,
            container: t.target.container,
            durationMs: performance.now() - started,
            result: 'rolled-back',
          });
          this.ctx.log(`${session.where}: rolled back to ${t.target.container}`);
        },
      );
    }
    const target = targets[0]?.target as Version;
    const ordered = r.dryRun
      ? targets.map((t) => ({
          host: t.session.where,
          previous: t.current.image,
          image: t.target.image,
          container: t.target.container,
          durationMs: 0,
          result: 'planned' as const,
        }))
      : this.sessions.map((s) => results.find((x) => x.host === s.where) as HostResult);
    if (!r.dryRun)
      await this.auditAll(
        ordered,
        { reference: target.image, digest: target.digest, version: target.version },
        'rollback',
      );
    return {
      digest: target.digest,
      changed: !r.dryRun,
      hosts: ordered,
      previousImage: targets[0]?.current.image ?? null,
    };
  }

  private async auditAll(hosts: readonly HostResult[], image: PinnedImage, action: string): Promise<void> {
    await auditHosts(this.sessions, this.ctx, action, (i) => ({
      service: this.request.name,
      image: image.reference,
      digest: image.digest,
      version: image.version,
      result: hosts[i]?.result,
      previous: hosts[i]?.previous,
    }));
  }
}
