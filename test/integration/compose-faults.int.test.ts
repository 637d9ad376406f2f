/**
 * remote-deploy-ssh in Compose mode under faults, black box: interrupted (Cancel button: SIGINT,
 * SIGTERM, SIGKILL; or SIGKILL) at moments seen from a lab host's `docker events`, post step as the
 * runner runs it, then rerun. After each: one container per service, healthy, serving the version
 * deployed; no secret in any file on the host; the lock free.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventOnHost, stopWatchers } from '../helpers/docker-events';
import { hostCleanup } from '../helpers/host-cleanup';
import { expectNothingLeft, psOnHost } from '../helpers/lab-host';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { type LabHost, publishFixtureApp } from '../lab/lab';

const lab = inject('lab');
const PROJECT = `test-cfaults-${randomBytes(3).toString('hex')}`;
const PORT = '8085';
const SECRET = `cfault-s3cret-${randomBytes(6).toString('hex')}`;
const urls = lab.hosts.map((h) => `http://${h.address}:${PORT}/version`);
const workspace = tempDir('compose-faults');
const images: Record<string, string> = {};
const [HOST1] = lab.hosts as [LabHost, LabHost];
const figures = { faults: 0, converged: 0 };

const COMPOSE = `services:
  app:
    image: set-by-slipway
    ports:
      - "${PORT}:8080"
    restart: unless-stopped
`;

const inputs = (version: string) => ({
  hosts: lab.hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n'),
  username: lab.ssh.user,
  'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  'compose-file': 'deploy/compose.yml',
  'compose-project': PROJECT,
  images: `app=${images[version]}`,
  'secret-env': `TOKEN=${SECRET}`,
  'health-timeout': '30s',
  'max-parallel': '1',
});
const ENV = { GITHUB_WORKSPACE: workspace, SLIPWAY_LOCK_LEASE_MS: '4000' };
const deploy = (version: string, interrupt?: Promise<'cancel' | 'SIGKILL'>) =>
  runBundle('remote-deploy-ssh', inputs(version), { env: ENV, ...(interrupt && { interrupt }) });

const removeFromHosts = hostCleanup(lab, PROJECT, [
  `docker ps -aq --filter label=com.docker.compose.project=${PROJECT} | xargs -r docker rm -f >/dev/null`,
  `docker network rm ${PROJECT}_default >/dev/null 2>&1`,
  `rm -rf /home/deploy/.slipway/${PROJECT}`,
]);

beforeAll(async () => {
  mkdirSync(join(workspace, 'deploy'), { recursive: true });
  writeFileSync(join(workspace, 'deploy', 'compose.yml'), COMPOSE);
  for (const version of ['v1', 'v2'])
    images[version] = await publishFixtureApp(lab.registries.staging, `cfaults/${PROJECT}`, version);
  const first = await deploy('v1');
  expect(first.exitCode, first.log).toBe(0);
});

afterAll(async () => {
  stopWatchers();
  await removeFromHosts();
  console.log(`compose fault matrix: ${figures.faults} faults injected, ${figures.converged} converged`);
});

async function expectConverged(version: string): Promise<void> {
  for (const host of lab.hosts) {
    const lines = await psOnHost(
      lab,
      host,
      [`com.docker.compose.project=${PROJECT}`],
      '{{.Label "com.docker.compose.service"}} {{.Status}}',
    );
    expect(lines, `${host.name}: containers`).toHaveLength(1);
    expect(lines[0], `${host.name}: app`).toMatch(/^app Up .*\(healthy\)/);
    await expectNothingLeft(lab, host, PROJECT, SECRET);
  }
  const answers = await Promise.all(urls.map(async (url) => (await fetch(url)).text()));
  expect(answers.map((a) => a.trim())).toEqual(lab.hosts.map(() => version));
}

const PHASES: ReadonlyArray<{ phase: string; moment: () => Promise<void> }> = [
  { phase: 'pulling', moment: () => eventOnHost(lab, HOST1, ['type=image', 'event=pull'], () => true) },
  {
    phase: 'recreating the app',
    moment: () =>
      eventOnHost(
        lab,
        HOST1,
        ['type=container', 'event=create', `label=com.docker.compose.project=${PROJECT}`],
        () => true,
      ),
  },
];

describe('compose mode interrupted at every phase converges on the rerun', () => {
  let current = 'v1';
  for (const { phase, moment } of PHASES) {
    for (const how of ['cancel', 'SIGKILL'] as const) {
      it(`${how === 'cancel' ? 'cancelled (SIGINT, SIGTERM, SIGKILL)' : 'killed (SIGKILL)'} while ${phase}`, async () => {
        const next = current === 'v1' ? 'v2' : 'v1';
        const interrupted: BundleRun = await deploy(
          next,
          moment().then(() => how),
        );
        figures.faults += 1;
        const post = await runBundle('remote-deploy-ssh', inputs(next), {
          env: ENV,
          state: interrupted.state,
        });
        expect(post.exitCode, post.log).toBe(0);
        const rerun = await deploy(next);
        expect(rerun.exitCode, rerun.log).toBe(0);
        expect(rerun.log).not.toContain(SECRET);
        await expectConverged(next);
        figures.converged += 1;
        current = next;
      });
    }
  }
});
