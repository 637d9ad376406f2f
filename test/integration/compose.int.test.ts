/**
 * remote-deploy-ssh in Compose mode on the two lab hosts (docker-compose v1, as Debian ships it):
 * a slow database-like service with a health check and an app that depends on it being healthy.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { hostCleanup } from '../helpers/host-cleanup';
import { onHost as onLabHost, psOnHost } from '../helpers/lab-host';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { publishFixtureApp } from '../lab/lab';
import type { LabHost } from '../lab/lab';
import { tempDir } from '../helpers/temp';

const lab = inject('lab');
const local = new LocalRunner();
const PROJECT = `test-compose-${randomBytes(3).toString('hex')}`;
const PORT = '8085';
const SECRET = `s3cret-${randomBytes(6).toString('hex')}`;
const urls = lab.hosts.map((h) => `http://${h.address}:${PORT}/version`);
const workspace = tempDir('compose');
const images: Record<string, string> = {};
type Host = (typeof lab.hosts)[number];

const COMPOSE = `# A database that takes a few seconds to be ready, and an app that must wait for it.
services:
  db:
    image: set-by-slipway
    environment:
      DELAY: "3"
    volumes:
      - dbdata:/data/store
    restart: unless-stopped
  app:
    image: set-by-slipway
    depends_on:
      db:
        condition: service_healthy
    ports:
      - "${PORT}:8080"
    restart: unless-stopped
volumes:
  dbdata: {}
`;

function deploy(app: string, extra: Record<string, string> = {}): Promise<BundleRun> {
  return runBundle(
    'remote-deploy-ssh',
    {
      hosts: lab.hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n'),
      username: lab.ssh.user,
      'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
      'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
      'compose-file': 'deploy/compose.yml',
      'compose-project': PROJECT,
      images: `db=${images.db}\napp=${images[app]}`,
      env: 'MODE=production',
      'secret-env': `TOKEN=${SECRET}`,
      'health-timeout': '30s',
      ...extra,
    },
    { env: { GITHUB_WORKSPACE: workspace } },
  );
}

const onHost = (host: LabHost, ...argv: string[]) => onLabHost(lab, host, ...argv);

/** service → container id, read on the host directly (not through Slipway). */
async function containers(host: Host): Promise<Record<string, string>> {
  const lines = await psOnHost(
    lab,
    host,
    [`com.docker.compose.project=${PROJECT}`],
    '{{.Label "com.docker.compose.service"}} {{.ID}}',
  );
  const out = lines.join('\n');
  return Object.fromEntries(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(' ')),
  );
}

async function served(): Promise<string[]> {
  return Promise.all(urls.map(async (url) => (await fetch(url)).text().then((t) => t.trim())));
}

function results(run: BundleRun) {
  return JSON.parse(run.outputs.hosts ?? '[]') as Array<{
    result: string;
    error?: string;
    services: Array<{ service: string; restarted: boolean; image: string }>;
  }>;
}

/** This file's compose project on the lab hosts, by its exact project label and names. */
const cleanHosts = hostCleanup(lab, PROJECT, [
  `docker ps -aq --filter label=com.docker.compose.project=${PROJECT} | xargs -r docker rm -f >/dev/null`,
  `docker network rm ${PROJECT}_default >/dev/null 2>&1`,
  `docker volume rm ${PROJECT}_dbdata >/dev/null 2>&1`,
  `rm -rf /home/deploy/.slipway/${PROJECT}`,
]);

beforeAll(async () => {
  await runChecked(local, { argv: ['mkdir', '-p', join(workspace, 'deploy')] });
  writeFileSync(join(workspace, 'deploy', 'compose.yml'), COMPOSE);
  const db = `${lab.registries.staging.host}/compose/${PROJECT}-db:v1`;
  await runChecked(local, { argv: [lab.docker, 'tag', lab.images.slowDb, db] });
  await runChecked(local, { argv: [lab.docker, 'push', '--quiet', db] });
  images.db = db;
  for (const [tag, healthy] of [
    ['v1', true],
    ['v2', true],
    ['v3', false],
  ] as const) {
    images[tag] = await publishFixtureApp(lab.registries.staging, `compose/${PROJECT}-app`, tag, { healthy });
  }
});

afterAll(cleanHosts);

describe('remote-deploy-ssh, compose mode, two lab hosts', () => {
  it('deploys the stack in dependency order with pinned digests; the secret stays off disk and out of the log', async () => {
    const started = performance.now();
    const run = await deploy('v1');
    expect(run.exitCode, run.log).toBe(0);
    // The app waited for the database's health check (it needs DELAY=3 s).
    expect(performance.now() - started).toBeGreaterThan(3000);
    expect(await served()).toEqual(['v1', 'v1']);
    const pinned = JSON.parse(run.outputs.images as string) as Record<string, string>;
    expect(pinned.app).toMatch(/@sha256:[0-9a-f]{64}$/);
    for (const host of lab.hosts) {
      const file = await onHost(host, 'cat', `/home/deploy/.slipway/${PROJECT}/compose.yml`);
      expect(file).toContain(`image: ${pinned.app}`);
      expect(file).toContain(`image: ${pinned.db}`);
      expect(file).toContain('# A database that takes a few seconds');
      // The env file only existed while compose read it; the container got the value.
      expect(await onHost(host, 'ls', '-a', `/home/deploy/.slipway/${PROJECT}`)).not.toContain('slipway.env');
      const app = (await containers(host)).app as string;
      expect(await onHost(host, 'docker', 'inspect', '--format', '{{json .Config.Env}}', app)).toContain(
        `TOKEN=${SECRET}`,
      );
      await onHost(
        host,
        'docker',
        'exec',
        (await containers(host)).db as string,
        'sh',
        '-c',
        'echo precious > /data/store/keep.txt',
      );
    }
    expect(run.log).not.toContain(SECRET);
    expect(run.summary).toContain('| app |');
  });

  it('changing only the app image restarts only the app', async () => {
    const before = await Promise.all(lab.hosts.map(containers));
    const run = await deploy('v2');
    expect(run.exitCode, run.log).toBe(0);
    expect(await served()).toEqual(['v2', 'v2']);
    const after = await Promise.all(lab.hosts.map(containers));
    lab.hosts.forEach((_, i) => {
      expect(after[i]?.db).toBe(before[i]?.db);
      expect(after[i]?.app).not.toBe(before[i]?.app);
    });
    for (const host of results(run)) {
      expect(host.result).toBe('deployed');
      expect(host.services.map((s) => [s.service, s.restarted])).toEqual([
        ['db', false],
        ['app', true],
      ]);
    }
    // The same again: nothing to do, nothing restarted.
    const again = await deploy('v2');
    expect(again.exitCode, again.log).toBe(0);
    expect(again.outputs.changed).toBe('false');
    expect(await Promise.all(lab.hosts.map(containers))).toEqual(after);
  });

  it('a broken app image: the previous stack is restored and keeps answering; volumes intact', async () => {
    const before = await Promise.all(
      lab.hosts.map((h) => onHost(h, 'cat', `/home/deploy/.slipway/${PROJECT}/compose.yml`)),
    );
    const run = await deploy('v3', { 'health-timeout': '8s' });
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toMatch(/the stack is not healthy/);
    expect(run.log).toContain('The previous stack was restored and serves.');
    expect(await served()).toEqual(['v2', 'v2']);
    const after = await Promise.all(
      lab.hosts.map((h) => onHost(h, 'cat', `/home/deploy/.slipway/${PROJECT}/compose.yml`)),
    );
    expect(after).toEqual(before);
    for (const host of lab.hosts) {
      const db = (await containers(host)).db as string;
      expect(await onHost(host, 'docker', 'exec', db, 'cat', '/data/store/keep.txt')).toBe('precious');
    }
  });

  it('require-same-tag refuses images with different tags before anything changes', async () => {
    const before = await Promise.all(lab.hosts.map(containers));
    const audit = await onHost(lab.hosts[0] as Host, 'cat', `/home/deploy/.slipway/${PROJECT}/audit.log`);
    const run = await deploy('v1', {
      'require-same-tag': 'true',
      images: `db=${images.db}\napp=${images.v2}`,
    });
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toContain('input "images": the images carry different tags (db: v1; app: v2)');
    expect(run.log).not.toContain('connected to');
    expect(await Promise.all(lab.hosts.map(containers))).toEqual(before);
    expect(await onHost(lab.hosts[0] as Host, 'cat', `/home/deploy/.slipway/${PROJECT}/audit.log`)).toBe(
      audit,
    );
  });

  it('dry-run says what would change and changes nothing', async () => {
    const before = await Promise.all(lab.hosts.map(containers));
    const run = await deploy('v1', { 'dry-run': 'true' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(/app: \S+@sha256:\S+ → \S+@sha256:/);
    expect(results(run).map((h) => h.result)).toEqual(['planned', 'planned']);
    expect(await Promise.all(lab.hosts.map(containers))).toEqual(before);
    expect(await served()).toEqual(['v2', 'v2']);
  });

  it('rollback: true goes back to the file before the current one', async () => {
    const run = await deploy('v2', { rollback: 'true' });
    expect(run.exitCode, run.log).toBe(0);
    expect(await served()).toEqual(['v1', 'v1']);
    expect(results(run).map((h) => h.result)).toEqual(['rolled-back', 'rolled-back']);
  });

  it('pulls the stack from an authenticated registry with a login that leaves no credentials on the hosts', async () => {
    const { production } = lab.registries;
    const auth = { username: production.username as string, password: production.password as string };
    const moved: Record<string, string> = {};
    for (const [service, source] of [
      ['db', images.db],
      ['app', images.v2],
    ] as const) {
      const destination = `${production.host}/compose/${PROJECT}-${service}`;
      const promoted = await runBundle('promote-between-registries', {
        source: source as string,
        destination,
        'destination-username': auth.username,
        'destination-password': auth.password,
      });
      expect(promoted.exitCode, promoted.log).toBe(0);
      moved[service] = `${destination}:${(source as string).split(':').pop()}`;
    }
    const run = await deploy('v2', {
      images: `db=${moved.db}\napp=${moved.app}`,
      'registry-username': auth.username,
      'registry-password': auth.password,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(await served()).toEqual(['v2', 'v2']);
    expect(run.log).not.toContain(auth.password);
    for (const host of lab.hosts) {
      expect(await onHost(host, 'ls', '-a', `/home/deploy/.slipway/${PROJECT}`)).not.toMatch(/docker-config/);
      const config = await onHost(
        host,
        'sh',
        '-c',
        'cat /home/deploy/.docker/config.json 2>/dev/null || true',
      );
      expect(config).not.toContain(production.host);
    }
  });

  it('env values arrive byte for byte (compose never parses them), off the disk; a rotated secret recreates', async () => {
    const hostile = {
      QUOTED: "'quoted'",
      EXPANDS: 'a${HOME}b $(id) `id`',
      DOCKER_HOST: 'tcp://127.0.0.1:9',
      HOME: '/nowhere',
    };
    const token = `pa$word1 #x "dq" \\ ${SECRET}`;
    const env = ['MODE=production', ...Object.entries(hostile).map(([k, v]) => `${k}=${v}`)].join('\n');
    const run = await deploy('v1', { env, 'secret-env': `TOKEN=${token}` });
    expect(run.exitCode, run.log).toBe(0);
    expect(await served()).toEqual(['v1', 'v1']);
    const envOf = async (host: Host) =>
      JSON.parse(
        await onHost(
          host,
          'docker',
          'inspect',
          '--format',
          '{{json .Config.Env}}',
          (await containers(host)).app as string,
        ),
      ) as string[];
    for (const host of lab.hosts) {
      const got = await envOf(host);
      for (const [k, v] of Object.entries({ ...hostile, TOKEN: token, MODE: 'production' }))
        expect(got).toContain(`${k}=${v}`);
      const dir = `/home/deploy/.slipway/${PROJECT}`;
      expect(await onHost(host, 'ls', '-a', dir)).not.toMatch(/\.env/);
      expect(await onHost(host, 'cat', `${dir}/compose.yml`)).not.toContain(SECRET);
    }
    expect(run.log).not.toContain(SECRET);
    // Only the secret changes: the app is recreated with the new value.
    const before = await Promise.all(lab.hosts.map(containers));
    const rotated = await deploy('v1', { env, 'secret-env': `TOKEN=${token}-rotated` });
    expect(rotated.exitCode, rotated.log).toBe(0);
    expect(rotated.outputs.changed).toBe('true');
    for (const [i, host] of lab.hosts.entries()) {
      expect((await containers(host)).app).not.toBe(before[i]?.app);
      expect(await envOf(host)).toContain(`TOKEN=${token}-rotated`);
    }
  });
});
