/**
 * The CI half of the pipeline, each action run as the runner runs it (the bundle under Node 24,
 * INPUT_* variables, output files), against the lab's engine and registries.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { LocalRunner } from '../../src/command/local-runner';
import { RegistryClient } from '../../src/registry/client';
import { utcDate } from '../../src/build-and-tag/tags';
import { startFaultProxy } from '../helpers/fault-proxy';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { LAB_SRC } from '../lab/config';
import { tempDir } from '../helpers/temp';

const lab = inject('lab');
const local = new LocalRunner();
const SECRET_PASSWORD = lab.registries.production.password as string;
const BUILD_SECRET = `build-secret-${randomBytes(6).toString('hex')}`;
const APP_CONTEXT = join(LAB_SRC, 'fixtures', 'app');
const env = { SLIPWAY_DOCKER: lab.docker, SLIPWAY_RETRY_BASE_MS: '100' };

/** A recorded push event to the default branch. */
function pushEvent(run: number) {
  const dir = tempDir('event');
  const path = join(dir, 'event.json');
  writeFileSync(
    path,
    JSON.stringify({
      ref: 'refs/heads/main',
      repository: { default_branch: 'main', full_name: 'acme/shop' },
    }),
  );
  return {
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: path,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: 'c0ffee00112233445566778899aabbccddeeff00',
    GITHUB_RUN_NUMBER: String(run),
    GITHUB_RUN_ID: '4242',
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SERVER_URL: 'https://github.com',
  };
}

const production = new RegistryClient(lab.registries.production.host, {
  insecure: true,
  credentials: { username: lab.registries.production.username as string, password: SECRET_PASSWORD },
});

function lines(text: string | undefined): string[] {
  return (text ?? '').split('\n').filter(Boolean);
}

describe('build → test → push on the lab', () => {
  const run = 1000 + Math.floor(Math.random() * 8000);
  const repo = `fixture/shop-${randomBytes(3).toString('hex')}`;
  let tags: string[] = [];
  let imageId = '';

  it('build-and-tag builds the fixture app with the default tags of a push to main', async () => {
    const result = await runBundle(
      'build-and-tag',
      {
        image: `${lab.registries.production.host}/${repo}`,
        context: APP_CONTEXT,
        'build-args': `BASE=${lab.images.busyboxInRegistry}\nVERSION=v-${run}`,
        secrets: `token=${BUILD_SECRET}`,
      },
      { env: { ...env, ...pushEvent(run) } },
    );
    expect(result.exitCode, result.log).toBe(0);
    const version = `${utcDate(new Date())}-${run}`;
    expect(result.outputs.version).toBe(version);
    tags = lines(result.outputs.tags);
    expect(tags).toEqual([
      `${lab.registries.production.host}/${repo}:${version}`,
      `${lab.registries.production.host}/${repo}:sha-c0ffee0`,
      `${lab.registries.production.host}/${repo}:latest`,
    ]);
    imageId = result.outputs['image-id'] as string;
    expect(imageId).toMatch(/^sha256:[a-f0-9]{64}$/);
    const bases = JSON.parse(result.outputs['base-images'] as string) as Array<{
      reference: string;
      digest: string;
    }>;
    const servedBase = await new RegistryClient(lab.registries.staging.host, { insecure: true }).headManifest(
      'base/busybox',
      '1',
    );
    expect(bases).toEqual([
      { reference: lab.images.busyboxInRegistry, digest: servedBase?.digest, source: 'registry' },
    ]);
    expect(lines(result.outputs.labels)).toContain(
      'org.opencontainers.image.revision=c0ffee00112233445566778899aabbccddeeff00',
    );
    expect(JSON.parse(result.outputs.metadata as string)).toMatchObject({
      imageId,
      version,
      layers: expect.any(Number),
    });
    expect(result.summary).toContain('| Image id |');
    expect(result.summary).toContain(lab.images.busyboxInRegistry);

    // The build secret was usable during the build, and is nowhere: not in the log, the image or its history.
    expect(result.masked).toContain(BUILD_SECRET);
    expect(result.log).not.toContain(BUILD_SECRET);
    const length = await local.run({
      argv: [lab.docker, 'run', '--rm', imageId, 'cat', '/build-secret-length'],
    });
    expect(Number(length.stdout.trim())).toBe(BUILD_SECRET.length);
    const history = await local.run({ argv: [lab.docker, 'image', 'history', '--no-trunc', imageId] });
    const inspect = await local.run({ argv: [lab.docker, 'image', 'inspect', imageId] });
    expect(history.stdout + inspect.stdout).not.toContain(BUILD_SECRET);
    const fs = await local.run({
      // (not / itself: grep would read /proc forever)
      argv: [
        lab.docker,
        'run',
        '--rm',
        imageId,
        'grep',
        '-rl',
        BUILD_SECRET,
        '/www',
        '/app',
        '/etc',
        '/tmp',
        '/root',
        '/build-secret-length',
      ],
    });
    expect(fs.stdout.trim()).toBe('');
  });

  it('test-in-container waits for a slow service by its health check and passes', async () => {
    const result = await runBundle(
      'test-in-container',
      {
        image: imageId,
        run: '/app/test.sh',
        services: `- name: db\n  image: ${lab.images.slowDb}\n  env:\n    DELAY: "4"\n`,
        env: 'DB_HOST=db\nDB_PORT=6379\nREPORT=/reports/junit.xml',
        reports: '/reports',
        'wait-timeout': '60s',
      },
      { env },
    );
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({ 'exit-code': '0', passed: '2', failed: '0', skipped: '0' });
    expect(existsSync(result.outputs.report as string)).toBe(true);
    const ready = /Service db is ready \(health check\) after ([\d.]+) s/.exec(result.log);
    expect(Number(ready?.[1])).toBeGreaterThanOrEqual(4);
    expect(result.log).toContain('2 passed, 0 failed');
    expect(result.summary).toContain('| db |');
    await expectNoLeftovers(result);
  });

  it('test-in-container fails with the right counts and annotations when tests fail', async () => {
    const result = await runBundle(
      'test-in-container',
      {
        image: imageId,
        run: '/app/test.sh',
        env: 'FAIL_TESTS=2\nREPORT=/tmp/out/junit.xml',
        reports: '/tmp/out/junit.xml',
      },
      { env },
    );
    expect(result.exitCode).toBe(1);
    expect(result.outputs).toMatchObject({ 'exit-code': '1', passed: '1', failed: '2', skipped: '0' });
    expect(result.log).toMatch(/::error title=app › deliberate_failure_1,file=test\.sh,line=24::/);
    expect(result.log).toContain(
      '::error::the tests failed with exit code 1 (1 passed, 2 failed, 0 skipped)',
    );
    await expectNoLeftovers(result);
  });

  it('test-in-container says which service never got ready, with its logs', async () => {
    const result = await runBundle(
      'test-in-container',
      {
        image: imageId,
        run: 'true',
        services: `- name: db\n  image: ${lab.images.slowDb}\n  env: { DELAY: "600" }\n`,
        'wait-timeout': '3s',
      },
      { env },
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain(
      `service db (docker.io/${lab.images.slowDb}) was not ready (health check) within 3 s`,
    );
    expect(result.log).toContain('starting, ready in 600s');
    await expectNoLeftovers(result);
  });

  it("test-in-container's env reaches only the container, never the runner's docker client", async () => {
    const value = `pa$word1 #x 'q' "d" \${HOME}`;
    const result = await runBundle(
      'test-in-container',
      {
        image: imageId,
        run: `printf '[%s]\\n' "$DOCKER_HOST" "$HOME" "$P"`,
        env: `DOCKER_HOST=tcp://127.0.0.1:9\nHOME=/nowhere\nP=${value}`,
      },
      { env },
    );
    expect(result.exitCode, result.log).toBe(0);
    expect(result.log).toContain('[tcp://127.0.0.1:9]');
    expect(result.log).toContain('[/nowhere]');
    expect(result.log).toContain(`[${value}]`);
    expect(result.log).not.toContain('docker run --env');
    await expectNoLeftovers(result);
  });

  it('push-registry logs in privately, pushes every tag and reads the digest back', async () => {
    const runnerTemp = tempDir('runner-temp');
    const result = await runBundle(
      'push-registry',
      {
        tags: tags.join('\n'),
        username: lab.registries.production.username as string,
        password: SECRET_PASSWORD,
      },
      { env: { ...env, RUNNER_TEMP: runnerTemp } },
    );
    expect(result.exitCode, result.log).toBe(0);
    const digest = result.outputs.digest as string;
    expect(digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(lines(result.outputs.refs)).toEqual([`${lab.registries.production.host}/${repo}@${digest}`]);
    for (const tag of ['latest', `sha-c0ffee0`]) {
      expect((await production.headManifest(repo, tag))?.digest).toBe(digest);
    }
    expect(result.masked).toContain(SECRET_PASSWORD);
    expect(result.log).not.toContain(SECRET_PASSWORD);
    expect(result.summary).toContain('Retries used');
    // A new repository: every layer was uploaded, and the summary counts their bytes.
    expect(result.summary).toMatch(/\| Bytes pushed \| [1-9][0-9.]* (B|KiB|MiB) \|/);
    // The private docker config (and the login in it) is gone.
    expect(readdirSync(runnerTemp).filter((f) => f.startsWith('slipway-docker-config-'))).toEqual([]);

    // Pulling back by digest gives the image that was built.
    const config = tempDir('cfg', { secret: true });
    await local.run({
      argv: [
        lab.docker,
        'login',
        '-u',
        lab.registries.production.username as string,
        '--password-stdin',
        lab.registries.production.host,
      ],
      stdin: SECRET_PASSWORD,
      env: { DOCKER_CONFIG: config },
    });
    const pulled = await local.run({
      argv: [lab.docker, 'pull', `${lab.registries.production.host}/${repo}@${digest}`],
      env: { DOCKER_CONFIG: config },
    });
    expect(pulled.exitCode, pulled.stderr).toBe(0);
    const id = await local.run({
      argv: [
        lab.docker,
        'image',
        'inspect',
        '--format',
        '{{.Id}}',
        `${lab.registries.production.host}/${repo}@${digest}`,
      ],
    });
    expect(id.stdout.trim()).toBe(imageId);
  });

  it('push-registry retries a registry that answers 503 twice, then succeeds', async () => {
    // docker retries blob uploads by itself and shrugs off a failed ping; a 503 on the manifest PUT
    // fails the whole push, so that is where the registry's two failures land.
    const proxy = await startFaultProxy(
      { host: '127.0.0.1', port: Number(lab.registries.staging.host.split(':')[1]) },
      {
        failures: 2,
        status: 503,
        when: (req) => req.method === 'PUT' && (req.url ?? '').includes('/manifests/'),
      },
    );
    try {
      const ref = `${proxy.host}:${proxy.port}/fixture/retry:${run}`;
      await local.run({ argv: [lab.docker, 'tag', imageId, ref] });
      const result = await runBundle('push-registry', { tags: ref, retries: '3' }, { env });
      expect(result.exitCode, result.log).toBe(0);
      expect(proxy.faultsInjected()).toBe(2);
      expect(result.log).toMatch(/retry 1 of 3/);
      expect(result.log).toMatch(/retry 2 of 3/);
      expect(result.summary).toMatch(/\| Retries used \| 2 \|/);
    } finally {
      await proxy.close();
    }
  });

  it('push-registry never retries an authentication failure', async () => {
    const result = await runBundle(
      'push-registry',
      { tags: tags[0] as string, username: 'slipway', password: 'wrong-password', retries: '3' },
      { env },
    );
    expect(result.exitCode).toBe(1);
    expect(result.log).not.toMatch(/retry 1 of/);
    expect(result.log).not.toContain('wrong-password');
  });

  it('refuses bad inputs before any command runs, naming the input', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['build-and-tag', { image: 'shop;touch /tmp/x' }, 'input "image"'],
      ['build-and-tag', { image: 'shop', tags: '{nope}' }, 'input "tags"'],
      ['test-in-container', { image: 'app', timeout: '-5' }, 'input "timeout"'],
      [
        'test-in-container',
        { image: 'app', services: '- name: db\n  image: x\n  colour: red' },
        'unknown key "colour"',
      ],
      ['test-in-container', { image: 'app', services: '- name: "db;rm"\n  image: x' }, 'input "services"'],
      ['push-registry', { tags: 'app:1\nbad\nname:2' }, 'input "tags"'],
      ['push-registry', { tags: 'app:1', username: 'u' }, 'input "password"'],
    ];
    for (const [action, inputs, message] of cases) {
      const result = await runBundle(action, inputs, { env });
      expect(result.exitCode, `${action} ${JSON.stringify(inputs)}`).toBe(1);
      expect(result.log).toContain(message);
      expect(result.log).not.toContain('docker build');
    }
  });
});

/** This run's test session (named in its log) left no container and no network behind. */
async function expectNoLeftovers(run: BundleRun) {
  const session = /Network (slipway-test-[a-f0-9]+)/.exec(run.log)?.[1];
  expect(session, run.log).toBeDefined();
  const containers = await local.run({
    argv: [lab.docker, 'ps', '-a', '--quiet', '--filter', `label=dev.slipway.test-run=${session}`],
  });
  expect(containers.exitCode).toBe(0);
  expect(containers.stdout.trim()).toBe('');
  const networks = await local.run({
    argv: [lab.docker, 'network', 'ls', '--quiet', '--filter', `name=^${session}$`],
  });
  expect(networks.exitCode).toBe(0);
  expect(networks.stdout.trim()).toBe('');
}
