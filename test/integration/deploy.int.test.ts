/**
 * remote-deploy-ssh against the lab's deploy hosts (real sshd, real dockerd per host), run as the
 * runner runs it, with a bounded loopback load generator measuring downtime.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalRunner } from '../../src/command/local-runner';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { idleLatency, startLoad, switchBoundMisses } from '../helpers/load';
import { healthGate, onHost as onLabHost, psOnHost } from '../helpers/lab-host';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { publishFixtureApp } from '../lab/lab';
import type { LabHost } from '../lab/lab';

const lab = inject('lab');
const local = new LocalRunner();
const SERVICE = `test-deploy-${randomBytes(3).toString('hex')}`;
/** A second service, whose proxy cannot start. */
const NOPROXY = `${SERVICE}-noproxy`;
const FIRST = `${SERVICE}-first`;
const PUBLISH = '8081';
const SECRET = `s3cret-${randomBytes(6).toString('hex')}`;
const VOLUME = `${SERVICE}-data`;
const GATE = `${SERVICE}-gate`;
const images: Record<string, string> = {};
const urls = lab.hosts.map((h) => `http://${h.address}:${PUBLISH}/version`);

const baseInputs = () => ({
  hosts: lab.hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n'),
  username: lab.ssh.user,
  'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  name: SERVICE,
  port: '8080',
  publish: PUBLISH,
  'health-path': '/health',
  'health-timeout': '20s',
  'proxy-image': lab.images.proxy,
  env: 'MODE=production\nHOSTILE=$(touch /tmp/pwned-env); `touch /tmp/pwned-env2`',
  'secret-env': `DB_PASSWORD=${SECRET}`,
  volumes: `${VOLUME}:/data`,
  keep: '1',
});

function deploy(tag: string | undefined, extra: Record<string, string> = {}): Promise<BundleRun> {
  return runBundle('remote-deploy-ssh', {
    ...baseInputs(),
    ...(tag && { image: images[tag] as string }),
    ...extra,
  });
}

/** docker on a lab host, through the outer engine (an independent view, not through Slipway). */
const onHost = (host: LabHost, ...argv: string[]) => onLabHost(lab, host, ...argv);

async function appContainers(host: (typeof lab.hosts)[number], all = false): Promise<string[]> {
  return (
    await psOnHost(lab, host, [`dev.slipway.service=${SERVICE}`, 'dev.slipway.role=app'], '{{.Names}}', {
      all,
    })
  ).sort();
}

async function served(): Promise<string[]> {
  return Promise.all(urls.map(async (url) => (await fetch(url)).text().then((t) => t.trim())));
}

function hostsOutput(run: BundleRun): Array<{ host: string; result: string; previous: string | null }> {
  return JSON.parse(run.outputs.hosts ?? '[]');
}

/** Removes this file's services (containers, networks, its volume) from the lab hosts, by exact name. */
const cleanHosts = hostCleanup(lab, SERVICE, [...serviceCleanup([SERVICE, NOPROXY, FIRST], [VOLUME, GATE])]);

afterAll(cleanHosts);

beforeAll(async () => {
  for (const [tag, healthy] of [
    ['v1', true],
    ['v2', true],
    ['v3', false],
  ] as const) {
    images[tag] = await publishFixtureApp(lab.registries.staging, `deploy/${SERVICE}`, tag, { healthy });
  }
});

describe('remote-deploy-ssh on two lab hosts', () => {
  it('deploys v1, then v2 under continuous load with zero failed requests', async () => {
    const first = await deploy('v1');
    expect(first.exitCode, first.log).toBe(0);
    expect(first.outputs.changed).toBe('true');
    expect(await served()).toEqual(['v1', 'v1']);
    // Data written by v1 into the named volume must survive everything that follows.
    const [host1] = lab.hosts;
    const v1 = (await appContainers(host1 as (typeof lab.hosts)[number]))[0] as string;
    await onHost(
      host1 as (typeof lab.hosts)[number],
      'docker',
      'exec',
      v1,
      'sh',
      '-c',
      'echo precious > /data/keep.txt',
    );

    const idle = await idleLatency(urls, { workers: 2 });
    const load = startLoad(urls, { workers: 2 });
    const second = await deploy('v2');
    const report = await load.stop();
    expect(second.exitCode, second.log).toBe(0);
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    // No request waited on the version leaving or the one joining.
    expect(switchBoundMisses(idle, report.latency)).toEqual([]);
    expect(report.requests).toBeGreaterThan(100);
    expect(await served()).toEqual(['v2', 'v2']);
    const digest = second.outputs.digest as string;
    expect(digest).toMatch(/^sha256:/);
    expect(hostsOutput(second).map((h) => h.result)).toEqual(['deployed', 'deployed']);
    expect(second.outputs['previous-image']).toContain('@sha256:');
    expect(second.summary).toContain('| deployed |');
    console.log(
      `rolling deploy under load: ${report.requests} requests, ${report.failures} failed, ${report.requestsPerSecond.toFixed(0)} req/s; latency idle ${JSON.stringify(idle)}, during ${JSON.stringify(report.latency)}`,
    );
  });

  it('keeps secrets off command lines and logs; hostile env values stay literal', async () => {
    const host = lab.hosts[0] as (typeof lab.hosts)[number];
    const [current] = await appContainers(host);
    const inspect = JSON.parse(await onHost(host, 'docker', 'inspect', current as string))[0];
    const commandLine = JSON.stringify([
      inspect.Path,
      inspect.Args,
      inspect.Config.Cmd,
      inspect.Config.Entrypoint,
    ]);
    expect(commandLine).not.toContain(SECRET);
    expect(
      await onHost(host, 'docker', 'exec', current as string, 'sh', '-c', 'printf %s "$DB_PASSWORD"'),
    ).toBe(SECRET);
    expect(await onHost(host, 'docker', 'exec', current as string, 'sh', '-c', 'printf %s "$HOSTILE"')).toBe(
      '$(touch /tmp/pwned-env); `touch /tmp/pwned-env2`',
    );
    for (const file of ['/tmp/pwned-env', '/tmp/pwned-env2']) {
      expect(
        (await local.run({ argv: [lab.docker, 'exec', host.container, 'test', '-e', file] })).exitCode,
      ).not.toBe(0);
    }
    // No env file is left on the host.
    expect(
      await onHost(host, 'sh', '-c', `ls /home/deploy/.slipway/${SERVICE}/ | grep -c '\\.env$' || true`),
    ).toBe('0');
  });

  it('refuses a broken v3: the step fails, v2 keeps serving with zero failures, no v3 remains', async () => {
    const load = startLoad(urls, { workers: 2 });
    const third = await deploy('v3', { 'health-timeout': '6s' });
    const report = await load.stop();
    expect(third.exitCode).toBe(1);
    expect(third.log).toMatch(/never became healthy/);
    expect(third.log).toContain('--- last log lines ---');
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    expect(await served()).toEqual(['v2', 'v2']);
    for (const host of lab.hosts) {
      const inspect = await onHost(
        host,
        'docker',
        'ps',
        '--all',
        '--filter',
        `label=dev.slipway.service=${SERVICE}`,
        '--format',
        '{{.Label "dev.slipway.version"}}',
      );
      expect(inspect.split('\n')).not.toContain('v3');
    }
    expect(hostsOutput(third).some((h) => h.result === 'failed')).toBe(true);
    expect(third.log).not.toContain(SECRET);
  });

  it('redeploying the running digest changes nothing', async () => {
    const before = await Promise.all(lab.hosts.map((h) => appContainers(h)));
    const again = await deploy('v2');
    expect(again.exitCode, again.log).toBe(0);
    expect(again.outputs.changed).toBe('false');
    expect(hostsOutput(again).map((h) => h.result)).toEqual(['unchanged', 'unchanged']);
    expect(await Promise.all(lab.hosts.map((h) => appContainers(h)))).toEqual(before);
  });

  it('rollback: true returns every host to v1 under load (zero failed, no request waits on a leaving version); the volume kept its data', async () => {
    const idle = await idleLatency(urls, { workers: 2 }, 2000);
    const load = startLoad(urls, { workers: 2 });
    const back = await deploy(undefined, { rollback: 'true' });
    const report = await load.stop();
    expect(back.exitCode, back.log).toBe(0);
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    expect(switchBoundMisses(idle, report.latency)).toEqual([]);
    expect(await served()).toEqual(['v1', 'v1']);
    expect(hostsOutput(back).map((h) => h.result)).toEqual(['rolled-back', 'rolled-back']);
    const host = lab.hosts[0] as (typeof lab.hosts)[number];
    const [current] = await appContainers(host);
    expect(await onHost(host, 'docker', 'exec', current as string, 'cat', '/data/keep.txt')).toBe('precious');
    expect(await onHost(host, 'docker', 'volume', 'ls', '--quiet', '--filter', `name=^${VOLUME}$`)).toBe(
      VOLUME,
    );
    const audit = await onHost(host, 'cat', `/home/deploy/.slipway/${SERVICE}/audit.log`);
    const actions = audit.split('\n').map((l) => JSON.parse(l).action);
    expect(actions).toEqual(['deploy', 'deploy', 'deploy-failed', 'rollback']);
  });

  it('a second rollback never goes forward again; rollback-to puts a chosen kept version back', async () => {
    const again = await deploy(undefined, { rollback: 'true' });
    expect(again.exitCode).toBe(1);
    expect(again.log).toMatch(
      /no kept version of .* older than the one in service \(v1\); name one with rollback-to \(kept: v2\)/,
    );
    expect(await served()).toEqual(['v1', 'v1']);
    const forward = await deploy(undefined, { rollback: 'true', 'rollback-to': 'v2' });
    expect(forward.exitCode, forward.log).toBe(0);
    expect(await served()).toEqual(['v2', 'v2']);
    const missing = await deploy(undefined, { rollback: 'true', 'rollback-to': 'v9' });
    expect(missing.exitCode).toBe(1);
    expect(missing.log).toMatch(/no kept version of .* matches v9/);
    const back = await deploy(undefined, { rollback: 'true', 'rollback-to': 'v1' });
    expect(back.exitCode, back.log).toBe(0);
    expect(await served()).toEqual(['v1', 'v1']);
  });

  it('the same digest with a rotated secret is a change: the app restarts with the new value', async () => {
    const rotated = `${SECRET}-rotated`;
    const run = await deploy('v1', { 'secret-env': `DB_PASSWORD=${rotated}` });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs.changed).toBe('true');
    expect(run.log).not.toContain(rotated);
    for (const host of lab.hosts) {
      const [current] = await appContainers(host);
      expect(await onHost(host, 'docker', 'exec', current as string, 'sh', '-c', 'echo $DB_PASSWORD')).toBe(
        rotated,
      );
    }
    expect(await served()).toEqual(['v1', 'v1']);
    // Back to the configuration the other tests use.
    expect((await deploy('v1')).outputs.changed).toBe('true');
  });

  it('a first deploy whose proxy cannot start leaves no app container behind', async () => {
    const name = NOPROXY;
    const run = await deploy('v1', {
      name,
      publish: '8084',
      'proxy-image': `${lab.registries.staging.host}/lab/no-such-proxy:1`,
      volumes: '',
    });
    expect(run.exitCode).toBe(1);
    expect(run.log).toMatch(/no-such-proxy/);
    for (const host of lab.hosts) {
      const left = await onHost(
        host,
        'docker',
        'ps',
        '-a',
        '--filter',
        `label=dev.slipway.service=${name}`,
        '--filter',
        'label=dev.slipway.role=app',
        '--format',
        '{{.Names}}',
      );
      expect(left).toBe('');
    }
  });

  it('refuses unknown and mismatched host keys before anything runs', async () => {
    const lines = readFileSync(lab.ssh.knownHostsPath, 'utf8').split('\n').filter(Boolean);
    const [h1, h2] = lab.hosts as [(typeof lab.hosts)[number], (typeof lab.hosts)[number]];
    const swapped = lines
      .filter((l) => l.startsWith(`[${h2.address}]`))
      .flatMap((l) => [l, l.replace(`[${h2.address}]`, `[${h1.address}]`)])
      .join('\n');
    const before = await appContainers(h1, true);
    const mismatch = await deploy('v2', { 'known-hosts': swapped });
    expect(mismatch.exitCode).toBe(1);
    expect(mismatch.log).toContain('HOST KEY MISMATCH');
    const unknown = await deploy('v2', {
      'known-hosts': lines.filter((l) => l.startsWith(`[${h2.address}]`)).join('\n'),
    });
    expect(unknown.exitCode).toBe(1);
    expect(unknown.log).toContain('input "known-hosts": has no key for 127.0.10.1:2222');
    expect(await appContainers(h1, true)).toEqual(before);
  });

  it('rejects hostile values in inputs before connecting', async () => {
    for (const [input, value] of [
      ['name', 'web; touch /tmp/pwned'],
      ['image', `${images.v2}; touch /tmp/pwned`],
      ['health-path', '/health; touch /tmp/pwned'],
      ['volumes', 'data:/data; touch /tmp/pwned'],
      ['network', '$(touch /tmp/pwned)'],
      ['port', '80`touch /tmp/pwned`'],
      ['hosts', '127.0.10.1:2222; touch /tmp/pwned'],
      ['env', 'A=1\nB C=2'],
    ] as const) {
      const run = await deploy('v2', { [input]: value });
      expect(run.exitCode, `${input}=${value}`).toBe(1);
      expect(run.log).toContain(`input "${input}"`);
      expect(run.log).not.toContain('connected to');
    }
  });

  it('two deploys at once never interleave: the second waits for the lock', async () => {
    const [a, b] = await Promise.all([
      deploy('v2'),
      new Promise((r) => setTimeout(r, 300)).then(() => deploy('v1')),
    ]);
    expect(a.exitCode, a.log).toBe(0);
    expect(b.exitCode, b.log).toBe(0);
    expect(b.log).toMatch(/waiting for the lock held by/);
    expect(await served()).toEqual(['v1', 'v1']);
  });

  it('a deploy cut off mid-way is converged by the rerun, with no orphaned container', async () => {
    const killed = await runBundle(
      'remote-deploy-ssh',
      { ...baseInputs(), image: images.v2 as string, 'lock-timeout': '3s' },
      { killWhen: (log) => log.includes(': pulled') },
    );
    expect(killed.exitCode).not.toBe(0);
    // The runner runs the post step after a cancelled main step: it releases the lock.
    const post = await runBundle(
      'remote-deploy-ssh',
      { ...baseInputs(), image: images.v2 as string },
      { state: killed.state },
    );
    expect(post.exitCode, post.log).toBe(0);
    expect(post.log).toContain('released its lock');
    const rerun = await deploy('v2', { 'lock-timeout': '3s' });
    expect(rerun.exitCode, rerun.log).toBe(0);
    expect(await served()).toEqual(['v2', 'v2']);
    for (const host of lab.hosts) {
      const running = await appContainers(host);
      expect(running).toHaveLength(1);
      const all = await appContainers(host, true);
      expect(all.length).toBeLessThanOrEqual(2);
    }
  });
  it('dry-run changes nothing; pre-deploy runs once before any switch; recreate swaps in place', async () => {
    const before = await Promise.all(lab.hosts.map((h) => appContainers(h, true)));
    const dry = await deploy('v1', { 'dry-run': 'true' });
    expect(dry.exitCode, dry.log).toBe(0);
    expect(dry.log).toMatch(/would deploy/);
    expect(await Promise.all(lab.hosts.map((h) => appContainers(h, true)))).toEqual(before);
    expect(await served()).toEqual(['v2', 'v2']);

    const marker = `/data/migrated-${randomBytes(3).toString('hex')}`;
    const recreate = await deploy('v1', {
      strategy: 'recreate',
      'pre-deploy': `echo migrating >> ${marker}; echo ran-pre-deploy`,
    });
    expect(recreate.exitCode, recreate.log).toBe(0);
    expect(recreate.log).toContain('running pre-deploy once');
    expect(recreate.log).toContain('ran-pre-deploy');
    expect(await served()).toEqual(['v1', 'v1']);
    // Once in all: the first host's volume has the marker, the second host's does not.
    const [h1, h2] = lab.hosts as [(typeof lab.hosts)[number], (typeof lab.hosts)[number]];
    const [c1] = await appContainers(h1);
    const [c2] = await appContainers(h2);
    expect(await onHost(h1, 'docker', 'exec', c1 as string, 'cat', marker)).toBe('migrating');
    expect(
      (
        await local.run({
          argv: [lab.docker, 'exec', h2.container, 'docker', 'exec', c2 as string, 'test', '-e', marker],
        })
      ).exitCode,
    ).not.toBe(0);
  });
  it('refuses to move the published port of a running service, changing nothing', async () => {
    const before = await Promise.all(lab.hosts.map((h) => appContainers(h, true)));
    const moved = await deploy('v2', { publish: '8088' });
    expect(moved.exitCode).toBe(1);
    expect(moved.log).toContain(`publishes port ${PUBLISH}, not 8088`);
    expect(await Promise.all(lab.hosts.map((h) => appContainers(h, true)))).toEqual(before);
    expect(await served()).toEqual(['v1', 'v1']);
  });
  it('switches host 1 back when host 2 fails after it, under load: zero failed, no request waits on a leaving version', async () => {
    // Host 2's v2 fails its health check (a file on a volume only host 2 has) after host 1 switched.
    const [, h2] = lab.hosts as [(typeof lab.hosts)[number], (typeof lab.hosts)[number]];
    await healthGate(lab, h2, GATE, images.v1 as string, 'touch');
    const idle = await idleLatency(urls, { workers: 2 }, 2000);
    const load = startLoad(urls, { workers: 2 });
    const run = await deploy('v2', {
      'max-parallel': '1',
      volumes: `${VOLUME}:/data\n${GATE}:/gate`,
      'health-cmd': 'test ! -e /gate/fail',
      'health-timeout': '4s',
    });
    const report = await load.stop();
    expect(run.exitCode, run.log).toBe(1);
    expect(hostsOutput(run).map((h) => h.result)).toEqual(['reverted', 'failed']);
    expect(report.failures, report.failureSamples.join('\n')).toBe(0);
    expect(report.answers.v2, 'host 1 served v2 before it switched back').toBeGreaterThan(0);
    expect(switchBoundMisses(idle, report.latency)).toEqual([]);
    expect(await served()).toEqual(['v1', 'v1']);

    // A service's first version has nothing to go back to: host 1 keeps it and says it is deployed.
    const first = await deploy('v2', {
      name: FIRST,
      publish: '',
      'max-parallel': '1',
      volumes: `${GATE}:/gate`,
      'health-cmd': 'test ! -e /gate/fail',
      'health-timeout': '4s',
    });
    expect(first.exitCode, first.log).toBe(1);
    expect(hostsOutput(first).map((h) => h.result)).toEqual(['deployed', 'failed']);
    expect(first.log).toContain('keeps serving (no earlier version on this host)');
    const running = await psOnHost(
      lab,
      lab.hosts[0] as (typeof lab.hosts)[number],
      [`dev.slipway.service=${FIRST}`, 'dev.slipway.role=app'],
      '{{.Names}}',
    );
    expect(running).toHaveLength(1);
  });

  it('pulls from an authenticated registry with a login that leaves no credentials on the hosts', async () => {
    const { production } = lab.registries;
    const promoted = await runBundle('promote-between-registries', {
      source: images.v2 as string,
      destination: `${production.host}/deploy/${SERVICE}`,
      'destination-username': production.username as string,
      'destination-password': production.password as string,
    });
    expect(promoted.exitCode, promoted.log).toBe(0);
    const run = await deploy(undefined, {
      image: `${production.host}/deploy/${SERVICE}:v2`,
      'registry-username': production.username as string,
      'registry-password': production.password as string,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(await served()).toEqual(['v2', 'v2']);
    expect(run.log).not.toContain(production.password as string);
    for (const host of lab.hosts) {
      expect(
        await onHost(
          host,
          'sh',
          '-c',
          `ls -a /home/deploy/.slipway/${SERVICE} | grep -c docker-config || true`,
        ),
      ).toBe('0');
      expect(await onHost(host, 'sh', '-c', 'grep -rl auths /home/deploy/.docker 2>/dev/null | wc -l')).toBe(
        '0',
      );
    }
  });
});
