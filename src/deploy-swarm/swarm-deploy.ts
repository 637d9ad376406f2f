/**
 * Deploying to Docker Swarm through one manager: a service updated to a pinned digest (start the
 * new task first, roll back on failure) or a stack file with its images pinned. Slipway waits until
 * the update converges; when Swarm rolls it back by itself the step fails with the tasks' errors,
 * after the rollback finished, so the previous version serves. Swarm does the scheduling.
 *
 * Cancelled (SIGINT/SIGTERM) while Swarm still updates, the run stops waiting and rolls the
 * unfinished update back (see settle); the post step does the same after a SIGKILL.
 */
import { pinComposeFile } from '../deploy-stack/compose-file';
import { configFingerprint } from '../deploy-core/fingerprint';
import type { HostSession, LockInfo } from '../deploy-core/session';
import { LABEL } from '../deploy-core/session';
import { LockLostError } from '../deploy-core/lease';
import { auditHosts, newLock, withHostLocks } from '../deploy-core/locks';
import type { PinnedImage } from '../deploy-core/pin';
import { writeFileAtomic } from '../command/remote-file';
import {
  type DeployContext,
  DeployError,
  type DeployResult,
  type HostResult,
  type ServiceChange,
} from '../deploy-core/result';
import type { SwarmRequest } from './request';
import { type Convergence, digestOf, type ServiceState, SwarmManager } from './swarm-manager';
import { formatReference } from '../common/reference';

/** How long Swarm watches each new task before it moves on (a task failing in that time rolls back). */
const MONITOR_SECONDS = 5;

export class SwarmDeployer {
  private readonly request: SwarmRequest;
  private readonly manager: SwarmManager;
  private readonly session: HostSession;
  private readonly ctx: DeployContext;
  readonly lock: LockInfo;

  constructor(request: SwarmRequest, manager: SwarmManager, session: HostSession, ctx: DeployContext) {
    this.request = request;
    this.manager = manager;
    this.session = session;
    this.ctx = ctx;
    this.lock = newLock(ctx);
  }

  withLocks<T>(work: () => Promise<T>): Promise<T> {
    return withHostLocks([this.session], this.lock, this.request, this.ctx, work);
  }

  private get withRegistryAuth(): boolean {
    return Boolean(this.request.registryUsername && this.request.registryPassword);
  }

  private get network(): string {
    return `slipway-${this.request.name}`;
  }

  private result(
    outcome: HostResult['result'],
    started: number,
    services: ServiceChange[],
    extra: Partial<HostResult> = {},
  ): HostResult {
    const [first] = services;
    return {
      host: this.manager.where,
      previous: services.length === 1 ? (first?.previous ?? null) : null,
      image: services.length === 1 ? (first?.image ?? null) : null,
      container: null,
      durationMs: performance.now() - started,
      result: outcome,
      services,
      ...extra,
    };
  }

  private failed(detail: string, outcome: HostResult, what: string): never {
    throw new DeployError(`${this.manager.where}: ${what}: ${detail}`, [outcome]);
  }

  /** A single service: `docker service create` the first time, `docker service update` after. */
  async deployService(image: PinnedImage): Promise<DeployResult> {
    const r = this.request;
    const started = performance.now();
    const before = await this.manager.service(r.name);
    const change: ServiceChange = {
      service: r.name,
      previous: before?.image ?? null,
      image: image.reference,
      restarted: true,
    };
    const result = (hosts: HostResult[], changed: boolean): DeployResult => ({
      digest: image.digest,
      changed,
      hosts,
      previousImage: before?.image ?? null,
    });
    const config = configFingerprint(r.fingerprintKey, r.env, { healthCmd: r.healthCmd ?? '' });
    const unchanged =
      before !== undefined &&
      digestOf(before.image) === image.digest &&
      before.labels[LABEL.config] === config &&
      (r.replicas === undefined || before.replicas === r.replicas) &&
      (await this.manager.waitConverged(r.name, image.digest, 0)).ok;
    if (r.publish !== undefined) {
      const proxy = await this.manager.service(SwarmManager.proxyName(r.name));
      const [published] = proxy?.published ?? [];
      if (published !== undefined && published !== r.publish) {
        throw new Error(
          `${this.manager.where}: the proxy of ${r.name} publishes port ${published}, not ${r.publish}. Moving it needs a new proxy (a short outage): docker service rm ${SwarmManager.proxyName(r.name)}, then deploy again. Nothing was changed.`,
        );
      }
    }
    if (r.dryRun) {
      this.ctx.log(
        unchanged
          ? `${r.name} already runs ${image.digest}`
          : `would ${before ? `update ${r.name} from ${before.image}` : `create ${r.name}`} to ${image.reference}`,
      );
      return result([this.result('planned', started, [{ ...change, restarted: false }])], !unchanged);
    }
    if (unchanged) {
      this.ctx.log(`${r.name} already runs ${image.digest} on every task: nothing restarted`);
      return result([this.result('unchanged', started, [{ ...change, restarted: false }])], false);
    }
    const spec = {
      name: r.name,
      image: image.reference,
      ...(r.replicas !== undefined && { replicas: r.replicas }),
      network: this.network,
      labels: {
        [LABEL.service]: r.name,
        [LABEL.version]: image.version,
        [LABEL.digest]: image.digest,
        [LABEL.commit]: this.ctx.commit,
        [LABEL.run]: this.ctx.runUrl,
        [LABEL.time]: this.ctx.now().toISOString(),
        [LABEL.config]: config,
      },
      env: r.env,
      ...(r.healthCmd && { healthCmd: r.healthCmd }),
      withRegistryAuth: this.withRegistryAuth,
      policy: { parallelism: r.maxParallel, monitorSeconds: MONITOR_SECONDS },
    };
    this.ctx.signal?.throwIfAborted();
    if (before) {
      this.ctx.log(
        `updating ${r.name}: ${before.image} → ${image.reference} (start-first, ${r.maxParallel} at a time)`,
      );
      await this.manager.update(spec);
    } else {
      this.ctx.log(`creating ${r.name} with ${image.reference}`);
      await this.manager.ensureNetwork(this.network, r.name);
      await this.manager.create(spec);
    }
    const converged = await this.manager.waitConverged(
      r.name,
      image.digest,
      r.healthTimeoutMs,
      this.ctx.log,
      this.ctx.signal,
    );
    if (!converged.ok && converged.cancelled) {
      await this.cancelled([r.name], started, [change], { [r.name]: image.reference });
    }
    if (!converged.ok) {
      // Logs first: the tasks of the failed version go with the rollback.
      const logs = converged.rolledBack ? '' : await this.manager.logs(r.name);
      const back = converged.rolledBack ? undefined : await this.rollBackUnfinished([r.name]);
      const reverted = converged.rolledBack || back?.ok === true;
      const detail = `${converged.detail}${back?.said ? `; ${back.said}` : ''}`;
      const outcome = this.result(reverted ? 'reverted' : 'failed', started, [change], { error: detail });
      await this.audit('deploy-failed', { [r.name]: image.reference }, outcome);
      this.failed(
        `${detail}${reverted ? `. The previous version ${before?.image ?? ''} serves.` : ''}${logs ? `\n--- last log lines ---\n${logs}` : ''}`,
        outcome,
        `${r.name} did not converge on ${image.digest}`,
      );
    }
    if (r.publish !== undefined && r.port !== undefined) {
      await this.manager.ensureProxy(r.name, this.network, r.port, r.publish, formatReference(r.proxyImage));
    }
    this.ctx.log(`${r.name}: ${describeTasks(converged)}`);
    const outcome = this.result('deployed', started, [change]);
    await this.audit('deploy', { [r.name]: image.reference }, outcome);
    return result([outcome], true);
  }

  /** A stack file, its images pinned, with zero-downtime update defaults where the file sets none. */
  async deployStack(images: ReadonlyMap<string, PinnedImage>): Promise<DeployResult> {
    const r = this.request;
    const stack = r.stack as NonNullable<SwarmRequest['stack']>;
    const started = performance.now();
    const text = pinComposeFile(stack.text, {
      images: new Map([...images].map(([service, pinned]) => [service, pinned.reference])),
      swarmUpdateDefaults: { parallelism: r.maxParallel },
    });
    const pinned = Object.fromEntries([...images].map(([s, p]) => [s, p.reference]));
    const first = [...images.values()][0];
    const names = [...new Set([...images.keys()])];
    const before = new Map<string, ServiceState | undefined>();
    for (const service of await this.manager.stackServices(r.name))
      before.set(service, await this.manager.service(service));
    const changes = (restarted: boolean): ServiceChange[] =>
      names.map((service) => ({
        service,
        previous: before.get(`${r.name}_${service}`)?.image ?? null,
        image: pinned[service] ?? null,
        restarted:
          restarted &&
          digestOf(before.get(`${r.name}_${service}`)?.image ?? '') !== images.get(service)?.digest,
      }));
    const result = (hosts: HostResult[], changed: boolean): DeployResult => ({
      digest: first?.digest ?? '',
      images: pinned,
      changed,
      hosts,
      previousImage: null,
    });
    if (r.dryRun) {
      for (const c of changes(true))
        this.ctx.log(`${c.service}: ${c.previous ?? 'new'} → ${c.image}${c.restarted ? '' : ' (unchanged)'}`);
      return result([this.result('planned', started, changes(true))], true);
    }
    this.ctx.signal?.throwIfAborted();
    const file = `${this.session.dir}/stack.yml`;
    await writeFileAtomic(this.manager.runner, file, text);
    const output = await this.manager.stackDeploy(r.name, file, this.withRegistryAuth);
    if (output) this.ctx.log(output);
    const failures: string[] = [];
    const services = await this.manager.stackServices(r.name);
    for (const service of services) {
      const short = service.startsWith(`${r.name}_`) ? service.slice(r.name.length + 1) : service;
      const digest = images.get(short)?.digest ?? '';
      const converged = await this.manager.waitConverged(
        service,
        digest,
        r.healthTimeoutMs,
        this.ctx.log,
        this.ctx.signal,
      );
      if (!converged.ok && converged.cancelled)
        await this.cancelled(services, started, changes(true), pinned);
      if (!converged.ok) failures.push(`${service}: ${converged.detail}`);
    }
    if (failures.length > 0) {
      // A failed stack deploy leaves no update running: what Swarm did not roll back, Slipway does.
      const back = await this.rollBackUnfinished(services);
      if (back.rolledBack.length > 0) failures.push(back.said);
      const outcome = this.result('failed', started, changes(true), { error: failures.join('\n') });
      await this.audit('deploy-failed', pinned, outcome);
      this.failed(failures.join('\n'), outcome, `the stack ${r.name} did not converge`);
    }
    const outcome = this.result('deployed', started, changes(true));
    await this.audit('deploy', pinned, outcome);
    return result([outcome], true);
  }

  /** rollback: true — `docker service rollback` (each service of the stack), then wait for it. */
  async rollback(): Promise<DeployResult> {
    const r = this.request;
    const started = performance.now();
    const names = r.stack ? await this.manager.stackServices(r.name) : [r.name];
    if (names.length === 0) throw new Error(`${this.manager.where}: no service ${r.name} to roll back`);
    const changes: ServiceChange[] = [];
    for (const name of names) {
      const before = await this.manager.service(name);
      if (!before) throw new Error(`${this.manager.where}: no service ${name} to roll back`);
      // After Swarm rolled a failed update back, its "previous" is the failed version.
      if (before.update?.state.startsWith('rollback'))
        throw new Error(
          `${this.manager.where}: the last update of ${name} was already rolled back (it failed, or its deploy was cancelled); rolling back again would return to that version. Deploy the image you want instead.`,
        );
      if (r.dryRun) {
        changes.push({ service: name, previous: before.image, image: null, restarted: false });
        continue;
      }
      await this.manager.rollback(name);
      const after = await this.manager.service(name);
      const converged = await this.manager.waitConverged(
        name,
        digestOf(after?.image ?? ''),
        r.healthTimeoutMs,
        this.ctx.log,
      );
      if (!converged.ok)
        throw new Error(`${this.manager.where}: rolling back ${name} did not converge: ${converged.detail}`);
      changes.push({ service: name, previous: before.image, image: after?.image ?? null, restarted: true });
    }
    const outcome = this.result(r.dryRun ? 'planned' : 'rolled-back', started, changes);
    if (!r.dryRun)
      await this.audit(
        'rollback',
        Object.fromEntries(changes.map((c) => [c.service, c.image ?? ''])),
        outcome,
      );
    const [only] = changes;
    return {
      digest: changes.length === 1 ? digestOf(only?.image ?? '') : '',
      changed: !r.dryRun,
      hosts: [outcome],
      previousImage: changes.length === 1 ? (only?.previous ?? null) : null,
    };
  }

  /**
   * The run was cancelled while Swarm was updating `services`: unless the lease was lost (then
   * this run touches nothing more), the unfinished updates are rolled back and waited for (SIGKILL
   * may cut that wait; the post step then finishes it). Always throws.
   */
  private async cancelled(
    services: readonly string[],
    started: number,
    changes: ServiceChange[],
    images: Readonly<Record<string, string>>,
  ): Promise<never> {
    const reason = this.ctx.signal?.reason;
    const why = reason instanceof Error ? reason.message : 'cancelled';
    if (reason instanceof LockLostError) throw reason;
    const done = await this.settle(services);
    const outcome = this.result(done.rolledBack.length > 0 ? 'reverted' : 'failed', started, changes, {
      error: why,
    });
    await this.audit('deploy-cancelled', images, outcome);
    const said = done.rolledBack.length
      ? `the unfinished update of ${done.rolledBack.join(', ')} was rolled back; the previous version serves`
      : 'no update was left running';
    this.failed(`${why}: ${said}`, outcome, 'deploy cancelled');
  }

  /**
   * Brings services a cancelled, killed or failed run was updating to rest. An update Swarm is still
   * running (or paused) is rolled back — the way the other modes put back a host cut mid-switch:
   * a run that ended cancelled never leaves a version going live after it, and the lock is not
   * released while the service still changes under it. Swarm rolls back start-first, so the
   * previous version keeps serving. An update that finished stays; a rollback Swarm already runs is
   * left to it. Then waits (up to health-timeout) until each service runs one version — with
   * `onlyRolledBack` (a deploy that failed waiting), each service it rolled back.
   */
  async settle(
    services: readonly string[],
    options: { onlyRolledBack?: boolean } = {},
  ): Promise<{ rolledBack: string[]; problems: string[] }> {
    const rolledBack: string[] = [];
    const problems: string[] = [];
    const waiting: string[] = [];
    // Every unfinished update is rolled back first (a stack's services at once), then waited for.
    for (const name of services) {
      const state = await this.manager.service(name);
      const update = state?.update?.state ?? '';
      if (!state) continue;
      if (update === 'rollback_paused') {
        problems.push(`${name}: Swarm paused its rollback (${state.update?.message ?? ''})`);
        continue;
      }
      if (update === 'updating' || update === 'paused') {
        this.ctx.log(`${name}: the update to ${state.image} did not finish: rolling it back`);
        try {
          await this.manager.rollback(name);
          rolledBack.push(name);
        } catch (error) {
          problems.push(`${name}: ${error instanceof Error ? error.message : error}`);
          continue;
        }
      }
      if (!options.onlyRolledBack || rolledBack.includes(name)) waiting.push(name);
    }
    for (const name of waiting) {
      const now = await this.manager.service(name);
      if (!now) continue;
      const converged = await this.manager.waitConverged(
        name,
        digestOf(now.image),
        this.request.healthTimeoutMs,
        this.ctx.log,
      );
      if (!converged.ok) problems.push(`${name}: ${converged.detail}`);
    }
    for (const problem of problems) this.ctx.log(problem);
    return { rolledBack, problems };
  }

  /**
   * After a wait that ended without convergence (health-timeout ran out while Swarm still updated,
   * or Swarm paused the update): the update must not go live after the step failed, so it is rolled
   * back and waited for. `ok`: rolled back and every service runs one version again.
   */
  private async rollBackUnfinished(
    services: readonly string[],
  ): Promise<{ ok: boolean; rolledBack: string[]; said: string }> {
    // The lock lost (another deploy took it over): the update in Swarm may be that deploy's now.
    if (this.ctx.signal?.reason instanceof LockLostError)
      return { ok: false, rolledBack: [], said: 'the deploy lock was lost, so the update is left as it is' };
    const { rolledBack, problems } = await this.settle(services, { onlyRolledBack: true });
    const said = rolledBack.length
      ? `Slipway rolled the unfinished update of ${rolledBack.join(', ')} back${problems.length ? ` (${problems.join('; ')})` : ''}`
      : problems.join('; ');
    return { ok: rolledBack.length > 0 && problems.length === 0, rolledBack, said };
  }

  /** The post step's part after a killed run: settle every service of this deploy. */
  async settleInterrupted(): Promise<string[]> {
    const r = this.request;
    const services = r.stack ? await this.manager.stackServices(r.name) : [r.name];
    const { rolledBack } = await this.settle(services);
    return rolledBack;
  }

  private async audit(
    action: string,
    images: Readonly<Record<string, string>>,
    outcome: HostResult,
  ): Promise<void> {
    await auditHosts([this.session], this.ctx, action, () => ({
      swarm: this.request.stack ? { stack: this.request.name } : { service: this.request.name },
      images,
      result: outcome.result,
      error: outcome.error,
    }));
  }
}

function describeTasks(converged: Convergence): string {
  const running = converged.tasks.filter((t) => t.desired === 'Running');
  return `${running.length} task(s) running on ${[...new Set(running.map((t) => t.node))].join(', ')}`;
}
