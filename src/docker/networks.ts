/** Network commands as data: create, inspect, remove, connect and disconnect a container (see target.ts). */
import type { Command } from '../command/command';
import { dockerCommand as cmd, type DockerTarget, labelFlags } from './target';

export interface NetworkOptions {
  /** overlay for a network that spans Swarm nodes (default: the engine's bridge). */
  readonly driver?: string;
  /** Containers outside Swarm services may join (overlay networks). */
  readonly attachable?: boolean;
}

export function networkCreate(
  target: DockerTarget,
  name: string,
  labels: Readonly<Record<string, string>>,
  options: NetworkOptions = {},
): Command {
  const args = ['network', 'create'];
  if (options.driver) args.push('--driver', options.driver);
  if (options.attachable) args.push('--attachable');
  return cmd(target, [...args, ...labelFlags(labels), name]);
}

export function networkInspect(target: DockerTarget, name: string): Command {
  return cmd(target, ['network', 'inspect', name]);
}

export function networkRemove(target: DockerTarget, name: string): Command {
  return cmd(target, ['network', 'rm', name]);
}

export function networkConnect(
  target: DockerTarget,
  network: string,
  container: string,
  aliases: readonly string[] = [],
): Command {
  return cmd(target, ['network', 'connect', ...aliases.flatMap((a) => ['--alias', a]), network, container]);
}

/** Leaves a network (also for a stopped container, which keeps its endpoint and aliases otherwise). */
export function networkDisconnect(target: DockerTarget, network: string, container: string): Command {
  return cmd(target, ['network', 'disconnect', '--force', network, container]);
}
