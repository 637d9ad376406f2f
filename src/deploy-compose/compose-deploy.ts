/**
 * Deploying a Compose project to several hosts. The file that runs on a host pins every image
 * Slipway deploys to its digest. Every host gets the new file and pulls before any host changes;
 * then hosts switch max-parallel at a time: compose recreates only the services whose
 * configuration changed (in dependency order, waiting on depends_on conditions), and Slipway waits
 * until every container is healthy. A host that fails gets its previous file back and its previous
 * stack brought up again, and so do the hosts already switched in this run. Volumes are never removed.
 */
import { runPool } from '../common/pool';
import { removeFile } from '../command/files';
import { composeServices, pinComposeFile, upgradeLegacyFile } from '../deploy-stack/compose-file';
import { COMPOSE_FILE, ComposeHost, PREVIOUS_FILE, type StackContainer } from './compose-host';
import { configFingerprint } from '../deploy-core/fingerprint';
import { type HostSession, LABEL, type LockInfo } from '../deploy-core/session';
import { auditHosts, newLock, withHostLocks } from '../deploy-core/locks';
import type { PinnedImage } from '../deploy-core/pin';
import {
  type DeployContext,
  DeployError,
  type DeployResult,
  type HostResult,
  type ServiceChange,
} from '../deploy-core/result';
import { rollOut } from '../deploy-core/rollout';
import type { ComposeRequest } from './request';

const NEXT_FILE = 'compose.next.yml';

interface HostPlan {
  readonly session: HostSession;
  readonly host: ComposeHost;
  readonly current?: string;
  readonly previous?: string;
  readonly before: readonly StackContainer[];
  readonly unchanged: boolean;
}

/** service → image, as a pinned file names them. */
function imagesOf(text: string | undefined): Map<string, string> {
  if (!text) return new Map();
  return new Map(composeServices(text).map((s) => [s.name, s.image ?? '']));
}

function inService(containers: readonly StackContainer[]): boolean {
  return (
    containers.length > 0 &&
    containers.every((c) =>
      c.running
        ? c.health === undefined || c.health === 'healthy'
        : c.exitCode === 0 && c.restartPolicy === 'no',
    )
  );
}

/** Per service: the image before and after, and whether its containers were replaced. */
export function serviceChanges(
  beforeText: string | undefined,
  afterText: string,
  before: readonly StackContainer[],
  after: readonly StackContainer[],
): ServiceChange[] {
  const was = imagesOf(beforeText);
  const now = imagesOf(afterText);
  return [...now].map(([service, image]) => {
    const ids = (list: readonly StackContainer[]) =>
      list
        .filter((c) => c.service === service)
        .map((c) => c.id)
        .sort()
        .join();
    return {
      service,
      previous: was.get(service) ?? null,
      image,
      restarted: ids(before) !== ids(after),
    };
  });
}

export class ComposeDeployer {
  private readonly request: ComposeRequest;
  private readonly sessions: readonly HostSession[];
  private readonly hosts: readonly ComposeHost[];
  private readonly ctx: DeployContext;
  readonly lock: LockInfo;

  constructor(
    request: ComposeRequest,
    sessions: readonly HostSession[],
    ctx: DeployContext,
    env: Readonly<Record<string, string>> = {},
  ) {
    this.request = request;
    this.sessions = sessions;
    this.ctx = ctx;
    const values = [...request.env, ...request.secretEnv];
    this.hosts = sessions.map((s) => new ComposeHost(s.runner, request.name, s.dir, env, values));
    this.lock = newLock(ctx);
  }

  withLocks<T>(work: () => Promise<T>): Promise<T> {
    return withHostLocks(this.sessions, this.lock, this.request, this.ctx, work);
  }

  private get env(): ReadonlyArray<readonly [string, string]> {
    return [...this.request.env, ...this.request.secretEnv];
  }

  /** The file that runs on the hosts. */
  pinnedFile(images: ReadonlyMap<string, PinnedImage>): string {
    return pinComposeFile(this.request.composeText, {
      images: new Map([...images].map(([service, pinned]) => [service, pinned.reference])),
      ...(this.env.length > 0 && {
        envNames: this.env.map(([name]) => name),
        labels: { [LABEL.config]: configFingerprint(this.request.fingerprintKey, this.env) },
      }),
    });
  }

  /** A file that ran before, as it can run now (one from an earlier Slipway names its env instead). */
  private runnable(text: string): string {
    return upgradeLegacyFile(
      text,
      this.env.map(([name]) => name),
    );
  }

  /** Reading and preparing (no switching) runs on up to max(max-parallel, 4) hosts at once. */
  private parallel<P, T>(items: readonly P[], fn: (item: P, index: number) => Promise<T>): Promise<T[]> {
    return runPool(
      items.map((item, i) => () => fn(item, i)),
      Math.max(this.request.maxParallel, 4),
    );
  }

  private async plan(text: string): Promise<HostPlan[]> {
    return this.parallel(this.hosts, async (host, i) => {
      const { program, version } = await host.detect();
      this.ctx.log(`${host.where}: Compose ${version} (${program.join(' ')})`);
      const [current, previous, before] = await Promise.all([
        host.readFile(COMPOSE_FILE),
        host.readFile(PREVIOUS_FILE),
        host.containers(),
      ]);
      return {
        session: this.sessions[i] as HostSession,
        host,
        ...(current !== undefined && { current }),
        ...(previous !== undefined && { previous }),
        before,
        unchanged: current === text && inService(before),
      };
    });
  }

  async deploy(images: ReadonlyMap<string, PinnedImage>): Promise<DeployResult> {
    const text = this.pinnedFile(images);
    const first = [...images.values()][0];
    const pinned = Object.fromEntries([...images].map(([s, p]) => [s, p.reference]));
    const plans = await this.plan(text);
    const summary = (
      p: HostPlan,
      result: HostResult['result'],
      fields: Partial<HostResult> = {},
    ): HostResult => ({
      host: p.session.where,
      previous: null,
      image: null,
      container: null,
      durationMs: 0,
      result,
      services: serviceChanges(p.current, text, p.before, p.before),
      ...fields,
    });
    const result = (hosts: HostResult[], changed: boolean): DeployResult => ({
      digest: first?.digest ?? '',
      images: pinned,
      changed,
      hosts,
      previousImage: null,
    });
    const changing = plans.filter((p) => !p.unchanged);
    if (this.request.dryRun) {
      for (const p of plans) {
        const changes = serviceChanges(p.current, text, [], []).filter((c) => c.previous !== c.image);
        this.ctx.log(
          `${p.session.where}: ${p.unchanged ? 'already runs this file' : changes.map((c) => `${c.service}: ${c.previous ?? 'new'} → ${c.image}`).join('; ') || 'same images, the stack is not all healthy: would bring it up'}`,
        );
      }
      return result(
        plans.map((p) => summary(p, 'planned')),
        changing.length > 0,
      );
    }
    if (changing.length === 0) {
      this.ctx.log('every host already runs this file and its stack is healthy: nothing restarted');
      return result(
        plans.map((p) => summary(p, 'unchanged')),
        false,
      );
    }

    try {
      // Every host gets the file and pulls before any host changes.
      this.ctx.signal?.throwIfAborted();
      this.ctx.log(`uploading the pinned file and pulling on ${changing.length} host(s)`);
      await this.parallel(changing, async (p) => {
        await p.host.writeFile(NEXT_FILE, text);
        await p.host.check(NEXT_FILE);
        await p.host.pull(NEXT_FILE);
        this.ctx.log(`${p.session.where}: pulled`);
      });

      const results = new Map<HostPlan, HostResult>();
      for (const p of plans) if (p.unchanged) results.set(p, summary(p, 'unchanged'));
      const rollout = await rollOut(changing, this.request.maxParallel, async (p) => {
        const started = performance.now();
        this.ctx.signal?.throwIfAborted();
        await p.host.promoteFile(NEXT_FILE, p.current !== undefined);
        const output = await p.host.up();
        if (output) this.ctx.log(`${p.session.where}:\n${output}`);
        const healthStarted = performance.now();
        const health = await p.host.waitHealthy(this.request.healthTimeoutMs);
        if (!health.ok) {
          const logs = await p.host.logs(health.services);
          throw new Error(
            `the stack is not healthy: ${health.detail}\n--- last log lines ---\n${logs || '(none)'}`,
          );
        }
        const after = await p.host.containers();
        this.ctx.log(`${p.session.where}: stack healthy`);
        return {
          started,
          healthMs: performance.now() - healthStarted,
          services: serviceChanges(p.current, text, p.before, after),
        };
      });

      for (const { host: p, result: r } of rollout.done) {
        results.set(
          p,
          summary(p, 'deployed', {
            durationMs: performance.now() - r.started,
            healthMs: Math.round(r.healthMs),
            services: r.services,
          }),
        );
      }
      if (rollout.failure) {
        // The failed hosts and the ones switched in this run go back to their previous file —
        // unless the run was cancelled: then only a host cut in the middle of its switch does, the
        // hosts switched stay (healthy) and the next run converges them all.
        const cancelled = this.ctx.signal?.aborted === true;
        const back = [
          ...rollout.failed
            .filter((f) => !cancelled || f.error !== this.ctx.signal?.reason)
            .map((f) => f.host),
          ...(cancelled ? [] : rollout.done.map((d) => d.host)),
        ];
        const notes = new Map<HostPlan, string>();
        await Promise.all(
          back.map(async (p) => {
            const failed = rollout.failed.find((f) => f.host === p);
            const restoreError = await this.restore(p).then(
              () => undefined,
              (error: Error) => error.message,
            );
            const note = restoreError
              ? `Restoring the previous stack failed too: ${restoreError}`
              : p.current
                ? 'The previous stack was restored and serves.'
                : 'There was no previous stack to restore (first deploy).';
            notes.set(p, note);
            results.set(
              p,
              summary(p, failed || restoreError ? 'failed' : 'reverted', {
                ...(failed && { error: `${failed.error.message}\n${note}` }),
                ...(!failed && restoreError && { error: note }),
              }),
            );
          }),
        );
        // Hosts of batches after the failing one (or cancelled before their turn) were never touched.
        for (const p of plans) if (!results.has(p)) results.set(p, summary(p, 'unchanged'));
        const hosts = plans.map((p) => results.get(p) as HostResult);
        await this.auditAll(hosts, pinned, 'deploy-failed');
        const { host, error } = rollout.failure;
        throw new DeployError(`${host.session.where}: ${notes.get(host)} ${error.message}`, hosts);
      }
      const hosts = plans.map((p) => results.get(p) as HostResult);
      await this.auditAll(hosts, pinned, 'deploy');
      return result(hosts, true);
    } finally {
      await Promise.all(
        changing.map((p) =>
          p.session.runner.run(removeFile(`${p.session.dir}/${NEXT_FILE}`)).catch(() => {}),
        ),
      );
    }
  }

  /** Puts back the files a host had before this run and brings that stack up again. */
  private async restore(p: HostPlan): Promise<void> {
    if (p.current === undefined) return;
    await p.host.writeFile(COMPOSE_FILE, this.runnable(p.current));
    if (p.previous !== undefined) await p.host.writeFile(PREVIOUS_FILE, p.previous);
    await p.host.up();
    const health = await p.host.waitHealthy(this.request.healthTimeoutMs);
    if (!health.ok) throw new Error(`the previous stack is not healthy either: ${health.detail}`);
    this.ctx.log(`${p.session.where}: previous stack restored`);
  }

  /** rollback: true — every host goes back to the file it ran before the current one. */
  async rollback(): Promise<DeployResult> {
    const plans = await this.plan('');
    for (const p of plans) {
      if (!p.previous || !p.current)
        throw new Error(`${p.session.where}: no earlier file of ${this.request.name} to roll back to`);
    }
    const targets = new Set(plans.map((p) => p.previous));
    if (targets.size > 1)
      throw new Error('the hosts would roll back to different files; deploy the images you want instead');
    const target = this.runnable(plans[0]?.previous as string);
    const images = Object.fromEntries(imagesOf(target));
    if (this.request.dryRun) {
      return {
        digest: '',
        images,
        changed: true,
        hosts: plans.map((p) => ({
          host: p.session.where,
          previous: null,
          image: null,
          container: null,
          durationMs: 0,
          result: 'planned',
          services: serviceChanges(p.current, target, [], []),
        })),
        previousImage: null,
      };
    }
    const rollout = await rollOut(plans, this.request.maxParallel, async (p) => {
      const started = performance.now();
      await p.host.writeFile(COMPOSE_FILE, target);
      await p.host.writeFile(PREVIOUS_FILE, p.current as string);
      await p.host.up();
      const health = await p.host.waitHealthy(this.request.healthTimeoutMs);
      if (!health.ok) {
        await p.host.writeFile(COMPOSE_FILE, p.current as string);
        await p.host.writeFile(PREVIOUS_FILE, target);
        await p.host.up();
        throw new Error(
          `the earlier stack is not healthy (${health.detail}); the current one was brought back`,
        );
      }
      return {
        host: p.session.where,
        previous: null,
        image: null,
        container: null,
        durationMs: performance.now() - started,
        result: 'rolled-back' as const,
        services: serviceChanges(p.current, target, p.before, await p.host.containers()),
      };
    });
    if (rollout.failure) throw rollout.failure.error;
    const hosts = plans.map((p) => rollout.done.find((d) => d.host === p)?.result as HostResult);
    await this.auditAll(hosts, images, 'rollback');
    return { digest: '', images, changed: true, hosts, previousImage: null };
  }

  private async auditAll(
    hosts: readonly HostResult[],
    images: Readonly<Record<string, string>>,
    action: string,
  ): Promise<void> {
    await auditHosts(this.sessions, this.ctx, action, (i) => ({
      project: this.request.name,
      images,
      result: hosts[i]?.result,
      restarted: hosts[i]?.services?.filter((s) => s.restarted).map((s) => s.service),
    }));
  }
}
