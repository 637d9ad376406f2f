import * as core from '@actions/core';
import { LocalRunner } from '../command/local-runner';
import { buildImage } from '../build/build';
import { planBuild, readBuildRequest } from '../build/plan';
import { dockerBinary } from '../docker/commands';
import { readGitContext } from '../github/context';
import { maskSecret } from '../secrets';
import { Code, facts, formatBytes, formatDuration, heading, table, writeSummary } from '../summary';
import { runAction } from './runtime';

void runAction({
  async main({ inputs }) {
    const request = readBuildRequest(inputs);
    for (const [, value] of request.secrets) maskSecret(value);
    const plan = planBuild(request, readGitContext());
    core.info(`Building ${request.context} as:\n${plan.references.map((r) => `  ${r}`).join('\n')}`);

    core.startGroup('docker build');
    const result = await buildImage(new LocalRunner(), { docker: dockerBinary() }, request, plan, (chunk) =>
      process.stdout.write(chunk),
    ).finally(() => core.endGroup());

    const labels = plan.labels.map(([k, v]) => `${k}=${v}`).join('\n');
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
    core.setOutput('image-id', result.imageId);
    core.setOutput('version', plan.version);
    core.setOutput('tags', plan.references.join('\n'));
    core.setOutput('labels', labels);
    core.setOutput('metadata', JSON.stringify(metadata));
    core.setOutput('base-images', JSON.stringify(result.baseImages));
    core.info(
      `Built ${result.imageId} (${formatBytes(result.sizeBytes)}, ${result.layers} layers) in ${formatDuration(result.durationMs)}`,
    );

    writeSummary([
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
    ]);
  },
});
