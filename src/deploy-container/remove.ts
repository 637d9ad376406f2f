/**
 * Removing a single-container service from its hosts (`slipway remove`): under the service's deploy
 * lock, its routes leave the host's shared proxy first (one reload, under the proxy's own lock, so
 * no request is sent to a service that is going), then its containers (every version, its own proxy,
 * one-off containers) and its networks go. Its volumes, its audit log and the shared proxy stay.
 */
import { runPool } from '../common/pool';
import type { Runner } from '../command/command';
import * as docker from '../docker/containers';
import * as networks from '../docker/networks';
import { inspectContainersWhere } from '../docker/engine';
import { type ContainerInspect, containerName } from '../docker/inspect';
import { LABEL } from '../deploy-core/session';
import { ContainerHost } from './container-host';
import { auditHosts, newLock, withHostLocks } from '../deploy-core/locks';
import type { DeployContext } from '../deploy-core/result';
import { SharedProxy } from '../proxy/shared-proxy';

export interface RemovedOnHost {
  readonly host: string;
  readonly containers: readonly string[];
  readonly routes: boolean;
}

const TARGET = { docker: 'docker' };

async function removeOnHost(
  session: ContainerHost,
  ctx: DeployContext,
  lock: ReturnType<typeof newLock>,
  lockTimeoutMs: number,
): Promise<RemovedOnHost> {
  const proxy = new SharedProxy(session.runner);
  const routed = (await proxy.table()).some((s) => s.service === session.name);
  if (routed)
    await proxy.apply(
      { kind: 'remove', service: session.name, network: session.live },
      undefined,
      lock,
      ctx,
      lockTimeoutMs,
    );
  const containers = await inspectContainersWhere<ContainerInspect>(session.runner, TARGET, [
    `label=${LABEL.service}=${session.name}`,
  ]);
  const names = containers.map(containerName);
  if (names.length > 0) {
    const removed = await session.runner.run(docker.removeContainers(TARGET, names));
    if (removed.exitCode !== 0) throw new Error(`${session.where}: ${removed.stderr.trim()}`);
  }
  for (const network of [session.live, session.network])
    await session.runner.run(networks.networkRemove(TARGET, network));
  ctx.log(
    `${session.where}: removed ${names.length > 0 ? names.join(', ') : 'no containers'}${routed ? ' and its routes' : ''} (volumes kept)`,
  );
  return { host: session.where, containers: names, routes: routed };
}

/** Removes service `name` from every host of `runners` (all locks taken first, or none). */
export async function removeService(
  runners: readonly Runner[],
  name: string,
  options: { readonly lockTimeoutMs: number; readonly maxParallel: number },
  ctx: DeployContext,
): Promise<RemovedOnHost[]> {
  const sessions = runners.map((r) => new ContainerHost(r, name));
  const lock = newLock(ctx);
  return withHostLocks(
    sessions,
    lock,
    { lockTimeoutMs: options.lockTimeoutMs, dryRun: false },
    ctx,
    async () => {
      const results = await runPool(
        sessions.map((s) => () => removeOnHost(s, ctx, lock, options.lockTimeoutMs)),
        options.maxParallel,
      );
      await auditHosts(sessions, ctx, 'remove', (i) => ({
        service: name,
        containers: results[i]?.containers,
        routes: results[i]?.routes,
      }));
      return results;
    },
  );
}
