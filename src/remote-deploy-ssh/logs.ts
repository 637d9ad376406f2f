/**
 * A service's container logs on each host (`slipway logs`), over the same SSH sessions as status:
 * the running containers of the service (its app and proxy, or a compose project's), each line
 * handed over with the host and container it came from.
 */
import type { Runner } from '../command/command';
import * as docker from '../docker/containers';
import { containerName } from '../docker/inspect';
import { InputError, type Inputs } from '../common/inputs';
import type { Connection } from '../deploy-core/inputs';
import { onEveryHost, serviceContainers } from './status';
import * as swarm from '../deploy-swarm/swarm-commands';
import { SwarmManager } from '../deploy-swarm/swarm-manager';

export interface LogsOptions {
  readonly tail?: number;
  readonly follow: boolean;
  readonly since?: string;
}

/** Ends following (the remote `docker logs` processes are killed and the sessions closed). */
export interface Interrupt {
  readonly signal?: AbortSignal;
}

export interface LogLine {
  readonly host: string;
  readonly container: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

export interface HostLogs {
  readonly host: string;
  readonly containers: readonly string[];
  readonly error?: string;
}

const SINCE = [
  /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/, // a duration ago, as docker reads it
  /^\d+(\.\d+)?$/, // a Unix timestamp
  /^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?)?$/, // RFC 3339
];

/** --since, --tail and --follow, checked before anything connects. */
export function readLogsOptions(inputs: Inputs): LogsOptions {
  const since = inputs.line('since');
  if (since && !SINCE.some((re) => re.test(since)))
    throw new InputError(
      'since',
      `must be a duration (10m, 1h30m), a Unix time or a date (2026-11-22T10:00:00Z), got ${JSON.stringify(since)}`,
    );
  const tail = inputs.string('tail') === 'all' ? undefined : inputs.integer('tail', 100, { min: 0 });
  return {
    follow: inputs.boolean('follow', false),
    ...(tail !== undefined && { tail }),
    ...(since && { since }),
  };
}

/** Splits chunks of output into whole lines (the last partial line waits for the next chunk or the end). */
function lineSplitter(emit: (line: string) => void): { push(chunk: string): void; end(): void } {
  let rest = '';
  return {
    push(chunk) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() as string;
      for (const line of lines) emit(line.replace(/\r$/, ''));
    },
    end() {
      if (rest) emit(rest);
      rest = '';
    },
  };
}

export async function hostLogs(
  runner: Runner,
  name: string,
  options: LogsOptions & Interrupt,
  onLine: (line: LogLine) => void,
): Promise<HostLogs> {
  const running = (await serviceContainers(runner, name))
    .filter((c) => c.State.Running)
    .map(containerName)
    .sort();
  if (running.length === 0) {
    const fromSwarm = await swarmLogs(runner, name, options, onLine);
    return fromSwarm ?? { host: runner.where, containers: [], error: `no container of ${name} runs here` };
  }
  const failures: string[] = [];
  await Promise.all(
    running.map(async (container) => {
      const splitters = {
        stdout: lineSplitter((line) => onLine({ host: runner.where, container, stream: 'stdout', line })),
        stderr: lineSplitter((line) => onLine({ host: runner.where, container, stream: 'stderr', line })),
      };
      const { signal, ...logOptions } = options;
      const result = await runner.run(docker.logs({ docker: 'docker' }, container, logOptions), {
        onOutput: (chunk, stream) => splitters[stream].push(chunk),
        ...(signal && { signal }),
      });
      splitters.stdout.end();
      splitters.stderr.end();
      if (result.exitCode !== 0 && !signal?.aborted)
        failures.push(`docker logs ${container} exited with ${result.exitCode}`);
    }),
  );
  return {
    host: runner.where,
    containers: running,
    ...(failures.length > 0 && { error: failures.join('; ') }),
  };
}

/**
 * On a Swarm manager, a service of that name (and its proxy service): `docker service logs`, which
 * reads every node's tasks; each line handed over with the task docker names in its prefix.
 * Undefined when no such service is known here (not a manager, or no service of that name).
 */
async function swarmLogs(
  runner: Runner,
  name: string,
  options: LogsOptions & Interrupt,
  onLine: (line: LogLine) => void,
): Promise<HostLogs | undefined> {
  const target = { docker: 'docker' };
  const services: string[] = [];
  for (const service of [name, SwarmManager.proxyName(name)]) {
    if ((await runner.run(swarm.serviceExists(target, service))).exitCode === 0) services.push(service);
  }
  if (services.length === 0) return undefined;
  const failures: string[] = [];
  const { signal, ...logOptions } = options;
  await Promise.all(
    services.map(async (service) => {
      const emit = (stream: LogLine['stream']) => (text: string) => {
        const bar = text.indexOf(' | ');
        const [container, line] =
          bar > 0 ? [text.slice(0, bar).trim(), text.slice(bar + 3)] : [service, text];
        onLine({ host: runner.where, container, stream, line });
      };
      const splitters = { stdout: lineSplitter(emit('stdout')), stderr: lineSplitter(emit('stderr')) };
      const result = await runner.run(swarm.serviceLogsOf(target, service, logOptions), {
        onOutput: (chunk, stream) => splitters[stream].push(chunk),
        ...(signal && { signal }),
      });
      splitters.stdout.end();
      splitters.stderr.end();
      if (result.exitCode !== 0 && !signal?.aborted)
        failures.push(`docker service logs ${service} exited with ${result.exitCode}`);
    }),
  );
  return {
    host: runner.where,
    containers: services,
    ...(failures.length > 0 && { error: failures.join('; ') }),
  };
}

/** The logs of service `name` on every host; with follow, until the containers stop or the user interrupts. */
export function logsOfHosts(
  request: Connection,
  name: string,
  options: LogsOptions & Interrupt,
  onLine: (line: LogLine) => void,
): Promise<HostLogs[]> {
  return onEveryHost(
    request,
    (runner) =>
      hostLogs(runner, name, options, onLine).catch((error: Error): HostLogs => ({
        host: runner.where,
        containers: [],
        error: error.message,
      })),
    // Following: every host at once, or the later ones would never be read.
    options.follow ? request.hosts.length : 4,
  );
}
