/** build-and-tag: plan the references and labels from the git context, build with BuildKit, report. */
import { buildImage } from './build';
import { planBuild, readBuildRequest } from './plan';
import { LocalRunner } from '../command/local-runner';
import { dockerBinary } from '../docker/commands';
import { type GitContext, readGitContext } from '../github/context';
import type { Inputs } from '../common/inputs';
import { Code, facts, formatBytes, formatDuration, heading, table } from '../common/summary';
import type { Outcome, Reporter } from '../common/reporter';

export interface BuildOutcome extends Outcome {
  /** Every reference the image was tagged with. */
  readonly references: readonly string[];
  readonly imageId: string;
}

export async function runBuild(
  inputs: Inputs,
  report: Reporter,
  git: GitContext = readGitContext(),
): Promise<BuildOutcome> {
  const request = readBuildRequest(inputs);
  for (const [, value] of request.secrets) report.mask(value);
  const plan = planBuild(request, git);
  report.info(`Building ${request.context} as:\n${plan.references.map((r) => `  ${r}`).join('\n')}`);
  const result = await report.group('docker build', () =>
    buildImage(new LocalRunner(), { docker: dockerBinary() }, request, plan, (chunk) => report.stream(chunk)),
  );
  const metadata = {
    imageId: result.imageId,
    version: plan.version,
    tags: plan.references,
    labels: Object.fromEntries(plan.labels),
    sizeBytes: result.sizeBytes,
    layers: result.layers,
    buildMs: Math.round(result.durationMs),
    baseImages: result.baseImages,
  };
  report.info(
    `Built ${result.imageId} (${formatBytes(result.sizeBytes)}, ${result.layers} layers) in ${formatDuration(result.durationMs)}`,
  );
  return {
    references: plan.references,
    imageId: result.imageId,
    outputs: {
      'image-id': result.imageId,
      version: plan.version,
      tags: plan.references.join('\n'),
      labels: plan.labels.map(([k, v]) => `${k}=${v}`).join('\n'),
      metadata: JSON.stringify(metadata),
      'base-images': JSON.stringify(result.baseImages),
    },
    summary: [
      heading(`Built ${plan.version}`),
      table(
        ['Reference'],
        plan.references.map((r) => [new Code(r)]),
      ),
      facts([
        ['Image id', new Code(result.imageId)],
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
