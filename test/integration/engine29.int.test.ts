/**
 * Slipway on the lab's Docker 29-era host (lab-host3: the containerd image store, Compose v2 as
 * the docker CLI plugin, a single-node swarm of its own), driven as the runner drives it. The
 * images are built and pushed by that engine itself, through the runner's Docker 28 client and
 * buildx: a plain `docker build` there makes an index holding the image and an attestation
 * manifest, which is what gets pushed, verified, checked for bases and deployed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { labConnectionOptions, runCli } from '../helpers/cli';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { locksOn, onHost as onLabHost, psOnHost } from '../helpers/lab-host';
import { eventOnHost, stopWatchers } from '../helpers/docker-events';
import { getOnce, idleLatency, startLoad, switchBoundMisses } from '../helpers/load';
import { proxyGenerationsOn, proxyImageVariant } from '../helpers/proxy-image';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { LAB_SRC } from '../lab/config';

const lab = inject('lab');
const tools = inject('tools');
const host = lab.modernHost;
const local = new LocalRunner();
const ID = randomBytes(3).toString('hex');
const SERVICE = `test-e29-${ID}`;
const PROJECT = `test-e29c-${ID}`;
const SWARM = `test-e29s-${ID}`;
const SHARED_A = `test-e29a-${ID}`;
const SHARED_B = `test-e29b-${ID}`;
const STACK = `test-e29k-${ID}`;
const PORT = {
  container: '8081',
  compose: '8085',
  swarm: '8086',
  stack: '8087',
  http: '8083',
  https: '8084',
};
const { staging, production } = lab.registries;
const REPO = `${staging.host}/e29/${ID}`;
const SECRET = `s3cret-${randomBytes(6).toString('hex')}`;
const url = (port: string) => `http://${host.address}:${port}/version`;
const images: Record<string, string> = {};
const workspace = tempDir('engine29');

/** The runner's client pointed at the Docker 29 engine, with buildx as its CLI plugin. */
const clientConfig = tempDir('engine29-docker-config');
const engineEnv = { DOCKER_HOST: host.dockerHost, DOCKER_CONFIG: clientConfig };
const engine = (args: string[], extra: { env?: Record<string, string> } = {}) =>
  runChecked(local, { argv: [host.client, ...args], env: { ...engineEnv, ...extra.env } });
const onHost = (...argv: string[]) => onLabHost(lab, host, ...argv);
/** IDs of the images this file built in the Docker 29 engine. */
const built = new Set<string>();
const remember = async (ref: string) =>
  built.add((await engine(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim());

/** Builds the fixture app with the Docker 29 engine (a plain docker build) and tags it `ref`. */
async function buildApp(ref: string, version: string, extra: string[] = []): Promise<string> {
  await engine([
    'build',
    '--quiet',
    '--build-arg',
    `BASE=${lab.images.busyboxInRegistry}`,
    '--build-arg',
    `VERSION=${version}`,
    ...extra,
    '--tag',
    ref,
    join(LAB_SRC, 'fixtures', 'app'),
  ]);
  await remember(ref);
  return ref;
}

async function manifestOf(ref: string): Promise<{
  mediaType: string;
  manifests?: Array<{ platform?: { architecture: string }; annotations?: Record<string, string> }>;
}> {
  const out = await runChecked(local, { argv: [tools.crane as string, 'manifest', '--insecure', ref] });
  return JSON.parse(out.stdout);
}

const craneDigest = async (ref: string) =>
  (await runChecked(local, { argv: [tools.crane as string, 'digest', '--insecure', ref] })).stdout.trim();

const sshInputs = () => ({
  hosts: `${host.address}:${host.sshPort}`,
  username: lab.ssh.user,
  'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
});

const served = async (port: string) => (await (await fetch(url(port))).text()).trim();

function hostsOutput(run: BundleRun): Array<{
  result: string;
  image: string | null;
  services?: Array<{ service: string; restarted: boolean }>;
}> {
  return JSON.parse(run.outputs.hosts ?? '[]');
}

const cleanHosts = hostCleanup(lab, `engine29-${ID}`, [
  ...serviceCleanup(SERVICE),
  `docker ps -aq --filter label=com.docker.compose.project=${PROJECT} | xargs -r docker rm -f >/dev/null`,
  `docker network rm ${PROJECT}_default >/dev/null 2>&1`,
  `docker volume rm ${PROJECT}_dbdata >/dev/null 2>&1`,
  `rm -rf /home/deploy/.slipway/${PROJECT}`,
  `docker service rm ${SWARM} slipway-proxy-${SWARM} >/dev/null 2>&1`,
  'sleep 2',
  `docker network ls -q --filter label=dev.slipway.service=${SWARM} | xargs -r docker network rm >/dev/null 2>&1`,
  `docker config ls -q --filter label=dev.slipway.service=${SWARM} | xargs -r docker config rm >/dev/null 2>&1`,
  `rm -rf /home/deploy/.slipway/${SWARM}`,
  ...serviceCleanup([SHARED_A, SHARED_B]),
  `docker stack rm ${STACK} >/dev/null 2>&1`,
  // The stack's tasks and network go after `stack rm` returns (the teardown saw them left once).
  `for i in $(seq 1 60); do [ -z "$(docker ps -aq --filter label=com.docker.stack.namespace=${STACK})" ] && break; sleep 0.5; done; docker network rm ${STACK}_default >/dev/null 2>&1`,
  `rm -rf /home/deploy/.slipway/${STACK}`,
  // The shared proxy is the host's: only on the Docker 29 host, where this file made it.
  `[ "$(hostname)" = ${host.name} ] && { docker ps -aq --filter label=dev.slipway.role=shared-proxy-generation | xargs -r docker rm -f -v; docker rm -f slipway-proxy; docker volume rm slipway-proxy-data; rm -rf /home/deploy/.slipway/_proxy; } >/dev/null 2>&1`,
  `docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -F '/e29-proxy/${ID}:' | xargs -r docker image rm >/dev/null 2>&1`,
  `docker image ls --format '{{.ID}} {{.Repository}}' | grep -F '/e29/${ID}-' | cut -d' ' -f1 | sort -u | xargs -r docker image rm -f >/dev/null 2>&1`,
]);

afterAll(async () => {
  stopWatchers();
  await cleanHosts();
  // The swarm service's tasks stop after `service rm` returns: its image is in use until they are gone.
  for (let i = 0; i < 60; i++) {
    const tasks = await local.run({
      argv: [
        host.client,
        'ps',
        '--all',
        '--quiet',
        '--filter',
        `label=com.docker.swarm.service.name=${SWARM}`,
      ],
      env: engineEnv,
    });
    if (tasks.stdout.trim() === '') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  // What this file built or pulled in the Docker 29 engine: its repositories, and the builds a
  // later build took the tag from (by ID).
  const listed = await local.run({
    argv: [host.client, 'image', 'ls', '--format', '{{.ID}} {{.Repository}}'],
    env: engineEnv,
  });
  for (const line of listed.stdout.split('\n')) {
    const [id, repository = ''] = line.split(' ');
    if (id && (repository.startsWith(`${REPO}-`) || repository.startsWith(`${production.host}/e29/${ID}-`)))
      built.add(id);
  }
  if (built.size > 0)
    await local.run({ argv: [host.client, 'image', 'rm', '--force', ...built], env: engineEnv });
});

beforeAll(async () => {
  mkdirSync(join(clientConfig, 'cli-plugins'), { recursive: true });
  symlinkSync(tools.buildx as string, join(clientConfig, 'cli-plugins', 'docker-buildx'));
  for (const [tag, healthy] of [
    ['v1', true],
    ['v2', true],
  ] as const) {
    const ref = await buildApp(`${REPO}-app:${tag}`, tag, ['--build-arg', `HEALTHY=${healthy}`]);
    await engine(['push', '--quiet', ref]);
    images[tag] = ref;
  }
}, 240_000);

describe('images built by the Docker 29 engine', () => {
  it('a plain docker build is an index with an attestation manifest; push-registry pushes it and verifies its digest', async () => {
    const ref = `${REPO}-push:20261201-1`;
    await buildApp(ref, 'pushed');
    const localId = (await engine(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim();
    const env = { SLIPWAY_DOCKER: host.client, ...engineEnv };
    const run = await runBundle('push-registry', { tags: ref, 'immutable-tags': '20261201-1' }, { env });
    expect(run.exitCode, run.log).toBe(0);
    const digest = run.outputs.digest as string;
    // The judge: crane reads what the registry serves.
    expect(await craneDigest(ref)).toBe(digest);
    // The containerd store's image ID is the index's digest: what was pushed is what was built.
    expect(digest).toBe(localId);
    const index = await manifestOf(ref);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(
      index.manifests?.map((m) => m.annotations?.['vnd.docker.reference.type'] ?? m.platform?.architecture),
    ).toEqual(['amd64', 'attestation-manifest']);
    expect(run.outputs.refs).toBe(`${REPO}-push@${digest}`);
    // The uploaded layers are found under the index's manifests: their bytes are counted.
    const bytes = /Bytes pushed \| ([\d.]+) (B|KiB|MiB)/.exec(run.summary);
    expect(Number(bytes?.[1]), run.summary).toBeGreaterThan(0);

    // The same version tag again for the same index: allowed; for another build: refused before
    // pushing (a plain docker build records no version: immutable-tags names it).
    const again = await runBundle('push-registry', { tags: ref, 'immutable-tags': '20261201-1' }, { env });
    expect(again.exitCode, again.log).toBe(0);
    await buildApp(ref, 'another');
    const moved = await runBundle('push-registry', { tags: ref, 'immutable-tags': '20261201-1' }, { env });
    expect(moved.exitCode).not.toBe(0);
    expect(moved.log).toContain(`already points to ${digest}`);
    expect(await craneDigest(ref)).toBe(digest);
  });

  it('an index without a linux/amd64 image: its version tag is pushed again, never moved', async () => {
    const context = join(workspace, 'arm64');
    mkdirSync(context, { recursive: true });
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY hello.txt /hello.txt\n');
    const env = { SLIPWAY_DOCKER: host.client, ...engineEnv };
    const ref = `${REPO}-arm64:20261201-2`;
    const build = async (text: string) => {
      writeFileSync(join(context, 'hello.txt'), text);
      await engine(['build', '--quiet', '--platform', 'linux/arm64', '--tag', ref, context]);
      await remember(ref);
    };
    await build('one\n');
    const first = await runBundle('push-registry', { tags: ref, 'immutable-tags': '20261201-2' }, { env });
    expect(first.exitCode, first.log).toBe(0);
    const again = await runBundle('push-registry', { tags: ref, 'immutable-tags': '20261201-2' }, { env });
    expect(again.exitCode, again.log).toBe(0);
    expect(again.outputs.digest).toBe(first.outputs.digest);
    await build('two\n');
    const moved = await runBundle('push-registry', { tags: ref, 'immutable-tags': '20261201-2' }, { env });
    expect(moved.exitCode).not.toBe(0);
    expect(moved.log).toContain(`already points to ${first.outputs.digest}`);
  });

  it('push-registry logs in (private docker config) and pushes an index to the authenticated registry', async () => {
    const ref = `${production.host}/e29/${ID}-auth:v1`;
    await engine(['tag', images.v1 as string, ref]);
    const run = await runBundle(
      'push-registry',
      { tags: ref, username: production.username as string, password: production.password as string },
      { env: { SLIPWAY_DOCKER: host.client, DOCKER_HOST: host.dockerHost } },
    );
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).not.toContain(production.password as string);
    expect(run.outputs.digest).toBe(await craneDigest(images.v1 as string));
  });

  it('base-image-check reads the bases every platform image of an index records', async () => {
    const base = lab.images.busyboxInRegistry;
    const now = await craneDigest(base);
    const old = `sha256:${'0'.repeat(64)}`;
    const other = `${REPO}-base:1`;
    // Two platforms (no RUN: no emulation needed) whose images record different bases: arm64 also
    // records one that has since moved. Only reading every platform image finds it.
    const context = join(workspace, 'bases');
    mkdirSync(context, { recursive: true });
    writeFileSync(join(context, 'hello.txt'), 'hello\n');
    writeFileSync(
      join(context, 'Dockerfile'),
      [
        'FROM scratch AS amd64',
        `LABEL dev.slipway.base-images="${base}@${now}"`,
        'FROM scratch AS arm64',
        `LABEL dev.slipway.base-images="${base}@${now} ${other}@${old}"`,
        'FROM ${TARGETARCH}',
        'COPY hello.txt /hello.txt',
        '',
      ].join('\n'),
    );
    const ref = `${REPO}-bases:latest`;
    await engine(['build', '--quiet', '--platform', 'linux/amd64,linux/arm64', '--tag', ref, context]);
    await remember(ref);
    await engine(['push', '--quiet', ref]);
    const index = await manifestOf(ref);
    expect(
      index.manifests
        ?.filter((m) => m.platform?.architecture !== 'unknown')
        .map((m) => m.platform?.architecture)
        .sort(),
    ).toEqual(['amd64', 'arm64']);
    // The other base does not exist now: "could not be resolved"; push it so it resolves to a new digest.
    await engine(['tag', images.v1 as string, other]);
    await engine(['push', '--quiet', other]);
    const check = await runBundle('base-image-check', { image: ref });
    expect(check.exitCode, check.log).toBe(0);
    expect(check.log).toMatch(
      /is an index \(sha256:[0-9a-f]{64}\): reading the bases its platform images record \(linux\/amd64, linux\/arm64\)/,
    );
    const bases = JSON.parse(check.outputs.bases as string) as Array<{ reference: string; changed: boolean }>;
    expect(bases.map((b) => [b.reference, b.changed])).toEqual([
      [base, false],
      [other, true],
    ]);
    expect(check.outputs.changed).toBe('true');
    expect(check.outputs.reason).toBe('base-moved');

    // An index recording only bases that did not move: up to date.
    const plain = `${REPO}-bases:plain`;
    await buildApp(plain, 'plain', ['--label', `dev.slipway.base-images=${base}@${now}`]);
    await engine(['push', '--quiet', plain]);
    const up = await runBundle('base-image-check', { image: plain });
    expect(up.exitCode, up.log).toBe(0);
    expect(up.outputs.reason).toBe('up-to-date');
  });
});

describe('remote-deploy-ssh on the Docker 29 host', () => {
  const deploy = (tag: string | undefined, extra: Record<string, string> = {}) =>
    runBundle('remote-deploy-ssh', {
      ...sshInputs(),
      name: SERVICE,
      ...(tag && { image: images[tag] as string }),
      port: '8080',
      publish: PORT.container,
      'health-path': '/health',
      'health-timeout': '30s',
      'proxy-image': lab.images.proxy,
      keep: '1',
      ...extra,
    });

  it('single container: v1, then v2 under load with zero failed requests; status, logs and rollback', async () => {
    const first = await deploy('v1');
    expect(first.exitCode, first.log).toBe(0);
    expect(await served(PORT.container)).toBe('v1');
    // The engine pulled the index's linux/amd64 image; the container runs the pinned index digest.
    const pinned = hostsOutput(first)[0]?.image as string;
    expect(pinned).toBe(`${REPO}-app@${await craneDigest(images.v1 as string)}`);

    const idle = await idleLatency([url(PORT.container)], { workers: 2 });
    const load = startLoad([url(PORT.container)], { workers: 2 });
    const second = await deploy('v2');
    const report = await load.stop();
    expect(second.exitCode, second.log).toBe(0);
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    expect(switchBoundMisses(idle, report.latency)).toEqual([]);
    expect(report.requests).toBeGreaterThan(50);
    expect(await served(PORT.container)).toBe('v2');

    const connection = labConnectionOptions(lab, host, SERVICE);
    const status = await runCli(['status', ...connection, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const [state] = JSON.parse(JSON.parse(status.stdout).outputs.hosts) as Array<{
      containers: Array<{ state: string; image: string }>;
      audit: Array<{ action: string; digest: string }>;
    }>;
    expect(state?.containers.find((c) => c.state === 'running')?.image).toBe(
      `${REPO}-app@${second.outputs.digest}`,
    );
    expect(state?.audit.at(-1)).toMatchObject({ action: 'deploy', digest: second.outputs.digest });

    const logs = await runCli(['logs', ...connection, '--tail', '20']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(new RegExp(`^${SERVICE}\\S* \\| `, 'm'));

    const rollingBack = startLoad([url(PORT.container)], { workers: 2 });
    const back = await runCli([
      'rollback',
      ...connection,
      '--proxy-image',
      lab.images.proxy,
      '--publish',
      PORT.container,
      '--port',
      '8080',
      '--health-path',
      '/health',
    ]);
    const rollback = await rollingBack.stop();
    expect(back.code, back.stderr).toBe(0);
    expect(rollback.failures, rollback.failureSamples.join('\n')).toBe(0);
    expect(switchBoundMisses(idle, rollback.latency)).toEqual([]);
    expect(await served(PORT.container)).toBe('v1');
  });

  it('compose: Compose v2 is found and named; the stack comes up; hostile env values arrive byte for byte', async () => {
    mkdirSync(join(workspace, 'deploy'), { recursive: true });
    writeFileSync(
      join(workspace, 'deploy', 'compose.yml'),
      `services:
  db:
    image: set-by-slipway
    environment:
      DELAY: "2"
    volumes:
      - dbdata:/data/store
    restart: unless-stopped
  app:
    image: set-by-slipway
    depends_on:
      db:
        condition: service_healthy
    ports:
      - "${PORT.compose}:8080"
    restart: unless-stopped
volumes:
  dbdata: {}
`,
    );
    const db = `${REPO}-db:v1`;
    await runChecked(local, { argv: [lab.docker, 'tag', lab.images.slowDb, db] });
    await runChecked(local, { argv: [lab.docker, 'push', '--quiet', db] });
    const hostile = {
      QUOTED: "'quoted'",
      EXPANDS: 'a${HOME}b $(id) `id`',
      DOLLARS: '$$ $ {} ${X:-y}',
      DOCKER_HOST: 'tcp://127.0.0.1:9',
      HOME: '/nowhere',
      // Lines of the env input are trimmed at their ends (every mode): inner and leading spaces stay.
      SPACES: '  leading and  inner',
      UNICODE: 'ünïcødé ✓',
    };
    const token = `pa$word1 #x "dq" \\ ${SECRET}`;
    const env = ['MODE=production', ...Object.entries(hostile).map(([k, v]) => `${k}=${v}`)].join('\n');
    const compose = (app: string, extra: Record<string, string> = {}) =>
      runBundle(
        'remote-deploy-ssh',
        {
          ...sshInputs(),
          'compose-file': 'deploy/compose.yml',
          'compose-project': PROJECT,
          images: `db=${db}\napp=${images[app]}`,
          env,
          'secret-env': `TOKEN=${token}`,
          'health-timeout': '30s',
          ...extra,
        },
        { env: { GITHUB_WORKSPACE: workspace } },
      );
    const run = await compose('v1');
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toContain(`${host.address}:${host.sshPort}: Compose 2.32.4 (docker compose)`);
    expect(await served(PORT.compose)).toBe('v1');
    const containers = async () =>
      Object.fromEntries(
        (
          await psOnHost(
            lab,
            host,
            [`com.docker.compose.project=${PROJECT}`],
            '{{.Label "com.docker.compose.service"}} {{.ID}}',
          )
        ).map((l) => l.split(' ')),
      ) as Record<string, string>;
    const app = (await containers()).app as string;
    const got = JSON.parse(
      await onHost('docker', 'inspect', '--format', '{{json .Config.Env}}', app),
    ) as string[];
    for (const [k, v] of Object.entries({ ...hostile, TOKEN: token, MODE: 'production' }))
      expect(got).toContain(`${k}=${v}`);
    const dir = `/home/deploy/.slipway/${PROJECT}`;
    expect(await onHost('ls', '-a', dir)).not.toMatch(/\.env/);
    expect(await onHost('cat', `${dir}/compose.yml`)).not.toContain(SECRET);
    expect(run.log).not.toContain(SECRET);

    const before = await containers();
    const second = await compose('v2');
    expect(second.exitCode, second.log).toBe(0);
    expect(await served(PORT.compose)).toBe('v2');
    const after = await containers();
    expect(after.db).toBe(before.db);
    expect(after.app).not.toBe(before.app);
    expect(hostsOutput(second)[0]?.services?.map((s) => [s.service, s.restarted])).toEqual([
      ['db', false],
      ['app', true],
    ]);

    const status = await runCli(['status', ...labConnectionOptions(lab, host, PROJECT), '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`${REPO}-app@`);
    const back = await compose('v2', { rollback: 'true' });
    expect(back.exitCode, back.log).toBe(0);
    expect(await served(PORT.compose)).toBe('v1');
  });

  it('swarm mode on Docker 29: a service behind the proxy, updated under load, then rolled back', async () => {
    const swarm = (tag: string | undefined, extra: Record<string, string> = {}) =>
      runBundle('remote-deploy-ssh', {
        ...sshInputs(),
        swarm: 'true',
        name: SWARM,
        ...(tag && { image: images[tag] as string }),
        replicas: '2',
        port: '8080',
        publish: PORT.swarm,
        'max-parallel': '1',
        'proxy-image': lab.images.proxy,
        'health-timeout': '90s',
        env: 'MODE=production',
        ...extra,
      });
    const first = await swarm('v1');
    expect(first.exitCode, first.log).toBe(0);
    expect(await served(PORT.swarm)).toBe('v1');
    const idle = await idleLatency([url(PORT.swarm)], { workers: 2 });
    const load = startLoad([url(PORT.swarm)], { workers: 2 });
    const second = await swarm('v2');
    const report = await load.stop();
    expect(second.exitCode, second.log).toBe(0);
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    expect(switchBoundMisses(idle, report.latency)).toEqual([]);
    expect(await served(PORT.swarm)).toBe('v2');
    const spec = await onHost(
      'docker',
      'service',
      'inspect',
      '--format',
      '{{.Spec.TaskTemplate.ContainerSpec.Image}}',
      SWARM,
    );
    expect(spec).toBe(hostsOutput(second)[0]?.image);
    const status = await runCli(['status', ...labConnectionOptions(lab, host, SWARM), '--json']);
    expect(status.code, status.stderr).toBe(0);
    const [state] = JSON.parse(JSON.parse(status.stdout).outputs.hosts) as Array<{
      containers: Array<{ role: string; state: string }>;
    }>;
    expect(state?.containers.map((c) => `${c.role} ${c.state}`)).toEqual([
      'task on lab-host3 running',
      'task on lab-host3 running',
    ]);
    // Logs of a Swarm service: every task's, read through the manager, named by docker's task prefix.
    const logs = await runCli(['logs', ...labConnectionOptions(lab, host, SWARM), '--tail', '5']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(new RegExp(`^${SWARM}\\.[12]@lab-host3 \\| `, 'm'));
    expect(logs.stdout).toMatch(new RegExp(`^slipway-proxy-${SWARM}\\.\\S+@lab-host3 \\| `, 'm'));
    const rollingBack = startLoad([url(PORT.swarm)], { workers: 2 });
    const back = await swarm(undefined, { rollback: 'true' });
    const rollback = await rollingBack.stop();
    expect(back.exitCode, back.log).toBe(0);
    expect(rollback.failures, rollback.failureSamples.join('\n')).toBe(0);
    expect(switchBoundMisses(idle, rollback.latency)).toEqual([]);
    expect(await served(PORT.swarm)).toBe('v1');
  });

  it('a stack file on Docker 29: deployed with its images pinned, then updated', async () => {
    writeFileSync(
      join(workspace, 'stack.yml'),
      `version: "3.8"
services:
  web:
    image: set-by-slipway
    ports:
      - { target: 8080, published: ${PORT.stack}, mode: host }
    deploy:
      replicas: 1
`,
    );
    const stack = (tag: string) =>
      runBundle(
        'remote-deploy-ssh',
        {
          ...sshInputs(),
          swarm: 'true',
          name: STACK,
          'stack-file': 'stack.yml',
          images: `web=${images[tag]}`,
          'health-timeout': '90s',
        },
        { env: { GITHUB_WORKSPACE: workspace } },
      );
    const first = await stack('v1');
    expect(first.exitCode, first.log).toBe(0);
    expect(await served(PORT.stack)).toBe('v1');
    const pinned = JSON.parse(first.outputs.images as string) as Record<string, string>;
    expect(pinned.web).toBe(`${REPO}-app@${await craneDigest(images.v1 as string)}`);
    const spec = () =>
      onHost(
        'docker',
        'service',
        'inspect',
        '--format',
        '{{.Spec.TaskTemplate.ContainerSpec.Image}}',
        `${STACK}_web`,
      );
    expect(await spec()).toBe(pinned.web);
    const second = await stack('v2');
    expect(second.exitCode, second.log).toBe(0);
    expect(await spec()).toBe(`${REPO}-app@${await craneDigest(images.v2 as string)}`);
    for (let i = 0; i < 60 && (await served(PORT.stack).catch(() => '')) !== 'v2'; i++)
      await new Promise((r) => setTimeout(r, 500));
    expect(await served(PORT.stack)).toBe('v2');
  });

  it('the shared proxy on Docker 29: two services by hostname; a switch under load loses nothing; a deploy killed mid-switch converges after its post step and a rerun', async () => {
    const names = { [SHARED_A]: 'a.e29.test', [SHARED_B]: 'b.e29.test' };
    const resolve = Object.fromEntries(Object.values(names).map((n) => [n, host.address]));
    const shared = (service: string, tag: string, options: Parameters<typeof runBundle>[2] = {}) =>
      runBundle(
        'remote-deploy-ssh',
        {
          ...sshInputs(),
          name: service,
          image: images[tag] as string,
          port: '8080',
          'health-path': '/health',
          'health-timeout': '30s',
          'proxy-image': lab.images.proxy,
          hostnames: names[service] as string,
          tls: 'off',
          'http-port': PORT.http,
          'https-port': PORT.https,
        },
        options,
      );
    const at = (service: string) => `http://${names[service]}:${PORT.http}/version`;
    const answer = async (service: string) => (await getOnce(at(service), { resolve })).body;
    for (const service of [SHARED_A, SHARED_B]) {
      const run = await shared(service, 'v1');
      expect(run.exitCode, run.log).toBe(0);
      expect(await answer(service)).toBe('v1');
    }
    const idle = await idleLatency([at(SHARED_A), at(SHARED_B)], { workers: 2, resolve });
    const switching = startLoad([at(SHARED_A), at(SHARED_B)], { workers: 2, resolve });
    const switched = await shared(SHARED_A, 'v2');
    expect(switched.exitCode, switched.log).toBe(0);
    const during = (await switching.stop()).latency;
    expect(switchBoundMisses(idle, during)).toEqual([]);
    const load = startLoad([at(SHARED_A), at(SHARED_B)], { workers: 2, resolve });
    expect(await answer(SHARED_A)).toBe('v2');

    // Killed the moment the new version joins the live network, before the old one leaves it
    // (SLIPWAY_REPEAT_KILL times, between v2 and v1, ending on v2; no lock may be left after any).
    const rounds = Number(process.env.SLIPWAY_REPEAT_KILL) || 1;
    for (let i = 0; i < rounds; i++) {
      const tag = i % 2 === 0 ? 'v2' : 'v1';
      const joined = eventOnHost(
        lab,
        host,
        ['type=network', 'event=connect'],
        (e) => e.Actor.Attributes.name === `slipway-${SHARED_B}-live`,
      );
      const killed = await shared(SHARED_B, tag, { interrupt: joined.then(() => 'SIGKILL' as const) });
      expect(killed.exitCode).not.toBe(0);
      const post = await shared(SHARED_B, tag, { state: killed.state });
      expect(post.exitCode, post.log).toBe(0);
      const rerun = await shared(SHARED_B, tag);
      expect(rerun.exitCode, rerun.log).toBe(0);
      expect(
        await onHost(
          'sh',
          '-c',
          `ls -d /home/deploy/.slipway/${SHARED_B}/lock* /home/deploy/.slipway/_proxy/lock* 2>/dev/null; true`,
        ),
        `round ${i + 1}`,
      ).toBe('');
    }
    if (rounds % 2 === 0) expect((await shared(SHARED_B, 'v2')).exitCode).toBe(0);
    const report = await load.stop();
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    expect(report.requests).toBeGreaterThan(50);
    // One version serves b: every answer after the rerun is v2, and one container of it runs.
    const answers = await Promise.all(Array.from({ length: 20 }, () => answer(SHARED_B)));
    expect(new Set(answers)).toEqual(new Set(['v2']));
    expect(
      await psOnHost(lab, host, [`dev.slipway.service=${SHARED_B}`, 'dev.slipway.role=app'], '{{.Names}}'),
    ).toHaveLength(1);
    expect(await locksOn(lab, host, SHARED_B, '_proxy')).toBe('');
  });

  it("the shared proxy on Docker 29 upgraded to another proxy-image under load: by the CLI from today's layout, then by the action killed (SIGKILL) as the old generation stops, then cancelled (SIGINT…SIGKILL) as a third starts: 0 failed; post steps and reruns converge", async () => {
    const names = { [SHARED_A]: 'a.e29.test', [SHARED_B]: 'b.e29.test' };
    const resolve = Object.fromEntries(Object.values(names).map((n) => [n, host.address]));
    const urls = [SHARED_A, SHARED_B].map((s) => `http://${names[s]}:${PORT.http}/version`);
    const [first, second] = [
      await proxyImageVariant(lab, tools, `e29-proxy/${ID}`, 'one'),
      await proxyImageVariant(lab, tools, `e29-proxy/${ID}`, 'two'),
    ];
    const shared = [
      '--port',
      '8080',
      '--health-path',
      '/health',
      '--tls',
      'off',
      '--http-port',
      PORT.http,
      '--https-port',
      PORT.https,
    ];
    const load = startLoad(urls, { workers: 2, resolve });
    const cli = await runCli([
      'deploy',
      ...labConnectionOptions(lab, host, SHARED_A),
      '--image',
      images.v2 as string,
      '--hostnames',
      names[SHARED_A] as string,
      ...shared,
      '--proxy-image',
      first.ref,
    ]);
    expect(cli.code, `${cli.stdout}\n${cli.stderr}`).toBe(0);
    expect(`${cli.stdout}${cli.stderr}`).toContain('the shared proxy serves from slipway-proxy.1');
    const migrated = await load.stop();

    const action = (options: Parameters<typeof runBundle>[2] = {}, proxyImage = second.ref) =>
      runBundle(
        'remote-deploy-ssh',
        {
          ...sshInputs(),
          name: SHARED_B,
          image: images.v2 as string,
          port: '8080',
          'health-path': '/health',
          hostnames: names[SHARED_B] as string,
          tls: 'off',
          'http-port': PORT.http,
          'https-port': PORT.https,
          'proxy-image': proxyImage,
        },
        options,
      );
    const during = startLoad(urls, { workers: 2, resolve });
    /** The moment the host's engine reports `event` for the proxy generation `name`. */
    const generationEvent = (event: string, name: string) =>
      eventOnHost(lab, host, ['type=container', `event=${event}`], (e) => e.Actor.Attributes.name === name);
    const oldStops = generationEvent('kill', 'slipway-proxy.1');
    const killed = await action({ interrupt: oldStops.then(() => 'SIGKILL' as const) });
    expect(killed.exitCode, killed.log).not.toBe(0);
    const post = await action({ state: killed.state });
    expect(post.exitCode, post.log).toBe(0);
    const rerun = await action();
    expect(rerun.exitCode, rerun.log).toBe(0);
    const interrupted = await during.stop();
    console.log(
      `engine29 proxy upgrade: ${JSON.stringify({ migrated: { requests: migrated.requests, failures: migrated.failures, latency: migrated.latency }, killedAndRerun: { requests: interrupted.requests, failures: interrupted.failures, latency: interrupted.latency }, killedExit: killed.exitCode })}`,
    );
    expect(migrated.failures, migrated.failureSamples.join('\n')).toBe(0);
    expect(interrupted.failures, interrupted.failureSamples.join('\n')).toBe(0);
    expect(migrated.requests + interrupted.requests).toBeGreaterThan(100);
    expect(await proxyGenerationsOn(lab, host, 'slipway-proxy.2')).toEqual({
      generations: 'slipway-proxy.2 running',
      image: `${lab.registries.staging.host}/e29-proxy/${ID}@${second.digest}`,
    });
    expect(await locksOn(lab, host, SHARED_B, '_proxy')).toBe('');
    for (const url of urls) expect((await getOnce(url, { resolve })).body).toBe('v2');

    // The holder restarted alone (a crash, `docker restart`): generation 2 listens in a namespace
    // that is gone; the same deploy again, with nothing to change, restarts it in the holder's.
    await onHost('docker', 'restart', 'slipway-proxy');
    const again = await action();
    expect(again.exitCode, again.log).toBe(0);
    expect(again.log).toContain('slipway-proxy.2 started before slipway-proxy');
    for (const url of urls) expect((await getOnce(url, { resolve })).body).toBe('v2');

    // Cancelled (SIGINT, then SIGTERM, SIGKILL) as a third generation starts: its post step and
    // the rerun leave generation 3 serving alone, no lock, nothing failed meanwhile.
    const third = await proxyImageVariant(lab, tools, `e29-proxy/${ID}`, 'three');
    const cancelLoad = startLoad(urls, { workers: 2, resolve });
    const thirdStarts = generationEvent('start', 'slipway-proxy.3');
    const cancelled = await action({ interrupt: thirdStarts.then(() => 'cancel' as const) }, third.ref);
    const cancelPost = await action({ state: cancelled.state }, third.ref);
    expect(cancelPost.exitCode, cancelPost.log).toBe(0);
    const cancelRerun = await action({}, third.ref);
    expect(cancelRerun.exitCode, cancelRerun.log).toBe(0);
    const cancelReport = await cancelLoad.stop();
    expect(cancelReport.failures, cancelReport.failureSamples.join('\n')).toBe(0);
    expect((await proxyGenerationsOn(lab, host, 'slipway-proxy.3')).generations).toBe(
      'slipway-proxy.3 running',
    );
    expect(await locksOn(lab, host, SHARED_B, '_proxy')).toBe('');
    for (const url of urls) expect((await getOnce(url, { resolve })).body).toBe('v2');
  });
});
