/**
 * Day two on the hosts (issue 30), on a 20.10 host and the Docker 29 host at once: the deploy
 * freeze (the CLI's `slipway lock` and remote-deploy-ssh's lock-* operations). One service is
 * deployed once and shared by the tests of this file.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HostFreeze } from '../../src/deploy-core/freeze';
import { HostLock } from '../../src/deploy-core/lease';
import { DEFAULT_PAGE } from '../../src/remote-deploy-ssh/maintenance';
import { labConnectionOptions, runCli } from '../helpers/cli';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { eventOnHost, stopWatchers } from '../helpers/docker-events';
import { expectNothingLeft, onHost, psOnHost } from '../helpers/lab-host';
import { connectLabHost } from '../helpers/lab-ssh';
import { getOnce } from '../helpers/load';
import { type BundleRun, REPO_ROOT, runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { LocalRunner } from '../../src/command/local-runner';
import { publishFixtureApp } from '../lab/lab';
import type { LabHost } from '../lab/lab';

const lab = inject('lab');
const local = new LocalRunner();
const ID = randomBytes(3).toString('hex');
const SERVICE = `test-day2-${ID}`;
// (engine29.int.test.ts's shared proxy takes 8083 on lab-host3 too: the two cannot run at once.)
const PUBLISH = '8083';
/** Both engine generations: a Debian 20.10 host and the Docker 29 one. */
const hosts: LabHost[] = [lab.hosts[0] as LabHost, lab.modernHost];
const urls = hosts.map((h) => `http://${h.address}:${PUBLISH}/version`);
const images: Record<string, string> = {};
const SECRET = `s3cret-${ID}-${randomBytes(4).toString('hex')}`;
const VOLUME = `${SERVICE}-data`;

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
    env: 'MODE=production',
    'secret-env': `DB_PASSWORD=${SECRET}`,
    volumes: `${VOLUME}:/data`,
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

const cleanHosts = hostCleanup(lab, SERVICE, serviceCleanup(SERVICE, [VOLUME]));
afterAll(cleanHosts);
afterAll(stopWatchers);

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

    // Removing the service is refused too.
    const remove = await cli('remove');
    expect(remove.code).toBe(1);
    expect(remove.stderr).toMatch(
      /slipway remove: .* is frozen by .*: "release week: no deploys" \(and on 1 more host\(s\)\); deploys are refused/,
    );
    expect(await served()).toEqual(['v1', 'v1']);

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

/** The one-off containers of this service on a host (running or not). */
const execContainers = (host: LabHost) =>
  psOnHost(lab, host, [`dev.slipway.service=${SERVICE}`, 'dev.slipway.role=exec'], '{{.Names}}', {
    all: true,
  });
const serving = async (host: LabHost) =>
  (
    await psOnHost(lab, host, [`dev.slipway.service=${SERVICE}`, 'dev.slipway.role=app'], '{{.Names}}')
  )[0] as string;

describe('exec: a one-off command in the serving version', () => {
  it("slipway exec runs in the serving version's image with its env, secrets, volumes and network; its exit code passes through; audited without secrets", async () => {
    const [host1] = hosts as [LabHost];
    const app = await serving(host1);
    await onHost(lab, host1, 'docker', 'exec', app, 'sh', '-c', 'echo kept > /data/x');
    const run = await cli(
      'exec',
      '--command',
      `echo "mode=$MODE secret-length=\${#DB_PASSWORD}"; cat /data/x; cat /www/version; wget -qO- http://${app}:8080/health; exit 7`,
    );
    expect(run.code, run.stderr).toBe(7);
    expect(run.stdout).toContain(`mode=production secret-length=${SECRET.length}`);
    expect(run.stdout).toContain('kept'); // the volume
    expect(run.stdout).toMatch(/^v\d$/m); // the serving version's image
    expect(run.stdout).toContain('ok'); // the service's network: the serving container by name
    expect(run.stderr).toContain('the command exited with 7');
    // Only on the first host; nothing left on either (no container, no env file with the secret).
    expect(await execContainers(host1)).toEqual([]);
    const audit = await onHost(lab, host1, 'tail', '-n', '1', `/home/deploy/.slipway/${SERVICE}/audit.log`);
    expect(JSON.parse(audit)).toMatchObject({ action: 'exec', exitCode: 7, result: 'exit 7' });
    expect(JSON.parse(audit).version).toMatch(/^v\d$/);
    expect(
      await onHost(
        lab,
        lab.modernHost,
        'sh',
        '-c',
        `grep -c '"action":"exec"' /home/deploy/.slipway/${SERVICE}/audit.log; true`,
      ),
    ).toBe('0');
    // No file holds the secret (the env file went as soon as docker read it), and the lock is free.
    for (const host of hosts) await expectNothingLeft(lab, host, SERVICE, SECRET);
  });

  it('from a workflow: exec-on each runs on every host in turn and stops at the first failure; exec-on names one host', async () => {
    const each = await action({ operation: 'exec', command: 'cat /www/version', 'exec-on': 'each' });
    expect(each.exitCode, each.log).toBe(0);
    expect(each.outputs['exit-code']).toBe('0');
    const ran = JSON.parse(each.outputs.hosts as string) as Array<{ host: string; exitCode: number }>;
    expect(ran.map((h) => h.exitCode)).toEqual([0, 0]);
    const failing = await action({ operation: 'exec', command: 'exit 3', 'exec-on': 'each' });
    expect(failing.exitCode).not.toBe(0);
    expect(failing.outputs['exit-code']).toBe('3');
    expect(JSON.parse(failing.outputs.hosts as string)).toHaveLength(1);
    const modern = `${lab.modernHost.address}:${lab.modernHost.sshPort}`;
    const one = await action({ operation: 'exec', command: 'true', 'exec-on': modern });
    expect(one.exitCode, one.log).toBe(0);
    expect(JSON.parse(one.outputs.hosts as string)[0].host).toContain(lab.modernHost.address);
    const bad = await action({ operation: 'exec', command: 'true', 'exec-on': 'web9.example.com' });
    expect(bad.exitCode).not.toBe(0);
    expect(bad.log).toContain('input "exec-on": "web9.example.com" is not one of the hosts');
  });

  it('with a terminal, slipway exec gets a TTY', async () => {
    const conn = labConnectionOptions(lab, hosts[0] as LabHost, SERVICE)
      .map((a) => `'${a}'`)
      .join(' ');
    const node = `${REPO_ROOT}/node_modules/.bin/node ${REPO_ROOT}/bin/slipway`;
    const run = await local.run({
      argv: ['script', '-qec', `${node} exec ${conn} --command 'tty; exit 4'`, '/dev/null'],
      env: { GITHUB_ACTIONS: '', TMPDIR: tempDir('exec-tty') },
      timeoutMs: 60_000,
    });
    expect(run.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(run.exitCode, run.stdout).toBe(4);
  });

  it('cancelled (SIGINT) while the command runs: the container goes with it; killed (SIGKILL): the post step removes it', async () => {
    const host = lab.modernHost;
    const inputs = {
      ...connection(),
      hosts: `${host.address}:${host.sshPort}`,
      operation: 'exec',
      command: 'sleep 300',
    };
    const running = () =>
      eventOnHost(
        lab,
        host,
        [
          'type=container',
          'event=start',
          `label=dev.slipway.service=${SERVICE}`,
          'label=dev.slipway.role=exec',
        ],
        () => true,
      );
    const cancelled = await runBundle('remote-deploy-ssh', inputs, {
      interrupt: running().then(() => 'cancel' as const),
    });
    expect(cancelled.exitCode).not.toBe(0);
    expect(cancelled.durationMs).toBeLessThan(60_000);
    expect(await execContainers(host)).toEqual([]);
    const audit = await onHost(lab, host, 'tail', '-n', '1', `/home/deploy/.slipway/${SERVICE}/audit.log`);
    expect(JSON.parse(audit)).toMatchObject({ action: 'exec', result: 'cancelled', command: 'sleep 300' });

    const killed = await runBundle('remote-deploy-ssh', inputs, {
      interrupt: running().then(() => 'SIGKILL' as const),
    });
    expect(killed.exitCode).not.toBe(0);
    expect(killed.state['exec-containers']).toMatch(new RegExp(`^${SERVICE}-exec-`));
    expect(await execContainers(host)).toHaveLength(1);
    const post = await runBundle('remote-deploy-ssh', inputs, { state: killed.state });
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain('Removed the one-off container');
    expect(await execContainers(host)).toEqual([]);
  });
});

/**
 * Requests on every URL until stopped, counted by answer: the app's version, 'maintenance' (503 with
 * the page), or 'error' (anything else: a refused connection, a 502, a timeout), with the time of
 * each answer.
 */
function countAnswers(page: string) {
  let stopped = false;
  const answers: Array<{ at: number; what: string }> = [];
  const errors: string[] = [];
  const loop = async (url: string) => {
    while (!stopped) {
      try {
        const { status, body } = await getOnce(url);
        answers.push({
          at: performance.now(),
          what: status === 200 ? body : status === 503 && body === page.trim() ? 'maintenance' : 'error',
        });
        if (status !== 200 && !(status === 503 && body === page.trim()))
          errors.push(`HTTP ${status}: ${body.slice(0, 80)}`);
      } catch (error) {
        answers.push({ at: performance.now(), what: 'error' });
        errors.push((error as Error).message);
      }
    }
  };
  const running = Promise.all(urls.flatMap((url) => [loop(url), loop(url)]));
  return {
    async stop() {
      stopped = true;
      await running;
      return { answers, errors };
    },
  };
}

describe('maintenance mode', () => {
  it("maintenance: under load, the page (503, Retry-After) takes the app's place with no failed request, and no request reaches the app after; deploys are refused; live brings it back the same way", async () => {
    const page = `<html><body>Back soon (${ID})</body></html>`;
    const pageFile = join(tempDir('maintenance-page'), 'page.html');
    writeFileSync(pageFile, page);
    const apps = await Promise.all(hosts.map((h) => serving(h)));
    const load = countAnswers(page);
    const enter = await cli(
      'maintenance',
      '--port',
      '8080',
      '--maintenance-page-file',
      pageFile,
      '--retry-after',
      '120',
    );
    const entered = performance.now();
    expect(enter.code, enter.stderr).toBe(0);
    // Some more time in maintenance under the same load: nothing but the page.
    await Promise.all(urls.map((url) => getOnce(url)));
    for (const url of urls) {
      const answer = await fetch(url);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('120');
      expect((await answer.text()).trim()).toBe(page);
    }
    const during = await load.stop();
    expect(during.errors, during.errors.slice(0, 5).join('\n')).toEqual([]);
    expect(during.answers.filter((a) => a.what === 'maintenance').length).toBeGreaterThan(10);
    // After maintenance returned, every answer was the page: no request reached the app.
    expect(during.answers.filter((a) => a.at > entered && a.what !== 'maintenance')).toEqual([]);
    // The app is stopped on every host (kept for live), and its request log has nothing after it stopped.
    for (const [i, host] of hosts.entries()) {
      const state = await onHost(
        lab,
        host,
        'docker',
        'inspect',
        '--format',
        '{{.State.Status}}',
        apps[i] as string,
      );
      expect(state).toBe('exited');
    }
    const status = await cli('status');
    expect(status.stderr).toContain(`${SERVICE}-maintenance`);
    expect(status.stderr.match(/in maintenance since \d{4}-/g)).toHaveLength(2);

    const refused = await deploy('v2');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.log).toContain(`${SERVICE} is in maintenance (by`);
    // A one-off command runs in the version maintenance stopped (a migration, say).
    const exec = await cli('exec', '--command', 'cat /www/version; echo "mode=$MODE"');
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toMatch(/^v1\nmode=production$/m);
    // Again: idempotent, the page stays.
    expect((await cli('maintenance', '--port', '8080', '--maintenance-page-file', pageFile)).code).toBe(0);

    const back = countAnswers(page);
    const live = await cli('live', '--port', '8080', '--health-path', '/health');
    const wentLive = performance.now();
    expect(live.code, live.stderr).toBe(0);
    await Promise.all(urls.map((url) => getOnce(url)));
    const after = await back.stop();
    expect(after.errors, after.errors.slice(0, 5).join('\n')).toEqual([]);
    expect(after.answers.filter((a) => a.at > wentLive && a.what === 'maintenance')).toEqual([]);
    expect(await served()).toEqual(['v1', 'v1']);
    for (const host of hosts) {
      expect(
        await psOnHost(
          lab,
          host,
          [`dev.slipway.service=${SERVICE}`, 'dev.slipway.role=maintenance'],
          '{{.Names}}',
          { all: true },
        ),
      ).toEqual([]);
      const audit = await onHost(
        lab,
        host,
        'sh',
        '-c',
        `grep -o '"action":"[a-z]*"' /home/deploy/.slipway/${SERVICE}/audit.log | tail -n 2`,
      );
      expect(audit.split('\n')).toEqual(['"action":"maintenance"', '"action":"live"']);
    }
  });
});

describe('maintenance interrupted', () => {
  it('killed (SIGKILL) as the page starts on the first host: the post step frees the lease, the rerun converges, live brings the app back; no failed request', async () => {
    const load = countAnswers(DEFAULT_PAGE);
    const inputs = { ...connection(), operation: 'maintenance', port: '8080' };
    const started = eventOnHost(
      lab,
      hosts[0] as LabHost,
      [
        'type=container',
        'event=start',
        `label=dev.slipway.service=${SERVICE}`,
        'label=dev.slipway.role=maintenance',
      ],
      () => true,
    );
    const killed = await runBundle('remote-deploy-ssh', inputs, {
      interrupt: started.then(() => 'SIGKILL' as const),
    });
    expect(killed.exitCode).not.toBe(0);
    expect(killed.state['day-two-lock']).toMatch(/^[0-9a-f]{16}$/);
    const post = await runBundle('remote-deploy-ssh', inputs, { state: killed.state });
    expect(post.exitCode, post.log).toBe(0);
    for (const host of hosts)
      expect(
        await onHost(lab, host, 'sh', '-c', `ls -d /home/deploy/.slipway/${SERVICE}/lock 2>/dev/null; true`),
      ).toBe('');
    const rerun = await runBundle('remote-deploy-ssh', inputs);
    expect(rerun.exitCode, rerun.log).toBe(0);
    for (const url of urls) expect((await fetch(url)).status).toBe(503);
    const live = await action({ operation: 'live', port: '8080', 'health-path': '/health' });
    expect(live.exitCode, live.log).toBe(0);
    const { errors, answers } = await load.stop();
    expect(errors, errors.slice(0, 5).join('\n')).toEqual([]);
    expect(answers.some((a) => a.what === 'maintenance')).toBe(true);
    expect(await served()).toEqual(['v1', 'v1']);
  });
});

describe('a deploy in maintenance mode', () => {
  it('maintenance: true — under load, the page serves while pre-deploy runs, then the new version; a failed deploy goes live with the old one', async () => {
    const failed = await deploy('bad', { maintenance: 'true', 'pre-deploy': 'true', 'health-timeout': '8s' });
    expect(failed.exitCode).not.toBe(0);
    expect(await served()).toEqual(['v1', 'v1']);
    for (const host of hosts)
      expect(
        await onHost(
          lab,
          host,
          'sh',
          '-c',
          `ls /home/deploy/.slipway/${SERVICE}/maintenance.json 2>/dev/null; true`,
        ),
      ).toBe('');

    const load = countAnswers(DEFAULT_PAGE);
    // The pre-deploy holds the deploy inside maintenance until the test has seen the page from outside.
    const deploying = deploy('v2', {
      maintenance: 'true',
      'pre-deploy': 'for i in $(seq 1 100); do [ -e /data/seen ] && exit 0; sleep 0.1; done; exit 1',
    });
    const host1 = hosts[0] as LabHost;
    for (;;) {
      const answer = await fetch(urls[0] as string);
      if (answer.status === 503) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The pre-deploy runs once, on the first host.
    await onHost(
      lab,
      host1,
      'docker',
      'run',
      '--rm',
      '-v',
      `${VOLUME}:/data`,
      images.v1 as string,
      'touch',
      '/data/seen',
    );
    const run = await deploying;
    const { answers } = await load.stop();
    expect(run.exitCode, run.log).toBe(0);
    expect(await served()).toEqual(['v2', 'v2']);
    const order = answers.map((a) => a.what);
    expect(order).not.toContain('error');
    expect(order.filter((w) => w === 'maintenance').length).toBeGreaterThan(0);
    // The old version answers nothing once the new one has.
    expect(order.lastIndexOf('v1')).toBeLessThan(order.indexOf('v2'));
  });
});
