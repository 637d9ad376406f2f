/**
 * What runs on each host, for people and scripts: the service's containers (or compose project's,
 * or on a Swarm manager the service's tasks),
 * their image and version, since when, and the last entries of the host's audit log.
 */
import type { Runner } from '../command/command';
import { tailFile } from '../command/files';
import { inspectContainersWhere } from '../docker/engine';
import { type ContainerInspect as Inspect, containerName } from '../docker/inspect';
import * as swarm from '../deploy-swarm/swarm-commands';
import { runPool } from '../common/pool';
import { connectAll } from '../deploy-core/connect';
import { hostPlatform } from '../docker/host-platform';
import { LABEL } from '../deploy-core/session';
import { parseTasks, stateOf } from '../deploy-swarm/swarm-manager';
import type { Connection } from '../deploy-core/inputs';
import { type FreezeRecord, HostFreeze } from '../deploy-core/freeze';
import { type MaintenanceRecord, readMaintenance } from '../deploy-core/maintenance-state';

export interface ContainerStatus {
  readonly name: string;
  readonly role: string;
  readonly image: string;
  readonly version: string;
  readonly state: string;
  readonly health?: string;
  readonly since: string;
  /** The run that deployed it (its label), when Slipway did. */
  readonly run?: string;
  /** With verify-key: whether its digest verifies, and the test run its attestation names. */
  readonly verified?: boolean;
  readonly tests?: string;
  /** The newest promotion record of its digest: "promoted from <source> by <run> at <time>". */
  readonly promoted?: string;
  /** An index: the platform image the host's engine runs, and whether it was tested (ledger.ts). */
  readonly variant?: VariantStatus;
}

/** The image of an index a host runs (its platform's) and whether it carries a PASSED test result. */
export interface VariantStatus {
  readonly platform: string;
  readonly digest: string;
  /** yes: a PASSED test result signed by verify-key; no: none; unknown: no verify-key, or not readable. */
  readonly tested: 'yes' | 'no' | 'unknown';
  readonly detail: string;
}

export interface HostStatus {
  readonly host: string;
  /** The platform its engine runs (os/arch[/variant]); absent when the engine could not say. */
  readonly platform?: string;
  readonly containers: readonly ContainerStatus[];
  readonly audit: ReadonlyArray<Record<string, unknown>>;
  /** Deploys of the service are frozen here (slipway lock acquire). */
  readonly freeze?: FreezeRecord;
  /** The service is in maintenance here (slipway maintenance). */
  readonly maintenance?: MaintenanceRecord;
  readonly error?: string;
}

const TARGET = { docker: 'docker' };

/** The containers of service `name` on a host: its own (by label) and, for a compose project of that name, the project's. */
export async function serviceContainers(runner: Runner, name: string): Promise<Inspect[]> {
  const byId = new Map<string, Inspect>();
  for (const filter of [`label=${LABEL.service}=${name}`, `label=com.docker.compose.project=${name}`]) {
    for (const c of await inspectContainersWhere<Inspect>(runner, TARGET, [filter])) byId.set(c.Id, c);
  }
  return [...byId.values()];
}

export async function hostStatus(runner: Runner, name: string, auditLines: number): Promise<HostStatus> {
  const target = TARGET;
  const inspected = await serviceContainers(runner, name);
  const containers = inspected
    .map((c): ContainerStatus => {
      const labels = c.Config.Labels ?? {};
      return {
        name: containerName(c),
        role: labels[LABEL.role] ?? labels['com.docker.compose.service'] ?? '',
        image: labels[LABEL.image] ?? c.Config.Image,
        version: labels[LABEL.version] ?? '',
        state: c.State.Status,
        // A stopped container keeps its last health status: an old version that merely exited is not "unhealthy".
        ...(c.State.Running && c.State.Health && { health: c.State.Health.Status }),
        since: c.State.Running ? c.State.StartedAt : c.State.FinishedAt,
        ...(labels[LABEL.run] && { run: labels[LABEL.run] }),
      };
    })
    .sort(
      (a, b) =>
        Number(b.state === 'running') - Number(a.state === 'running') || b.since.localeCompare(a.since),
    );
  // On a Swarm manager: the running tasks of a service (or stack) of that name, on every node.
  const tasks = await runner.run(swarm.serviceTasks(target, name));
  if (tasks.exitCode === 0) {
    for (const task of parseTasks(tasks.stdout).filter((t) => t.desired === 'Running')) {
      containers.push({
        name: task.name,
        role: `task on ${task.node}`,
        image: task.image,
        version: '',
        state: stateOf(task).toLowerCase(),
        since: task.current.split(' ').slice(1).join(' '),
      });
    }
  }
  const log = await runner.run(tailFile(`.slipway/${name}/audit.log`, auditLines));
  const audit =
    log.exitCode === 0
      ? log.stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => {
            try {
              return JSON.parse(line) as Record<string, unknown>;
            } catch {
              return { line };
            }
          })
      : [];
  const platform = await hostPlatform(runner, target).catch(() => undefined);
  const freeze = await new HostFreeze(runner, `.slipway/${name}`).read();
  const maintenance = await readMaintenance(runner, `.slipway/${name}`);
  return {
    host: runner.where,
    ...(platform && { platform }),
    containers,
    audit,
    ...(freeze && { freeze }),
    ...(maintenance && { maintenance }),
  };
}

/** Runs `work` on every host over one SSH session each (at most 4 at once); the sessions are closed after. */
export async function onEveryHost<T>(
  request: Connection,
  work: (runner: Runner) => Promise<T>,
  parallel = 4,
): Promise<T[]> {
  const runners = await connectAll(request, () => {});
  try {
    return await runPool(
      runners.map((runner) => () => work(runner)),
      parallel,
    );
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
}

/** Every host's status; a host whose state cannot be read is reported, not fatal. */
export function statusOfHosts(request: Connection, name: string, auditLines = 5): Promise<HostStatus[]> {
  return onEveryHost(request, (runner) =>
    hostStatus(runner, name, auditLines).catch((error: Error): HostStatus => ({
      host: runner.where,
      containers: [],
      audit: [],
      error: error.message,
    })),
  );
}
