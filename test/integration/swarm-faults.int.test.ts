/**
 * remote-deploy-ssh in Swarm mode under faults, black box: the bundle is interrupted the way the
 * runner's Cancel button does it (SIGINT, SIGTERM, SIGKILL) or killed outright, at moments seen from
 * the swarm itself (the manager's files, the nodes' `docker events`: image pulls, task containers
 * starting, the service's update state); then its post step runs as the runner runs it, then the
 * deploy runs again under load. After the post step the service is at rest on one version (no
 * update left running or paused); after the rerun every task runs the new digest, every request
 * was answered, no file under the deploy user's home or /tmp holds the registry password, no
 * command line on the manager ever showed it, and the lock is free.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventOnHost, nth, stopWatchers } from '../helpers/docker-events';
import { hostCleanup } from '../helpers/host-cleanup';
import { expectNothingLeft, onHost as onLabHost, psOnHost } from '../helpers/lab-host';
import { startLoad } from '../helpers/load';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { type LabHost, publishFixtureApp } from '../lab/lab';

const lab = inject('lab');
const SERVICE = `test-swarmf-${randomBytes(3).toString('hex')}`;
const PUBLISH = '8086';
const { production } = lab.registries;
const PASSWORD = production.password as string;
/** A value given in env: it is on the service's spec by design, never in a file on a host. */
const ENV_VALUE = `swarm-env-${randomBytes(6).toString('hex')}`;
const LEASE_MS = 4000;
const ENV = { SLIPWAY_LOCK_LEASE_MS: String(LEASE_MS) };
const [MANAGER, WORKER] = lab.hosts as [LabHost, LabHost];
const urls = lab.hosts.map((h) => `http://${h.address}:${PUBLISH}/version`);
const images: Record<string, string> = {};
const digests: Record<string, string> = {};
const figures = { faults: 0, converged: 0, requests: 0, failed: 0 };

const inputs = (version: string) => ({
  // The worker first: Slipway goes on to the manager (the post step too).
  hosts: [WORKER, MANAGER].map((h) => `${h.address}:${h.sshPort}`).join('\n'),
  username: lab.ssh.user,
  'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  swarm: 'true',
  name: SERVICE,
  image: images[version] as string,
  replicas: '2',
  port: '8080',
  publish: PUBLISH,
  'max-parallel': '1',
  'proxy-image': lab.images.proxy,
  'health-timeout': '60s',
  'registry-username': production.username as string,
  'registry-password': PASSWORD,
  env: `MODE=${ENV_VALUE}`,
});

const deploy = (version: string, interrupt?: Promise<'cancel' | 'SIGKILL'>) =>
  runBundle('remote-deploy-ssh', inputs(version), { env: ENV, ...(interrupt && { interrupt }) });

/** The runner's way after a cancelled main step: the post step with the state the main step saved. */
const postStep = (killed: BundleRun, version: string) =>
  runBundle('remote-deploy-ssh', inputs(version), { env: ENV, state: killed.state });

const onManager = (...argv: string[]) => onLabHost(lab, MANAGER, ...argv);

interface Rest {
  readonly image: string;
  readonly update: string;
  /** Digests of the tasks meant to run, and how many of them run. */
  readonly digests: readonly string[];
  readonly running: number;
}

async function serviceNow(name = SERVICE): Promise<Rest> {
  const [service] = JSON.parse(await onManager('docker', 'service', 'inspect', name)) as Array<{
    Spec: { TaskTemplate: { ContainerSpec: { Image: string } } };
    UpdateStatus?: { State?: string };
  }>;
  const tasks = (
    await onManager(
      'docker',
      'service',
      'ps',
      '--no-trunc',
      '--filter',
      'desired-state=running',
      '--format',
      '{{.Image}} {{.CurrentState}}',
      name,
    )
  )
    .split('\n')
    .filter(Boolean);
  return {
    image: service?.Spec.TaskTemplate.ContainerSpec.Image ?? '',
    update: service?.UpdateStatus?.State ?? '',
    digests: [...new Set(tasks.map((t) => (t.split(' ')[0] ?? '').split('@')[1] ?? ''))],
    running: tasks.filter((t) => t.split(' ')[1] === 'Running').length,
  };
}

async function served(): Promise<string[]> {
  return Promise.all(urls.map(async (url) => (await fetch(url)).text().then((t) => t.trim())));
}

/** At rest: no update running or paused, both tasks running one digest, both nodes serving it. */
async function expectAtRest(): Promise<void> {
  const rest = await serviceNow();
  expect(['updating', 'paused', 'rollback_started', 'rollback_paused'], JSON.stringify(rest)).not.toContain(
    rest.update,
  );
  expect(rest.digests, JSON.stringify(rest)).toHaveLength(1);
  expect(rest.running, JSON.stringify(rest)).toBe(2);
  expect(rest.image).toContain(rest.digests[0]);
  const answers = await served();
  expect(new Set(answers).size, answers.join(' ')).toBe(1);
}

async function expectConverged(version: string, digest: string): Promise<void> {
  const rest = await serviceNow();
  expect(rest.image).toContain(digest);
  expect(rest.digests).toEqual([digest]);
  expect(rest.running).toBe(2);
  expect(['paused', 'rollback_paused', 'updating']).not.toContain(rest.update);
  expect(await served()).toEqual([version, version]);
  for (const host of lab.hosts) {
    // No stray one-off containers (Swarm mode has no pre-deploy: it is refused before anything runs).
    expect(
      await psOnHost(
        lab,
        host,
        [`dev.slipway.service=${SERVICE}`, 'dev.slipway.role=pre-deploy'],
        '{{.Names}}',
        { all: true },
      ),
    ).toEqual([]);
    await expectNothingLeft(lab, host, SERVICE, PASSWORD);
    await expectNothingLeft(lab, host, SERVICE, ENV_VALUE);
  }
}

const children = new Set<ChildProcess>();

/** Resolves once `script` (a wait loop) exits on `host`: a moment seen from the host's own files. */
function untilOnHost(host: LabHost, script: string): Promise<void> {
  // `timeout`: ending the local `docker exec` client does not end what it started in the host.
  const child = spawn(lab.docker, ['exec', host.container, 'timeout', '95', 'sh', '-c', script], {
    stdio: 'ignore',
  });
  children.add(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`not seen within 90 s: ${script}`));
    }, 90_000);
    child.on('close', () => {
      clearTimeout(timer);
      children.delete(child);
      resolve();
    });
  });
}

/**
 * Every command line on `host` sampled ten times a second until stopped: did any hold `secret`?
 * (The sampling script itself never contains it.)
 */
function watchCommandLines(host: LabHost, secret: string): { stop(): { seen: boolean; samples: number } } {
  const child = spawn(
    lab.docker,
    // Ten minutes at most inside the host (a test's interrupted run, post step and loaded rerun take
    // less): killing the local client does not end the loop there.
    [
      'exec',
      host.container,
      'timeout',
      '600',
      'sh',
      '-c',
      'while :; do ps -eo args; echo ---sample---; sleep 0.1; done',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  children.add(child);
  let tail = '';
  let seen = false;
  let samples = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    const text = tail + chunk.toString();
    if (text.includes(secret)) seen = true;
    samples += text.split('---sample---').length - 1;
    tail = text.slice(-(secret.length + 20));
    if (tail.includes('---sample---')) tail = tail.slice(tail.lastIndexOf('---sample---') + 12);
  });
  return {
    stop() {
      child.kill();
      children.delete(child);
      return { seen, samples };
    },
  };
}

/** The first matching event on either node (task containers and pulls happen on both). */
function onEitherNode(filters: readonly string[], match: Parameters<typeof eventOnHost>[3]): Promise<void> {
  return Promise.race(lab.hosts.map((host) => eventOnHost(lab, host, filters, match)));
}

const taskLabel = `label=com.docker.swarm.service.name=${SERVICE}`;

interface Phase {
  readonly phase: string;
  /** The version the interrupted run deploys (default: the other healthy one). */
  readonly deploys?: 'v3';
  readonly setup?: (version: string) => Promise<void>;
  readonly moment: () => Promise<void>;
}

const PHASES: readonly Phase[] = [
  { phase: 'connecting', moment: () => new Promise((r) => setTimeout(r, 150)) },
  {
    // The private docker config holding the registry login appears on the manager.
    phase: 'logged in to the registry on the manager',
    moment: () =>
      untilOnHost(
        MANAGER,
        `until ls -d /home/deploy/.slipway/${SERVICE}/docker-config-*/config.json >/dev/null 2>&1; do sleep 0.05; done`,
      ),
  },
  {
    // The new image is not on the nodes: a node pulling it (with the forwarded registry auth).
    phase: 'nodes pulling the new image',
    setup: async (version) => {
      for (const host of lab.hosts)
        await onLabHost(
          lab,
          host,
          'sh',
          '-c',
          `docker image rm -f ${production.host}/swarmf/${SERVICE}@${digests[version]} >/dev/null 2>&1; true`,
        );
    },
    moment: () => onEitherNode(['type=image', 'event=pull'], (e) => e.Actor.ID.includes(`swarmf/${SERVICE}`)),
  },
  {
    phase: 'the first new task waiting for its health check',
    moment: () => onEitherNode(['type=container', 'event=start', taskLabel], () => true),
  },
  {
    phase: 'the rolling update mid-way (one task replaced, the second starting)',
    moment: () => {
      const second = nth(2);
      return onEitherNode(['type=container', 'event=start', taskLabel], second);
    },
  },
  {
    // A version that never becomes healthy: Swarm rolls the update back by itself.
    phase: 'Swarm rolling back a failed update',
    deploys: 'v3',
    moment: () =>
      eventOnHost(
        lab,
        MANAGER,
        ['type=service', 'event=update'],
        (e) =>
          e.Actor.Attributes.name === SERVICE && e.Actor.Attributes['updatestate.new'] === 'rollback_started',
      ),
  },
];

const STACK = `test-swarmfs-${randomBytes(3).toString('hex')}`;

const clean = hostCleanup(lab, SERVICE, [
  `docker service rm ${SERVICE} slipway-proxy-${SERVICE} >/dev/null 2>&1`,
  `docker stack rm ${STACK} >/dev/null 2>&1`,
  `rm -rf /home/deploy/.slipway/${STACK}`,
  'sleep 2',
  `docker network ls -q --filter label=dev.slipway.service=${SERVICE} | xargs -r docker network rm >/dev/null 2>&1`,
  `docker config ls -q --filter label=dev.slipway.service=${SERVICE} | xargs -r docker config rm >/dev/null 2>&1`,
  `rm -rf /home/deploy/.slipway/${SERVICE}`,
]);

beforeAll(async () => {
  for (const [version, healthy] of [
    ['v1', true],
    ['v2', true],
    ['v3', false],
  ] as const) {
    const staged = await publishFixtureApp(lab.registries.staging, `swarmf/${SERVICE}`, version, { healthy });
    const promoted = await runBundle('promote-between-registries', {
      source: staged,
      destination: `${production.host}/swarmf/${SERVICE}`,
      'destination-username': production.username as string,
      'destination-password': PASSWORD,
    });
    expect(promoted.exitCode, promoted.log).toBe(0);
    images[version] = `${production.host}/swarmf/${SERVICE}:${version}`;
    digests[version] = promoted.outputs.digest as string;
  }
  const first = await deploy('v1');
  expect(first.exitCode, first.log).toBe(0);
});

afterAll(async () => {
  stopWatchers();
  for (const child of children) child.kill();
  await clean();
  console.log(
    `swarm fault matrix: ${figures.faults} faults injected, ${figures.converged} converged; ${figures.requests} requests during the reruns, ${figures.failed} failed`,
  );
});

/** The version serving now: each test deploys the other one, so every deploy is a change. */
let current = 'v1';

describe('remote-deploy-ssh, swarm mode, interrupted at every phase converges on the rerun', () => {
  for (const { phase, deploys, setup, moment } of PHASES) {
    for (const how of ['cancel', 'SIGKILL'] as const) {
      it(`${how === 'cancel' ? 'cancelled (SIGINT, SIGTERM, SIGKILL)' : 'killed (SIGKILL)'} while ${phase}`, async () => {
        const next = current === 'v1' ? 'v2' : 'v1';
        const target = deploys ?? next;
        await setup?.(target);
        // Sampled from the interrupted run to the end of the rerun, before this test's own checks
        // (whose grep for the password is a command line too).
        const lines = watchCommandLines(MANAGER, PASSWORD);
        let rerun: BundleRun;
        try {
          const interrupt = moment().then(() => how);
          interrupt.catch(() => {}); // a moment never seen: the run is not interrupted, and fails the test below
          const interrupted = await deploy(target, interrupt);
          figures.faults += 1;
          expect(interrupted.exitCode, interrupted.log).not.toBe(0);
          const post = await postStep(interrupted, target);
          expect(post.exitCode, post.log).toBe(0);
          for (const run of [interrupted, post]) expect(run.log).not.toContain(PASSWORD);
          // The interrupted run and its post step leave the service at rest on one version.
          await expectAtRest();

          const load = startLoad(urls, { maxMs: 150_000 });
          rerun = await deploy(next);
          const report = await load.stop();
          figures.requests += report.requests;
          figures.failed += report.failures;
          expect(rerun.exitCode, rerun.log).toBe(0);
          current = next;
          expect(rerun.log).not.toContain(PASSWORD);
          expect(report.failures, report.failureSamples.join('\n')).toBe(0);
        } finally {
          const watched = lines.stop();
          stopWatchers();
          expect(watched.samples).toBeGreaterThan(10);
          expect(watched.seen, 'the registry password on a command line on the manager').toBe(false);
        }
        await expectConverged(next, rerun.outputs.digest as string);
        figures.converged += 1;
      });
    }
  }

  it('a cancel during the update rolls the unfinished update back and says so; nothing is left for the post step', async () => {
    const next = current === 'v1' ? 'v2' : 'v1';
    const before = await serviceNow();
    const interrupted = await deploy(
      next,
      onEitherNode(['type=container', 'event=start', taskLabel], () => true).then(() => 'cancel' as const),
    );
    figures.faults += 1;
    expect(interrupted.exitCode).not.toBe(0);
    expect(interrupted.log).toContain('did not finish: rolling it back');
    // SIGTERM and SIGKILL come 7.5 s and 10 s after SIGINT: if the rollback took longer, the
    // post step finishes waiting for it.
    const post = await postStep(interrupted, next);
    expect(post.exitCode, post.log).toBe(0);
    expect(`${interrupted.log}${post.log}`).toMatch(
      /deploy cancelled: cancelled \(SIGINT\): the unfinished update of .* was rolled back|Cleaned up after the interrupted deploy/,
    );
    await expectAtRest();
    const rest = await serviceNow();
    expect(rest.digests).toEqual(before.digests);
    expect(rest.update).toBe('rollback_completed');
    // The next deploy converges (an update after a rollback is an ordinary update).
    const rerun = await deploy(next);
    expect(rerun.exitCode, rerun.log).toBe(0);
    await expectConverged(next, rerun.outputs.digest as string);
    figures.converged += 1;
    current = next;
  });
});

describe('remote-deploy-ssh, swarm mode, a stack interrupted while Swarm updates it', () => {
  const workspace = tempDir('swarm-faults-stack');
  const web = `${STACK}_web`;
  const stackInputs = (version: string) => ({
    hosts: `${MANAGER.address}:${MANAGER.sshPort}`,
    username: lab.ssh.user,
    'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
    'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
    swarm: 'true',
    name: STACK,
    'stack-file': 'stack.yml',
    images: `web=${images[version]}`,
    'max-parallel': '1',
    'health-timeout': '60s',
    'registry-username': production.username as string,
    'registry-password': PASSWORD,
  });
  const options = { env: { ...ENV, GITHUB_WORKSPACE: workspace } };
  let stackCurrent = 'v1';

  beforeAll(async () => {
    writeFileSync(
      join(workspace, 'stack.yml'),
      'version: "3.8"\nservices:\n  web:\n    image: set-by-slipway\n    deploy:\n      replicas: 2\n',
    );
    const first = await runBundle('remote-deploy-ssh', stackInputs('v1'), options);
    expect(first.exitCode, first.log).toBe(0);
  });

  for (const how of ['cancel', 'SIGKILL'] as const) {
    it(`${how === 'cancel' ? 'cancelled' : 'killed'} while its service's first new task starts: the update is rolled back, the rerun converges`, async () => {
      const next = stackCurrent === 'v1' ? 'v2' : 'v1';
      const before = await serviceNow(web);
      const interrupted = await runBundle('remote-deploy-ssh', stackInputs(next), {
        ...options,
        interrupt: onEitherNode(
          ['type=container', 'event=start', `label=com.docker.swarm.service.name=${web}`],
          () => true,
        ).then(() => how),
      });
      figures.faults += 1;
      expect(interrupted.exitCode).not.toBe(0);
      if (how === 'cancel') expect(interrupted.log).toContain('did not finish: rolling it back');
      const post = await runBundle('remote-deploy-ssh', stackInputs(next), {
        ...options,
        state: interrupted.state,
      });
      expect(post.exitCode, post.log).toBe(0);
      const rest = await serviceNow(web);
      expect(['updating', 'paused', 'rollback_started', 'rollback_paused']).not.toContain(rest.update);
      expect(rest.digests).toEqual(before.digests);
      expect(rest.running).toBe(2);

      const rerun = await runBundle('remote-deploy-ssh', stackInputs(next), options);
      expect(rerun.exitCode, rerun.log).toBe(0);
      const pinned = JSON.parse(rerun.outputs.images as string) as Record<string, string>;
      const after = await serviceNow(web);
      expect(after.digests).toEqual([pinned.web?.split('@')[1]]);
      expect(after.running).toBe(2);
      for (const host of lab.hosts) await expectNothingLeft(lab, host, STACK, PASSWORD);
      figures.converged += 1;
      stackCurrent = next;
    });
  }
});
