/** build-and-tag: plan the references and labels from the git context, build with BuildKit, report. */
import { buildImage, resolveBases } from './build';
import { type BuilderCheck, checkBuilder, ghaCacheProblem } from './buildx-build';
import { describeBuildx } from './buildx';
import { planBuild, readBuildRequest } from './plan';
import type { TagSource } from './tags';
import { formatReference } from '../common/reference';
import { LocalRunner } from '../command/local-runner';
import { findBuildxPlugin } from '../docker/buildx-plugin';
import { dockerBinary } from '../docker/target';
import { type GitContext, readGitContext } from '../github/context';
import { commitTime } from '../github/commit-time';
import type { Inputs } from '../common/inputs';
import { Code, facts, formatBytes, formatDuration, heading, table } from '../common/summary';
import type { Outcome, Reporter } from '../common/reporter';

/** What each kind of tag promises, for the summary. */
const TAG_MEANING: Record<TagSource, string> = {
  version: 'this build, for good (never moves)',
  release: 'this release, for good (never moves)',
  'release-line': 'the newest release of its line (moves forward only)',
  commit: 'the latest build of this commit',
  latest: 'the latest build of the default branch',
  branch: 'the latest build of this branch',
  'pull-request': 'the latest build of this pull request',
  'git-tag': 'this git tag',
  template: 'your template (moves)',
};

export interface BuildOutcome extends Outcome {
  /** Every reference the image was tagged with. */
  readonly references: readonly string[];
  readonly imageId: string;
  /** With loadEvery: each platform of an unpushed multi-platform build in the engine (others by id). */
  readonly platformImages?: ReadonlyArray<{ readonly platform: string; readonly imageId: string }>;
}

export async function runBuild(
  inputs: Inputs,
  report: Reporter,
  git: GitContext = readGitContext(),
  /** Cancellation: the build command in progress is ended (buildx cancels its build) and awaited. */
  signal?: AbortSignal,
  /** Load every platform of an unpushed multi-platform build into the engine (the root action tests each). */
  loadEvery = false,
): Promise<BuildOutcome> {
  const request = readBuildRequest(inputs);
  for (const [, value] of request.secrets) report.mask(value);
  const plan = planBuild(request, git, commitTime(git, process.env, request.context));
  const runner = new LocalRunner(process.env, signal);
  // buildx commands run the plugin standalone when the docker CLI's plugin directories have it.
  const buildx = request.buildx ? findBuildxPlugin() : undefined;
  const target = { docker: dockerBinary(), ...(buildx && { buildx }) };
  let builder: BuilderCheck | undefined;
  // The bases are read from their registries while the builder is checked (reads only).
  const bases = resolveBases(runner, target, request);
  bases.catch(() => undefined);
  if (request.buildx) {
    // Everything the builder cannot do is refused here, before anything is built.
    const gha = ghaCacheProblem(request.buildx, process.env);
    if (gha) throw gha;
    if (process.env.ACTIONS_RUNTIME_TOKEN) report.mask(process.env.ACTIONS_RUNTIME_TOKEN);
    builder = await checkBuilder(runner, target, request.buildx);
    report.info(describeBuildx(request.buildx, builder));
  }
  report.info(`Building ${request.context} as:\n${plan.references.map((r) => `  ${r}`).join('\n')}`);
  const result = await report.group(request.buildx ? 'docker buildx build' : 'docker build', () =>
    buildImage(runner, target, request, plan, (chunk) => report.stream(chunk), builder, bases, loadEvery),
  );
  const metadata = {
    imageId: result.imageId,
    ...(result.digest && { digest: result.digest }),
    ...(request.buildx?.platforms.length && { platforms: request.buildx.platforms }),
    ...(result.loadedPlatform && { loadedPlatform: result.loadedPlatform }),
    version: plan.version,
    tags: plan.references,
    immutableTags: plan.immutableTags,
    labels: Object.fromEntries(plan.labels),
    sizeBytes: result.sizeBytes,
    layers: result.layers,
    buildMs: Math.round(result.durationMs),
    baseImages: result.baseImages,
  };
  if (!request.buildx || result.loadedPlatform)
    report.info(
      `Built ${result.imageId}${result.loadedPlatform ? ` for ${result.loadedPlatform}` : ''} (${formatBytes(result.sizeBytes)}, ${result.layers} layers) in ${formatDuration(result.durationMs)}`,
    );
  else
    report.info(
      `Built in ${formatDuration(result.durationMs)}; nothing loaded into the engine's image store (${request.buildx.push ? 'pushed from the builder' : `no platform of ${request.buildx.platforms.join(', ')} runs here`})`,
    );
  if (result.digest) report.info(`Pushed ${result.digest} from the builder`);
  for (const other of result.platformImages ?? [])
    if (other.platform !== result.loadedPlatform)
      report.info(`Loaded ${other.platform} as ${other.imageId} (untagged, for its tests)`);
  return {
    references: plan.references,
    imageId: result.imageId,
    ...(result.platformImages && { platformImages: result.platformImages }),
    outputs: {
      'image-id': result.imageId,
      version: plan.version,
      tags: plan.references.join('\n'),
      'immutable-tags': plan.immutableTags.join('\n'),
      labels: plan.labels.map(([k, v]) => `${k}=${v}`).join('\n'),
      metadata: JSON.stringify(metadata),
      'base-images': JSON.stringify(result.baseImages),
      digest: result.digest ?? '',
    },
    summary: [
      heading(`Built ${plan.version}`),
      table(
        ['Tag', 'What it is'],
        plan.tagPlan.map((t) => [new Code(t.tag), TAG_MEANING[t.source]]),
      ),
      facts([['Repositories', request.repositories.map((r) => formatReference(r)).join('\n')]]),
      facts([
        ['Image id', result.imageId ? new Code(result.imageId) : '—'],
        ...(result.digest ? [['Pushed digest', new Code(result.digest)] as [string, Code]] : []),
        ...(request.buildx?.platforms.length
          ? [['Platforms', request.buildx.platforms.join(', ')] as [string, string]]
          : []),
        ['Size', formatBytes(result.sizeBytes)],
        ['Layers', result.layers],
        ['Build time', formatDuration(result.durationMs)],
      ]),
      table(
        ['Base image', 'Digest'],
        result.baseImages.map((b) => [
          new Code(b.reference),
          b.digest ? new Code(b.digest) : `(${b.source})`,
        ]),
      ),
    ],
  };
}
