/**
 * remote-deploy-ssh in Swarm mode on the lab's two-node swarm (lab-host1 manager, lab-host2
 * worker): a service with two replicas behind Slipway's proxy (a global service published in host
 * mode: this kernel has no IPVS for the ingress routing mesh), updated under continuous load.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { idleLatency, startLoad, switchBoundMisses } from '../helpers/load';
import { labConnectionOptions, runCli } from '../helpers/cli';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { publishFixtureApp } from '../lab/lab';
import { hostCleanup } from '../helpers/host-cleanup';
import { tempDir } from '../helpers/temp';

const lab = inject('lab');
const local = new LocalRunner();
const SERVICE = `test-swarm-${randomBytes(3).toString('hex')}`;
const STACK = `test-stack-${randomBytes(3).toString('hex')}`;
const PUBLISH = '8086';
const urls = lab.hosts.map((h) => `http://${h.address}:${PUBLISH}/version`);
const images: Record<string, string> = {};
const [manager] = lab.hosts as [(typeof lab.hosts)[number]];

function deploy(tag: string | undefined, extra: Record<string, string> = {}): Promise<BundleRun> {
  return runBundle('remote-deploy-ssh', {
    // The worker first: it answers SSH but is no manager, so Slipway goes on to the next host.
    hosts: [...lab.hosts]
      .reverse()
      .map((h) => `${h.address}:${h.sshPort}`)
      .join('\n'),
    username: lab.ssh.user,
    'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
    'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
    swarm: 'true',
    name: SERVICE,
    ...(tag && { image: images[tag] as string }),
    replicas: '2',
    port: '8080',
    publish: PUBLISH,
    'max-parallel': '1',
    'proxy-image': lab.images.proxy,
    'health-timeout': '90s',
    env: 'MODE=production',
    ...extra,
  });
}

async function onManager(...argv: string[]): Promise<string> {
  return (
    await runChecked(local, { argv: [lab.docker, 'exec', manager.container, 'docker', ...argv] })
  ).stdout.trim();
}

async function served(): Promise<string[]> {
  return Promise.all(urls.map(async (url) => (await fetch(url)).text().then((t) => t.trim())));
}

async function specImage(): Promise<string> {
  return onManager('service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', SERVICE);
}

/**
 * This file's service and stack, by exact names and Slipway's service label (run on every host:
 * the swarm commands answer on the manager only).
 */
const clean = hostCleanup(lab, SERVICE, [
  `docker service rm ${SERVICE} slipway-proxy-${SERVICE} >/dev/null 2>&1`,
  `docker stack rm ${STACK} >/dev/null 2>&1`,
  'sleep 2',
  `docker network ls -q --filter label=dev.slipway.service=${SERVICE} | xargs -r docker network rm >/dev/null 2>&1`,
  `docker config ls -q --filter label=dev.slipway.service=${SERVICE} | xargs -r docker config rm >/dev/null 2>&1`,
  `rm -rf /home/deploy/.slipway/${SERVICE} /home/deploy/.slipway/${STACK}`,
]);

beforeAll(async () => {
  for (const [tag, healthy] of [
    ['v1', true],
    ['v2', true],
    ['v3', false],
  ] as const) {
    images[tag] = await publishFixtureApp(lab.registries.staging, `swarm/${SERVICE}`, tag, { healthy });
  }
  // v2 that stays "starting" for ten minutes: failed checks inside the start period do not count,
  // so Swarm never fails its task by itself and only health-timeout ends the wait.
  const slow = tempDir('swarm-slow');
  writeFileSync(
    join(slow, 'Dockerfile'),
    `FROM ${images.v2}\nHEALTHCHECK --interval=1s --timeout=2s --start-period=600s --retries=3 CMD false\n`,
  );
  images.slow = `${lab.registries.staging.host}/swarm/${SERVICE}:slow`;
  await runChecked(local, { argv: [lab.docker, 'build', '--quiet', '--tag', images.slow, slow] });
  await runChecked(local, { argv: [lab.docker, 'push', '--quiet', images.slow] });
});

const workspace = tempDir('stack');

afterAll(clean);

describe('remote-deploy-ssh, swarm mode, two-node swarm', () => {
  it('creates the service on the first manager that answers, two replicas on two nodes, behind the proxy', async () => {
    const run = await deploy('v1');
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain('not an active Swarm manager');
    expect(run.log).toMatch(/using the Swarm manager deploy@127\.0\.10\.1:2222/);
    const nodes = await onManager(
      'service',
      'ps',
      '--filter',
      'desired-state=running',
      '--format',
      '{{.Node}}',
      SERVICE,
    );
    expect(nodes.split('\n').sort()).toEqual(['lab-host1', 'lab-host2']);
    expect(await served()).toEqual(['v1', 'v1']);
    expect(await specImage()).toBe(JSON.parse(run.outputs.hosts as string)[0].image);
    // slipway status on the manager lists the tasks on every node.
    const status = await runCli(['status', ...labConnectionOptions(lab, manager, SERVICE), '--json']);
    expect(status.code, status.stderr).toBe(0);
    const [host] = JSON.parse(JSON.parse(status.stdout).outputs.hosts) as Array<{
      containers: Array<{ role: string; state: string }>;
    }>;
    expect(host?.containers.map((c) => `${c.role} ${c.state}`).sort()).toEqual([
      'task on lab-host1 running',
      'task on lab-host2 running',
    ]);
  });

  it('updates under continuous load with zero failed requests, none waiting on a task that leaves', async () => {
    const idle = await idleLatency(urls, { workers: 2 });
    const load = startLoad(urls, { workers: 2 });
    const run = await deploy('v2');
    const report = await load.stop();
    expect(run.exitCode, run.log).toBe(0);
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    expect(switchBoundMisses(idle, report.latency)).toEqual([]);
    expect(report.requests).toBeGreaterThan(100);
    expect(await served()).toEqual(['v2', 'v2']);
    expect(run.outputs['previous-image']).toContain('@sha256:');
    console.log(
      `swarm update under load: ${report.requests} requests, ${report.failures} failed, ${run.durationMs} ms; latency idle ${JSON.stringify(idle)}, during ${JSON.stringify(report.latency)}`,
    );
    const again = await deploy('v2');
    expect(again.exitCode, again.log).toBe(0);
    expect(again.outputs.changed).toBe('false');
  });

  it('refuses to move the proxy to another port, changing nothing', async () => {
    const before = await specImage();
    const run = await deploy('v1', { publish: '8087' });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain(`publishes port ${PUBLISH}, not 8087`);
    expect(await specImage()).toBe(before);
  });

  it('rollback: true returns the service to the version before', async () => {
    const run = await deploy(undefined, { rollback: 'true' });
    expect(run.exitCode, run.log).toBe(0);
    expect(await served()).toEqual(['v1', 'v1']);
  });

  it('a broken image: Swarm rolls back, the step fails with the task error, the old version serves', async () => {
    const before = await specImage();
    const load = startLoad(urls, { workers: 1 });
    const run = await deploy('v3');
    const report = await load.stop();
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toContain('Swarm rolled the update back');
    expect(run.log).toMatch(/task errors: .*never passed its health check/);
    expect(await specImage()).toBe(before);
    expect(await served()).toEqual(['v1', 'v1']);
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    expect(JSON.parse(run.outputs.hosts as string)[0].result).toBe('reverted');
    // Rolling back "again" would return to the failed version: refused.
    const again = await deploy(undefined, { rollback: 'true' });
    expect(again.exitCode).not.toBe(0);
    expect(again.log).toContain('was already rolled back');
  });

  it('health-timeout running out while Swarm still updates: Slipway rolls the update back, the old version serves', async () => {
    const before = await specImage();
    const load = startLoad(urls, { workers: 1 });
    const run = await deploy('slow', { 'health-timeout': '15s' });
    const report = await load.stop();
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/not converged after 15 s; Slipway rolled the unfinished update of \S+ back/);
    expect(JSON.parse(run.outputs.hosts as string)[0].result).toBe('reverted');
    expect(await specImage()).toBe(before);
    expect(await served()).toEqual(['v1', 'v1']);
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    const tasks = await onManager(
      'service',
      'ps',
      '--filter',
      'desired-state=running',
      '--no-trunc',
      '--format',
      '{{.Image}}',
      SERVICE,
    );
    expect(tasks.split('\n').every((image) => before.endsWith(image.split('@')[1] ?? '?'))).toBe(true);
  });
});

describe('remote-deploy-ssh, swarm mode, a stack file', () => {
  const STACK_FILE = `version: "3.8"
services:
  web:
    image: set-by-slipway
    ports:
      - { target: 8080, published: 8087, mode: host }
    deploy:
      replicas: 1
      placement:
        constraints: ["node.role == manager"]
`;
  const deployStack = (tag: string) =>
    runBundle(
      'remote-deploy-ssh',
      {
        hosts: `${manager.address}:${manager.sshPort}`,
        username: lab.ssh.user,
        'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
        'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
        swarm: 'true',
        name: STACK,
        'stack-file': 'stack.yml',
        images: `web=${images[tag]}`,
        'health-timeout': '60s',
      },
      { env: { GITHUB_WORKSPACE: workspace } },
    );

  it('deploys the stack with its images pinned, and updates it', async () => {
    writeFileSync(join(workspace, 'stack.yml'), STACK_FILE);
    const url = `http://${manager.address}:8087/version`;
    const first = await deployStack('v1');
    expect(first.exitCode, first.log).toBe(0);
    expect((await (await fetch(url)).text()).trim()).toBe('v1');
    const pinned = JSON.parse(first.outputs.images as string) as Record<string, string>;
    expect(
      await onManager(
        'service',
        'inspect',
        '--format',
        '{{.Spec.TaskTemplate.ContainerSpec.Image}}',
        `${STACK}_web`,
      ),
    ).toBe(pinned.web);
    // Host-mode port: Slipway's update default is stop-first for this service.
    expect(
      await onManager(
        'service',
        'inspect',
        '--format',
        '{{.Spec.UpdateConfig.Order}} {{.Spec.UpdateConfig.FailureAction}}',
        `${STACK}_web`,
      ),
    ).toBe('stop-first rollback');
    const second = await deployStack('v2');
    expect(second.exitCode, second.log).toBe(0);
    expect((await (await fetch(url)).text()).trim()).toBe('v2');
  });
});
