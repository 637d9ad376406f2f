/**
 * Deploying one service to several hosts: locks first, pulls everywhere before any switch,
 * migrations once, then hosts switched max-parallel at a time. A host whose new version never
 * gets healthy keeps its old one serving; hosts already switched in this run are switched back,
 * so every host ends on one version. Old versions are kept for rollback, volumes never removed.
 * What each host will do is decided first (plan.ts, which the dry run prints); this runs it, a
 * phase at a time.
 */
import { sleep } from '../common/retry';
import { runPool } from '../common/pool';
import { formatReference } from '../common/reference';
import type { DeployRequest } from './request';
import { auditHosts, newLock, withHostLocks } from '../deploy-core/locks';
import { LockLostError } from '../deploy-core/lease';
import type { PinnedImage } from '../deploy-core/pin';
import { rollOut } from '../deploy-core/rollout';
import { PROXY_PORT, routeConflict, type ServiceRoutes, UPSTREAM_SETTLE_MS } from '../proxy/caddy';
import { proxyLockId, type RouteChange, SharedProxy } from '../proxy/shared-proxy';
import { type DeployContext, DeployError, type DeployResult, type HostResult } from '../deploy-core/result';
import { LABEL, type LockInfo } from '../deploy-core/session';
import {
  type ContainerHost,
  type Health,
  type HostState,
  type Version,
  type VersionSpec,
} from './container-host';
import {
  configOf,
  type DeployPlan,
  describeDeploy,
  describeRollback,
  type HostPlan,
  hostResult,
  hostsTaking,
  keptResult,
  planDeploy,
  planRollback,
  rolledBackResult,
} from './plan';

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

/** What this service asks of a host's shared proxy (routes to its stable alias on its live network). */
export function routesOf(request: DeployRequest, session: ContainerHost): ServiceRoutes | undefined {
  const shared = request.shared;
  if (!shared || request.port === undefined) return undefined;
  return {
    service: request.name,
    // The service's own proxy: one stable address (the versions behind it come and go).
    upstream: session.proxy,
    network: session.live,
    port: PROXY_PORT,
    appPort: request.port,
    routes: shared.routes,
    tls: shared.tls,
    ...(shared.acmeEmail && { acmeEmail: shared.acmeEmail }),
    ...(shared.acmeCa && { acmeCa: shared.acmeCa }),
    ...(shared.acmeCaRoot && { acmeCaRoot: shared.acmeCaRoot }),
  };
}

interface Switched {
  readonly session: ContainerHost;
  readonly from?: Version;
  /** Stopped versions it kept before this run, newest first. */
  readonly previous: readonly Version[];
  readonly to: string;
  readonly started: number;
  /** How long the health wait and the old version's (graceful) stop took. */
  readonly timing: { readonly healthMs: number; readonly stopMs: number };
}

/** The result of a host that was switched in this run: what it ran before, and how long it took. */
function switchedResult(
  s: Switched,
  result: 'deployed' | 'reverted' | 'failed',
  now: { readonly image: string | null; readonly container: string | null },
  extra: Pick<HostResult, 'error' | 'pullMs' | 'healthMs' | 'stopMs'> = {},
): HostResult {
  return hostResult(s.session.where, s.from, result, now, {
    durationMs: performance.now() - s.started,
    ...extra,
  });
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

  /** Reads and converges every host, plans, then prints the plan (dry run) or runs it. */
  async deploy(image: PinnedImage): Promise<DeployResult> {
    const r = this.request;
    // Hostnames another service owns are refused before anything is made on the hosts.
    const routed = await this.checkRoutes();
    if (!r.dryRun) await this.parallel(this.sessions, (s) => s.prepare());
    const states = await this.parallel(this.sessions, (s) => this.converged(s));
    const plan = planDeploy(
      r,
      image,
      this.sessions.map((host, i) => ({
        host,
        where: host.where,
        state: states[i] as HostState,
        routed: routed.get(host) === true,
      })),
    );
    if (r.dryRun) {
      for (const line of describeDeploy(plan)) this.ctx.log(line);
      return {
        digest: image.digest,
        changed: plan.changed,
        hosts: plan.hosts.map((h) => keptResult(plan.image, h, 'planned')),
        previousImage: plan.previousImage,
      };
    }
    return this.execute(plan);
  }

  /** Runs a plan: pull, pre-deploy once, switch in batches (or switch back), reroute, prune, audit. */
  private async execute(plan: DeployPlan<ContainerHost>): Promise<DeployResult> {
    const { image, previousImage } = plan;
    const switching = hostsTaking(plan, 'switch');
    const rerouting = hostsTaking(plan, 'reroute');
    const results = new Map<ContainerHost, HostResult>();
    for (const h of plan.hosts)
      if (h.action !== 'switch') results.set(h.host, keptResult(plan.image, h, 'unchanged'));
    const inHostOrder = () => this.sessions.map((s) => results.get(s) as HostResult);
    if (switching.length === 0) {
      if (rerouting.length === 0) {
        this.ctx.log(`every host already runs ${image.digest}: nothing restarted`);
        return { digest: image.digest, changed: false, hosts: inHostOrder(), previousImage };
      }
      const failure = await this.reroute(rerouting, results);
      const hosts = inHostOrder();
      await this.auditAll(hosts, image, failure ? 'deploy-failed' : 'deploy');
      if (failure) throw new DeployError(failure, hosts);
      return { digest: image.digest, changed: true, hosts, previousImage };
    }

    this.ctx.signal?.throwIfAborted();
    const pullMs = await this.pull(switching, image);
    await this.preDeploy(plan, switching[0] as HostPlan<ContainerHost>);
    const { switched, failure } = await this.switchAll(switching, image, results);

    if (failure) {
      await this.switchBackAll(switched, image, results);
      // Hosts of batches after the failing one were never touched.
      for (const h of switching)
        if (!results.has(h.host)) results.set(h.host, keptResult(plan.image, h, 'unchanged'));
      const hosts = inHostOrder();
      await this.auditAll(hosts, image, 'deploy-failed');
      throw new DeployError(`${failure.session.where}: ${failure.message}`, hosts);
    }

    for (const s of switched) {
      results.set(
        s.session,
        switchedResult(
          s,
          'deployed',
          { image: image.reference, container: s.to },
          {
            pullMs: Math.round(pullMs.get(s.session) ?? 0),
            healthMs: Math.round(s.timing.healthMs),
            stopMs: Math.round(s.timing.stopMs),
          },
        ),
      );
    }
    // Hosts that keep their version get their routes once every switch succeeded (a failed switch
    // elsewhere leaves them as they were).
    const rerouteFailure = await this.reroute(rerouting, results);
    const hosts = inHostOrder();
    await Promise.all([
      this.pruneAll(switched),
      this.auditAll(hosts, image, rerouteFailure ? 'deploy-failed' : 'deploy'),
    ]);
    if (rerouteFailure) throw new DeployError(rerouteFailure, hosts);
    return { digest: image.digest, changed: true, hosts, previousImage };
  }

  /** Phase 1: the image on every host that switches, before any switch; how long each took. */
  private async pull(
    switching: ReadonlyArray<HostPlan<ContainerHost>>,
    image: PinnedImage,
  ): Promise<Map<ContainerHost, number>> {
    this.ctx.log(`pulling ${image.reference} on ${switching.length} host(s)`);
    const pullMs = new Map<ContainerHost, number>();
    await this.parallel(
      switching.map((h) => h.host),
      async (s) => {
        const t0 = performance.now();
        await s.pull(image.reference);
        pullMs.set(s, performance.now() - t0);
        this.ctx.log(`${s.where}: pulled`);
      },
    );
    return pullMs;
  }

  /** Phase 2: pre-deploy, once, on the first host that switches; a failure stops the run before any switch. */
  private async preDeploy(plan: DeployPlan<ContainerHost>, first: HostPlan<ContainerHost>): Promise<void> {
    const r = this.request;
    if (!r.preDeploy) return;
    const spec = { ...this.spec(plan.image), container: `${r.name}-pre-deploy-${stamp(this.ctx.now())}` };
    this.ctx.signal?.throwIfAborted();
    this.ctx.log(`${first.where}: running pre-deploy once`);
    const result = await first.host.runOnce(spec, r.preDeploy, this.ctx.signal);
    if (result.output) this.ctx.log(result.output);
    if (result.exitCode !== 0) {
      throw new DeployError(
        `pre-deploy failed with exit code ${result.exitCode}; no host was switched`,
        plan.hosts.map((h) => keptResult(plan.image, h, 'unchanged')),
      );
    }
  }

  /**
   * Phase 3: hosts switched max-parallel at a time, no new batch after a failure. Each host that
   * failed gets its `failed` result; returns the hosts switched and the first failure.
   */
  private async switchAll(
    switching: ReadonlyArray<HostPlan<ContainerHost>>,
    image: PinnedImage,
    results: Map<ContainerHost, HostResult>,
  ): Promise<{ switched: Switched[]; failure?: { session: ContainerHost; message: string } }> {
    const started = new Map<ContainerHost, number>();
    const ended = new Map<ContainerHost, number>();
    const rollout = await rollOut(switching, this.request.maxParallel, async (h) => {
      started.set(h.host, performance.now());
      this.ctx.signal?.throwIfAborted();
      const spec = this.spec(image);
      try {
        const timing = await this.switchHost(h.host, h.state, spec);
        this.ctx.log(`${h.where}: now serving ${spec.container}`);
        return { container: spec.container, timing };
      } finally {
        ended.set(h.host, performance.now());
      }
    });
    const switched: Switched[] = rollout.done.map(({ host: h, result }) => ({
      session: h.host,
      ...(h.state.current && { from: h.state.current }),
      previous: h.state.previous,
      to: result.container,
      started: started.get(h.host) as number,
      timing: result.timing,
    }));
    for (const { host: h, error } of rollout.failed) {
      results.set(
        h.host,
        keptResult(image, h, 'failed', {
          durationMs: (ended.get(h.host) ?? 0) - (started.get(h.host) ?? 0),
          error: error.message,
        }),
      );
    }
    const failure = rollout.failure && {
      session: rollout.failure.host.host,
      message: rollout.failure.error.message,
    };
    return { switched, ...(failure && { failure }) };
  }

  /**
   * After a failed switch: every host switched in this run goes back to what it ran before —
   * unless the run was cancelled: then there is no time for health checks, each host serves one
   * version and the next run converges them all.
   */
  private async switchBackAll(
    switched: readonly Switched[],
    image: PinnedImage,
    results: Map<ContainerHost, HostResult>,
  ): Promise<void> {
    for (const s of this.ctx.signal?.aborted ? [] : switched) {
      try {
        if (!s.from) {
          // The service's first version on this host: there is nothing to go back to, and it serves.
          this.ctx.log(`${s.session.where}: ${s.to} keeps serving (no earlier version on this host)`);
          results.set(s.session, switchedResult(s, 'deployed', { image: image.reference, container: s.to }));
          continue;
        }
        await this.switchBack(s.session, s.from, s.to);
        results.set(
          s.session,
          switchedResult(s, 'reverted', { image: s.from.image, container: s.from.container }),
        );
      } catch (error) {
        results.set(
          s.session,
          switchedResult(
            s,
            'failed',
            { image: image.reference, container: s.to },
            { error: `could not switch back: ${error instanceof Error ? error.message : error}` },
          ),
        );
      }
    }
  }

  /** Phase 4: on each switched host, stopped versions beyond `keep` go (the one just replaced is kept first). */
  private async pruneAll(switched: readonly Switched[]): Promise<void> {
    await Promise.all(
      switched.map(async (s) => {
        // Kept for rollback: the version just replaced and the ones stopped before it, newest first.
        const stopped = [...(s.from ? [s.from] : []), ...s.previous];
        const pruned = await s.session.prune(this.request.keep, stopped);
        if (pruned.length > 0) this.ctx.log(`${s.session.where}: pruned ${pruned.join(', ')}`);
      }),
    );
  }

  /**
   * Puts the routes of hosts that keep their version in the shared proxy (`rerouted`), each
   * host's failure its own `failed` result; returns the first failure for the caller to report.
   */
  private async reroute(
    entries: ReadonlyArray<HostPlan<ContainerHost>>,
    results: Map<ContainerHost, HostResult>,
  ): Promise<string | undefined> {
    let failure: string | undefined;
    await this.parallel(
      entries.map((e) => e.host),
      async (session) => {
        this.ctx.signal?.throwIfAborted();
        const current = entries.find((e) => e.host === session)?.state.current as Version;
        const started = performance.now();
        const result = (outcome: 'rerouted' | 'failed', error?: string): HostResult =>
          hostResult(
            session.where,
            current,
            outcome,
            { image: current.image, container: current.container },
            { durationMs: performance.now() - started, ...(error && { error }) },
          );
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
      // A new proxy-image is an upgrade of the host's proxy even when the routes stay (see apply).
      routed.set(
        session,
        (await proxy.serves(mine)) &&
          !(r.proxyImageGiven && (await proxy.upgradePending(formatReference(r.proxyImage)))) &&
          !(await proxy.unsettled()),
      );
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
   * service had then (none: its routes go), not the ones this run asked for. A proxy-image other
   * than the one the shared proxy runs upgrades it here, without a gap (SharedProxy.apply).
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
      const proxy = new SharedProxy(session.runner);
      // The service's own proxy first (no port published): the shared proxy's routes go to it.
      const front =
        routes !== null && routes !== undefined && r.port !== undefined
          ? await session.ensureProxy(
              r.port,
              undefined,
              formatReference(r.proxyImage),
              r.healthPath,
              proxyRunning,
            )
          : false;
      const change: RouteChange = routes
        ? { kind: 'set', routes, ...(r.healthPath && { probePath: r.healthPath }) }
        : { kind: 'remove', service: r.name, network: session.live };
      try {
        await proxy.apply(
          change,
          { image: formatReference(r.proxyImage), ports: r.shared.ports, upgrade: r.proxyImageGiven },
          this.lock,
          this.ctx,
          r.lockTimeoutMs,
        );
      } catch (error) {
        // A proxy of the service made for routes the shared proxy did not take goes again — unless
        // the record names it after all (a lock taken over mid-change leaves this run's record).
        if (front) {
          const record = (await proxy.table().catch(() => [])).find((t) => t.service === r.name);
          if (record?.upstream !== session.proxy) await session.removeProxy().catch(() => {});
        }
        throw error;
      }
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
    const steps = planRollback(
      r,
      this.sessions.map((host, i) => ({ host, where: host.where, state: states[i] as HostState })),
    );
    const target = steps[0]?.target as Version;
    const previousImage = steps[0]?.current.image ?? null;
    if (r.dryRun) {
      for (const line of describeRollback(steps)) this.ctx.log(line);
      return {
        digest: target.digest,
        changed: false,
        hosts: steps.map((t) => rolledBackResult(t, 'planned')),
        previousImage,
      };
    }
    const results = new Map<ContainerHost, HostResult>();
    await this.parallel(
      steps.map((t) => t.host),
      async (session) => {
        const t = steps.find((x) => x.host === session) as (typeof steps)[number];
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
        results.set(session, rolledBackResult(t, 'rolled-back', performance.now() - started));
        this.ctx.log(`${session.where}: rolled back to ${t.target.container}`);
      },
    );
    const hosts = this.sessions.map((s) => results.get(s) as HostResult);
    await this.auditAll(
      hosts,
      { reference: target.image, digest: target.digest, version: target.version },
      'rollback',
    );
    return { digest: target.digest, changed: true, hosts, previousImage };
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
