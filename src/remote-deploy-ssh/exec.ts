/**
 * `slipway exec` and remote-deploy-ssh's operation exec: a one-off command in the version of a
 * single-container service that serves on a host — its image (by id), environment and secrets (copied
 * on the host, never through the runner), volumes and networks — in a container of its own, on the
 * first host, a chosen one or each in turn. Its output streams back, its exit code is the
 * operation's, and each run is audited on its host (who, the command, which version, the exit
 * code; no environment). Cancelled, the container is removed (its process ends with it); a killed
 * run's container is removed by the action's post step.
 */
import { randomBytes } from 'node:crypto';
import { runChecked, type Runner } from '../command/command';
import { InputError, type Inputs } from '../common/inputs';
import type { Outcome, Reporter } from '../common/reporter';
import { hasControlCharacter } from '../common/text';
import { connectAll } from '../deploy-core/connect';
import { ContainerHost } from '../deploy-container/container-host';
import { LABEL } from '../deploy-core/session';
import * as files from '../command/files';
import { endpointKey, readConnection, readName } from '../deploy-core/inputs';
import * as docker from '../docker/containers';
import { networkConnect } from '../docker/networks';
import type { DockerTarget } from '../docker/target';
import { parseEndpoint } from '../ssh/ssh-runner';
import type { SshRunner } from '../ssh/ssh-runner';
import { readMaintenance } from '../deploy-core/maintenance-state';
import { copyEnvFile, createOneOff, startAttached } from './exec-commands';
import { deployContext } from './operation';

/** The action's state: the one-off containers a run started (its post step removes any left). */
export const EXEC_STATE = 'exec-containers';
const TARGET: DockerTarget = { docker: 'docker' };

export interface ExecRequest {
  readonly command: string;
  /** 'first', 'each', or the index of the chosen host in `hosts`. */
  readonly on: 'first' | 'each' | number;
}

export interface HostExec {
  readonly host: string;
  readonly version?: string;
  readonly image?: string;
  /** The command's exit code; absent when it never ran here (error says why). */
  readonly exitCode?: number;
  readonly error?: string;
}

/** exec's own inputs: `command` (required) and `exec-on`. */
export function readExecRequest(
  inputs: Inputs,
  hosts: ReadonlyArray<{ host: string; port: number }>,
): ExecRequest {
  const command = inputs.string('command');
  if (!command)
    throw new InputError('command', 'is required: the command to run (by sh -c) in the serving version');
  if (command.includes('\0')) throw new InputError('command', 'holds a NUL character');
  const on = inputs.line('exec-on', 'first');
  if (on === 'first' || on === 'each') return { command, on };
  let wanted: string;
  try {
    wanted = endpointKey(parseEndpoint(on));
  } catch {
    throw new InputError('exec-on', `${JSON.stringify(on)} is not first, each or one of the hosts`);
  }
  const index = hosts.findIndex((h) => endpointKey(h) === wanted);
  if (index < 0)
    throw new InputError(
      'exec-on',
      `${JSON.stringify(on)} is not one of the hosts (first, each, or a host of hosts)`,
    );
  return { command, on: index };
}

interface Serving {
  readonly container: string;
  readonly imageId: string;
  readonly version: string;
  readonly image: string;
  readonly networks: readonly string[];
}

/** The version in service on this host, and the networks it is on (the live one left out). */
async function serving(session: ContainerHost): Promise<Serving> {
  const state = await session.state();
  // In maintenance, nothing serves: the version maintenance stopped is the one to run in.
  const stopped = state.current ? undefined : (await readMaintenance(session.runner, session.dir))?.stopped;
  const current = state.current ?? state.previous.find((v) => stopped?.includes(v.container));
  if (!current)
    throw new Error(
      `${session.where}: no version of ${session.name} is in service here (exec runs in a single-container service's serving version)`,
    );
  const [inspect] = JSON.parse(
    (await runChecked(session.runner, docker.inspectContainers(TARGET, [current.container]))).stdout,
  ) as Array<{ NetworkSettings?: { Networks?: Record<string, unknown> } }>;
  const networks = Object.keys(inspect?.NetworkSettings?.Networks ?? {}).filter(
    (n) => n !== session.live && n !== session.network,
  );
  return {
    container: current.container,
    imageId: current.imageId,
    version: current.version,
    image: current.image,
    networks,
  };
}

export interface ExecIo {
  /** The command's stdout and stderr as they come. */
  readonly out: (chunk: string) => void;
  readonly err: (chunk: string) => void;
  /** A terminal: the run gets a TTY and this process's stdin (only through SSH). */
  readonly tty?: boolean;
  /** Told each container's name before it starts (the action saves them for its post step). */
  readonly started?: (name: string) => void;
}

/** One run on one host: made, started attached, always removed; audited. */
export async function execOnHost(
  session: ContainerHost,
  request: ExecRequest,
  io: ExecIo,
  ctx: ReturnType<typeof deployContext>,
): Promise<HostExec> {
  const from = await serving(session);
  const name = `${session.name}-exec-${randomBytes(4).toString('hex')}`;
  const envFile = `${session.dir}/${name}.env`;
  const tty = Boolean(io.tty);
  await runChecked(session.runner, files.makeDirectory(session.dir));
  io.started?.(name);
  let exitCode: number | undefined;
  let error: string | undefined;
  try {
    try {
      await runChecked(session.runner, copyEnvFile(from.container, envFile));
      await runChecked(
        session.runner,
        createOneOff(TARGET, {
          name,
          from: from.container,
          image: from.imageId,
          network: session.network,
          envFile,
          labels: {
            [LABEL.service]: session.name,
            [LABEL.role]: 'exec',
            [LABEL.version]: from.version,
            [LABEL.run]: ctx.runUrl,
          },
          command: request.command,
          tty,
        }),
      );
    } finally {
      await session.runner.run(files.removeFile(envFile));
    }
    for (const network of from.networks)
      await runChecked(session.runner, networkConnect(TARGET, network, name));
    ctx.signal?.throwIfAborted();
    ctx.log(
      `${session.where}: running in ${from.container} (${from.version || from.image}): ${request.command}`,
    );
    const start = startAttached(TARGET, name, tty);
    // Cancelled: the container goes (its process with it), not only the client attached to it.
    let removing: Promise<unknown> | undefined;
    const stop = () => {
      removing = session.runner.run(docker.removeContainers(TARGET, [name]));
    };
    ctx.signal?.addEventListener('abort', stop, { once: true });
    try {
      const result =
        tty && 'interactive' in session.runner
          ? await (session.runner as SshRunner).interactive(start)
          : await session.runner.run(start, {
              onOutput: (chunk, stream) => (stream === 'stdout' ? io.out(chunk) : io.err(chunk)),
            });
      ctx.signal?.throwIfAborted();
      exitCode = result.exitCode;
    } finally {
      ctx.signal?.removeEventListener('abort', stop);
      await removing;
    }
    return { host: session.where, version: from.version, image: from.image, exitCode };
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
    throw e;
  } finally {
    await session.runner.run(docker.removeContainers(TARGET, [name]));
    await session
      .audit({
        time: ctx.now().toISOString(),
        action: 'exec',
        command: request.command,
        version: from.version,
        image: from.image,
        result: exitCode !== undefined ? `exit ${exitCode}` : ctx.signal?.aborted ? 'cancelled' : 'failed',
        ...(exitCode !== undefined && { exitCode }),
        ...(error && !ctx.signal?.aborted && { error: error.split('\n')[0] }),
        holder: ctx.holder,
        run: ctx.runUrl,
      })
      .catch(() => {});
  }
}

function maskExecInputs(inputs: Inputs, report: Reporter): void {
  for (const name of ['private-key', 'passphrase', 'registry-password']) report.mask(inputs.string(name));
  // The values the workflow knows are secret: whatever the command prints of them is masked.
  for (const [, value] of inputs.keyValues('secret-env')) report.mask(value);
}

/**
 * The operation: on the chosen hosts in turn (each stops at the first that fails or exits non-zero);
 * the exit code is the operation's (`exit-code`, and the CLI's own exit code).
 */
export async function runExecOperation(
  inputs: Inputs,
  report: Reporter,
  io: Omit<ExecIo, 'started'> & { readonly interactive?: boolean },
  signal?: AbortSignal,
): Promise<Outcome & { exitCode?: number }> {
  maskExecInputs(inputs, report);
  const connection = readConnection(inputs);
  const name = readName(inputs);
  const request = readExecRequest(inputs, connection.hosts);
  if (hasControlCharacter(request.command.replace(/[\n\t]/g, ' ')))
    throw new InputError('command', 'holds a control character');
  const picked =
    request.on === 'each'
      ? connection.hosts
      : [connection.hosts[request.on === 'first' ? 0 : request.on] as (typeof connection.hosts)[number]];
  const ctx = deployContext(report, signal);
  const runners: Runner[] = await connectAll({ ...connection, hosts: picked }, ctx.log);
  const results: HostExec[] = [];
  const started: string[] = [];
  try {
    for (const runner of runners) {
      const session = new ContainerHost(runner, name);
      try {
        const run = () =>
          execOnHost(
            session,
            request,
            {
              ...io,
              tty: Boolean(io.tty && request.on !== 'each'),
              started: (container) => {
                started.push(container);
                report.saveState(EXEC_STATE, started.join(' '));
              },
            },
            ctx,
          );
        const result = picked.length > 1 ? await report.group(`${runner.where}`, run) : await run();
        results.push(result);
        if (result.exitCode !== 0) break;
      } catch (error) {
        results.push({ host: runner.where, error: (error as Error).message });
        break;
      }
    }
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
  report.saveState(EXEC_STATE, '');
  const failed = results.find((r) => r.error !== undefined || r.exitCode !== 0);
  const exitCode = failed ? (failed.exitCode ?? 1) : 0;
  return {
    outputs: { 'exit-code': String(exitCode), hosts: JSON.stringify(results) },
    summary: [
      `## ${failed ? `exec in ${name} failed` : `exec in ${name}`}`,
      results
        .map((r) =>
          r.error
            ? (r.error.split('\n')[0] as string) // (says its host)
            : `${r.host}: exit ${r.exitCode} in ${r.version || r.image}`,
        )
        .join('\n'),
    ],
    ...(failed && {
      error: failed.error
        ? (failed.error.split('\n')[0] as string)
        : `the command exited with ${failed.exitCode} on ${failed.host}`,
    }),
    exitCode,
  };
}

/** The action's post step: the one-off containers a killed run left running are removed. */
export async function afterExec(inputs: Inputs, report: Reporter): Promise<void> {
  const names = report.readState(EXEC_STATE).split(' ').filter(Boolean);
  if (names.length === 0) return;
  maskExecInputs(inputs, report);
  const connection = readConnection(inputs);
  const runners = await connectAll(connection, () => {});
  try {
    await Promise.all(runners.map((r) => r.run(docker.removeContainers(TARGET, names))));
    report.info(`Removed the one-off container(s) the interrupted run left: ${names.join(', ')}`);
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
}
