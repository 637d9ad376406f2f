/** Running a build: BuildKit through the docker CLI, then what the image turned out to be. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChecked, type Runner } from '../command/command';
import * as builds from '../docker/builds';
import * as images from '../docker/images';
import type { DockerTarget } from '../docker/target';
import type { ImageInspect } from '../docker/inspect';
import { parseReference, repositoryName } from '../common/reference';
import { resolveDigest } from '../registry/resolve';
import { type BuilderCheck, buildxFiles, buildxSteps, runBuildx } from './buildx-build';
import { baseImages } from './dockerfile';
import { type BuildPlan, buildArgsOf, type BuildRequest } from './plan';

export interface ResolvedBase {
  readonly reference: string;
  /** sha256:… the base resolved to, or null when it could not be resolved. */
  readonly digest: string | null;
  /** Where the digest came from. */
  readonly source: 'registry' | 'local' | 'unresolved';
}

export interface BuildResult {
  /** The image id in the engine's store ('' when nothing was loaded there). */
  readonly imageId: string;
  /** The pushed index or manifest digest (push from the builder). */
  readonly digest?: string;
  /** The platform of the image loaded into the engine's store, for a buildx build. */
  readonly loadedPlatform?: string;
  /** With loadEvery: each platform of an unpushed multi-platform build, loaded (the others by id). */
  readonly platformImages?: ReadonlyArray<{ readonly platform: string; readonly imageId: string }>;
  readonly sizeBytes: number;
  readonly layers: number;
  readonly durationMs: number;
  readonly baseImages: readonly ResolvedBase[];
}

export async function inspectImage(runner: Runner, target: DockerTarget, ref: string): Promise<ImageInspect> {
  const result = await runChecked(runner, images.inspectImage(target, ref));
  return JSON.parse(result.stdout) as ImageInspect;
}

/** A FROM reference's digest: from its registry, else the local image's repo digest. */
async function resolveBase(runner: Runner, target: DockerTarget, reference: string): Promise<ResolvedBase> {
  try {
    // One attempt: the build itself has just resolved this base, so a registry that does not
    // answer now is a local-only image or an unreachable one, and the engine is asked instead.
    const digest = await resolveDigest(parseReference(reference), {
      retry: { retries: 0, baseDelayMs: 0, maxDelayMs: 0 },
    });
    if (digest) return { reference, digest, source: 'registry' };
  } catch {
    // not reachable as a registry image (a local-only image, or no credentials): try the engine
  }
  try {
    const image = await inspectImage(runner, target, reference);
    const name = repositoryName(parseReference(reference));
    const repoDigest = image.RepoDigests?.find((d) => repositoryName(parseReference(d)) === name);
    if (repoDigest) return { reference, digest: repoDigest.split('@')[1] ?? null, source: 'local' };
  } catch {
    // unknown to the engine as well
  }
  return { reference, digest: null, source: 'unresolved' };
}

/** The loaded image's own platform (its config says), else what was asked for. */
function loadedPlatformOf(image: ImageInspect, asked: string | undefined): string | undefined {
  if (!image.Os || !image.Architecture) return asked;
  return [image.Os, image.Architecture, image.Variant].filter(Boolean).join('/');
}

/** The label that records every base an image was built from: `ref@digest`, space-separated. */
export const BASE_IMAGES_LABEL = 'dev.slipway.base-images';

export function baseLabels(bases: readonly ResolvedBase[]): Array<[string, string]> {
  const known = bases.filter((b) => b.digest);
  return known.length === 0
    ? []
    : [[BASE_IMAGES_LABEL, known.map((b) => `${b.reference}@${b.digest}`).join(' ')]];
}

/** The bases a BASE_IMAGES_LABEL records. */
export function parseBaseLabel(value: string | undefined): Array<{ reference: string; digest: string }> {
  return (value ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((item) => {
      const at = item.lastIndexOf('@');
      return { reference: item.slice(0, at), digest: item.slice(at + 1) };
    })
    .filter((b) => b.reference && b.digest.startsWith('sha256:'));
}

/** Every FROM base of the request's Dockerfile with the digest it resolves to now (reads only). */
export async function resolveBases(
  runner: Runner,
  target: DockerTarget,
  request: BuildRequest,
): Promise<ResolvedBase[]> {
  const dockerfile = request.file ?? join(request.context, 'Dockerfile');
  const bases = existsSync(dockerfile) ? baseImages(readFileSync(dockerfile, 'utf8'), request.buildArgs) : [];
  return Promise.all(bases.map((b) => resolveBase(runner, target, b.reference)));
}

export async function buildImage(
  runner: Runner,
  target: DockerTarget,
  request: BuildRequest,
  plan: BuildPlan,
  onOutput?: (chunk: string) => void,
  builder?: BuilderCheck,
  /** The bases, when resolveBases was started earlier (it only reads registries). */
  bases?: Promise<ResolvedBase[]>,
  /** Load every platform of an unpushed multi-platform build (for testing each). */
  loadEvery = false,
): Promise<BuildResult> {
  const temp = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'slipway-build-'));
  const iidFile = join(temp, 'iid');
  try {
    // The bases are resolved first and recorded in a label, so a later check can tell whether
    // they moved since this build (rebuild-on-base-change) from the image alone.
    const resolved = await (bases ?? resolveBases(runner, target, request));
    const labels = [...plan.labels, ...baseLabels(resolved)];
    if (request.buildx) {
      if (!builder) throw new Error('a buildx build needs its builder checked first (checkBuilder)');
      const steps = buildxSteps(
        request.buildx,
        {
          context: request.context,
          ...(request.file && { file: request.file }),
          ...(request.target && { target: request.target }),
          tags: plan.references,
          buildArgs: buildArgsOf(request, plan),
          labels,
          secrets: request.secrets,
          pull: request.pull,
          noCache: request.noCache,
        },
        builder,
        buildxFiles(temp),
        loadEvery,
      );
      const built = await runBuildx(runner, target, steps, onOutput);
      const loaded =
        built.loadedPlatform && built.imageId ? await inspectImage(runner, target, built.imageId) : undefined;
      return {
        imageId: built.imageId ?? '',
        ...(built.digest && { digest: built.digest }),
        ...(loaded && { loadedPlatform: loadedPlatformOf(loaded, built.loadedPlatform) }),
        ...(built.platformImages && { platformImages: built.platformImages }),
        sizeBytes: loaded?.Size ?? 0,
        layers: loaded?.RootFS?.Layers?.length ?? 0,
        durationMs: built.durationMs,
        baseImages: resolved,
      };
    }
    const started = performance.now();
    await runChecked(
      runner,
      builds.build(target, {
        context: request.context,
        ...(request.file && { file: request.file }),
        ...(request.target && { target: request.target }),
        tags: plan.references,
        buildArgs: buildArgsOf(request, plan),
        labels,
        secrets: request.secrets,
        cacheFrom: request.cacheFrom,
        pull: request.pull,
        noCache: request.noCache,
        iidFile,
      }),
      onOutput && { onOutput: (chunk) => onOutput(chunk) },
    ).catch((error: Error) => {
      if (/buildx component is missing|requires buildx/i.test(error.message)) {
        throw new Error(
          `${error.message}\nThis docker client has no BuildKit (buildx). Install buildx, or point SLIPWAY_DOCKER at a client that has it (e.g. /usr/bin/docker).`,
        );
      }
      throw error;
    });
    const durationMs = performance.now() - started;
    const imageId = readFileSync(iidFile, 'utf8').trim();
    const image = await inspectImage(runner, target, imageId);
    return {
      imageId,
      sizeBytes: image.Size,
      layers: image.RootFS?.Layers?.length ?? 0,
      durationMs,
      baseImages: resolved,
    };
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
