/**
 * Small reads-then-writes against an engine, run through any Runner (here or over SSH): the
 * containers matching filters, inspected in one call; a network made only when it is missing.
 */
import { runChecked, type Runner } from '../command/command';
import * as docker from './containers';
import * as networks from './networks';
import type { DockerTarget } from './target';

/** `docker inspect` of every container (running or not) matching all `filters`; [] when none. */
export async function inspectContainersWhere<T>(
  runner: Runner,
  target: DockerTarget,
  filters: readonly string[],
): Promise<T[]> {
  const ids = (await runChecked(runner, docker.listContainers(target, filters))).stdout
    .split('\n')
    .filter(Boolean);
  if (ids.length === 0) return [];
  return JSON.parse((await runChecked(runner, docker.inspectContainers(target, ids))).stdout) as T[];
}

/** Creates the network unless it exists. */
export async function ensureNetwork(
  runner: Runner,
  target: DockerTarget,
  name: string,
  labels: Readonly<Record<string, string>>,
  options: networks.NetworkOptions = {},
): Promise<void> {
  const exists = await runner.run(networks.networkInspect(target, name));
  if (exists.exitCode !== 0) await runChecked(runner, networks.networkCreate(target, name, labels, options));
}
