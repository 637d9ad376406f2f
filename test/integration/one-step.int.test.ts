/**
 * The root action (build → test → push in one process), base-image-check, and the slipway CLI, on
 * the lab: real BuildKit builds, the staging registry, the deploy hosts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { resolveReferenceDigest } from '../../src/registry/resolve';
import { labConnectionOptions, runCli } from '../helpers/cli';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { runBundle } from '../helpers/run-bundle';
import { LAB_SRC } from '../lab/config';
import type { LabHost } from '../lab/lab';

const lab = inject('lab');
const local = new LocalRunner();
const ID = randomBytes(3).toString('hex');
const STAGING = lab.registries.staging.host;
const APP_CONTEXT = join(LAB_SRC, 'fixtures', 'app');
/** The app's base lives in a repository of its own, so the test can move it. */
const BASE = `${STAGING}/base-${ID}/busybox:1`;
const env = { SLIPWAY_DOCKER: lab.docker, GITHUB_SHA: 'c0ffee00112233445566778899aabbccddeeff00' };
const docker = (...argv: string[]) => runChecked(local, { argv: [lab.docker, ...argv] });

const cli = (args: string[]) => runCli(args, { ...env, SLIPWAY_BUILD_NUMBER: '7' });

const SERVICE = `test-cli-${ID}`;
afterAll(hostCleanup(lab, SERVICE, serviceCleanup(SERVICE)));

describe('one step: the root action', () => {
  const image = `${STAGING}/onestep/shop-${ID}`;

  it('builds, tests with a service and pushes in one process; the base is recorded in the image', async () => {
    await docker('tag', lab.images.busybox, BASE);
    await docker('push', '--quiet', BASE);
    const run = await runBundle(
      'pipeline',
      {
        image,
        context: APP_CONTEXT,
        'build-args': `BASE=${BASE}\nVERSION=one-step`,
        run: '/app/test.sh',
        reports: '/tmp/junit.xml',
        services: `- name: db\n  image: ${lab.images.slowDb}\n  env: { DELAY: "1" }\n`,
        env: 'DB_HOST=db',
      },
      { env },
    );
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.outputs['exit-code']).toBe('0');
    const tags = (run.outputs.tags ?? '').split('\n');
    expect(tags).toContain(`${image}:sha-c0ffee0`);
    for (const tag of tags) expect(await resolveReferenceDigest(tag)).toBe(run.outputs.digest);
    expect(JSON.parse(run.outputs['base-images'] as string)[0]).toMatchObject({
      reference: BASE,
      source: 'registry',
    });
    // One summary with the three parts.
    expect(run.summary).toMatch(/Built[\s\S]*Tests in[\s\S]*Pushed/);
  });

  it('refuses a bad push input before building anything', async () => {
    const run = await runBundle('pipeline', { image, context: APP_CONTEXT, retries: '99' }, { env });
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('input "retries"');
    expect(run.log).not.toContain('docker build');
  });

  it('base-image-check: unchanged, then the base moves and a rebuild is asked for', async () => {
    const same = await runBundle('base-image-check', { image: `${image}:sha-c0ffee0` }, { env });
    expect(same.exitCode, same.log).toBe(0);
    expect(same.outputs.changed).toBe('false');
    expect(same.outputs.reason).toBe('up-to-date');
    // A new base under the same tag (a security fix upstream).
    await docker(
      'build',
      '--quiet',
      '--tag',
      BASE,
      '--build-arg',
      `BASE=${lab.images.busybox}`,
      join(LAB_SRC, 'fixtures', 'slow-db'),
    );
    await docker('push', '--quiet', BASE);
    const moved = await runBundle('base-image-check', { image: `${image}:sha-c0ffee0` }, { env });
    expect(moved.exitCode, moved.log).toBe(0);
    expect(moved.outputs.changed).toBe('true');
    const [base] = JSON.parse(moved.outputs.bases as string) as Array<{ built: string; now: string }>;
    expect(base?.now).toBe(await resolveReferenceDigest(BASE));
    expect(base?.built).not.toBe(base?.now);
    const missing = await runBundle('base-image-check', { image: `${image}-never-built:latest` }, { env });
    expect(missing.outputs).toMatchObject({ changed: 'true', reason: 'image-missing' });
  });
});

describe('the slipway CLI', () => {
  const image = `${STAGING}/cli/shop-${ID}`;
  let digest = '';

  it('ci --json: the same build, test and push, outputs as JSON for scripts', async () => {
    const result = await cli([
      'ci',
      '--image',
      image,
      '--context',
      APP_CONTEXT,
      '--build-args',
      `BASE=${lab.images.busyboxInRegistry}`,
      '--build-args',
      'VERSION=from-cli',
      '--run',
      '/app/test.sh',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { ok: boolean; outputs: Record<string, string> };
    expect(json.ok).toBe(true);
    digest = json.outputs.digest as string;
    expect(await resolveReferenceDigest(`${image}:${json.outputs.version}`)).toBe(digest);
    // The version follows the same rules outside GitHub (here SLIPWAY_BUILD_NUMBER).
    expect(json.outputs.version).toMatch(/^\d{8}-7$/);
  });

  it('deploy, then status shows what runs where and the audit log; bad input exits 2', async () => {
    const connection = labConnectionOptions(lab, lab.hosts[0] as LabHost, SERVICE);
    const deploy = await cli([
      'deploy',
      ...connection,
      '--image',
      `${image}@${digest}`,
      '--health-timeout',
      '30s',
    ]);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout).toContain(`digest=${digest}`);
    expect(deploy.stderr).not.toContain(
      readFileSync(lab.ssh.privateKeyPath, 'utf8').split('\n')[1] as string,
    );
    const status = await cli(['status', ...connection, '--json']);
    expect(status.code, status.stderr).toBe(0);
    const hosts = JSON.parse(JSON.parse(status.stdout).outputs.hosts) as Array<{
      containers: Array<{ state: string; image: string; since: string }>;
      audit: Array<{ action: string; digest: string }>;
    }>;
    expect(hosts[0]?.containers[0]).toMatchObject({ state: 'running', image: `${image}@${digest}` });
    expect(Date.parse(hosts[0]?.containers[0]?.since as string)).toBeGreaterThan(Date.now() - 600_000);
    expect(hosts[0]?.audit.at(-1)).toMatchObject({ action: 'deploy', digest });
    const bad = await cli(['deploy', ...connection, '--image', 'Not A Reference', '--json']);
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toContain('input "image"');
    // A summary for people: plain text, no Markdown, no workflow commands.
    expect(deploy.stderr).not.toMatch(/^\||^::|%0A|###/m);
  });

  it("logs prints the service containers' lines; status of a service that does not exist fails and says so", async () => {
    const connection = labConnectionOptions(lab, lab.hosts[0] as LabHost, SERVICE);
    const logs = await cli(['logs', ...connection, '--tail', '20', '--since', '1h']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(new RegExp(`^${SERVICE}\\S* \\| `, 'm'));
    const missing = labConnectionOptions(lab, lab.hosts[0] as LabHost, `never-deployed-${ID}`);
    const status = await cli(['status', ...missing]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain(`no service named never-deployed-${ID} on the host`);
  });

  it('push refuses to move an existing version tag to another image; allow-overwrite moves it', async () => {
    const version = `${image}:20261122-0`;
    const build = (v: string) =>
      runChecked(local, {
        argv: [
          lab.docker,
          'build',
          '--quiet',
          '--build-arg',
          `BASE=${lab.images.busyboxInRegistry}`,
          '--build-arg',
          `VERSION=${v}`,
          '-t',
          version,
          APP_CONTEXT,
        ],
        env: { DOCKER_BUILDKIT: '1' },
      });
    // A plain docker build records no version in its labels: --immutable-tags names it.
    const push = (...extra: string[]) =>
      cli(['push', '--tags', version, '--immutable-tags', '20261122-0', ...extra]);
    await build('first');
    expect((await push()).code).toBe(0);
    expect((await push()).code).toBe(0); // the same image again
    const pushed = await resolveReferenceDigest(version);
    await build('second');
    const refused = await push();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refusing to move it (set allow-overwrite: true to move it)');
    expect(await resolveReferenceDigest(version)).toBe(pushed);
    const moved = await push('--allow-overwrite');
    expect(moved.code, moved.stderr).toBe(0);
    expect(await resolveReferenceDigest(version)).not.toBe(pushed);
  });

  it('off CI the version is made of the commit, so two commits never share it', async () => {
    const result = await runCli(
      [
        'build',
        '--image',
        `${image}-local`,
        '--context',
        APP_CONTEXT,
        '--build-args',
        `BASE=${lab.images.busyboxInRegistry}`,
        '--json',
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).outputs.version).toMatch(/^\d{8}-c0ffee0$/);
  });
});
