/**
 * What a single-container deploy or rollback will do, decided before anything changes: pure
 * functions of the request and each host's state (read and converged by the executor, deploy.ts).
 * The dry run prints the plan; the executor runs it; unit tests cover it without a host.
 */
import { configFingerprint } from '../deploy-core/fingerprint';
import type { PinnedImage } from '../deploy-core/pin';
import type { HostOutcome, HostResult } from '../deploy-core/result';
import type { HostState, Version } from './container-host';
import type { DeployRequest } from './request';

/** What the container is configured with besides its image. */
export function configOf(request: DeployRequest): string {
  return configFingerprint(request.fingerprintKey, [...request.env, ...request.secretEnv], {
    volumes: request.volumes,
    network: request.network ?? '',
    healthCmd: request.healthCmd ?? '',
  });
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
 * One host's part: `switch` starts the new version and puts it in service; `reroute` keeps the
 * version running and only puts its routes in the shared proxy; `keep` changes nothing.
 */
export type HostAction = 'switch' | 'reroute' | 'keep';

/** A host as the planner sees it: where it is, what runs there, and whether the shared proxy already serves its routes. */
export interface HostView<H> {
  readonly host: H;
  readonly where: string;
  readonly state: HostState;
  /** With hostnames: the shared proxy already runs with exactly this service's routes. */
  readonly routed?: boolean;
}

export interface HostPlan<H> extends HostView<H> {
  readonly action: HostAction;
}

export interface DeployPlan<H> {
  readonly image: PinnedImage;
  /** In host order. */
  readonly hosts: ReadonlyArray<HostPlan<H>>;
  /** What the first host with a version in service ran before this run. */
  readonly previousImage: string | null;
  /** Some host switches or reroutes. */
  readonly changed: boolean;
}

/**
 * Which hosts switch to `image`, which only get their routes, which stay as they are. Refuses (with
 * nothing changed) a proxy that publishes another port than the one asked for.
 */
export function planDeploy<H>(
  request: DeployRequest,
  image: PinnedImage,
  hosts: ReadonlyArray<HostView<H>>,
): DeployPlan<H> {
  for (const h of hosts) {
    const published = h.state.proxy?.publish;
    if (request.publish !== undefined && published !== undefined && published !== request.publish) {
      throw new Error(
        `${h.where}: the proxy of ${request.name} publishes port ${published}, not ${request.publish}. Moving it needs a new proxy (a short outage): remove the container slipway-proxy-${request.name} on that host, then deploy again. Nothing was changed.`,
      );
    }
    // A proxy that serves the shared proxy (no port published) is not moved onto a port by a deploy.
    if (request.publish !== undefined && h.state.proxy && published === undefined) {
      throw new Error(
        `${h.where}: the proxy of ${request.name} publishes no port (the shared proxy serves the service by hostname); to serve it on port ${request.publish} instead, remove the service (slipway remove) or the container slipway-proxy-${request.name} and its routes on that host, then deploy again. Nothing was changed.`,
      );
    }
    // Behind the shared proxy, the service's own proxy publishes nothing (it trusts the client
    // address it is given, which only a proxy reachable from the live network alone may do).
    if (request.shared && published !== undefined) {
      throw new Error(
        `${h.where}: the proxy of ${request.name} publishes port ${published}; with hostnames the service is served by the shared proxy: remove the container slipway-proxy-${request.name} on that host (a short outage), then deploy again. Nothing was changed.`,
      );
    }
  }
  const planned = hosts.map((h): HostPlan<H> => {
    // The version runs as asked, but the shared proxy does not serve its routes as recorded (new
    // hostnames, or a change a killed run recorded), or the service's own proxy in front of it does
    // not run: only the proxies change, nothing restarts.
    const action: HostAction = !isUnchanged(request, h.state, image.digest)
      ? 'switch'
      : request.shared && (h.routed !== true || h.state.proxy?.running !== true)
        ? 'reroute'
        : 'keep';
    return { ...h, action };
  });
  return {
    image,
    hosts: planned,
    previousImage: hosts.find((h) => h.state.current)?.state.current?.image ?? null,
    changed: planned.some((h) => h.action !== 'keep'),
  };
}

/** The hosts of a plan that take `action`, in host order. */
export function hostsTaking<H>(plan: DeployPlan<H>, action: HostAction): Array<HostPlan<H>> {
  return plan.hosts.filter((h) => h.action === action);
}

/** The dry run's lines: what each host would do. */
export function describeDeploy<H>(plan: DeployPlan<H>): string[] {
  return plan.hosts.map(
    (h) =>
      `${h.where}: ${h.action === 'switch' ? `would deploy ${plan.image.reference} (now ${h.state.current?.image ?? 'nothing'})` : `already runs ${plan.image.digest}${h.action === 'reroute' ? '; would apply its routes to the shared proxy' : ''}`}`,
  );
}

/**
 * One host's line of a deploy's result: what it ran before this run, what it runs now, how the
 * run ended there and how long it took.
 */
export function hostResult(
  where: string,
  before: Version | undefined,
  result: HostOutcome,
  now: { readonly image: string | null; readonly container: string | null },
  extra: Partial<Pick<HostResult, 'durationMs' | 'error' | 'pullMs' | 'healthMs' | 'stopMs'>> = {},
): HostResult {
  return {
    host: where,
    previous: before?.image ?? null,
    image: now.image,
    container: now.container,
    durationMs: extra.durationMs ?? 0,
    result,
    ...(extra.error && { error: extra.error }),
    ...(extra.pullMs !== undefined && { pullMs: extra.pullMs }),
    ...(extra.healthMs !== undefined && { healthMs: extra.healthMs }),
    ...(extra.stopMs !== undefined && { stopMs: extra.stopMs }),
  };
}

/** A host that keeps its version in this run (unchanged, planned in a dry run, or not reached). */
export function keptResult<H>(
  image: PinnedImage,
  h: HostView<H>,
  result: HostOutcome,
  extra: Partial<Pick<HostResult, 'durationMs' | 'error'>> = {},
): HostResult {
  return hostResult(
    h.where,
    h.state.current,
    result,
    { image: image.reference, container: h.state.current?.container ?? null },
    extra,
  );
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

export interface RollbackStep<H> {
  readonly host: H;
  readonly where: string;
  readonly current: Version;
  readonly target: Version;
}

/**
 * Where each host goes back to; refuses (with nothing changed) a host with nothing in service or
 * nothing to go back to, and hosts that would end on different versions.
 */
export function planRollback<H>(
  request: Pick<DeployRequest, 'name' | 'rollbackTo'>,
  hosts: ReadonlyArray<HostView<H>>,
): Array<RollbackStep<H>> {
  const steps = hosts.map(({ host, where, state }) => {
    const current = state.current;
    if (!current) throw new Error(`${where}: ${request.name} is not in service: nothing to roll back`);
    const target = rollbackTarget(state, current, request.rollbackTo);
    if (!target) {
      const kept = state.previous.map((v) => v.version || v.digest).join(', ') || 'none';
      throw new Error(
        request.rollbackTo
          ? `${where}: no kept version of ${request.name} matches ${request.rollbackTo} (kept: ${kept})`
          : `${where}: no kept version of ${request.name} older than the one in service (${current.version || current.digest}); name one with rollback-to (kept: ${kept})`,
      );
    }
    return { host, where, current, target };
  });
  const digests = new Set(steps.map((t) => t.target.digest));
  if (digests.size > 1) {
    throw new Error(
      `the hosts would roll back to different versions (${[...digests].join(', ')}); deploy a digest instead`,
    );
  }
  return steps;
}

/** The dry run's lines for a rollback. */
export function describeRollback<H>(steps: ReadonlyArray<RollbackStep<H>>): string[] {
  return steps.map((t) => `${t.where}: would roll back ${t.current.image} → ${t.target.image}`);
}

/** A host's result once rolled back (or, in a dry run, planned to be). */
export function rolledBackResult<H>(
  step: RollbackStep<H>,
  result: 'rolled-back' | 'planned',
  durationMs = 0,
): HostResult {
  return hostResult(
    step.where,
    step.current,
    result,
    { image: step.target.image, container: step.target.container },
    { durationMs },
  );
}
