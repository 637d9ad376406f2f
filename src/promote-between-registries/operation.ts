/** promote-between-registries: copy the tested digest between registries over the distribution API. */
import { printable } from '../common/text';
import { readGitContext, runUrl } from '../github/context';
import type { Inputs } from '../common/inputs';
import { clientsFor, readPromoteRequest } from './inputs';
import { promote } from './copy';
import { Code, facts, formatBytes, formatDuration, heading, table } from '../common/summary';
import type { Outcome, Reporter } from '../common/reporter';
import type { Verification } from '../supply-chain/verify';
import type { ReferrerAction } from './referrers';

/**
 * verify-key, a keyless policy (trusted-root, certificate-identity…) or require-attestations given. Only then is the signature code loaded (./verify: keys,
 * cosign formats, the verification summary): it was most of the action's bundle, and parsing it
 * was most of the start-up time of every promotion that verifies nothing.
 */
function wantsVerification(inputs: Inputs): boolean {
  return (
    inputs.string('verify-key') !== '' ||
    inputs.string('trusted-root') !== '' ||
    inputs.line('certificate-identity') !== '' ||
    inputs.line('certificate-identity-regexp') !== '' ||
    inputs.line('certificate-oidc-issuer') !== '' ||
    inputs.list('require-attestations', { commas: true }).length > 0
  );
}

export async function runPromote(inputs: Inputs, report: Reporter, signal?: AbortSignal): Promise<Outcome> {
  report.mask(inputs.string('source-password'));
  report.mask(inputs.string('destination-password'));
  const verification = wantsVerification(inputs) ? await import('./verify') : undefined;
  const policy = verification?.readVerifyPolicy(inputs);
  let request = readPromoteRequest(inputs);
  const { options } = request;
  let verified: Verification[] = [];
  if (verification && policy) {
    try {
      ({ request, verified } = await verification.verifyPromotion(
        request,
        policy,
        (line) => report.info(line),
        signal,
      ));
    } catch (error) {
      if (!(error instanceof verification.VerificationError)) throw error;
      return {
        outputs: { verified: 'false' },
        summary: verification.verificationSummary(error.verifications),
        error: error.message,
      };
    }
  }
  report.info(
    `${options.dryRun ? 'Planning' : 'Promoting'} ${request.pairs.length} image(s): ${request.pairs
      .map(
        (p) =>
          `${p.source.registry}/${p.source.repository} → ${p.destination.registry}/${p.destination.repository}`,
      )
      .join(', ')}`,
  );
  const git = readGitContext();
  const record = {
    runUrl: runUrl(git),
    actor: git.actor || process.env.USER || '',
    now: () => new Date(),
  };
  const result = await promote(
    request.pairs,
    clientsFor(request, signal),
    { ...options, record, ...(signal && { signal }) },
    (event) => {
      switch (event.kind) {
        case 'resolved':
          report.info(
            `${event.source} is ${event.digest} (${event.manifests} manifest(s), ${event.blobs} blob(s))`,
          );
          break;
        case 'up-to-date':
          report.info(`${event.destination} already has ${event.digest} under every tag: nothing to copy`);
          break;
        case 'blob':
          report.info(
            `${options.dryRun ? 'would ' : ''}${event.action} ${printable(event.digest.slice(0, 19))} (${formatBytes(event.size)}) → ${event.destination}${options.dryRun ? '' : ` in ${formatDuration(event.ms)}`}`,
          );
          break;
        case 'manifest':
          report.info(`put manifest ${event.digest} → ${event.destination}`);
          break;
        case 'referrers-found':
          report.info(
            `${event.source}: ${event.count} referrer(s) (signatures, attestations, SBOMs, OCI referrers)`,
          );
          break;
        case 'referrer':
          report.info(
            `${referrerVerb(event.action, event.dryRun)} ${printable(event.type)} ${event.digest}${event.tag ? ` (${event.tag})` : ''} → ${event.destination}`,
          );
          break;
        case 'promotion-record':
          report.info(
            `${event.written ? 'wrote' : 'already there:'} promotion record ${printable(event.digest)} of ${event.subject} → ${event.destination}`,
          );
          break;
        case 'promotion-record-failed':
          report.warning(
            `${event.destination} did not take the promotion record of ${event.subject} (the promotion goes on; status will not name it): ${printable(event.error, 500)}`,
          );
          break;
        case 'tag':
          report.info(
            `${event.dryRun ? 'would tag' : 'tagged'} ${event.destination}:${event.tag} → ${event.digest}${event.previous ? ` (was ${event.previous})` : ''}`,
          );
          break;
      }
    },
  );
  report.info(
    options.dryRun
      ? `Dry run, nothing changed: would copy ${result.blobsToCopy} blob(s) (${formatBytes(result.bytesToCopy)}), would mount ${result.blobsToMount}, ${result.blobsSkipped} already there, would write ${result.referrersToCopy} referrer(s), would set ${result.tagsMoved} tag(s); planned in ${formatDuration(result.durationMs)}`
      : `Done: ${result.blobsCopied} copied, ${result.blobsMounted} mounted, ${result.blobsSkipped} skipped, ${formatBytes(result.bytesCopied)}, ${result.referrersCopied} referrer(s) written in ${formatDuration(result.durationMs)}`,
  );
  return {
    outputs: {
      digest: result.images[0]?.digest ?? '',
      refs: result.images.map((i) => i.ref).join('\n'),
      'blobs-copied': String(result.blobsCopied),
      'blobs-mounted': String(result.blobsMounted),
      'blobs-skipped': String(result.blobsSkipped),
      'bytes-copied': String(result.bytesCopied),
      'blobs-to-copy': String(result.blobsToCopy),
      'blobs-to-mount': String(result.blobsToMount),
      'bytes-to-copy': String(result.bytesToCopy),
      'referrers-copied': String(result.referrersCopied),
      'referrers-to-copy': String(result.referrersToCopy),
      'duration-ms': String(Math.round(result.durationMs)),
      ...(policy && { verified: 'true' }),
    },
    summary: [
      ...(verification?.verificationSummary(verified) ?? []),
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
      facts(
        options.dryRun
          ? [
              ['Blobs that would be copied', result.blobsToCopy],
              ['Blobs that would be mounted', result.blobsToMount],
              ['Blobs already there', result.blobsSkipped],
              ['Bytes that would be copied', formatBytes(result.bytesToCopy)],
              ['Referrers that would be written', result.referrersToCopy],
              ['Tags that would be set', result.tagsMoved],
              ['Duration', formatDuration(result.durationMs)],
            ]
          : [
              ['Blobs copied', result.blobsCopied],
              ['Blobs mounted', result.blobsMounted],
              ['Blobs skipped', result.blobsSkipped],
              ['Bytes copied', formatBytes(result.bytesCopied)],
              ['Referrers written', result.referrersCopied],
              ...(result.promotionRecords.length > 0
                ? ([
                    [
                      'Promotion record',
                      result.promotionRecords
                        .map((r) => new Code(`${r.destination}@${r.digest}`).text)
                        .join(', '),
                    ],
                  ] as Array<[string, string]>)
                : []),
              ['Tags moved', result.tagsMoved],
              ['Duration', formatDuration(result.durationMs)],
            ],
      ),
      ...(result.referrers.length > 0
        ? [
            heading(options.dryRun ? 'Referrers (plan)' : 'Referrers', 4),
            table(
              [
                'Destination',
                'Type',
                'Digest',
                'Refers to',
                'Found through',
                options.dryRun ? 'Would' : 'Done',
              ],
              result.referrers.map((r) => [
                new Code(r.destination),
                r.type,
                new Code(r.digest),
                new Code(r.subject),
                r.tag ? `tag ${r.tag}` : r.found === 'referrers-api' ? 'referrers API' : 'fallback tag',
                r.action,
              ]),
            ),
          ]
        : []),
    ],
  };
}

function referrerVerb(action: ReferrerAction, dryRun: boolean): string {
  const verbs: Record<ReferrerAction, string> = {
    present: 'already there:',
    copy: 'copied',
    register: 'listed in the fallback tag:',
    merge: "merged into the destination's tag:",
  };
  return action === 'present' ? verbs.present : `${dryRun ? 'would be ' : ''}${verbs[action]}`;
}
