/** remote-deploy-ssh: any mode, from inputs to a per-host report. */
import { readGitContext, runUrl } from '../github/context';
import { InputError, type Inputs } from '../common/inputs';
import { type DeployContext, DeployError, type DeployResult, type HostResult } from '../deploy-core/result';
import { cleanUpInterruptedDeploy, runDeploy } from './run-deploy';
import { type AnyDeployRequest, readAnyDeployRequest } from './request';
import { Code, formatDuration, heading, table } from '../common/summary';
import type { Outcome, Reporter } from '../common/reporter';
import { verificationSummary } from '../supply-chain/operation';
import { describeTests, VerificationError } from '../supply-chain/verify';
import { promotionsOf } from './ledger';

const DEPLOY_LOCK_STATE = 'deploy-lock';

function title(
  request: AnyDeployRequest,
  result: DeployResult | undefined,
  hosts: readonly HostResult[],
  failed?: string,
): string {
  const what = request.mode === 'compose' ? `the stack ${request.name}` : request.name;
  if (failed) return `Deploy of ${what} failed`;
  if (request.dryRun) return `Deploy plan for ${what} (dry run: nothing changed)`;
  if (request.rollback) return `Rolled back ${what}`;
  if (!result?.changed) return `${what} already up to date`;
  // Nothing new started anywhere: the running version kept, only its routes in the shared proxy set again.
  const rerouteOnly =
    hosts.some((h) => h.result === 'rerouted') &&
    hosts.every((h) => h.result === 'rerouted' || h.result === 'unchanged');
  return rerouteOnly ? `Rerouted ${what} (the running version kept)` : `Deployed ${what}`;
}

/** What the summary says of an image a host runs: verified (and its tests), or nothing to say. */
export function verifiedCell(
  image: string | null | undefined,
  result: Pick<DeployResult, 'verified'> | undefined,
  host?: string,
): string {
  // The platform image this host runs, when the deploy verified one for it; else the image itself.
  const v =
    (host && result?.verified?.find((x) => x.hosts?.includes(host))) ||
    (image ? result?.verified?.find((x) => image.endsWith(`@${x.digest}`)) : undefined);
  if (!v) return '—';
  const variant = v.platform ? ` (${v.platform} image ${v.digest})` : '';
  if (!v.ok) return `NOT verified${variant}`;
  const t = v.tests;
  return t ? `yes${variant}; tests ${describeTests(t)}` : `yes${variant}`;
}

export function deploySummary(
  request: AnyDeployRequest,
  result: DeployResult | undefined,
  hosts: readonly HostResult[],
  failed?: string,
  promoted: ReadonlyMap<string, string> = new Map(),
): string[] {
  const promotedCell = (image: string | null | undefined) => {
    const text = image && promoted.get(image);
    return text ? new Code(text) : '—'; // registry text: shown as code, never as markdown
  };
  const withPromoted = promoted.size > 0;
  const perService = hosts.some(
    (h) => h.services && (request.mode !== 'swarm' || h.services.length > 1 || request.stack),
  );
  return [
    heading(title(request, result, hosts, failed)),
    ...(result?.digest && !result.images ? [`Digest: ${new Code(result.digest).text}`] : []),
    ...(result?.images
      ? [
          table(
            ['Service', 'Image'],
            Object.entries(result.images).map(([s, ref]) => [s, new Code(ref)]),
          ),
        ]
      : []),
    perService
      ? table(
          [
            'Host',
            'Result',
            'Service',
            'Before',
            'Now',
            ...(withPromoted ? ['Promotion'] : []),
            'Restarted',
            'Time',
          ],
          hosts.flatMap((h) =>
            (h.services ?? []).map((s, i) => [
              i === 0 ? h.host : '',
              i === 0 ? h.result : '',
              s.service,
              s.previous ?? '—',
              s.image ?? '—',
              ...(withPromoted ? [promotedCell(s.image)] : []),
              s.restarted ? 'yes' : 'no',
              i === 0 ? formatDuration(h.durationMs) : '',
            ]),
          ),
        )
      : table(
          [
            'Host',
            'Result',
            'Before',
            'Now',
            ...(result?.verified?.length ? ['Verified'] : []),
            ...(withPromoted ? ['Promotion'] : []),
            'Time',
          ],
          hosts.map((h) => [
            h.host,
            h.result,
            h.previous ?? '—',
            h.image ?? '—',
            ...(result?.verified?.length ? [verifiedCell(h.image, result, h.host)] : []),
            ...(withPromoted ? [promotedCell(h.image)] : []),
            formatDuration(h.durationMs),
          ]),
        ),
    ...(failed ? [`**Error:** ${failed.split('\n')[0]}`] : []),
  ];
}

function maskInputs(inputs: Inputs, report: Reporter): void {
  for (const name of ['private-key', 'passphrase', 'registry-password']) report.mask(inputs.string(name));
  for (const [, value] of inputs.keyValues('secret-env')) report.mask(value);
}

/** Who deploys, from which run and commit, where its lines go, and what cancels it. */
export function deployContext(report: Reporter, signal?: AbortSignal): DeployContext {
  const git = readGitContext();
  return {
    holder: `${git.actor || process.env.USER || 'slipway'}@${git.repository || 'local'}`,
    runUrl: runUrl(git),
    commit: git.sha,
    now: () => new Date(),
    log: (line) => report.info(line),
    ...(signal && { signal }),
  };
}

export async function runDeployOperation(
  inputs: Inputs,
  report: Reporter,
  signal?: AbortSignal,
): Promise<Outcome> {
  maskInputs(inputs, report);
  const request = readAnyDeployRequest(inputs);
  let result: DeployResult;
  try {
    result = await runDeploy(request, deployContext(report, signal), {
      onLock: (id) => report.saveState(DEPLOY_LOCK_STATE, id),
      group: (name, work) => report.group(name, work),
    });
  } catch (error) {
    const hosts = error instanceof DeployError ? error.hosts : [];
    const message = error instanceof Error ? error.message : String(error);
    report.saveState(DEPLOY_LOCK_STATE, '');
    if (error instanceof InputError) throw error;
    return {
      outputs: hosts.length > 0 ? { hosts: JSON.stringify(hosts) } : {},
      summary: [
        ...(error instanceof VerificationError ? verificationSummary(error.verifications) : []),
        ...deploySummary(request, undefined, hosts, message),
      ],
      error: message,
    };
  }
  report.saveState(DEPLOY_LOCK_STATE, '');
  // The ledger: which promotion put what now runs in its registry (nothing to say in a dry run).
  const promoted = request.dryRun
    ? new Map<string, string>()
    : await promotionsOf(
        result.hosts.flatMap((h) => [h.image, ...(h.services ?? []).map((s) => s.image)]),
        request,
      );
  return {
    outputs: {
      digest: result.digest,
      changed: String(result.changed),
      hosts: JSON.stringify(result.hosts),
      'previous-image': result.previousImage ?? '',
      images: JSON.stringify(result.images ?? {}),
      ...(result.verified && { verified: String(result.verified.every((v) => v.ok)) }),
    },
    summary: [
      ...verificationSummary(result.verified ?? []),
      ...deploySummary(request, result, result.hosts, undefined, promoted),
    ],
  };
}

/**
 * The post step: only when the main step was killed while holding locks (a cancelled job), it
 * finishes on each host what the main step could not (see cleanUpInterruptedDeploy).
 */
export async function afterDeploy(inputs: Inputs, report: Reporter): Promise<void> {
  const id = report.readState(DEPLOY_LOCK_STATE);
  if (!id) return;
  maskInputs(inputs, report);
  const hosts = await cleanUpInterruptedDeploy(readAnyDeployRequest(inputs), id, deployContext(report));
  report.info(
    hosts.length > 0
      ? `Cleaned up after the interrupted deploy and released its lock on ${hosts.join(', ')}`
      : `The interrupted deploy's lock ${id} is held on no host any more`,
  );
}
