/**
 * Docker commands as data: each function returns the argv (and environment, stdin) of one docker
 * invocation. Nothing here runs anything; runners execute these locally or over SSH, and unit
 * tests check them as data. Values that must stay off the command line (secrets, environment
 * values) travel in the process environment or on stdin.
 */
import type { Command } from '../command/command';

/** The docker client: SLIPWAY_DOCKER when set (e.g. a client with BuildKit), else docker on PATH. */
export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLIPWAY_DOCKER || 'docker';
}

export interface DockerTarget {
  /** The docker client program. */
  readonly docker: string;
  /** Environment for every docker call (DOCKER_CONFIG, DOCKER_HOST…). */
  readonly env?: Readonly<Record<string, string>>;
  /** The buildx plugin's program, run standalone for buildx commands (else `docker buildx`). */
  readonly buildx?: string;
}

/** One docker invocation for `target`: its program, then `args`; the target's environment under `extra.env`. */
export function dockerCommand(target: DockerTarget, args: string[], extra: Partial<Command> = {}): Command {
  return { argv: [target.docker, ...args], ...extra, env: { ...target.env, ...extra.env } };
}

const cmd = dockerCommand;

/** One buildx invocation: the plugin run standalone when the target names it, else `docker buildx`. */
function buildxCommand(target: DockerTarget, args: string[], extra: Partial<Command> = {}): Command {
  return target.buildx
    ? dockerCommand({ ...target, docker: target.buildx }, args, extra)
    : dockerCommand(target, ['buildx', ...args], extra);
}

/** `--label k=v` for each label (or another flag taking k=v, such as `--label-add`). */
export function labelFlags(labels: Readonly<Record<string, string>>, flag = '--label'): string[] {
  return Object.entries(labels).flatMap(([k, v]) => [flag, `${k}=${v}`]);
}

/** What every build states, whichever builder runs it. */
export interface BuildBasics {
  readonly context: string;
  readonly file?: string;
  readonly target?: string;
  readonly tags: readonly string[];
  readonly buildArgs: ReadonlyArray<readonly [string, string]>;
  readonly labels: ReadonlyArray<readonly [string, string]>;
  /** BuildKit secrets: id and value. Values are passed through the environment, never argv. */
  readonly secrets: ReadonlyArray<readonly [string, string]>;
  readonly pull: boolean;
  readonly noCache: boolean;
}

export interface BuildSpec extends BuildBasics {
  readonly cacheFrom: readonly string[];
  readonly iidFile: string;
}

/** Name of the environment variable that carries the i-th build secret to the docker client. */
export function secretEnvName(index: number): string {
  return `SLIPWAY_BUILD_SECRET_${index}`;
}

export function build(target: DockerTarget, spec: BuildSpec): Command {
  const args = ['build', '--progress', 'plain', '--iidfile', spec.iidFile];
  if (spec.file) args.push('--file', spec.file);
  if (spec.target) args.push('--target', spec.target);
  for (const tag of spec.tags) args.push('--tag', tag);
  for (const [key, value] of spec.buildArgs) args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of spec.labels) args.push('--label', `${key}=${value}`);
  const env: Record<string, string> = { DOCKER_BUILDKIT: '1' };
  spec.secrets.forEach(([id, value], i) => {
    args.push('--secret', `id=${id},env=${secretEnvName(i)}`);
    env[secretEnvName(i)] = value;
  });
  for (const ref of spec.cacheFrom) args.push('--cache-from', ref);
  if (spec.pull) args.push('--pull');
  if (spec.noCache) args.push('--no-cache');
  args.push(spec.context);
  return cmd(target, args, { env, label: `docker build ${spec.context}` });
}

export interface BuildxSpec extends BuildBasics {
  readonly builder?: string;
  readonly platforms: readonly string[];
  /** --cache-from / --cache-to values in buildx's syntax (type=…,key=value). */
  readonly cacheFrom: readonly string[];
  readonly cacheTo: readonly string[];
  readonly annotations: readonly string[];
  /** --provenance / --sbom values, passed through when set. */
  readonly provenance?: string;
  readonly sbom?: string;
  /** Where the result goes: pushed, loaded into the engine's image store, or left in the builder. */
  readonly output: 'push' | 'load' | 'none';
  readonly metadataFile: string;
  readonly iidFile?: string;
  /** Extra environment for buildx (e.g. the Actions cache URL and token for type=gha). */
  readonly env?: Readonly<Record<string, string>>;
}

/** `docker buildx build`: several platforms, cache import/export, attestations, push from the builder. */
export function buildxBuild(target: DockerTarget, spec: BuildxSpec): Command {
  const args = ['build', '--progress', 'plain', '--metadata-file', spec.metadataFile];
  if (spec.builder) args.push('--builder', spec.builder);
  if (spec.iidFile) args.push('--iidfile', spec.iidFile);
  if (spec.platforms.length > 0) args.push('--platform', spec.platforms.join(','));
  if (spec.file) args.push('--file', spec.file);
  if (spec.target) args.push('--target', spec.target);
  for (const tag of spec.tags) args.push('--tag', tag);
  for (const [key, value] of spec.buildArgs) args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of spec.labels) args.push('--label', `${key}=${value}`);
  for (const annotation of spec.annotations) args.push('--annotation', annotation);
  // Only the digests are read from the metadata file: no provenance resolved into it.
  const env: Record<string, string> = { BUILDX_METADATA_PROVENANCE: 'disabled', ...spec.env };
  spec.secrets.forEach(([id, value], i) => {
    args.push('--secret', `id=${id},env=${secretEnvName(i)}`);
    env[secretEnvName(i)] = value;
  });
  for (const cache of spec.cacheFrom) args.push('--cache-from', cache);
  for (const cache of spec.cacheTo) args.push('--cache-to', cache);
  if (spec.provenance !== undefined) args.push('--provenance', spec.provenance);
  if (spec.sbom !== undefined) args.push('--sbom', spec.sbom);
  if (spec.output === 'push') args.push('--push');
  if (spec.output === 'load') args.push('--load');
  if (spec.pull) args.push('--pull');
  if (spec.noCache) args.push('--no-cache');
  args.push(spec.context);
  const what = spec.platforms.length > 0 ? ` for ${spec.platforms.join(',')}` : '';
  return buildxCommand(target, args, { env, label: `docker buildx build ${spec.context}${what}` });
}

/** `docker buildx inspect [builder]`: its driver and platforms (the selected builder when none is named). */
export function buildxInspect(target: DockerTarget, builder?: string): Command {
  return buildxCommand(target, ['inspect', ...(builder ? [builder] : [])]);
}

/** The engine's own platform, os/arch. */
export function serverPlatform(target: DockerTarget): Command {
  return cmd(target, ['version', '--format', '{{.Server.Os}}/{{.Server.Arch}}']);
}

/** The storage driver's status, which names the containerd snapshotter when the engine stores images there. */
export function storageDriverStatus(target: DockerTarget): Command {
  return cmd(target, ['info', '--format', '{{json .DriverStatus}}']);
}

export function inspectImage(target: DockerTarget, ref: string): Command {
  return cmd(target, ['image', 'inspect', '--format', '{{json .}}', ref]);
}

/**
 * An image's platform in the engine's store: os/arch[/variant]. With `platform`, that platform of a
 * multi-platform image the engine holds whole (the containerd image store; Docker 28+ clients).
 */
export function imagePlatform(target: DockerTarget, ref: string, platform?: string): Command {
  return cmd(target, [
    'image',
    'inspect',
    ...(platform ? ['--platform', platform] : []),
    '--format',
    '{{.Os}}/{{.Architecture}}{{if .Variant}}/{{.Variant}}{{end}}',
    ref,
  ]);
}

export function historyOf(target: DockerTarget, ref: string): Command {
  return cmd(target, ['image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', ref]);
}

export function tag(target: DockerTarget, source: string, destination: string): Command {
  return cmd(target, ['tag', source, destination]);
}

export function push(target: DockerTarget, ref: string): Command {
  return cmd(target, ['push', ref]);
}

export function pull(target: DockerTarget, ref: string): Command {
  return cmd(target, ['pull', '--quiet', ref]);
}

/** docker login with the password on stdin (never argv). */
export function login(target: DockerTarget, registry: string, username: string, password: string): Command {
  return cmd(target, ['login', '--username', username, '--password-stdin', registry], {
    stdin: password,
    label: `docker login ${registry} as ${username}`,
  });
}

export function logout(target: DockerTarget, registry: string): Command {
  return cmd(target, ['logout', registry]);
}

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

export function run(target: DockerTarget, spec: RunSpec): Command {
  const args = ['run'];
  if (spec.detach) args.push('--detach');
  if (spec.removeOnExit) args.push('--rm');
  args.push('--name', spec.name);
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
  return cmd(target, args, { label: `docker run ${spec.name}` });
}

/** bufio.Scanner's longest line: docker cannot read a longer line of an env file. */
const ENV_FILE_LINE_MAX = 64 * 1024 - 1;

/**
 * Why docker's --env-file cannot carry NAME=value exactly, or undefined when it can. Docker reads
 * each line literally (no quotes, no $ expansion, the value not trimmed), but a line ends at a
 * newline, a carriage return before it is dropped, and the file must be UTF-8 with short lines.
 */
export function envFileProblem(name: string, value: string): string | undefined {
  if (/[\r\n\0]/.test(value))
    return `the value of ${name} holds a line break or NUL, which an env file cannot carry`;
  if (Buffer.from(value, 'utf8').toString('utf8') !== value)
    return `the value of ${name} is not valid UTF-8 text`;
  if (Buffer.byteLength(`${name}=${value}`) > ENV_FILE_LINE_MAX)
    return `the value of ${name} is longer than an env file line can be (64 KiB)`;
  return undefined;
}

/** The content of a docker --env-file holding `env` exactly (check each value with envFileProblem first). */
export function envFileContent(env: ReadonlyArray<readonly [string, string]>): string {
  return env
    .map(([name, value]) => {
      const problem = envFileProblem(name, value);
      if (problem) throw new Error(problem);
      return `${name}=${value}\n`;
    })
    .join('');
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

/** Removes containers and their anonymous volumes (never named volumes). */
export function removeContainers(target: DockerTarget, names: readonly string[]): Command {
  return cmd(target, ['rm', '--force', '--volumes', ...names]);
}

export function listContainers(target: DockerTarget, filters: readonly string[]): Command {
  const args = ['ps', '--all', '--quiet'];
  for (const f of filters) args.push('--filter', f);
  return cmd(target, args);
}

/** `docker create` with the same options as run, without starting. */
export function create(target: DockerTarget, spec: Omit<RunSpec, 'detach'>): Command {
  const command = run(target, spec);
  return {
    ...command,
    argv: command.argv.map((a, i) => (i === 1 && a === 'run' ? 'create' : a)),
    label: `docker create ${spec.name}`,
  };
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

export function inspectContainers(target: DockerTarget, ids: readonly string[]): Command {
  return cmd(target, ['container', 'inspect', ...ids]);
}

export function removeImage(target: DockerTarget, image: string): Command {
  return cmd(target, ['image', 'rm', image]);
}

/** Removes containers but never their volumes (deployed services keep their data). */
export function removeContainersKeepVolumes(target: DockerTarget, names: readonly string[]): Command {
  return cmd(target, ['rm', '--force', ...names]);
}
