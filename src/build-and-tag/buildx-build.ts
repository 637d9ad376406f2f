/**
 * A build through `docker buildx build`: the builder checked before anything runs, then the build
 * pushed from the builder or loaded into the engine's image store, and the result read from
 * buildx's --metadata-file. A multi-platform result cannot enter the classic image store, so when
 * it is not pushed it stays in the builder and this runner's own platform is loaded (from the
 * builder's cache) for test-in-container.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type CommandResult, runChecked, type Runner } from '../command/command';
import { InputError } from '../common/inputs';
import * as builds from '../docker/builds';
import * as images from '../docker/images';
import type { DockerTarget } from '../docker/target';
import {
  type BuilderInfo,
  builderFromInstance,
  builderInstancePath,
  builderRefusal,
  type CacheEntry,
  containerdStore,
  enginePlatform,
  formatCacheEntry,
  loadsEveryPlatform,
  parseBuilderInspect,
  samePlatform,
} from './buildx';
import type { BuildxRequest } from './plan';

export interface BuilderCheck {
  readonly builder: BuilderInfo;
  /** The docker driver on an engine without the containerd image store. */
  readonly classicStore: boolean;
  /** This runner's engine platform (os/arch). */
  readonly runnerPlatform: string;
}

/** The environment buildx's type=gha cache reads (set by the runner for JavaScript actions). */
export const GHA_CACHE_ENV = ['ACTIONS_CACHE_URL', 'ACTIONS_RUNTIME_TOKEN'] as const;

/** An InputError when a type=gha cache is asked for outside a GitHub Actions job that provides its URL and token. */
export function ghaCacheProblem(request: BuildxRequest, env: NodeJS.ProcessEnv): InputError | undefined {
  const gha = (entries: readonly CacheEntry[]) => entries.find((e) => e.type === 'gha');
  for (const [input, entries] of [
    ['cache-from', request.cacheFrom],
    ['cache-to', request.cacheTo],
  ] as const) {
    const entry = gha(entries);
    if (!entry) continue;
    const has = (attr: string) => entry.attrs.some(([k]) => k === attr);
    const missing = GHA_CACHE_ENV.filter(
      (name) =>
        !env[name] && !(name === 'ACTIONS_CACHE_URL' ? has('url') || env.ACTIONS_RESULTS_URL : has('token')),
    );
    if (missing.length > 0)
      return new InputError(
        input,
        `type=gha needs the Actions cache service (${missing.join(', ')} not set): it works in a GitHub Actions job; elsewhere use type=registry or type=local`,
      );
  }
  return undefined;
}

/**
 * Which builder the build runs on and whether it can do what is asked: an InputError naming the
 * input the builder cannot honour (two platforms or a cache export on the docker driver with the
 * classic image store), before anything is built.
 */
export async function checkBuilder(
  runner: Runner,
  target: DockerTarget,
  request: BuildxRequest,
): Promise<BuilderCheck> {
  // The engine's platform matters only to pick what to load from an unpushed multi-platform
  // build; asked for alongside the builder, not after it (each docker call costs ~0.1 s).
  const needPlatform = request.platforms.length > 1 && !request.push;
  // A builder whose instance file names a driver that can do everything asked (remote,
  // docker-container…) needs no `docker buildx inspect` (two programs and a connection to its
  // BuildKit, before every build): a builder that is down fails the build itself, in buildx's words.
  const known = knownBuilder(request.builder ?? process.env.BUILDX_BUILDER, target.env);
  const [inspected, platform] = await Promise.all([
    known ? undefined : runner.run(builds.buildxInspect(target, request.builder)),
    needPlatform ? runner.run(images.serverPlatform(target)) : undefined,
  ]);
  let builder: BuilderInfo;
  let classicStore = false;
  if (known) builder = known;
  else {
    const result = inspected as CommandResult;
    if (result.exitCode !== 0) {
      const detail = (result.stderr || result.stdout).trim().split('\n')[0] ?? '';
      if (/not a docker command|unknown command|buildx/i.test(detail) && !/builder|instance/i.test(detail))
        throw new Error(
          `${target.docker} has no buildx plugin, which platforms, builder, cache-to, push, provenance, sbom and annotations need: install docker-buildx (docker/setup-buildx-action on GitHub) (${detail})`,
        );
      throw new InputError(
        request.builder ? 'builder' : 'platforms',
        `${request.builder ? `no usable builder ${JSON.stringify(request.builder)}` : 'no usable buildx builder'} (docker buildx ls lists them): ${detail}`,
      );
    }
    builder = parseBuilderInspect(result.stdout);
    if (builder.driver === 'docker') {
      const status = await runChecked(runner, images.storageDriverStatus(target));
      classicStore = !containerdStore(status.stdout);
    }
  }
  const refusal = builderRefusal(builder, classicStore, request);
  if (refusal) throw refusal;
  if (platform && platform.exitCode !== 0) throw new Error(`docker version: ${platform.stderr.trim()}`);
  // Without asking the engine: this machine's platform (used in messages only).
  const own = `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`;
  return { builder, classicStore, runnerPlatform: platform ? enginePlatform(platform.stdout) : own };
}

/** The builder `name` from its buildx instance file, when that says enough to skip inspecting it. */
function knownBuilder(name: string | undefined, targetEnv: DockerTarget['env']): BuilderInfo | undefined {
  if (!name) return undefined;
  const path = builderInstancePath(name, { ...process.env, ...targetEnv }, homedir());
  if (!path) return undefined;
  try {
    return builderFromInstance(readFileSync(path, 'utf8'), name);
  } catch {
    return undefined;
  }
}

/** What buildx's --metadata-file says about the result. */
export interface BuildxMetadata {
  /** The pushed (or exported) index or manifest digest: containerimage.digest. */
  readonly digest?: string;
  /** The image config digest (one platform): containerimage.config.digest. */
  readonly configDigest?: string;
}

export function parseMetadata(text: string): BuildxMetadata {
  const json = JSON.parse(text || '{}') as Record<string, unknown>;
  const digest = json['containerimage.digest'];
  const config = json['containerimage.config.digest'];
  return {
    ...(typeof digest === 'string' && { digest }),
    ...(typeof config === 'string' && { configDigest: config }),
  };
}

export type BuildxCommon = builds.BuildBasics;

export interface BuildxSteps {
  /** The build of every platform with every option asked for. */
  readonly main: builds.BuildxSpec;
  /** When the main build cannot be loaded: this runner's platform, loaded from the builder's cache. */
  readonly load?: builds.BuildxSpec;
  /** The platform loaded into the engine's image store, if any. */
  readonly loadedPlatform?: string;
  /**
   * With loadEvery: every other platform of an unpushed multi-platform build, each loaded untagged
   * (by image id) from the builder's cache, so each can be tested before the push.
   */
  readonly others?: ReadonlyArray<{ readonly platform: string; readonly spec: builds.BuildxSpec }>;
}

/**
 * The one or two buildx builds a request makes: pushed from the builder when push is set, else
 * loaded; a multi-platform result the classic store cannot hold stays in the builder and the
 * runner's platform is loaded by a second build (all cache hits).
 */
export function buildxSteps(
  request: BuildxRequest,
  common: BuildxCommon,
  check: BuilderCheck,
  files: { metadata: string; loadMetadata: string; iid: string },
  /** Load every platform of an unpushed multi-platform build the engine cannot hold whole. */
  loadEvery = false,
): BuildxSteps {
  const multi = request.platforms.length > 1;
  const canLoadAll = !multi || loadsEveryPlatform(check.builder, check.classicStore);
  const output = request.push ? 'push' : canLoadAll ? 'load' : 'none';
  const main: builds.BuildxSpec = {
    ...common,
    ...(request.builder && { builder: request.builder }),
    platforms: request.platforms,
    cacheFrom: request.cacheFrom.map(formatCacheEntry),
    cacheTo: request.cacheTo.map(formatCacheEntry),
    annotations: request.annotations,
    ...(request.provenance !== undefined && { provenance: request.provenance }),
    ...(request.sbom !== undefined && { sbom: request.sbom }),
    output,
    ...(output === 'push' && request.pushByDigest && { pushByDigest: true }),
    metadataFile: files.metadata,
    ...(output === 'load' && { iidFile: files.iid }),
  };
  const ownPlatform = request.platforms.find((p) => samePlatform(p, check.runnerPlatform));
  if (output === 'load') {
    const loaded = multi ? (ownPlatform ?? request.platforms[0]) : request.platforms[0];
    return { main, loadedPlatform: loaded ?? check.runnerPlatform };
  }
  if (output === 'push') return { main };
  const loadOf = (platform: string, tags: readonly string[], metadataFile: string, iidFile: string) =>
    ({
      ...common,
      tags,
      ...(request.builder && { builder: request.builder }),
      platforms: [platform],
      cacheFrom: [],
      cacheTo: [],
      annotations: [],
      provenance: 'false',
      sbom: 'false',
      output: 'load',
      pull: false,
      noCache: false,
      metadataFile,
      iidFile,
    }) satisfies builds.BuildxSpec;
  const others = loadEvery
    ? request.platforms
        .filter((p) => p !== ownPlatform)
        .map((platform) => {
          const slug = platform.replace(/\//g, '-');
          return {
            platform,
            spec: loadOf(platform, [], `${files.loadMetadata}.${slug}`, `${files.iid}.${slug}`),
          };
        })
    : [];
  const runner = ownPlatform;
  if (!runner) return { main, ...(others.length > 0 && { others }) };
  const load = loadOf(runner, common.tags, files.loadMetadata, files.iid);
  return { main, load, loadedPlatform: runner, ...(others.length > 0 && { others }) };
}

export interface BuildxResult {
  readonly digest?: string;
  /** The loaded image's id, or the config digest of a one-platform build that was not loaded. */
  readonly imageId?: string;
  readonly loadedPlatform?: string;
  /** Each platform loaded into the engine (the runner's, tagged; the others by id), with loadEvery. */
  readonly platformImages?: ReadonlyArray<{ readonly platform: string; readonly imageId: string }>;
  readonly durationMs: number;
}

export async function runBuildx(
  runner: Runner,
  target: DockerTarget,
  steps: BuildxSteps,
  onOutput?: (chunk: string) => void,
): Promise<BuildxResult> {
  const started = performance.now();
  const output = onOutput && { onOutput: (chunk: string) => onOutput(chunk) };
  await runChecked(runner, builds.buildxBuild(target, steps.main), output);
  const metadata = parseMetadata(readFileSync(steps.main.metadataFile, 'utf8'));
  if (steps.load) await runChecked(runner, builds.buildxBuild(target, steps.load), output);
  const others: Array<{ platform: string; imageId: string }> = [];
  for (const other of steps.others ?? []) {
    await runChecked(runner, builds.buildxBuild(target, other.spec), output);
    others.push({
      platform: other.platform,
      imageId: readFileSync(other.spec.iidFile as string, 'utf8').trim(),
    });
  }
  const iid = steps.main.iidFile ?? steps.load?.iidFile;
  const loaded = iid && steps.loadedPlatform ? readFileSync(iid, 'utf8').trim() : undefined;
  const platformImages = [
    ...(loaded && steps.loadedPlatform ? [{ platform: steps.loadedPlatform, imageId: loaded }] : []),
    ...others,
  ];
  return {
    ...(metadata.digest && steps.main.output === 'push' && { digest: metadata.digest }),
    ...((loaded || metadata.configDigest) && { imageId: (loaded || metadata.configDigest) as string }),
    ...(steps.loadedPlatform && { loadedPlatform: steps.loadedPlatform }),
    ...(steps.others && { platformImages }),
    durationMs: performance.now() - started,
  };
}

/** The files a buildx build writes its results to, in `dir`. */
export function buildxFiles(dir: string): { metadata: string; loadMetadata: string; iid: string } {
  return {
    metadata: join(dir, 'metadata.json'),
    loadMetadata: join(dir, 'load-metadata.json'),
    iid: join(dir, 'iid'),
  };
}
