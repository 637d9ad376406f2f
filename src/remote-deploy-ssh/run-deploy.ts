/**
 * A whole deploy in any mode, from a checked request: pin the images, connect (every host, or the
 * first Swarm manager), log in to the registry on the hosts, take the locks, deploy or roll back,
 * and always log out, release the locks and close the connections. The action and the CLI both
 * call this; they differ only in how they read inputs and report.
 */
import type { Runner } from '../command/command';
import { runPool } from '../common/pool';
import type { SshRunner } from '../ssh/ssh-runner';
import { ComposeDeployer } from '../deploy-compose/compose-deploy';
import { connectAll, connectManager } from '../deploy-core/connect';
import { ContainerHost } from '../deploy-container/container-host';
import { Deployer } from '../deploy-container/deploy';
import { HostSession, type LockInfo } from '../deploy-core/session';
import { proxyLockId, SharedProxy } from '../proxy/shared-proxy';
import { whileRenewing } from '../deploy-core/locks';
import type { Connection } from '../deploy-core/inputs';
import { type PinnedImage, pinImage, pinStackImages } from '../deploy-core/pin';
import type { DeployContext, DeployResult } from '../deploy-core/result';
import { type HostPlatform, needsHostPlatforms, verifyForHosts, verifyPinned } from '../deploy-core/verify';
import { hostPlatform } from '../docker/host-platform';
import type { Verification } from '../supply-chain/verify';
import { SwarmDeployer } from '../deploy-swarm/swarm-deploy';
import type { ComposeRequest } from '../deploy-compose/request';
import type { DeployRequest } from '../deploy-container/request';
import type { SwarmRequest } from '../deploy-swarm/request';
import type { AnyDeployRequest } from './request';

export interface DeployHooks {
  /** Called with the lock id once the locks are about to be taken (the action saves it for its post step). */
  readonly onLock?: (id: string) => void;
  readonly group?: <T>(title: string, work: () => Promise<T>) => Promise<T>;
}

/** The deploy's private docker config on the hosts, when it logs in (removed at logout). */
function privateConfig(request: Connection & { name: string }): Record<string, string> {
  const login = Boolean(request.registryUsername && request.registryPassword && request.registry);
  return login
    ? { DOCKER_CONFIG: `.slipway/${request.name}/docker-config-${process.pid}-${Date.now()}` }
    : {};
}

function loginNeeded(request: Connection): boolean {
  return Boolean(request.registryUsername && request.registryPassword && request.registry && !request.dryRun);
}

async function withRegistryLogin<T>(
  request: Connection,
  sessions: readonly HostSession[],
  work: () => Promise<T>,
): Promise<T> {
  if (!loginNeeded(request)) return work();
  const registry = request.registry as string;
  await Promise.all(
    sessions.map((s) =>
      s.registryLogin(registry, request.registryUsername as string, request.registryPassword as string),
    ),
  );
  try {
    return await work();
  } finally {
    await Promise.all(sessions.map((s) => s.registryLogout(registry).catch(() => {})));
  }
}

function withVerified(verified: DeployResult['verified'], result: DeployResult): DeployResult {
  return verified && verified.length > 0 ? { ...result, verified } : result;
}

const passthrough = <T>(_title: string, work: () => Promise<T>) => work();

export async function runDeploy(
  request: AnyDeployRequest,
  ctx: DeployContext,
  hooks: DeployHooks = {},
): Promise<DeployResult> {
  const group = hooks.group ?? passthrough;
  // A lease found lost aborts the deploy like a cancellation does.
  const lost = new AbortController();
  ctx = {
    ...ctx,
    signal: ctx.signal ? AbortSignal.any([ctx.signal, lost.signal]) : lost.signal,
    onLockLost: (error) => lost.abort(error),
  };
  switch (request.mode) {
    case 'container':
      return deployContainer(request, ctx, hooks, group);
    case 'compose':
      return deployCompose(request, ctx, hooks, group);
    case 'swarm':
      return deploySwarm(request, ctx, hooks, group);
  }
}

async function connectHosts(
  request: Connection,
  ctx: DeployContext,
  group: NonNullable<DeployHooks['group']>,
): Promise<SshRunner[]> {
  return group(`Connecting to ${request.hosts.length} host(s)`, () => connectAll(request, ctx.log));
}

async function closeAll(runners: readonly Runner[]): Promise<void> {
  await Promise.all(runners.map((r) => r.close()));
}

/** A deployer that takes the per-service lock on every host it works on. */
interface LockingDeployer {
  readonly lock: LockInfo;
  withLocks<T>(work: () => Promise<T>): Promise<T>;
}

/** Each connected host's platform (its engine's), asked only when a deploy verifies what each host runs. */
async function platformsOf(
  request: Connection,
  runners: readonly Runner[],
): Promise<HostPlatform[] | undefined> {
  if (!needsHostPlatforms(request.verify) || request.rollback) return undefined;
  return Promise.all(runners.map(async (r) => ({ host: r.where, platform: await hostPlatform(r) })));
}

/**
 * Verifies the pinned images (before connecting: a refused image connects to no host), connects to
 * every host, verifies each index's image for each host's platform (before anything changes on any
 * host), then opens the mode's session on each: the deployer's locks, the registry login, `work`;
 * always cleaned up. The result carries what was verified.
 */
async function onEveryHost<S extends HostSession, D extends LockingDeployer>(
  request: Connection & { readonly name: string },
  ctx: DeployContext,
  hooks: DeployHooks,
  group: NonNullable<DeployHooks['group']>,
  pinned: readonly PinnedImage[],
  open: (runner: Runner, env: Record<string, string>) => S,
  make: (sessions: S[], env: Record<string, string>) => D,
  work: (deployer: D) => Promise<DeployResult>,
): Promise<DeployResult> {
  const verified: Verification[] = await verifyPinned(pinned, request, ctx.log, { perHost: true });
  const runners = await connectHosts(request, ctx, group);
  try {
    const platforms = await platformsOf(request, runners);
    verified.push(...(await verifyForHosts(pinned, request, ctx.log, platforms, verified)));
    const env = privateConfig(request);
    const sessions = runners.map((runner) => open(runner, env));
    const deployer = make(sessions, env);
    hooks.onLock?.(deployer.lock.id);
    return withVerified(
      verified,
      await deployer.withLocks(() => withRegistryLogin(request, sessions, () => work(deployer))),
    );
  } finally {
    await closeAll(runners);
  }
}

async function deployContainer(
  request: DeployRequest,
  ctx: DeployContext,
  hooks: DeployHooks,
  group: NonNullable<DeployHooks['group']>,
): Promise<DeployResult> {
  const image = request.rollback
    ? undefined
    : await pinImage(request.image as NonNullable<DeployRequest['image']>, request);
  if (image) ctx.log(`Deploying ${image.reference}${image.version ? ` (${image.version})` : ''}`);
  return onEveryHost(
    request,
    ctx,
    hooks,
    group,
    image ? [image] : [],
    (runner, env) => new ContainerHost(runner, request.name, env),
    (sessions) => new Deployer(request, sessions, ctx),
    (deployer) => (request.rollback ? deployer.rollback() : deployer.deploy(image as PinnedImage)),
  );
}

async function deployCompose(
  request: ComposeRequest,
  ctx: DeployContext,
  hooks: DeployHooks,
  group: NonNullable<DeployHooks['group']>,
): Promise<DeployResult> {
  const images = request.rollback
    ? new Map<string, PinnedImage>()
    : await pinStackImages(request.images, request);
  for (const [service, pinned] of images)
    ctx.log(`${service}: ${pinned.reference}${pinned.version ? ` (${pinned.version})` : ''}`);
  return onEveryHost(
    request,
    ctx,
    hooks,
    group,
    [...images.values()],
    (runner, env) => new HostSession(runner, request.name, env),
    (sessions, env) => new ComposeDeployer(request, sessions, ctx, env),
    (deployer) => (request.rollback ? deployer.rollback() : deployer.deploy(images)),
  );
}

async function deploySwarm(
  request: SwarmRequest,
  ctx: DeployContext,
  hooks: DeployHooks,
  group: NonNullable<DeployHooks['group']>,
): Promise<DeployResult> {
  const single = request.image && !request.rollback ? await pinImage(request.image, request) : undefined;
  const images =
    request.stack && !request.rollback
      ? await pinStackImages(request.images, request)
      : new Map<string, PinnedImage>();
  for (const [service, pinned] of images) ctx.log(`${service}: ${pinned.reference}`);
  if (single) ctx.log(`Deploying ${single.reference}${single.version ? ` (${single.version})` : ''}`);
  // Swarm: a task may be placed on any node, so every platform image of an index is verified.
  const verified = await verifyPinned([...(single ? [single] : []), ...images.values()], request, ctx.log);
  const env = privateConfig(request);
  const manager = await group('Finding a Swarm manager', () => connectManager(request, ctx.log, env));
  try {
    const session = new HostSession(manager.runner, request.name, env);
    const deployer = new SwarmDeployer(request, manager, session, ctx);
    hooks.onLock?.(deployer.lock.id);
    return withVerified(
      verified,
      await deployer.withLocks(() =>
        withRegistryLogin(request, [session], () =>
          request.rollback
            ? deployer.rollback()
            : request.stack
              ? deployer.deployStack(images)
              : deployer.deployService(single as PinnedImage),
        ),
      ),
    );
  } finally {
    await closeAll([manager.runner]);
  }
}

/**
 * The post step, after a main step that was cancelled or killed while holding the locks: on every
 * host where the lock `id` is still this run's, finish what the main step could not — remove what
 * it left (env files and docker configs with secrets, a pre-deploy container), bring the service
 * back to one version in service (single-container mode; in Swarm mode an update still running is
 * rolled back and waited for) — then release the lock.
 * Returns the hosts it cleaned up.
 */
export async function cleanUpInterruptedDeploy(
  request: AnyDeployRequest,
  id: string,
  ctx: DeployContext,
): Promise<string[]> {
  const manager = request.mode === 'swarm' ? await connectManager(request, () => {}) : undefined;
  const runners = manager ? [manager.runner] : await connectAll(request, () => {});
  try {
    // Single-container mode converges each host too: its own session.
    const hosts = request.mode === 'container' ? runners.map((r) => new ContainerHost(r, request.name)) : [];
    const sessions =
      request.mode === 'container' ? hosts : runners.map((r) => new HostSession(r, request.name));
    const deployer = request.mode === 'container' ? new Deployer(request, hosts, ctx) : undefined;
    const swarm =
      request.mode === 'swarm' && manager
        ? new SwarmDeployer(request, manager, sessions[0] as HostSession, ctx)
        : undefined;
    const cleaned = await runPool(
      sessions.map((session, i) => async () => {
        const host = hosts[i];
        // A shared-proxy lock the main step held when it was killed is freed now, not a lease later
        // (only if it is still this run's; the route record it may have written is finished by the
        // next deploy, which sees the proxy has not taken it).
        if (request.mode === 'container' && request.shared)
          await new SharedProxy(session.runner).lock.release(proxyLockId(id)).catch(() => {});
        if ((await session.lock.holder())?.id !== id) return undefined;
        // A full lease for the cleanup (stopping a version takes up to 10 s).
        if (!(await session.lock.renew(id))) return undefined;
        try {
          const removed = await session.sweepLeftovers();
          if (removed.length > 0) ctx.log(`${session.where}: removed ${removed.join(', ')}`);
          // Again, holding the deploy lock: a proxy lock command of the killed run that sshd
          // finished after the release above.
          if (host && request.mode === 'container' && request.shared)
            await deployer?.releaseOrphanedProxyLock(host);
          if (host) await deployer?.converged(host);
          // Swarm: an update the main step left running is rolled back and waited for, the lease
          // renewed meanwhile (the wait can outlast it).
          if (swarm) await whileRenewing(session, id, () => swarm.settleInterrupted());
        } finally {
          await session.lock.release(id);
        }
        return session.where;
      }),
      4,
    );
    return cleaned.filter((where): where is string => where !== undefined);
  } finally {
    await closeAll(runners);
  }
}
