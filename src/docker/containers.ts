/** Container commands as data: run, create, start, stop, exec, logs, inspect, copy, remove (see target.ts). */
import type { Command } from '../command/command';
import { dockerCommand as cmd, type DockerTarget, labelFlags } from './target';

export interface RunSpec {
  readonly name: string;
  readonly image: string;
  readonly detach?: boolean;
  readonly network?: string;
  readonly networkAliases?: readonly string[];
  readonly labels?: Readonly<Record<string, string>>;
  readonly workdir?: string;
  readonly volumes?: readonly string[];
  readonly publish?: readonly string[];
  readonly healthCmd?: string;
  readonly healthInterval?: string;
  readonly entrypoint?: string;
  readonly command?: readonly string[];
  /**
   * The container's environment: an env file on the docker client's side (see envFileContent),
   * so values are never on the command line nor in the client's own environment (where a
   * DOCKER_HOST or HOME meant for the container would redirect the client itself).
   */
  readonly envFile?: string;
  readonly restart?: string;
  /** Kernel settings of the container's own namespaces (--sysctl name=value). */
  readonly sysctls?: Readonly<Record<string, string>>;
  /** Remove the container when it exits (--rm). */
  readonly removeOnExit?: boolean;
  /** The platform of the image to run (--platform), for an engine that holds several. */
  readonly platform?: string;
}

/** The options `docker run` and `docker create` share, from --name to the image and its command. */
function containerArgs(spec: RunSpec): string[] {
  const args = ['--name', spec.name];
  if (spec.network) args.push('--network', spec.network);
  for (const alias of spec.networkAliases ?? []) args.push('--network-alias', alias);
  if (spec.envFile) args.push('--env-file', spec.envFile);
  if (spec.restart) args.push('--restart', spec.restart);
  args.push(...labelFlags(spec.labels ?? {}));
  if (spec.workdir) args.push('--workdir', spec.workdir);
  for (const volume of spec.volumes ?? []) args.push('--volume', volume);
  for (const port of spec.publish ?? []) args.push('--publish', port);
  for (const [name, value] of Object.entries(spec.sysctls ?? {})) args.push('--sysctl', `${name}=${value}`);
  if (spec.healthCmd) {
    args.push('--health-cmd', spec.healthCmd, '--health-interval', spec.healthInterval ?? '1s');
    args.push('--health-retries', '3', '--health-timeout', '5s');
  }
  if (spec.entrypoint !== undefined) args.push('--entrypoint', spec.entrypoint);
  if (spec.platform) args.push('--platform', spec.platform);
  args.push(spec.image, ...(spec.command ?? []));
  return args;
}

export function run(target: DockerTarget, spec: RunSpec): Command {
  const args = ['run'];
  if (spec.detach) args.push('--detach');
  if (spec.removeOnExit) args.push('--rm');
  return cmd(target, [...args, ...containerArgs(spec)], { label: `docker run ${spec.name}` });
}

export function inspectContainer(target: DockerTarget, name: string): Command {
  return cmd(target, ['container', 'inspect', '--format', '{{json .}}', name]);
}

/**
 * Container logs: the last `tail` lines (50 unless following, when it is everything unless given),
 * since a time or a duration ago (`since`: docker's 10m, 2026-11-22T10:00:00), and with `follow`
 * until the container stops.
 */
export function logs(
  target: DockerTarget,
  name: string,
  options: { tail?: number; follow?: boolean; since?: string } = {},
): Command {
  const args = ['logs'];
  if (options.follow) args.push('--follow');
  if (options.tail !== undefined || !options.follow) args.push('--tail', String(options.tail ?? 50));
  if (options.since) args.push('--since', options.since);
  return cmd(target, [...args, name]);
}

export function wait(target: DockerTarget, name: string): Command {
  return cmd(target, ['wait', name]);
}

export function kill(target: DockerTarget, name: string): Command {
  return cmd(target, ['kill', name]);
}

export function copyFrom(
  target: DockerTarget,
  container: string,
  path: string,
  destination: string,
): Command {
  return cmd(target, ['cp', `${container}:${path}`, destination]);
}

export function port(target: DockerTarget, container: string, containerPort: number): Command {
  return cmd(target, ['port', container, `${containerPort}/tcp`]);
}

/** Removes containers but never their volumes (deployed services keep their data). */
export function removeContainers(target: DockerTarget, names: readonly string[]): Command {
  return cmd(target, ['rm', '--force', ...names]);
}

/** Removes containers and deletes their anonymous volumes (never named ones): for throwaway containers only. */
export function removeContainersAndVolumes(target: DockerTarget, names: readonly string[]): Command {
  return cmd(target, ['rm', '--force', '--volumes', ...names]);
}

export function listContainers(target: DockerTarget, filters: readonly string[]): Command {
  const args = ['ps', '--all', '--quiet'];
  for (const f of filters) args.push('--filter', f);
  return cmd(target, args);
}

/** `docker create`: the same options as run, without starting. */
export function create(target: DockerTarget, spec: Omit<RunSpec, 'detach'>): Command {
  const args = ['create', ...(spec.removeOnExit ? ['--rm'] : []), ...containerArgs(spec)];
  return cmd(target, args, { label: `docker create ${spec.name}` });
}

export function start(target: DockerTarget, name: string): Command {
  return cmd(target, ['start', name]);
}

export function stop(target: DockerTarget, name: string, timeoutSeconds = 10): Command {
  return cmd(target, ['stop', '--time', String(timeoutSeconds), name]);
}

/** Runs a program inside a running container (argv, no shell). */
export function exec(
  target: DockerTarget,
  container: string,
  argv: readonly string[],
  stdin?: string,
): Command {
  return cmd(
    target,
    ['exec', ...(stdin !== undefined ? ['--interactive'] : []), container, ...argv],
    stdin !== undefined ? { stdin } : {},
  );
}

/** Copies a tar archive given on stdin into a container directory (`docker cp -`). */
export function copyArchiveInto(
  target: DockerTarget,
  container: string,
  directory: string,
  archive: Buffer,
): Command {
  return cmd(target, ['cp', '-', `${container}:${directory}`], {
    stdin: archive,
    label: `docker cp into ${container}:${directory}`,
  });
}

export function inspectContainers(target: DockerTarget, ids: readonly string[]): Command {
  return cmd(target, ['container', 'inspect', ...ids]);
}

/** A file inside a running container, on stdout. */
export function readFileIn(target: DockerTarget, container: string, path: string): Command {
  return exec(target, container, ['cat', path]);
}

/** Removes a file inside a running container (no error when it is missing). */
export function removeFileIn(target: DockerTarget, container: string, path: string): Command {
  return exec(target, container, ['rm', '-f', path]);
}
