import * as core from '@actions/core';
import { DeployError, type DeployResult, type HostResult } from '../deploy/result';
import { releaseLocks, runDeploy } from '../deploy/run-deploy';
import { type AnyDeployRequest, readAnyDeployRequest } from '../deploy/stack-inputs';
import { readGitContext, runUrl } from '../github/context';
import type { Inputs } from '../inputs';
import { maskSecret } from '../secrets';
import { Code, formatDuration, heading, table, writeSummary } from '../summary';
import { runAction } from './runtime';

const STATE_LOCK = 'deploy-lock';

function title(request: AnyDeployRequest, result: DeployResult | undefined, failed?: string): string {
  const what = request.mode === 'compose' ? `the stack ${request.name}` : request.name;
  if (failed) return `Deploy of ${what} failed`;
  if (request.dryRun) return `Deploy plan for ${what} (dry run: nothing changed)`;
  if (request.rollback) return `Rolled back ${what}`;
  return result?.changed ? `Deployed ${what}` : `${what} already up to date`;
}

function summarize(
  request: AnyDeployRequest,
  result: DeployResult | undefined,
  hosts: readonly HostResult[],
  failed?: string,
) {
  const stack = hosts.some(
    (h) => h.services && (request.mode !== 'swarm' || h.services.length > 1 || request.stack),
  );
  writeSummary([
    heading(title(request, result, failed)),
    ...(result?.digest && !result.images ? [`Digest: ${new Code(result.digest).text}`] : []),
    ...(result?.images
      ? [
          table(
            ['Service', 'Image'],
            Object.entries(result.images).map(([s, ref]) => [s, new Code(ref)]),
          ),
        ]
      : []),
    stack
      ? table(
          ['Host', 'Result', 'Service', 'Before', 'Now', 'Restarted', 'Time'],
          hosts.flatMap((h) =>
            (h.services ?? []).map((s, i) => [
              i === 0 ? h.host : '',
              i === 0 ? h.result : '',
              s.service,
              s.previous ?? '—',
              s.image ?? '—',
              s.restarted ? 'yes' : 'no',
              i === 0 ? formatDuration(h.durationMs) : '',
            ]),
          ),
        )
      : table(
          ['Host', 'Result', 'Before', 'Now', 'Time'],
          hosts.map((h) => [
            h.host,
            h.result,
            h.previous ?? '—',
            h.image ?? '—',
            formatDuration(h.durationMs),
          ]),
        ),
    ...(failed ? [`**Error:** ${failed.split('\n')[0]}`] : []),
  ]);
}

function maskInputs(inputs: Inputs): void {
  for (const name of ['private-key', 'passphrase', 'registry-password']) maskSecret(inputs.string(name));
  for (const [, value] of inputs.keyValues('secret-env')) maskSecret(value);
}

void runAction({
  async main({ inputs }) {
    maskInputs(inputs);
    const request = readAnyDeployRequest(inputs);
    const ctx = readGitContext();
    let result: DeployResult;
    try {
      result = await runDeploy(
        request,
        {
          holder: `${ctx.actor || 'slipway'}@${ctx.repository || 'local'}`,
          runUrl: runUrl(ctx),
          commit: ctx.sha,
          now: () => new Date(),
          log: (line) => core.info(line),
        },
        {
          onLock: (id) => core.saveState(STATE_LOCK, id),
          group: (name, work) => core.group(name, work),
        },
      );
    } catch (error) {
      const hosts = error instanceof DeployError ? error.hosts : [];
      if (hosts.length > 0) core.setOutput('hosts', JSON.stringify(hosts));
      summarize(request, undefined, hosts, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      core.saveState(STATE_LOCK, '');
    }
    core.setOutput('digest', result.digest);
    core.setOutput('changed', String(result.changed));
    core.setOutput('hosts', JSON.stringify(result.hosts));
    core.setOutput('previous-image', result.previousImage ?? '');
    core.setOutput('images', JSON.stringify(result.images ?? {}));
    summarize(request, result, result.hosts);
  },
  async post({ inputs }) {
    // Only when the main step was killed while holding locks (cancelled job): release them.
    const id = core.getState(STATE_LOCK);
    if (!id) return;
    maskInputs(inputs);
    const count = await releaseLocks(readAnyDeployRequest(inputs), id);
    core.info(`Released the deploy lock ${id} on ${count} host(s)`);
  },
});
