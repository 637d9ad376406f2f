import * as core from '@actions/core';
import { clientsFor, readPromoteRequest } from '../promote/inputs';
import { promote } from '../registry/promote';
import { maskSecret } from '../secrets';
import { Code, facts, formatBytes, formatDuration, heading, table, writeSummary } from '../summary';
import { runAction } from './runtime';

void runAction({
  async main({ inputs }) {
    maskSecret(inputs.string('source-password'));
    maskSecret(inputs.string('destination-password'));
    const request = readPromoteRequest(inputs);
    const { options } = request;
    core.info(
      `${options.dryRun ? 'Planning' : 'Promoting'} ${request.pairs.length} image(s): ${request.pairs
        .map(
          (p) =>
            `${p.source.registry}/${p.source.repository} → ${p.destination.registry}/${p.destination.repository}`,
        )
        .join(', ')}`,
    );
    const result = await promote(request.pairs, clientsFor(request), options, (event) => {
      switch (event.kind) {
        case 'resolved':
          core.info(
            `${event.source} is ${event.digest} (${event.manifests} manifest(s), ${event.blobs} blob(s))`,
          );
          break;
        case 'up-to-date':
          core.info(`${event.destination} already has ${event.digest} under every tag: nothing to copy`);
          break;
        case 'blob':
          core.info(
            `${options.dryRun ? 'would ' : ''}${event.action} ${event.digest.slice(0, 19)} (${formatBytes(event.size)}) → ${event.destination}${options.dryRun ? '' : ` in ${formatDuration(event.ms)}`}`,
          );
          break;
        case 'manifest':
          core.info(`put manifest ${event.digest} → ${event.destination}`);
          break;
        case 'tag':
          core.info(
            `tagged ${event.destination}:${event.tag} → ${event.digest}${event.previous ? ` (was ${event.previous})` : ''}`,
          );
          break;
      }
    });
    const first = result.images[0];
    core.setOutput('digest', first?.digest ?? '');
    core.setOutput('refs', result.images.map((i) => i.ref).join('\n'));
    core.setOutput('blobs-copied', String(result.blobsCopied));
    core.setOutput('blobs-mounted', String(result.blobsMounted));
    core.setOutput('blobs-skipped', String(result.blobsSkipped));
    core.setOutput('bytes-copied', String(result.bytesCopied));
    core.setOutput('duration-ms', String(Math.round(result.durationMs)));
    writeSummary([
      heading(options.dryRun ? 'Promotion plan (dry run: nothing changed)' : 'Promoted'),
      table(
        ['Source', 'Destination', 'Digest', 'Tags'],
        result.images.map((i) => [
          new Code(i.source),
          new Code(i.destination),
          new Code(i.digest),
          i.tags.join(', '),
        ]),
      ),
      facts([
        ['Blobs copied', result.blobsCopied],
        ['Blobs mounted', result.blobsMounted],
        ['Blobs skipped', result.blobsSkipped],
        ['Bytes copied', formatBytes(result.bytesCopied)],
        ['Tags moved', result.tagsMoved],
        ['Duration', formatDuration(result.durationMs)],
      ]),
    ]);
    core.info(
      `${options.dryRun ? 'Dry run' : 'Done'}: ${result.blobsCopied} copied, ${result.blobsMounted} mounted, ${result.blobsSkipped} skipped, ${formatBytes(result.bytesCopied)} in ${formatDuration(result.durationMs)}`,
    );
  },
});
