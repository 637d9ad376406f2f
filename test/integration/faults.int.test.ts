/**
 * remote-deploy-ssh under faults, black box: the bundle is interrupted the way the runner's Cancel
 * button does it (SIGINT, SIGTERM, SIGKILL) or killed outright, at moments seen from a lab host's
 * own `docker events`; then its post step runs as the runner runs it, then the deploy is run again.
 * After each: one version in service per host, every request under load answered by it, no secret
 * in any file on the host, no pre-deploy or orphaned container, the lock free.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { acquire } from '../../src/deploy-core/locks';
import { HostSession } from '../../src/deploy-core/session';
import type { SshRunner } from '../../src/ssh/ssh-runner';
import { eventOnHost, nth, stopWatchers } from '../helpers/docker-events';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { connectLabHost } from '../helpers/lab-ssh';
import { startLoad } from '../helpers/load';
import { expectNothingLeft, healthGate, onHost as onLabHost, psOnHost } from '../helpers/lab-host';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { type LabHost, publishFixtureApp } from '../lab/lab';

const lab = inject('lab');
const SERVICE = `test-faults-${randomBytes(3).toString('hex')}`;
const PUBLISH = '8080';
const SECRET = `fault-s3cret-${randomBytes(6).toString('hex')}`;
const LEASE_MS = 4000;
const images: Record<string, string> = {};
const urls = lab.hosts.map((h) => `http://${h.address}:${PUBLISH}/version`);
const [HOST1] = lab.hosts as [LabHost, LabHost];
const figures = { faults: 0, converged: 0, requests: 0, failed: 0 };

const inputs = (version: string, extra: Record<string, string> = {}) => ({
  hosts: lab.hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n'),
  username: lab.ssh.user,
  'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  name: SERVICE,
  image: images[version] as string,
  port: '8080',
  publish: PUBLISH,
  'health-path': '/health',
  'health-timeout': '30s',
  'proxy-image': lab.images.proxy,
  'secret-env': `DB_PASSWORD=${SECRET}`,
  'max-parallel': '1',
  ...extra,
});
const ENV = { SLIPWAY_LOCK_LEASE_MS: String(LEASE_MS) };
const deploy = (
  version: string,
  extra: Record<string, string> = {},
  interrupt?: Promise<'cancel' | 'SIGKILL'>,
) => runBundle('remote-deploy-ssh', inputs(version, extra), { env: ENV, ...(interrupt && { interrupt }) });

const onHost = (host: LabHost, ...argv: string[]) => onLabHost(lab, host, ...argv);

interface Served {
  /** Running app containers on the live network (in service). */
  serving: string[];
  /** Running app containers not in service. */
  orphans: string[];
}

async function inService(host: LabHost): Promise<Served> {
  const names = await psOnHost(
    lab,
    host,
    [`dev.slipway.service=${SERVICE}`, 'dev.slipway.role=app'],
    '{{.Names}}',
  );
  const serving: string[] = [];
  const orphans: string[] = [];
  for (const name of names) {
    const networks = await onHost(
      host,
      'docker',
      'inspect',
      '--format',
      '{{json .NetworkSettings.Networks}}',
      name,
    );
    (Object.keys(JSON.parse(networks)).includes(`slipway-${SERVICE}-live`) ? serving : orphans).push(name);
  }
  return { serving, orphans };
}

/** Everything the promises say must hold on every host after a rerun. */
async function expectConverged(version: string): Promise<void> {
  for (const host of lab.hosts) {
    const state = await inService(host);
    expect(state.serving, `${host.name}: in service`).toHaveLength(1);
    expect(state.orphans, `${host.name}: orphans`).toEqual([]);
    const preDeploy = await onHost(
      host,
      'docker',
      'ps',
      '-a',
      '--filter',
      `label=dev.slipway.service=${SERVICE}`,
      '--filter',
      'label=dev.slipway.role=pre-deploy',
      '--format',
      '{{.Names}}',
    );
    expect(preDeploy, `${host.name}: pre-deploy containers`).toBe('');
    await expectNothingLeft(lab, host, SERVICE, SECRET);
  }
  const answers = await Promise.all(urls.map(async (url) => (await fetch(url)).text()));
  expect(answers.map((a) => a.trim())).toEqual(lab.hosts.map(() => version));
}

/** The runner's way after a cancelled main step: the post step with the state the main step saved. */
function postStep(
  killed: BundleRun,
  version: string,
  extra: Record<string, string> = {},
): Promise<BundleRun> {
  return runBundle('remote-deploy-ssh', inputs(version, extra), { env: ENV, state: killed.state });
}

const removeFromHosts = hostCleanup(lab, SERVICE, serviceCleanup(SERVICE, [`${SERVICE}-gate`]));

async function cleanHosts(): Promise<void> {
  stopWatchers();
  await removeFromHosts();
}

beforeAll(async () => {
  for (const version of ['v1', 'v2'])
    images[version] = await publishFixtureApp(lab.registries.staging, `faults/${SERVICE}`, version);
  const first = await deploy('v1');
  expect(first.exitCode, first.log).toBe(0);
});

afterAll(async () => {
  await cleanHosts();
  console.log(
    `fault matrix: ${figures.faults} faults injected, ${figures.converged} converged; ${figures.requests} requests during the reruns, ${figures.failed} failed`,
  );
});

const liveNetwork = `slipway-${SERVICE}-live`;
const serviceLabel = `label=dev.slipway.service=${SERVICE}`;

const GATE = `${SERVICE}-gate`;
const [, HOST2] = lab.hosts as [LabHost, LabHost];

interface Phase {
  readonly phase: string;
  readonly preDeploy?: string;
  readonly extra?: Record<string, string>;
  /** Makes the phase happen (before the interrupted run), and undoes that before the rerun. */
  readonly setup?: () => Promise<void>;
  readonly teardown?: () => Promise<void>;
  readonly moment: () => Promise<void>;
}

/** Each phase of a deploy, and how host 1's engine shows that it has been reached. */
const PHASES: readonly Phase[] = [
  { phase: 'connecting', moment: () => new Promise((r) => setTimeout(r, 150)) },
  {
    phase: 'pulling',
    moment: () => eventOnHost(lab, HOST1, ['type=image', 'event=pull'], () => true),
  },
  {
    phase: 'pre-deploy',
    preDeploy: 'sleep 20; echo migrated',
    moment: () =>
      eventOnHost(
        lab,
        HOST1,
        ['type=container', 'event=start', serviceLabel, 'label=dev.slipway.role=pre-deploy'],
        () => true,
      ),
  },
  {
    phase: 'new version starting',
    moment: () =>
      eventOnHost(
        lab,
        HOST1,
        ['type=container', 'event=start', serviceLabel, 'label=dev.slipway.role=app'],
        () => true,
      ),
  },
  {
    phase: 'new version in service, old one still serving',
    moment: () =>
      eventOnHost(
        lab,
        HOST1,
        ['type=network', 'event=connect'],
        (e) => e.Actor.Attributes.name === liveNetwork,
      ),
  },
  {
    phase: 'old version stopping',
    moment: () =>
      eventOnHost(
        lab,
        HOST1,
        ['type=container', 'event=kill', serviceLabel, 'label=dev.slipway.role=app'],
        () => true,
      ),
  },
  {
    // Host 2's new version fails its health check (a file on a volume only host 2 has), so host 1,
    // already switched, is switched back: the old version starting again on host 1 is the moment.
    phase: 'switch-back after a failed host',
    extra: { volumes: `${GATE}:/gate`, 'health-cmd': 'test ! -e /gate/fail', 'health-timeout': '6s' },
    setup: () => gate('touch'),
    teardown: () => gate('rm'),
    moment: () =>
      eventOnHost(
        lab,
        HOST1,
        ['type=container', 'event=start', serviceLabel, 'label=dev.slipway.role=app'],
        nth(2),
      ),
  },
];

/** Creates or removes the file that fails host 2's health check. */
const gate = (how: 'touch' | 'rm') => healthGate(lab, HOST2, GATE, images.v1 as string, how);

/** The version serving now: each test deploys the other one, so every deploy is a change. */
let current = 'v1';
const other = () => (current === 'v1' ? 'v2' : 'v1');

describe('remote-deploy-ssh interrupted at every phase converges on the rerun', () => {
  for (const { phase, preDeploy, extra: phaseInputs, setup, teardown, moment } of PHASES) {
    for (const how of ['cancel', 'SIGKILL'] as const) {
      it(`${how === 'cancel' ? 'cancelled (SIGINT, SIGTERM, SIGKILL)' : 'killed (SIGKILL)'} while ${phase}`, async () => {
        const next = other();
        const extra: Record<string, string> = {
          ...phaseInputs,
          ...(preDeploy && { 'pre-deploy': preDeploy }),
        };
        await setup?.();
        const interrupted = await deploy(
          next,
          extra,
          moment().then(() => how),
        );
        figures.faults += 1;
        const post = await postStep(interrupted, next, phaseInputs);
        await teardown?.();
        expect(post.exitCode, post.log).toBe(0);
        expect(post.log).not.toContain(SECRET);
        // Between the interruption and the rerun, every host serves exactly one version.
        for (const host of lab.hosts) expect((await inService(host)).serving, host.name).toHaveLength(1);

        const load = startLoad(urls, { maxMs: 120_000 });
        const rerun = await deploy(next, {
          ...phaseInputs,
          ...(preDeploy && { 'pre-deploy': 'echo migrated' }),
        });
        const report = await load.stop();
        figures.requests += report.requests;
        figures.failed += report.failures;
        expect(rerun.exitCode, rerun.log).toBe(0);
        expect(report.failures, report.failureSamples.join('\n')).toBe(0);
        expect(rerun.log).not.toContain(SECRET);
        await expectConverged(next);
        figures.converged += 1;
        current = next;
      });
    }
  }

  it('a split left by a kill without a post step is repaired by the next deploy of the same digest, never "unchanged"', async () => {
    const next = other();
    const killed = await deploy(
      next,
      {},
      eventOnHost(
        lab,
        HOST1,
        ['type=network', 'event=connect'],
        (e) => e.Actor.Attributes.name === liveNetwork,
      ).then(() => 'SIGKILL' as const),
    );
    figures.faults += 1;
    expect(killed.exitCode).not.toBe(0);
    // No post step (the runner machine died): the lease runs out by itself.
    const split = await inService(HOST1);
    expect(split.serving.length).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, LEASE_MS + 1500));
    const rerun = await deploy(next);
    expect(rerun.exitCode, rerun.log).toBe(0);
    expect(rerun.log).toMatch(/took over the lock/);
    if (split.serving.length > 1) {
      expect(rerun.outputs.changed).toBe('true');
      expect(rerun.log).toMatch(/were both in service/);
    }
    await expectConverged(next);
    figures.converged += 1;
    current = next;
  });
});

describe('locks are leases', () => {
  it('a long deploy keeps its lock; the waiting deploy runs after it, and neither removes the other’s containers', async () => {
    const next = other();
    const long = deploy(next, { 'pre-deploy': `sleep ${(LEASE_MS * 3) / 1000}; echo long-migration-done` });
    await eventOnHost(
      lab,
      HOST1,
      ['type=container', 'event=start', serviceLabel, 'label=dev.slipway.role=pre-deploy'],
      () => true,
    );
    const after = next === 'v1' ? 'v2' : 'v1';
    const waiting = await deploy(after);
    const first = await long;
    expect(first.exitCode, first.log).toBe(0);
    expect(first.log).toContain('long-migration-done');
    expect(waiting.exitCode, waiting.log).toBe(0);
    expect(waiting.log).toMatch(/waiting for the lock held by/);
    expect(waiting.log).not.toMatch(/took over|interrupted deploy/);
    expect(first.log).not.toMatch(/took over|interrupted deploy/);
    await expectConverged(after);
    current = after;
  });

  it('many takers of one stale lock: exactly one wins, every time', async () => {
    const runners: SshRunner[] = await Promise.all(
      Array.from({ length: 4 }, () => connectLabHost(lab, HOST1)),
    );
    const ctx = { holder: 't', runUrl: '', commit: '', now: () => new Date(), log: () => {} };
    try {
      for (let trial = 0; trial < 12; trial++) {
        const dir = `/home/deploy/.slipway/${SERVICE}`;
        // A lock whose holder stopped renewing long ago.
        await onHost(
          HOST1,
          'su',
          'deploy',
          '-c',
          `mkdir -p ${dir}/lock && echo '{"id":"dead${trial}","holder":"gone","time":"","run":"","leaseMs":1000}' > ${dir}/lock/holder.json && touch -d '1 hour ago' ${dir}/lock/holder.json`,
        );
        const results = await Promise.allSettled(
          runners.map((runner, i) =>
            acquire(
              new HostSession(runner, SERVICE),
              { id: `taker${trial}x${i}`, holder: `taker ${i}`, time: '', run: '', leaseMs: 60_000 },
              0,
              ctx,
            ),
          ),
        );
        expect(
          results.filter((r) => r.status === 'fulfilled'),
          `trial ${trial}: ${results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'won')).join(' | ')}`,
        ).toHaveLength(1);
        const holder = JSON.parse(await onHost(HOST1, 'cat', `${dir}/lock/holder.json`));
        const winner = results.findIndex((r) => r.status === 'fulfilled');
        expect(holder.id).toBe(`taker${trial}x${winner}`);
        await new HostSession(runners[0] as SshRunner, SERVICE).lock.release(holder.id);
      }
    } finally {
      await Promise.all(runners.map((r) => r.close()));
    }
  });
});
