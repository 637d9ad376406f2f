/**
 * Day two on the hosts (issue 30), on a 20.10 host and the Docker 29 host at once: the deploy
 * freeze (the CLI's `slipway lock` and remote-deploy-ssh's lock-* operations). One service is
 * deployed once and shared by the tests of this file.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HostFreeze } from '../../src/deploy-core/freeze';
import { HostLock } from '../../src/deploy-core/lease';
import { labConnectionOptions, runCli } from '../helpers/cli';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { onHost } from '../helpers/lab-host';
import { connectLabHost } from '../helpers/lab-ssh';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { publishFixtureApp } from '../lab/lab';
import type { LabHost } from '../lab/lab';

const lab = inject('lab');
const ID = randomBytes(3).toString('hex');
const SERVICE = `test-day2-${ID}`;
const PUBLISH = '8083';
/** Both engine generations: a Debian 20.10 host and the Docker 29 one. */
const hosts: LabHost[] = [lab.hosts[0] as LabHost, lab.modernHost];
const urls = hosts.map((h) => `http://${h.address}:${PUBLISH}/version`);
const images: Record<string, string> = {};

const connection = () => ({
  hosts: hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n'),
  username: lab.ssh.user,
  'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  name: SERVICE,
});

function action(extra: Record<string, string>): Promise<BundleRun> {
  return runBundle('remote-deploy-ssh', { ...connection(), ...extra });
}

function deploy(tag: string | undefined, extra: Record<string, string> = {}): Promise<BundleRun> {
  return action({
    port: '8080',
    publish: PUBLISH,
    'health-path': '/health',
    'health-timeout': '20s',
    'proxy-image': lab.images.proxy,
    ...(tag && { image: images[tag] as string }),
    ...extra,
  });
}

/** The CLI with the connection options of every host of this file. */
function cli(...args: string[]) {
  const [command, ...rest] = args;
  const conn = labConnectionOptions(lab, hosts[0] as LabHost, SERVICE);
  conn[1] = hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n');
  return runCli([command as string, ...rest, ...conn]);
}

async function served(): Promise<string[]> {
  return Promise.all(urls.map(async (url) => (await fetch(url)).text().then((t) => t.trim())));
}

const freezeFile = `/home/deploy/.slipway/${SERVICE}/freeze.json`;
/** The freeze record on a lab host, read through the outer engine ('' when none). */
const freezeOn = (host: LabHost) => onHost(lab, host, 'sh', '-c', `cat ${freezeFile} 2>/dev/null; true`);

const cleanHosts = hostCleanup(lab, SERVICE, serviceCleanup(SERVICE));
afterAll(cleanHosts);

beforeAll(async () => {
  for (const tag of ['v1', 'v2'])
    images[tag] = await publishFixtureApp(lab.registries.staging, `day2/${SERVICE}`, tag);
  const first = await deploy('v1');
  expect(first.exitCode, first.log).toBe(0);
}, 240_000);

describe('deploy freeze', () => {
  it('slipway lock acquire freezes every host: deploys are refused naming who, when and why; status shows it; release lifts it', async () => {
    const acquire = await cli('lock', 'acquire', '--message', 'release week: no deploys');
    expect(acquire.code, acquire.stderr).toBe(0);
    expect(acquire.stdout).toContain('frozen=true');
    for (const host of hosts) {
      // On the host's disk (survives a reboot), with no clock in it to expire by.
      const record = JSON.parse(await freezeOn(host));
      expect(record).toMatchObject({ message: 'release week: no deploys' });
      expect(record.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const status = await cli('status');
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr.match(/deploys frozen by .* since .*: "release week: no deploys"/g)).toHaveLength(2);

    const refused = await deploy('v2');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.log).toMatch(
      new RegExp(
        `${SERVICE} is frozen by \\S+ since \\d{4}-[^:]+:\\d\\d:[\\d.]+Z: "release week: no deploys"`,
      ),
    );
    expect(refused.log).toContain('deploys are refused until it is released');
    expect(await served()).toEqual(['v1', 'v1']);
    // The deploy released its leases after refusing.
    for (const host of hosts)
      expect(
        await onHost(lab, host, 'sh', '-c', `ls -d /home/deploy/.slipway/${SERVICE}/lock 2>/dev/null; true`),
      ).toBe('');

    const again = await cli('lock', 'acquire', '--message', 'another');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is already frozen by .*"release week: no deploys"; release it first/);

    const release = await cli('lock', 'release');
    expect(release.code, release.stderr).toBe(0);
    expect(release.stdout).toContain('frozen=false');
    for (const host of hosts) expect(await freezeOn(host)).toBe('');
    const audit = await onHost(lab, hosts[1] as LabHost, 'cat', `/home/deploy/.slipway/${SERVICE}/audit.log`);
    expect(audit).toMatch(/"action":"freeze","result":"frozen","message":"release week: no deploys"/);
    expect(audit).toMatch(/"action":"unfreeze"/);

    const deployed = await deploy('v2');
    expect(deployed.exitCode, deployed.log).toBe(0);
    expect(await served()).toEqual(['v2', 'v2']);
  });

  it('from a workflow: operation lock-acquire; a rollback is refused unless force; lock-status, lock-release', async () => {
    const acquire = await action({ operation: 'lock-acquire', message: 'incident 42' });
    expect(acquire.exitCode, acquire.log).toBe(0);
    expect(acquire.outputs.frozen).toBe('true');
    expect(acquire.summary).toContain('Deploys of');

    const rollback = await deploy(undefined, { rollback: 'true' });
    expect(rollback.exitCode).not.toBe(0);
    expect(rollback.log).toMatch(/"incident 42".*a rollback goes through with force: true/);
    expect(await served()).toEqual(['v2', 'v2']);

    const forced = await deploy(undefined, { rollback: 'true', force: 'true' });
    expect(forced.exitCode, forced.log).toBe(0);
    expect(forced.log).toMatch(/"incident 42".*rolling back anyway \(force\)/);
    expect(await served()).toEqual(['v1', 'v1']);

    const status = await action({ operation: 'lock-status' });
    expect(status.exitCode, status.log).toBe(0);
    expect(status.outputs.frozen).toBe('true');
    expect(JSON.parse(status.outputs.hosts as string)).toHaveLength(2);

    const badForce = await deploy('v2', { force: 'true' });
    expect(badForce.exitCode).not.toBe(0);
    expect(badForce.log).toContain('input "force": only lets a rollback through a deploy freeze');

    const release = await action({ operation: 'lock-release' });
    expect(release.exitCode, release.log).toBe(0);
    expect(release.outputs.frozen).toBe('false');
    for (const host of hosts) expect(await freezeOn(host)).toBe('');
  });

  it('acquire waits for a deploy in progress (never freezing half the hosts), and a rerun completes a half-made freeze', async () => {
    // A deploy in progress on the Docker 29 host: its lease, held by "tester".
    const runner = await connectLabHost(lab, lab.modernHost);
    const lease = new HostLock(runner, `.slipway/${SERVICE}`);
    try {
      expect(
        await lease.tryAcquire({
          id: 'held-by-test',
          holder: 'tester',
          time: 'now',
          run: '',
          leaseMs: 600_000,
        }),
      ).toBe(true);
      const waited = await cli('lock', 'acquire', '--message', 'm', '--lock-timeout', '2s');
      expect(waited.code).toBe(1);
      expect(waited.stderr).toMatch(
        /is being deployed by tester since now; gave up waiting for the lock after 2 s/,
      );
      for (const host of hosts) expect(await freezeOn(host)).toBe('');
    } finally {
      await lease.release('held-by-test');
    }
    // An acquire interrupted after the first host: that host's freeze stays, the rerun adds the rest.
    const first = await connectLabHost(lab, hosts[0] as LabHost);
    try {
      const other = { holder: 'ops@org/shop', time: '2026-12-01T00:00:00.000Z', message: 'earlier', run: '' };
      expect(await new HostFreeze(first, `.slipway/${SERVICE}`).acquire(other, 'x')).toBe(true);
    } finally {
      await first.close();
    }
    const rerun = await cli('lock', 'acquire', '--message', 'complete it');
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(
      /already frozen by ops@org\/shop since 2026-12-01T00:00:00.000Z: "earlier" \(kept as it is\)/,
    );
    expect(JSON.parse(await freezeOn(hosts[0] as LabHost)).message).toBe('earlier');
    expect(JSON.parse(await freezeOn(lab.modernHost)).message).toBe('complete it');
    expect((await cli('lock', 'release')).code).toBe(0);
    await runner.close();
  });
});
