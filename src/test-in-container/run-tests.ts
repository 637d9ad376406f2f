/**
 * test-in-container's work: a private network, service containers waited on until ready (health
 * check, TCP probe or running — never a fixed sleep), the test container, its reports, and a
 * cleanup that removes everything it started, also after failure or cancellation.
 */
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { runChecked, type Runner } from '../command/command';
import * as docker from '../docker/containers';
import * as networks from '../docker/networks';
import { envFileContent, envFileProblem } from '../docker/env-file';
import type { DockerTarget } from '../docker/target';
import type { ContainerInspect, ContainerState } from '../docker/inspect';
import { InputError, type Inputs, refuseOption } from '../common/inputs';
import { sleep } from '../common/retry';
import { hasControlCharacter } from '../common/text';
import { summarizeJUnit, type JUnitSummary } from './junit';
import { parseServices, type ServiceSpec } from './services';
import { parsePlatforms } from '../build-and-tag/buildx';

export const RUN_LABEL = 'dev.slipway.test-run';

export interface TestRequest {
  readonly image: string;
  /** docker run --platform for the test container (an engine holding several platforms of image). */
  readonly runPlatform?: string;
  /** Platforms asked for (`platforms`); empty: every platform of an index, else the image's own. */
  readonly platforms: readonly string[];
  readonly run?: string;
  readonly services: readonly ServiceSpec[];
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly workdir?: string;
  readonly mountWorkspace: boolean;
  readonly reports?: string;
  readonly timeoutMs: number;
  readonly waitTimeoutMs: number;
}

const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/;

/**
 * `reports`: a normalised absolute path below / (docker cp copies whatever it names: "/" or "/.."
 * would copy the container's whole filesystem to the runner).
 */
export function checkReportsPath(path: string): void {
  if (!path.startsWith('/')) throw new InputError('reports', 'must be an absolute path in the container');
  if (path.split('/').some((part) => part === '..' || part === '.'))
    throw new InputError('reports', `${JSON.stringify(path)} must not hold . or .. segments`);
  if (path === '/' || posix.normalize(path) !== path || path.endsWith('/'))
    throw new InputError(
      'reports',
      `${JSON.stringify(path)} must be a normalised path below / (a file or directory, such as /app/reports)`,
    );
}

/** Env values go to docker in an env file: refused, naming the input, when one cannot hold them. */
function checkEnvFileValues(input: string, env: ReadonlyArray<readonly [string, string]>): void {
  for (const [name, value] of env) {
    const problem = envFileProblem(name, value);
    if (problem) throw new InputError(input, problem);
  }
}

export function readTestRequest(inputs: Inputs): TestRequest {
  const image = inputs.line('image');
  if (!image) inputs.required('image');
  if (!IMAGE.test(image))
    throw new InputError('image', `${JSON.stringify(image)} is not an image reference or id`);
  const run = inputs.string('run');
  const workdir = inputs.line('workdir');
  if (workdir && !workdir.startsWith('/'))
    throw new InputError('workdir', 'must be an absolute path in the container');
  const reports = inputs.line('reports');
  if (reports) checkReportsPath(reports);
  const timeoutMs = inputs.duration('timeout', 1_800_000);
  const waitTimeoutMs = inputs.duration('wait-timeout', 120_000);
  if (run.includes('\0')) throw new InputError('run', 'contains a NUL byte');
  refuseOption('run', run); // sh -c would read it as an option
  const services = parseServices(inputs.string('services'));
  for (const service of services) checkEnvFileValues('services', service.env);
  const env = inputs.keyValues('env');
  checkEnvFileValues('env', env);
  return {
    image,
    platforms: parsePlatforms(inputs.string('platforms')),
    ...(run && { run }),
    services,
    env,
    ...(workdir && { workdir }),
    mountWorkspace: inputs.boolean('mount-workspace', false),
    ...(reports && { reports }),
    timeoutMs,
    waitTimeoutMs,
  };
}

export interface TestSession {
  readonly id: string;
  readonly network: string;
}

export function newSession(): TestSession {
  const id = `slipway-test-${randomBytes(5).toString('hex')}`;
  return { id, network: id };
}

export interface TestOutcome {
  readonly exitCode: number;
  readonly timedOut: boolean;
  readonly durationMs: number;
  readonly report?: string;
  readonly junit?: JUnitSummary;
  readonly services: ReadonlyArray<{ name: string; readyMs: number; how: string }>;
}

export interface TestHooks {
  readonly log: (line: string) => void;
  readonly onOutput: (chunk: string) => void;
}

async function containerState(runner: Runner, target: DockerTarget, name: string): Promise<ContainerState> {
  const result = await runChecked(runner, docker.inspectContainer(target, name));
  return (JSON.parse(result.stdout) as ContainerInspect).State;
}

/** Connects and holds: a proxy in front of a closed port accepts and then hangs up at once. */
export function tcpAnswers(host: string, port: number, holdMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let settled = false;
    const done = (ok: boolean) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => setTimeout(() => done(true), holdMs));
    socket.once('data', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
}

async function waitForService(
  runner: Runner,
  target: DockerTarget,
  session: TestSession,
  service: ServiceSpec,
  timeoutMs: number,
): Promise<string> {
  const name = `${session.id}-${service.name}`;
  const deadline = Date.now() + timeoutMs;
  let how = 'running';
  let mapped: { host: string; port: number } | undefined;
  for (;;) {
    const state = await containerState(runner, target, name);
    if (state.Status === 'exited' || state.Status === 'dead') {
      throw await serviceError(
        runner,
        target,
        service,
        name,
        `exited with code ${state.ExitCode} before it was ready`,
        state,
      );
    }
    if (state.Health) {
      how = 'health check';
      if (state.Health.Status === 'healthy') return how;
    } else if (service.port !== undefined) {
      how = `TCP port ${service.port}`;
      if (!mapped) {
        const out =
          (await runChecked(runner, docker.port(target, name, service.port))).stdout.trim().split('\n')[0] ??
          '';
        const m = /^(.*):(\d+)$/.exec(out);
        if (m) mapped = { host: (m[1] as string).replace(/^0\.0\.0\.0$/, '127.0.0.1'), port: Number(m[2]) };
      }
      if (mapped && (await tcpAnswers(mapped.host, mapped.port))) return how;
    } else if (state.Status === 'running') {
      return how;
    }
    if (Date.now() > deadline) {
      throw await serviceError(
        runner,
        target,
        service,
        name,
        `was not ready (${how}) within ${Math.round(timeoutMs / 1000)} s`,
        state,
      );
    }
    await sleep(500);
  }
}

async function serviceError(
  runner: Runner,
  target: DockerTarget,
  service: ServiceSpec,
  name: string,
  problem: string,
  state: ContainerState,
): Promise<Error> {
  const logs = await runner.run(docker.logs(target, name, { tail: 40 }));
  const health = state.Health?.Log?.slice(-3)
    .map((h) => `  exit ${h.ExitCode}: ${h.Output.trim()}`)
    .join('\n');
  return new Error(
    [
      `service ${service.name} (${service.image}) ${problem}.`,
      health ? `Last health checks:\n${health}` : '',
      `Last log lines:\n${`${logs.stdout}${logs.stderr}`.trim() || '(no output)'}`,
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

export function readReports(path: string): string[] {
  if (!existsSync(path)) return [];
  if (statSync(path).isFile()) return [readFileSync(path, 'utf8')];
  const xmls: string[] = [];
  for (const entry of readdirSync(path, { recursive: true, encoding: 'utf8' })) {
    const full = join(path, entry);
    if (entry.endsWith('.xml') && statSync(full).isFile()) xmls.push(readFileSync(full, 'utf8'));
  }
  return xmls;
}

/**
 * Runs `command` (a docker run) with `env` in a 0600 env file in a private directory, removed as soon
 * as docker has read it: values reach only the container, never a command line or the docker
 * client's own environment.
 */
async function withEnvFile<T>(
  env: ReadonlyArray<readonly [string, string]>,
  command: (envFile: string | undefined) => Promise<T>,
): Promise<T> {
  if (env.length === 0) return command(undefined);
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'slipway-env-'));
  try {
    const file = join(dir, 'env');
    writeFileSync(file, envFileContent(env), { mode: 0o600 });
    return await command(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runTests(
  runner: Runner,
  target: DockerTarget,
  request: TestRequest,
  session: TestSession,
  options: { workspace: string; reportDir: string },
  hooks: TestHooks,
): Promise<TestOutcome> {
  const labels = { [RUN_LABEL]: session.id };
  await runChecked(runner, networks.networkCreate(target, session.network, labels));
  hooks.log(`Network ${session.network}`);

  const started = performance.now();
  for (const service of request.services) {
    await withEnvFile(service.env, (envFile) =>
      runChecked(
        runner,
        docker.run(target, {
          name: `${session.id}-${service.name}`,
          image: service.image,
          detach: true,
          network: session.network,
          networkAliases: [service.name],
          ...(envFile && { envFile }),
          labels,
          ...(service.healthCmd && { healthCmd: service.healthCmd }),
          ...(service.port !== undefined &&
            !service.healthCmd && { publish: [`127.0.0.1::${service.port}`] }),
        }),
      ),
    );
    hooks.log(`Started service ${service.name} (${service.image})`);
  }
  const services = await Promise.all(
    request.services.map(async (service) => {
      const how = await waitForService(runner, target, session, service, request.waitTimeoutMs);
      const readyMs = performance.now() - started;
      hooks.log(`Service ${service.name} is ready (${how}) after ${(readyMs / 1000).toFixed(1)} s`);
      return { name: service.name, readyMs, how };
    }),
  );

  const name = `${session.id}-tests`;
  const volumes = request.mountWorkspace ? [`${options.workspace}:/workspace`] : [];
  const workdir = request.workdir ?? (request.mountWorkspace ? '/workspace' : undefined);
  await withEnvFile(request.env, (envFile) =>
    runChecked(
      runner,
      docker.run(target, {
        name,
        image: request.image,
        detach: true,
        network: session.network,
        ...(envFile && { envFile }),
        labels,
        volumes,
        ...(workdir && { workdir }),
        ...(request.runPlatform && { platform: request.runPlatform }),
        ...(request.run !== undefined && { entrypoint: '', command: ['sh', '-c', request.run] }),
      }),
    ),
  );
  const testStarted = performance.now();
  const following = runner.run(docker.logs(target, name, { follow: true }), { onOutput: hooks.onOutput });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void runner.run(docker.kill(target, name));
  }, request.timeoutMs);
  const waited = await runChecked(runner, docker.wait(target, name)).finally(() => clearTimeout(timer));
  await following;
  const exitCode = Number(waited.stdout.trim());
  const durationMs = performance.now() - testStarted;

  let report: string | undefined;
  let junit: JUnitSummary | undefined;
  if (request.reports) {
    mkdirSync(options.reportDir, { recursive: true });
    const destination = join(options.reportDir, request.reports.split('/').filter(Boolean).pop() ?? 'report');
    const copied = await runner.run(docker.copyFrom(target, name, request.reports, destination));
    if (copied.exitCode === 0) {
      report = destination;
      junit = summarizeJUnit(readReports(destination));
    } else {
      hooks.log(`No report at ${request.reports} in the test container: ${copied.stderr.trim()}`);
    }
  }
  return {
    exitCode: timedOut ? 124 : exitCode,
    timedOut,
    durationMs,
    ...(report && { report }),
    ...(junit && { junit }),
    services,
  };
}

/** Removes every container (with anonymous volumes) and the network of a session. Idempotent. */
export async function cleanupSession(runner: Runner, target: DockerTarget, id: string): Promise<number> {
  if (!/^slipway-test-[a-f0-9]+$/.test(id) || hasControlCharacter(id)) return 0;
  const listed = await runner.run(docker.listContainers(target, [`label=${RUN_LABEL}=${id}`]));
  const containers = listed.stdout.split('\n').filter(Boolean);
  if (containers.length > 0) await runner.run(docker.removeContainersAndVolumes(target, containers));
  await runner.run(networks.networkRemove(target, id));
  return containers.length;
}
