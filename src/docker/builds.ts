/** Build commands as data: `docker build` and `docker buildx` (see target.ts). */
import type { Command } from '../command/command';
import { dockerCommand as cmd, type DockerTarget } from './target';

/** One buildx invocation: the plugin run standalone when the target names it, else `docker buildx`. */
function buildxCommand(target: DockerTarget, args: string[], extra: Partial<Command> = {}): Command {
  return target.buildx
    ? cmd({ ...target, docker: target.buildx }, args, extra)
    : cmd(target, ['buildx', ...args], extra);
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
  /** With output push: pushed by digest to the tags' repositories, no tag set. */
  readonly pushByDigest?: boolean;
  readonly metadataFile: string;
  readonly iidFile?: string;
  /** Extra environment for buildx (e.g. the Actions cache URL and token for type=gha). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * buildx's --output that pushes by digest to the repositories of `tags` (their tags dropped) and
 * sets no tag: a CSV field, quoted when it names several repositories.
 */
export function pushByDigestOutput(tags: readonly string[]): string {
  const names = [...new Set(tags.map((t) => t.replace(/@.*$/, '').replace(/:[^:/]+$/, '')))];
  const name = `name=${names.join(',')}`;
  return `type=image,${names.length > 1 ? `"${name}"` : name},push-by-digest=true,name-canonical=true,push=true`;
}

/** `docker buildx build`: several platforms, cache import/export, attestations, push from the builder. */
export function buildxBuild(target: DockerTarget, spec: BuildxSpec): Command {
  const args = ['build', '--progress', 'plain', '--metadata-file', spec.metadataFile];
  if (spec.builder) args.push('--builder', spec.builder);
  if (spec.iidFile) args.push('--iidfile', spec.iidFile);
  if (spec.platforms.length > 0) args.push('--platform', spec.platforms.join(','));
  if (spec.file) args.push('--file', spec.file);
  if (spec.target) args.push('--target', spec.target);
  const byDigest = spec.output === 'push' && spec.pushByDigest;
  if (!byDigest) for (const tag of spec.tags) args.push('--tag', tag);
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
  if (byDigest) args.push('--output', pushByDigestOutput(spec.tags));
  else if (spec.output === 'push') args.push('--push');
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
