import * as core from '@actions/core';
import { connectAll } from '../deploy/connect';
import { Deployer, DeployError, type DeployResult, type PinnedImage } from '../deploy/deploy';
import { HostSession } from '../deploy/host';
import { type DeployRequest, readDeployRequest } from '../deploy/inputs';
import { readGitContext, runUrl } from '../github/context';
import { repositoryName } from '../reference';
import { resolveDigest } from '../registry/resolve';
import { maskSecret } from '../secrets';
import type { SshRunner } from '../ssh/ssh-runner';
import { Code, formatDuration, heading, table, writeSummary } from '../summary';
import { runAction } from './runtime';

const STATE_LOCK = 'deploy-lock';

async function pin(request: DeployRequest): Promise<PinnedImage> {
  const image = request.image;
  if (!image) throw new Error('image is required');
  const credentials =
    request.registryUsername && request.registryPassword && request.registry === image.registry
      ? { credentials: { username: request.registryUsername, password: request.registryPassword } }
      : {};
  const digest = await resolveDigest(image, credentials);
  if (!digest)
    throw new Error(`${repositoryName(image)}:${image.tag ?? 'latest'} does not exist in its registry`);
  return { reference: `${repositoryName(image)}@${digest}`, digest, version: image.tag ?? '' };
}

function summarize(
  request: DeployRequest,
  result: DeployResult | undefined,
  hosts: DeployResult['hosts'],
  failed?: string,
) {
  const title = failed
    ? `Deploy of ${request.name} failed`
    : request.dryRun
      ? `Deploy plan for ${request.name} (dry run: nothing changed)`
      : request.rollback
        ? `Rolled back ${request.name}`
        : result?.changed
          ? `Deployed ${request.name}`
          : `${request.name} already up to date`;
  writeSummary([
    heading(title),
    ...(result ? [`Digest: ${new Code(result.digest).text}`] : []),
    table(
      ['Host', 'Result', 'Before', 'Now', 'Time'],
      hosts.map((h) => [h.host, h.result, h.previous ?? '—', h.image ?? '—', formatDuration(h.durationMs)]),
    ),
    ...(failed ? [`**Error:** ${failed.split('\n')[0]}`] : []),
  ]);
}

void runAction({
  async main({ inputs }) {
    for (const name of ['private-key', 'passphrase', 'registry-password']) maskSecret(inputs.string(name));
    for (const [, value] of inputs.keyValues('secret-env')) maskSecret(value);
    const request = readDeployRequest(inputs);
    const ctx = readGitContext();
    const image = request.rollback ? undefined : await pin(request);
    if (image) core.info(`Deploying ${image.reference}${image.version ? ` (${image.version})` : ''}`);

    core.startGroup(`Connecting to ${request.hosts.length} host(s)`);
    let runners: SshRunner[];
    try {
      runners = await connectAll(request, (line) => core.info(line));
    } finally {
      core.endGroup();
    }
    const privateConfig = `.slipway/${request.name}/docker-config-${process.pid}-${Date.now()}`;
    const login = Boolean(request.registryUsername && request.registryPassword && request.registry);
    const sessions = runners.map(
      (runner) => new HostSession(runner, request.name, login ? { DOCKER_CONFIG: privateConfig } : {}),
    );
    const deployer = new Deployer(request, sessions, {
      holder: `${ctx.actor || 'slipway'}@${ctx.repository || 'local'}`,
      runUrl: runUrl(ctx),
      commit: ctx.sha,
      now: () => new Date(),
      log: (line) => core.info(line),
    });
    core.saveState(STATE_LOCK, deployer.lock.id);
    let result: DeployResult | undefined;
    try {
      result = await deployer.withLocks(async () => {
        if (login && !request.dryRun) {
          await Promise.all(
            sessions.map((s) =>
              s.registryLogin(
                request.registry as string,
                request.registryUsername as string,
                request.registryPassword as string,
              ),
            ),
          );
        }
        try {
          return request.rollback ? await deployer.rollback() : await deployer.deploy(image as PinnedImage);
        } finally {
          if (login && !request.dryRun) {
            await Promise.all(sessions.map((s) => s.registryLogout(request.registry as string)));
          }
        }
      });
    } catch (error) {
      const hosts = error instanceof DeployError ? error.hosts : [];
      if (hosts.length > 0) core.setOutput('hosts', JSON.stringify(hosts));
      summarize(request, undefined, hosts, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      core.saveState(STATE_LOCK, '');
      await Promise.all(runners.map((r) => r.close()));
    }
    core.setOutput('digest', result.digest);
    core.setOutput('changed', String(result.changed));
    core.setOutput('hosts', JSON.stringify(result.hosts));
    core.setOutput('previous-image', result.previousImage ?? '');
    summarize(request, result, result.hosts);
  },
  async post({ inputs }) {
    // Only when the main step was killed while holding locks (cancelled job): release them.
    const id = core.getState(STATE_LOCK);
    if (!id) return;
    const request = readDeployRequest(inputs);
    const runners = await connectAll(request, () => {});
    try {
      await Promise.all(runners.map((r) => new HostSession(r, request.name).releaseLock(id)));
      core.info(`Released the deploy lock ${id} on ${runners.length} host(s)`);
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  },
});
