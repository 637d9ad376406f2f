/**
 * Small reads-then-writes against an engine, run through any Runner (here or over SSH): the
 * containers matching filters, inspected in one call; a network made only when it is missing.
 */
import { runChecked, type Runner } from '../command/command';
import * as docker from './containers';
import * as networks from './networks';
import { serverApiVersion } from './images';
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

/** The engine's API version as a number (1.41 for Docker 20.10, 1.52 for 29); undefined if it does not say. */
export async function engineApiVersion(runner: Runner, target: DockerTarget): Promise<number | undefined> {
  const result = await runner.run(serverApiVersion(target));
  return parseApiVersion(result.exitCode === 0 ? result.stdout : '');
}

/** "1.41" → 1.41, "1.9" → 1.09 (minor versions compare as numbers); anything else → undefined. */
export function parseApiVersion(text: string): number | undefined {
  const match = /^(\d+)\.(\d+)$/.exec(text.trim());
  return match ? Number(match[1]) + Number(match[2]) / 100 : undefined;
}
