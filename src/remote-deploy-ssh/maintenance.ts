/**
 * Maintenance mode of a single-container service (`slipway maintenance` / `slipway live`, and
 * remote-deploy-ssh's operations maintenance and live), switched the way a version is: a small
 * Caddy of the proxy's own image answering every request with the maintenance page (503 and
 * Retry-After) joins the service's live network under its alias, the proxies find it there, and
 * only then does the app leave service and stop — so no proxy is reloaded (its own or the shared
 * one), and from then on no request reaches the app. `live` starts the app again off the live
 * network, waits for its health check, puts it back in service, and only then takes the
 * maintenance container away. Both hold the service's deploy lease on every host; a deploy or
 * rollback refuses while the service is in maintenance (deploy-core/maintenance-state.ts).
 */
import { runChecked } from '../command/command';
import * as files from '../command/files';
import { sleep } from '../common/retry';
import { InputError, type Inputs } from '../common/inputs';
import type { Outcome, Reporter } from '../common/reporter';
import { UPSTREAM_SETTLE_MS } from '../proxy/caddy';
import { caddyCommand } from '../proxy/caddy-commands';
import { connectAll } from '../deploy-core/connect';
import { ContainerHost } from '../deploy-container/container-host';
import { LABEL } from '../deploy-core/session';
import { readConnection, readName, readPort, readProxyImage } from '../deploy-core/inputs';
import { auditHosts, newLock, withHostLocks } from '../deploy-core/locks';
import { MAINTENANCE_FILE, type MaintenanceRecord, readMaintenance } from '../deploy-core/maintenance-state';
import { httpProbe } from '../ssh/http-probe';
import type { DeployContext } from '../deploy-core/result';
import { SHARED_PROXY } from '../proxy/shared-proxy';
import * as docker from '../docker/containers';
import { pull } from '../docker/images';
import { type DockerTarget, dockerCommand } from '../docker/target';
import { tarFiles } from '../docker/tar';
import { formatReference } from '../common/reference';
import { DAY_TWO_LOCK_STATE } from './lock';
import { deployContext } from './operation';

const TARGET: DockerTarget = { docker: 'docker' };
const PAGE_MAX = 512 * 1024;

export const DEFAULT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Down for maintenance</title></head>
<body><h1>Down for maintenance</h1><p>We will be back shortly.</p></body>
</html>
`;

export interface MaintenanceRequest {
  /** The port the app listens on: the proxies dial the service's alias there. */
  readonly port: number;
  readonly page: string;
  readonly retryAfterS: number;
  readonly healthPath?: string;
  readonly healthTimeoutMs: number;
  readonly proxyImage: string;
}

export function readMaintenanceRequest(inputs: Inputs): MaintenanceRequest {
  const port = readPort(inputs, 'port');
  if (port === undefined) inputs.required('port');
  const page = inputs.string('maintenance-page') || DEFAULT_PAGE;
  if (Buffer.byteLength(page) > PAGE_MAX)
    throw new InputError('maintenance-page', `is larger than ${PAGE_MAX / 1024} KiB`);
  const healthPath = inputs.line('health-path');
  return {
    port: port as number,
    page: page.endsWith('\n') ? page : `${page}\n`,
    retryAfterS: inputs.integer('retry-after', 300, { min: 1, max: 86_400 }),
    ...(healthPath && { healthPath }),
    healthTimeoutMs: inputs.duration('health-timeout', 120_000),
    proxyImage: formatReference(readProxyImage(inputs)),
  };
}

/** The maintenance container's Caddyfile: every request gets the page, 503, Retry-After, no caching. */
export function maintenanceCaddyfile(port: number, retryAfterS: number): string {
  return [
    '{',
    '\tadmin off',
    '\tauto_https off',
    '}',
    '',
    `:${port} {`,
    `\theader Retry-After "${retryAfterS}"`,
    '\theader Cache-Control "no-store"',
    '\troot * /etc/caddy',
    '\trewrite * /maintenance.html',
    '\tfile_server {',
    '\t\tstatus 503',
    '\t}',
    '}',
    '',
  ].join('\n');
}

const maintenanceContainer = (session: ContainerHost) => `${session.name}-maintenance`;

/** The image the service's proxy runs on this host (its own, else the shared one), else the proxy-image input. */
async function proxyImageOn(session: ContainerHost, fallback: string): Promise<string> {
  for (const name of [session.proxy, SHARED_PROXY]) {
    const result = await session.runner.run(
      dockerCommand(TARGET, ['container', 'inspect', '--format', '{{.Config.Image}}', name]),
    );
    if (result.exitCode === 0 && result.stdout.trim()) return result.stdout.trim();
  }
  await runChecked(session.runner, pull(TARGET, fallback));
  return fallback;
}

/** The maintenance container answers 503 on the live network (within 15 s). */
async function waitAnswers(session: ContainerHost, name: string, port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last = '';
  for (;;) {
    const [c] = JSON.parse(
      (await runChecked(session.runner, docker.inspectContainers(TARGET, [name]))).stdout,
    ) as Array<{
      State: { Running: boolean };
      NetworkSettings?: { Networks?: Record<string, { IPAddress?: string }> };
    }>;
    const address = c?.NetworkSettings?.Networks?.[session.live]?.IPAddress;
    if (address && c?.State.Running) {
      const probe = await httpProbe(session.runner, address, port, '/');
      if (probe.status === 503) return;
      last = probe.detail;
    } else last = 'not running';
    if (Date.now() > deadline)
      throw new Error(`${session.where}: the maintenance page does not answer (${last})`);
    await sleep(250);
  }
}

/** On one host (its lease held): the page in service, then the app out of it. Idempotent. */
async function enterOnHost(
  session: ContainerHost,
  request: MaintenanceRequest,
  ctx: DeployContext,
): Promise<{ host: string; stopped: string[] }> {
  const state = await session.state();
  const earlier = await readMaintenance(session.runner, session.dir);
  const serving = state.serving.map((v) => v.container);
  if (serving.length === 0 && !earlier)
    throw new Error(`${session.where}: no version of ${session.name} is in service here`);
  const name = maintenanceContainer(session);
  const exists = (await session.runner.run(docker.inspectContainer(TARGET, name))).exitCode === 0;
  if (!exists) {
    await runChecked(
      session.runner,
      docker.create(TARGET, {
        name,
        image: await proxyImageOn(session, request.proxyImage),
        network: session.live,
        networkAliases: [session.alias],
        restart: 'unless-stopped',
        labels: { [LABEL.service]: session.name, [LABEL.role]: 'maintenance' },
        command: caddyCommand('run', '/etc/caddy/Caddyfile'),
      }),
    );
  }
  // The page (and its settings) as asked now, also when the container was already there. A page
  // that runs with this page and these settings is left alone: it may be all that serves (the app
  // stopped by an earlier run), and while docker cp rewrites the page file_server answers 404 (seen
  // once under load), a restart leaves nothing serving.
  const config = maintenanceCaddyfile(request.port, request.retryAfterS);
  const inside = async (file: string) => {
    const read = await session.runner.run(docker.readFileIn(TARGET, name, `/etc/caddy/${file}`));
    return read.exitCode === 0 ? read.stdout : undefined;
  };
  const runningConfig = exists ? await inside('Caddyfile') : undefined;
  const runningPage = runningConfig === undefined ? undefined : await inside('maintenance.html');
  if (runningConfig !== config || runningPage !== request.page)
    await runChecked(
      session.runner,
      docker.copyArchiveInto(
        TARGET,
        name,
        '/etc/caddy',
        tarFiles([
          ['Caddyfile', config],
          ['maintenance.html', request.page],
        ]),
      ),
    );
  if (runningConfig === undefined) await runChecked(session.runner, docker.start(TARGET, name));
  else if (runningConfig !== config)
    await runChecked(session.runner, dockerCommand(TARGET, ['restart', '--time', '1', name]));
  await waitAnswers(session, name, request.port);
  // The record first (a run cut from here on is finished by the next maintenance or live).
  const stopped = [...new Set([...(earlier?.stopped ?? []), ...serving])];
  const record: MaintenanceRecord = {
    holder: earlier?.holder ?? ctx.holder,
    time: earlier?.time ?? ctx.now().toISOString(),
    run: earlier?.run ?? ctx.runUrl,
    stopped,
  };
  await runChecked(
    session.runner,
    files.installFile(`${session.dir}/${MAINTENANCE_FILE}`, '0644', `${JSON.stringify(record)}\n`),
  );
  if (serving.length > 0) {
    // Every proxy has the page's address before the app leaves (as in a version switch).
    await sleep(UPSTREAM_SETTLE_MS);
    for (const container of serving) await session.stop(container);
  }
  ctx.log(
    `${session.where}: ${session.name} is in maintenance${serving.length > 0 ? ` (${serving.join(', ')} stopped)` : ''}`,
  );
  return { host: session.where, stopped: serving };
}

/** On one host (its lease held): the app back in service once healthy, then the page away. */
async function liveOnHost(
  session: ContainerHost,
  request: MaintenanceRequest,
  ctx: DeployContext,
): Promise<{ host: string; started: string[] }> {
  const record = await readMaintenance(session.runner, session.dir);
  const name = maintenanceContainer(session);
  const state = await session.state();
  const started: string[] = [];
  if (record) {
    // The versions maintenance stopped (still kept), else the newest kept one.
    // A version serves beside the page already (a deploy made during maintenance): it stays, alone.
    // Else the versions maintenance stopped (still kept), else the newest kept one.
    const kept = new Set([...state.previous, ...state.orphans].map((v) => v.container));
    const back = record.stopped.filter((c) => kept.has(c));
    const targets =
      state.serving.length > 0
        ? []
        : back.length > 0
          ? back
          : state.previous.slice(0, 1).map((v) => v.container);
    for (const container of targets) {
      if (!state.serving.some((v) => v.container === container)) {
        await session.startExisting(container);
        const health = await session.waitHealthy(
          container,
          {
            ...(request.healthPath && { path: request.healthPath, port: request.port }),
            timeoutMs: request.healthTimeoutMs,
          },
          ctx.signal,
        );
        if (!health.ok) {
          await session.stop(container);
          throw new Error(
            `${session.where}: ${container} did not become healthy (${health.detail}); the maintenance page stays`,
          );
        }
        await session.activate(container);
        started.push(container);
      }
    }
    if (targets.length === 0 && state.serving.length === 0)
      throw new Error(
        `${session.where}: no kept version of ${session.name} to bring back; the maintenance page stays`,
      );
    await sleep(UPSTREAM_SETTLE_MS);
  }
  // The page leaves the alias gracefully (docker drops it from DNS on stop), then goes.
  await session.runner.run(docker.stop(TARGET, name, 2));
  await session.runner.run(docker.removeContainers(TARGET, [name]));
  await runChecked(session.runner, files.removeFile(`${session.dir}/${MAINTENANCE_FILE}`));
  ctx.log(`${session.where}: ${session.name} is live${started.length > 0 ? ` (${started.join(', ')})` : ''}`);
  return { host: session.where, started };
}

/** maintenance or live on every host, in host order, each under the service's deploy lease. */
export async function runMaintenanceOperation(
  action: 'maintenance' | 'live',
  inputs: Inputs,
  report: Reporter,
  signal?: AbortSignal,
): Promise<Outcome> {
  for (const secret of ['private-key', 'passphrase']) report.mask(inputs.string(secret));
  const connection = readConnection(inputs);
  const name = readName(inputs);
  const request = readMaintenanceRequest(inputs);
  const ctx = deployContext(report, signal);
  const runners = await connectAll(connection, ctx.log);
  try {
    const sessions = runners.map((runner) => new ContainerHost(runner, name));
    const lock = newLock(ctx);
    report.saveState(DAY_TWO_LOCK_STATE, lock.id);
    const hosts = await withHostLocks(
      sessions,
      lock,
      { lockTimeoutMs: connection.lockTimeoutMs, dryRun: false, ignoreFreeze: true, ignoreMaintenance: true },
      ctx,
      async () => {
        const done: Array<Record<string, unknown>> = [];
        for (const session of sessions) {
          ctx.signal?.throwIfAborted();
          done.push(
            action === 'maintenance'
              ? await enterOnHost(session, request, ctx)
              : await liveOnHost(session, request, ctx),
          );
        }
        return done;
      },
    );
    report.saveState(DAY_TWO_LOCK_STATE, '');
    await auditHosts(sessions, ctx, action, (i) => ({
      result: action === 'maintenance' ? 'in maintenance' : 'live',
      ...hosts[i],
    }));
    return {
      outputs: { hosts: JSON.stringify(hosts) },
      summary: [
        `## ${name} ${action === 'maintenance' ? 'is in maintenance' : 'is live'}`,
        hosts.map((h) => String(h.host)).join('\n'),
      ],
    };
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
}

/**
 * A deploy with `maintenance: true` (single-container mode): the service goes into maintenance on
 * every host, the deploy runs inside it (its pre-deploy with the app stopped and no request reaching
 * it), and the service goes live again whatever the deploy's outcome — with the new version when it
 * was switched to, else with the version maintenance stopped (a failed deploy leaves the previous
 * version serving).
 */
export async function deployInMaintenance(
  inputs: Inputs,
  report: Reporter,
  deploy: () => Promise<Outcome>,
  signal?: AbortSignal,
): Promise<Outcome> {
  if (inputs.boolean('swarm', false) || inputs.string('compose-file'))
    throw new InputError(
      'maintenance',
      'is for single-container mode (the page takes the place of one container)',
    );
  if (inputs.boolean('rollback', false)) throw new InputError('maintenance', 'is not used with rollback');
  readMaintenanceRequest(inputs);
  let entered: Outcome | undefined;
  let deployed: Outcome | undefined;
  try {
    entered = await runMaintenanceOperation('maintenance', inputs, report, signal);
    deployed = await deploy();
  } finally {
    // Live again even when cancelled: the page must not outlive the deploy (a second Ctrl-C, or a
    // SIGKILL, leaves it to 'slipway live' or the next deploy with maintenance: true).
    const live = await runMaintenanceOperation('live', inputs, report).catch((error: Error): Outcome => ({
      outputs: {},
      summary: [],
      error: `going live again failed: ${error.message}`,
    }));
    if (live.error) report.warning(live.error);
    if (deployed) {
      deployed = {
        ...deployed,
        summary: [
          ...deployed.summary,
          ...(entered?.summary.slice(1) ?? []).map((h) => `In maintenance during the deploy on: ${h}`),
        ],
        ...(live.error && !deployed.error && { error: live.error }),
      };
    }
  }
  return deployed;
}
