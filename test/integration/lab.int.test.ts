/**
 * The lab's components, each exercised for real: BuildKit builds on the engine, push and pull
 * through the basic-auth registry, and SSH to each deploy host, whose engines are separate.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { KnownHosts } from '../../src/ssh/known-hosts';
import { HostKeyError, SshRunner } from '../../src/ssh/ssh-runner';
import { connectLabHost, labSshOptions } from '../helpers/lab-ssh';
import { buildFixtureApp } from '../lab/lab';
import { tempDir } from '../helpers/temp';
import { tool } from '../../scripts/tools.mjs';

const lab = inject('lab');
const local = new LocalRunner();
const docker = (args: string[], extra: { stdin?: string; env?: Record<string, string> } = {}) =>
  runChecked(local, { argv: [lab.docker, ...args], ...extra });
const unique = () => randomBytes(4).toString('hex');

describe('engine', () => {
  it('builds the fixture app with BuildKit and it serves its version', async () => {
    const version = `lab-${unique()}`;
    const tag = await buildFixtureApp(version);
    const name = `slipway-lab-test-${unique()}`;
    await docker(['run', '--detach', '--name', name, tag]);
    try {
      let answer = '';
      for (let i = 0; i < 40 && answer !== version; i++) {
        const r = await local.run({
          argv: [lab.docker, 'exec', name, 'wget', '-q', '-O', '-', 'http://127.0.0.1:8080/version'],
        });
        answer = r.stdout.trim();
        if (answer !== version) await new Promise((r) => setTimeout(r, 100));
      }
      expect(answer).toBe(version);
    } finally {
      await local.run({ argv: [lab.docker, 'rm', '-f', name] });
    }
  });
});

describe('other platforms', () => {
  it('runs linux/arm64 through QEMU (binfmt_misc, fix-binary) in containers and in BuildKit RUN steps', async () => {
    expect(lab.emulation.platforms).toContainEqual(
      expect.objectContaining({ platform: 'linux/arm64', flags: expect.stringContaining('F') }),
    );
    expect(readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8')).toMatch(/^enabled$/m);
    // The two-platform base is an index of amd64 and arm64; the arch fixture's RUN step runs on
    // each platform in the lab's builder and its tests say which machine they ran on.
    const ref = `${lab.registries.staging.host}/lab-test/arch-${unique()}:1`;
    await docker([
      'buildx',
      'build',
      '--builder',
      lab.builder,
      '--platform',
      'linux/amd64,linux/arm64',
      '--provenance',
      'false',
      '--push',
      '--quiet',
      '--tag',
      ref,
      new URL('../lab/fixtures/arch', import.meta.url).pathname,
    ]);
    const index = (await (
      await fetch(
        `${lab.registries.staging.url}/v2/${ref.split('/').slice(1).join('/').replace(/:1$/, '')}/manifests/1`,
        {
          headers: {
            accept:
              'application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json',
          },
        },
      )
    ).json()) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    const machines: Record<string, string> = {};
    for (const m of index.manifests) {
      const image = `${ref.replace(/:1$/, '')}@${m.digest}`;
      try {
        const out = await docker(['run', '--rm', image]);
        machines[m.platform.architecture] = /machine: (\S+)/.exec(out.stdout)?.[1] ?? out.stdout;
      } finally {
        await local.run({ argv: [lab.docker, 'image', 'rm', '--force', image] });
      }
    }
    expect(machines).toEqual({ amd64: 'x86_64', arm64: 'aarch64' });
  }, 120_000);
});

describe('registries', () => {
  it('staging answers the distribution API without auth; production demands it', async () => {
    expect((await fetch(`${lab.registries.staging.url}/v2/`)).status).toBe(200);
    const production = await fetch(`${lab.registries.production.url}/v2/`);
    expect(production.status).toBe(401);
    expect(production.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('pushes through basic auth and pulls back the same digest', async () => {
    const { production } = lab.registries;
    const ref = `${production.host}/lab/app:${unique()}`;
    const config = tempDir('docker-config', { secret: true });
    const env = { DOCKER_CONFIG: config };
    await docker(['tag', lab.images.app, ref]);
    const anonymous = await local.run({ argv: [lab.docker, 'push', ref], env });
    expect(anonymous.exitCode).not.toBe(0);
    await docker(['login', '--username', production.username ?? '', '--password-stdin', production.host], {
      stdin: production.password,
      env,
    });
    await docker(['push', ref], { env });
    const repoDigest = (
      await docker(['image', 'inspect', '--format', '{{join .RepoDigests "\\n"}}', ref])
    ).stdout
      .split('\n')
      .find((d) => d.startsWith(`${production.host}/lab/app@`));
    expect(repoDigest).toMatch(/@sha256:[a-f0-9]{64}$/);
    await docker(['rmi', ref]);
    await docker(['pull', repoDigest as string], { env });
    const manifest = await fetch(`${production.url}/v2/lab/app/manifests/${ref.split(':').pop()}`, {
      method: 'HEAD',
      headers: {
        authorization: `Basic ${Buffer.from(`${production.username}:${production.password}`).toString('base64')}`,
        accept: 'application/vnd.docker.distribution.manifest.v2+json',
      },
    });
    expect(manifest.headers.get('docker-content-digest')).toBe(repoDigest?.split('@')[1]);
  });
});

describe('deploy hosts over SSH', () => {
  const runners: SshRunner[] = [];
  afterAll(async () => {
    for (const r of runners) await r.close();
  });

  it('reaches each host with pinned host keys; each has an engine of its own', async () => {
    const names: string[] = [];
    for (const host of lab.hosts) {
      const runner = await connectLabHost(lab, host);
      runners.push(runner);
      const info = await runChecked(runner, { argv: ['docker', 'info', '--format', '{{.Name}}'] });
      names.push(info.stdout.trim());
    }
    expect(names).toEqual(lab.hosts.map((h) => h.name));

    const [one, two] = runners as [SshRunner, SshRunner];
    const name = `only-on-one-${unique()}`;
    await runChecked(one, { argv: ['docker', 'network', 'create', name] });
    const onOne = await runChecked(one, {
      argv: ['docker', 'network', 'ls', '--filter', `name=^${name}$`, '--format', '{{.Name}}'],
    });
    const onTwo = await runChecked(two, {
      argv: ['docker', 'network', 'ls', '--filter', `name=^${name}$`, '--format', '{{.Name}}'],
    });
    expect(onOne.stdout.trim()).toBe(name);
    expect(onTwo.stdout.trim()).toBe('');
    await runChecked(one, { argv: ['docker', 'network', 'rm', name] });
  });

  it('pulls from the lab registries under the same names the runner uses', async () => {
    const ref = `${lab.registries.staging.host}/lab/app:pull-${unique()}`;
    await docker(['tag', lab.images.app, ref]);
    await docker(['push', ref]);
    const runner = await connectLabHost(lab, lab.hosts[1] as (typeof lab.hosts)[number]);
    runners.push(runner);
    const pulled = await runChecked(runner, { argv: ['docker', 'pull', '--quiet', ref] });
    expect(pulled.stdout.trim()).toBe(ref);
  });

  it('passes hostile arguments literally: nothing executes on the host', async () => {
    const host = lab.hosts[0] as (typeof lab.hosts)[number];
    const runner = await connectLabHost(lab, host);
    runners.push(runner);
    const marker = `/tmp/pwned-${unique()}`;
    const hostile = [
      `; touch ${marker}`,
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `x\ntouch ${marker}`,
      `' ; touch ${marker} ; '`,
    ];
    const echoed = await runChecked(runner, { argv: ['printf', '%s\\n', ...hostile] });
    expect(echoed.stdout).toBe(`${hostile.join('\n')}\n`);
    const secret = `s3cret-${unique()}`;
    const viaStdin = await runChecked(runner, { argv: ['cat'], stdin: secret });
    expect(viaStdin.stdout).toBe(secret);
    const exists = await local.run({ argv: [lab.docker, 'exec', host.container, 'test', '-e', marker] });
    expect(exists.exitCode).not.toBe(0);
  });

  it('refuses a host whose key does not match, and a host with no pinned key', async () => {
    const [one, two] = lab.hosts as [(typeof lab.hosts)[number], (typeof lab.hosts)[number]];
    const lines = readFileSync(lab.ssh.knownHostsPath, 'utf8').split('\n');
    const swapped = lines
      .filter((l) => l.startsWith(`[${two.address}]:`))
      .map((l) => l.replace(`[${two.address}]:`, `[${one.address}]:`))
      .join('\n');
    await expect(connectLabHost(lab, one, { knownHosts: KnownHosts.parse(swapped) })).rejects.toThrow(
      /HOST KEY MISMATCH/,
    );
    await expect(connectLabHost(lab, one, { knownHosts: KnownHosts.parse('') })).rejects.toBeInstanceOf(
      HostKeyError,
    );
  });
  it('reaches a host through a jump host, with both host keys pinned', async () => {
    const [jump, target] = lab.hosts as [(typeof lab.hosts)[number], (typeof lab.hosts)[number]];
    // Seen from the jump host, the target is its address on the lab network, port 22.
    const lines = readFileSync(lab.ssh.knownHostsPath, 'utf8').split('\n').filter(Boolean);
    const pinned = [
      ...lines.filter((l) => l.startsWith(`[${jump.address}]:`)),
      ...lines
        .filter((l) => l.startsWith(`[${target.address}]:`))
        .map((l) => l.replace(`[${target.address}]:${target.sshPort}`, target.ip)),
    ].join('\n');
    const runner = await SshRunner.connect(
      { host: target.ip, port: 22 },
      labSshOptions(lab, {
        knownHosts: KnownHosts.parse(pinned),
        jump: { host: jump.address, port: jump.sshPort },
      }),
    );
    runners.push(runner);
    const name = await runChecked(runner, { argv: ['docker', 'info', '--format', '{{.Name}}'] });
    expect(name.stdout.trim()).toBe(target.name);
    // A wrong key for the target behind the jump host is refused.
    const wrong = [
      ...lines.filter((l) => l.startsWith(`[${jump.address}]:`)),
      ...lines
        .filter((l) => l.startsWith(`[${jump.address}]:`))
        .map((l) => l.replace(`[${jump.address}]:${jump.sshPort}`, target.ip)),
    ].join('\n');
    await expect(
      SshRunner.connect(
        { host: target.ip, port: 22 },
        labSshOptions(lab, {
          knownHosts: KnownHosts.parse(wrong),
          jump: { host: jump.address, port: jump.sshPort },
        }),
      ),
    ).rejects.toThrow(/HOST KEY MISMATCH/);
  });
});

describe('the Docker 29 host', () => {
  const host = lab.modernHost;
  const runners: SshRunner[] = [];
  afterAll(async () => {
    for (const r of runners) await r.close();
  });

  it('is apart from the 20.10 pair: lab.hosts is still the two-node swarm', () => {
    expect(lab.hosts.map((h) => h.name)).toEqual(['lab-host1', 'lab-host2']);
    expect(host.name).toBe('lab-host3');
  });

  it('runs the Docker 29-era engine on the containerd image store with runc 1.2, reachable from the runner', async () => {
    expect(Number(host.apiVersion)).toBeGreaterThanOrEqual(1.44);
    const info = await runChecked(local, {
      argv: [
        host.client,
        'info',
        '--format',
        '{{.Name}}|{{.DefaultRuntime}}|{{json .DriverStatus}}|{{.ServerVersion}}|{{.Swarm.LocalNodeState}}|{{.Swarm.Nodes}}',
      ],
      env: { DOCKER_HOST: host.dockerHost },
    });
    const [name, runtime, driver, version, swarm, nodes] = info.stdout.trim().split('|');
    expect(name).toBe(host.name);
    expect(runtime).toBe('slipway-runc');
    expect(driver).toContain('io.containerd.snapshotter.v1');
    expect(version).toBe(host.engineVersion);
    // A single-node swarm of its own, not part of the pair's.
    expect([swarm, nodes]).toEqual(['active', '1']);
    // The default runtime is the runc built from the pin (go install leaves its --version "unknown"):
    // it knows time namespaces (Debian's runc 1.1 does not) and has seccomp.
    const runtimes = await runChecked(local, {
      argv: [host.client, 'info', '--format', '{{json .Runtimes}}'],
      env: { DOCKER_HOST: host.dockerHost },
    });
    const runc = (
      JSON.parse(runtimes.stdout) as Record<string, { path: string; status?: Record<string, string> }>
    )['slipway-runc'];
    expect(runc?.path).toBe('/usr/local/lib/slipway-engine/runc');
    const features = JSON.parse(runc?.status?.['org.opencontainers.runtime-spec.features'] ?? '{}') as {
      linux?: { namespaces?: string[]; seccomp?: { enabled?: boolean } };
    };
    expect(features.linux?.namespaces).toContain('time');
    expect(features.linux?.seccomp?.enabled).toBe(true);
  });

  it('gives the deploy user over SSH the pinned Docker 29 client and Compose v2 as a plugin, and no Compose v1', async () => {
    const runner = await connectLabHost(lab, host);
    runners.push(runner);
    const client = await runChecked(runner, {
      argv: ['docker', 'version', '--format', '{{.Client.Version}} {{.Server.APIVersion}}'],
    });
    expect(client.stdout.trim()).toBe(`${tool('docker').version} ${host.apiVersion}`);
    const compose = await runChecked(runner, { argv: ['docker', 'compose', 'version', '--short'] });
    expect(compose.stdout.trim()).toBe('2.32.4');
    const v1 = await runner.run({ argv: ['sh', '-c', 'command -v docker-compose'] });
    expect(v1.exitCode).not.toBe(0);
  });

  it('runs a container with a published port and pulls from the lab registry under the runner’s names', async () => {
    const runner = await connectLabHost(lab, host);
    runners.push(runner);
    const ref = `${lab.registries.staging.host}/lab/app:e29-${unique()}`;
    await docker(['tag', lab.images.app, ref]);
    await docker(['push', ref]);
    const name = `slipway-lab-test-${unique()}`;
    await runChecked(runner, {
      argv: ['docker', 'run', '--detach', '--name', name, '--publish', '8089:8080', ref],
    });
    try {
      let answer = '';
      for (let i = 0; i < 40 && answer !== 'dev'; i++) {
        answer = await fetch(`http://${host.address}:8089/version`).then(
          (r) => r.text().then((t) => t.trim()),
          () => '',
        );
        if (answer !== 'dev') await new Promise((r) => setTimeout(r, 250));
      }
      expect(answer).toBe('dev');
    } finally {
      await runner.run({ argv: ['docker', 'rm', '--force', name] });
      await runner.run({ argv: ['docker', 'image', 'rm', ref] });
    }
  });
});
