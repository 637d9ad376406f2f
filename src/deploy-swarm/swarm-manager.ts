/**
 * What Slipway asks of a Swarm manager: is this a manager, what a service runs, updating it to a
 * digest, watching the update converge (or Swarm roll it back), stacks, and the proxy in front.
 */
import { createHash } from 'node:crypto';
import { type Command, runChecked, type Runner } from '../command/command';
import type { DockerTarget } from '../docker/target';
import { ensureNetwork } from '../docker/engine';
import type { ServiceConfigMount, ServiceInspect, SwarmInfo } from '../docker/inspect';
import * as swarm from './swarm-commands';
import { sleep } from '../common/retry';
import { CADDYFILE_PATH, PROXY_PORT, swarmCaddyfile } from '../proxy/caddy';
import { caddyCommand } from '../proxy/caddy-commands';
import { LABEL } from '../deploy-core/session';
import { httpProbe } from '../ssh/http-probe';

export interface ServiceState {
  readonly name: string;
  /** The image the service's spec names (repo@sha256:…, maybe with a tag before the @). */
  readonly image: string;
  readonly replicas?: number;
  readonly update?: { readonly state: string; readonly message: string };
  readonly labels: Readonly<Record<string, string>>;
  /** Ports the service publishes. */
  readonly published: readonly number[];
}

export interface Task {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly node: string;
  readonly desired: string;
  readonly current: string;
  readonly error: string;
}

export type Convergence =
  | { readonly ok: true; readonly tasks: readonly Task[] }
  | {
      readonly ok: false;
      readonly rolledBack: boolean;
      /** The wait was cancelled (the update may still be running in Swarm). */
      readonly cancelled?: boolean;
      readonly detail: string;
      readonly tasks: readonly Task[];
    };

/** The digest an image reference ends with ('' when it has none). */
export function digestOf(image: string): string {
  const at = image.lastIndexOf('@');
  return at >= 0 ? image.slice(at + 1) : '';
}

/** Tasks from `docker service ps --format '{{json .}}'`. */
export function parseTasks(stdout: string): Task[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((line) => {
      const t = JSON.parse(line) as Record<string, string>;
      return {
        id: t.ID ?? '',
        name: (t.Name ?? '').replace(/^\s*\\_\s*/, ''),
        image: t.Image ?? '',
        node: t.Node ?? '',
        desired: t.DesiredState ?? '',
        current: t.CurrentState ?? '',
        error: t.Error ?? '',
      };
    });
}

/** The first word of a task's state ("Running 3 seconds ago" → "Running"). */
export function stateOf(task: Task): string {
  return task.current.split(' ')[0] ?? '';
}

/** The tasks that are meant to run and do. */
export function runningTasks(tasks: readonly Task[]): Task[] {
  return tasks.filter((t) => t.desired === 'Running' && stateOf(t) === 'Running');
}

/**
 * Has the service converged on `digest`? Running tasks all run it and there are as many as wanted,
 * and no update is in flight. Swarm rolling back by itself shows as the spec returning to another image.
 */
export function convergence(
  state: ServiceState,
  tasks: readonly Task[],
  digest: string,
): 'converged' | 'waiting' | 'rolling-back' | 'rolled-back' | 'paused' {
  const update = state.update?.state ?? '';
  // '' : an image Slipway did not pin (a stack service named by tag): whatever the spec says.
  if (digest && digestOf(state.image) !== digest) {
    if (update === 'rollback_started') return 'rolling-back';
    return 'rolled-back';
  }
  // Paused by a failure (the update's, or its rollback's): nothing moves until someone acts.
  if (update === 'paused' || update === 'rollback_paused') return 'paused';
  if (update === 'updating' || update === 'rollback_started') return 'waiting';
  const running = runningTasks(tasks);
  const stale = digest ? tasks.filter((t) => t.desired === 'Running' && digestOf(t.image) !== digest) : [];
  const wanted = state.replicas ?? running.length;
  if (stale.length === 0 && running.length === wanted && running.length > 0) return 'converged';
  if (wanted === 0 && running.length === 0) return 'converged';
  return 'waiting';
}

/**
 * Why the tasks that ran `digest` failed. Swarm records an error for a crash, but a task stopped for
 * failing its health check ends as plain "Shutdown"/"Complete": `seen` (every state observed while
 * waiting, per task id) tells those apart.
 */
export function taskErrors(
  tasks: readonly Task[],
  digest: string,
  seen: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): string[] {
  const errors = tasks
    .filter((t) => digestOf(t.image) === digest && t.desired !== 'Running')
    .flatMap((t) => {
      const states = seen.get(t.id) ?? new Set<string>();
      if (t.error || /^(Failed|Rejected)/.test(t.current))
        return [`${t.name} on ${t.node}: ${t.error || t.current}`];
      if (states.has('Starting') && !states.has('Running'))
        return [`${t.name} on ${t.node}: never passed its health check (stopped while starting)`];
      return [];
    });
  return [...new Set(errors)];
}

export class SwarmManager {
  readonly where: string;
  readonly runner: Runner;
  private readonly target: DockerTarget;

  constructor(runner: Runner, env: Readonly<Record<string, string>> = {}) {
    this.runner = runner;
    this.where = runner.where;
    this.target = { docker: 'docker', env };
  }

  private run(command: Command) {
    return runChecked(this.runner, command);
  }

  /** True when this host is a Swarm manager that can take orders now. */
  async isManager(): Promise<boolean> {
    const result = await this.runner.run(swarm.swarmInfo(this.target));
    if (result.exitCode !== 0) return false;
    const info = JSON.parse(result.stdout) as SwarmInfo;
    return info.LocalNodeState === 'active' && info.ControlAvailable === true;
  }

  async service(name: string): Promise<ServiceState | undefined> {
    const result = await this.runner.run(swarm.serviceInspect(this.target, [name]));
    if (result.exitCode !== 0) {
      if (/no such service/i.test(result.stderr)) return undefined;
      throw new Error(`${this.where}: docker service inspect ${name}: ${result.stderr.trim()}`);
    }
    const [s] = JSON.parse(result.stdout) as ServiceInspect[];
    if (!s) return undefined;
    const replicas = s.Spec.Mode?.Replicated?.Replicas;
    return {
      name: s.Spec.Name,
      image: s.Spec.TaskTemplate.ContainerSpec.Image,
      ...(replicas !== undefined && { replicas }),
      ...(s.UpdateStatus?.State && {
        update: { state: s.UpdateStatus.State, message: s.UpdateStatus.Message ?? '' },
      }),
      labels: s.Spec.Labels ?? {},
      published: (s.Spec.EndpointSpec?.Ports ?? []).flatMap((p) =>
        p.PublishedPort ? [p.PublishedPort] : [],
      ),
    };
  }

  async tasks(name: string): Promise<Task[]> {
    return parseTasks((await this.run(swarm.serviceTasks(this.target, name))).stdout);
  }

  async create(spec: swarm.ServiceSpec): Promise<void> {
    await this.run(swarm.serviceCreate(this.target, spec));
  }

  async update(spec: swarm.ServiceSpec): Promise<void> {
    await this.run(swarm.serviceUpdate(this.target, spec));
  }

  async rollback(name: string): Promise<void> {
    await this.run(swarm.serviceRollback(this.target, name));
  }

  async stackServices(stack: string): Promise<string[]> {
    return (await this.run(swarm.stackServices(this.target, stack))).stdout.split('\n').filter(Boolean);
  }

  async stackDeploy(stack: string, file: string, withRegistryAuth: boolean): Promise<string> {
    const result = await this.run(swarm.stackDeploy(this.target, stack, file, withRegistryAuth));
    return `${result.stdout}${result.stderr}`.trim();
  }

  async logs(name: string): Promise<string> {
    const result = await this.runner.run(swarm.serviceLogs(this.target, name));
    return `${result.stdout}${result.stderr}`.trim();
  }

  /**
   * Waits until `name` runs `digest` everywhere. Fails when Swarm rolls the update back (waiting for
   * the rollback to finish, so the previous version serves when the step fails), pauses it, or time
   * runs out. An aborted `signal` ends the wait at once (`cancelled`): the update goes on in Swarm.
   */
  async waitConverged(
    name: string,
    digest: string,
    timeoutMs: number,
    progress?: (line: string) => void,
    signal?: AbortSignal,
  ): Promise<Convergence> {
    const deadline = Date.now() + timeoutMs;
    const seen = new Map<string, Set<string>>();
    let said = '';
    let tasks: Task[] = [];
    const cancelled = (): Convergence => ({
      ok: false,
      rolledBack: false,
      cancelled: true,
      detail: `stopped waiting for ${name}: ${signal?.reason instanceof Error ? signal.reason.message : 'cancelled'}`,
      tasks,
    });
    for (;;) {
      if (signal?.aborted) return cancelled();
      const state = await this.service(name);
      if (!state) return { ok: false, rolledBack: false, detail: `the service ${name} is gone`, tasks: [] };
      tasks = await this.tasks(name);
      for (const task of tasks) seen.set(task.id, (seen.get(task.id) ?? new Set()).add(stateOf(task)));
      const status = convergence(state, tasks, digest);
      const running = runningTasks(tasks);
      const line = `${name}: ${status}, ${running.filter((t) => digestOf(t.image) === digest).length}/${state.replicas ?? running.length} task(s) on the new digest`;
      if (line !== said) progress?.(line);
      said = line;
      if (status === 'converged') return { ok: true, tasks };
      const errors = taskErrors(tasks, digest, seen);
      if (status === 'rolled-back' || status === 'paused') {
        return {
          ok: false,
          rolledBack: status === 'rolled-back',
          detail: `${status === 'rolled-back' ? 'Swarm rolled the update back' : 'Swarm paused the update'}${state.update?.message ? ` (${state.update.message})` : ''}${errors.length ? `; task errors: ${errors.join('; ')}` : ''}`,
          tasks,
        };
      }
      if (Date.now() > deadline && status !== 'rolling-back') {
        return {
          ok: false,
          rolledBack: false,
          detail: `not converged after ${Math.round(timeoutMs / 1000)} s${errors.length ? `; task errors: ${errors.join('; ')}` : ''}`,
          tasks,
        };
      }
      if (Date.now() > deadline + timeoutMs) {
        return {
          ok: false,
          rolledBack: false,
          detail: `Swarm is still rolling back after ${Math.round((2 * timeoutMs) / 1000)} s`,
          tasks,
        };
      }
      if (signal?.aborted) return cancelled();
      await sleep(1000, signal).catch(() => {});
    }
  }

  /** The overlay network the service and its proxy share (made on the first deploy). */
  async ensureNetwork(network: string, service: string): Promise<void> {
    await ensureNetwork(
      this.runner,
      this.target,
      network,
      { [LABEL.service]: service },
      {
        driver: 'overlay',
        attachable: true,
      },
    );
  }

  /**
   * The proxy: a global service publishing `publish` in host mode on every node, spreading requests
   * over the service's tasks. Its config is a Swarm config named after its content, so a changed port
   * makes a new config and a rolling update of the proxy; an unchanged one changes nothing.
   */
  /** The name of a service's proxy. */
  static proxyName(service: string): string {
    return `slipway-proxy-${service}`;
  }

  async ensureProxy(
    service: string,
    network: string,
    port: number,
    publish: number,
    image: string,
  ): Promise<void> {
    const name = SwarmManager.proxyName(service);
    const content = swarmCaddyfile(service, port);
    const config = `${name}-${createHash('sha256').update(content).digest('hex').slice(0, 12)}`;
    const labels = { [LABEL.service]: service, [LABEL.role]: 'proxy' };
    const configExists = await this.runner.run(swarm.configInspect(this.target, config));
    if (configExists.exitCode !== 0) await this.run(swarm.configCreate(this.target, config, content, labels));
    const existing = await this.service(name);
    const command = caddyCommand('run', CADDYFILE_PATH);
    if (!existing) {
      await this.run(
        swarm.proxyServiceCreate(this.target, {
          name,
          image,
          network,
          publish,
          targetPort: PROXY_PORT,
          config,
          configPath: CADDYFILE_PATH,
          command,
          labels,
        }),
      );
      await this.waitProxy(name, publish);
      return;
    }
    const mounted = await this.run(swarm.serviceConfigs(this.target, name));
    const old = (JSON.parse(mounted.stdout || 'null') as ServiceConfigMount[] | null) ?? [];
    if (old.some((c) => c.ConfigName === config)) return;
    await this.run(
      swarm.serviceSwapConfig(
        this.target,
        name,
        old.map((c) => c.ConfigName),
        { source: config, target: CADDYFILE_PATH },
      ),
    );
    await this.waitProxy(name, publish);
  }

  /** The proxy's tasks all run, and the one on this manager answers HTTP (anything but a 5xx). */
  private async waitProxy(name: string, publish: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const tasks = (await this.tasks(name)).filter((t) => t.desired === 'Running');
      if (tasks.length > 0 && tasks.every((t) => stateOf(t) === 'Running')) {
        const probe = await httpProbe(this.runner, '127.0.0.1', publish, '/');
        if (probe.status > 0 && probe.status < 500) return;
        last = probe.detail;
      } else {
        last = tasks.map((t) => `${t.node}: ${t.current}`).join(', ') || 'no task yet';
      }
      if (Date.now() > deadline) throw new Error(`${this.where}: the proxy ${name} does not serve (${last})`);
      await sleep(500);
    }
  }
}
