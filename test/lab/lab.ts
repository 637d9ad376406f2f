/**
 * The lab: real services for integration tests, the demo and the benchmarks, brought up
 * idempotently on this machine without pulling any image.
 *
 * - a Docker engine (Debian's docker.io; dockerd started if none answers);
 * - two registries from Debian's docker-registry on loopback: staging (open, :5000) and
 *   production (htpasswd basic auth, :5001);
 * - two deploy hosts, each a container with its own dockerd and sshd (Debian rootfs made by
 *   debootstrap), published on its own loopback address (127.0.10.N:2222 for SSH, :8080-8089 for
 *   apps), with host keys written to a known_hosts file; together a two-node swarm;
 * - a third deploy host, the same image plus a Docker 29-era engine (containerd image store),
 *   Compose v2 and the Docker 29 client, in a single-node swarm of its own, its engine's API also
 *   published on 127.0.10.3:2375 for the runner's client (lab.modernHost, not in lab.hosts);
 * - QEMU emulation of linux/arm64 registered with binfmt_misc (test/lab/emulation.ts);
 * - a busybox base image (docker import of busybox-static), a two-platform one (amd64 and arm64
 *   busybox-static, an index in the staging registry) and the fixture web app.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { type Command, type CommandResult, runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import {
  APP_PORTS,
  DEBIAN_PACKAGES,
  DEPLOY_USER,
  DOCKER,
  ENGINE29_API_PORT,
  ENGINE29_HOST,
  ENGINE29_TOOLS,
  HOST_PACKAGES,
  HOSTS,
  LAB_DIR,
  LAB_SRC,
  NETWORK,
  REGISTRIES,
  type RegistrySpec,
  SSH_PORT,
} from './config';
import { ensureBuilder, stopBuilder } from './builder';
import { type Emulation, ensureEmulation, foreignBusybox } from './emulation';

export interface LabRegistry {
  readonly name: string;
  /** host:port, as used in image references. */
  readonly host: string;
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

export interface LabHost {
  readonly name: string;
  readonly address: string;
  readonly ip: string;
  readonly sshPort: number;
  readonly container: string;
}

/** The Docker 29-era host: a deploy host like the others, and its engine reachable from the runner. */
export interface ModernLabHost extends LabHost {
  /** DOCKER_HOST for the runner's client: the host's engine (tcp://127.0.10.3:2375). */
  readonly dockerHost: string;
  /** The docker client that talks to this engine (Docker 29, pinned in scripts/tools.mjs). */
  readonly client: string;
  /** The engine's version and API version, as it reports them. */
  readonly engineVersion: string;
  readonly apiVersion: string;
}

export interface LabInfo {
  readonly docker: string;
  /** The buildx builder that builds several platforms and exports caches (test/lab/builder.ts). */
  readonly builder: string;
  readonly registries: { readonly staging: LabRegistry; readonly production: LabRegistry };
  /** The Debian 20.10 + Compose v1 hosts, a two-node swarm. */
  readonly hosts: readonly LabHost[];
  /** The Docker 29 + Compose v2 host, a single-node swarm; deliberately not in hosts. */
  readonly modernHost: ModernLabHost;
  readonly ssh: { readonly user: string; readonly privateKeyPath: string; readonly knownHostsPath: string };
  /** Other platforms this machine runs through QEMU (binfmt_misc), as the lab registered them. */
  readonly emulation: Emulation;
  readonly images: {
    readonly busybox: string;
    readonly busyboxInRegistry: string;
    /** A two-platform base in the staging registry (linux/amd64, linux/arm64: an index). */
    readonly busyboxMulti: string;
    readonly app: string;
    readonly slowDb: string;
    readonly proxy: string;
  };
}

const runner = new LocalRunner();
const log = (message: string) => process.stderr.write(`[lab] ${message}\n`);

async function sh(argv: string[], extra: Partial<Command> = {}): Promise<CommandResult> {
  return runChecked(runner, { argv, ...extra });
}

async function ok(argv: string[], extra: Partial<Command> = {}): Promise<boolean> {
  const result = await runner.run({ argv, ...extra });
  return result.exitCode === 0;
}

const docker = (...args: string[]) => sh([DOCKER, ...args], { env: { DOCKER_BUILDKIT: '1' } });
const dockerOk = (...args: string[]) => ok([DOCKER, ...args]);

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await fn();
  log(`${name} (${Math.round(performance.now() - started)} ms)`);
  return result;
}

function which(command: string): boolean {
  return (process.env.PATH ?? '/usr/bin:/bin').split(':').some((dir) => existsSync(join(dir, command)));
}

async function ensurePackages(): Promise<void> {
  const needed: Record<string, string> = {
    dockerd: 'docker.io',
    'docker-registry': 'docker-registry',
    htpasswd: 'apache2-utils',
    debootstrap: 'debootstrap',
    'ssh-keygen': 'openssh-client',
    skopeo: 'skopeo',
    socat: 'socat',
    curl: 'curl',
    caddy: 'caddy',
  };
  const missing = Object.entries(needed).filter(([cmd]) => !which(cmd) && !existsSync(`/usr/sbin/${cmd}`));
  if (!existsSync('/bin/busybox')) missing.push(['busybox', 'busybox-static']);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `the lab needs these Debian packages: ${DEBIAN_PACKAGES.join(' ')} (run as root to install them)`,
    );
  }
  log(`installing Debian packages: ${DEBIAN_PACKAGES.join(' ')}`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await sh(['apt-get', 'update', '-q'], { env });
  await sh(['apt-get', 'install', '-y', '-q', '--no-install-recommends', ...DEBIAN_PACKAGES], { env });
}

function startDetached(argv: string[], logFile: string): number {
  const out = openSync(logFile, 'a');
  const [file, ...args] = argv as [string, ...string[]];
  const child = spawn(file, args, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  return child.pid ?? 0;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`lab: ${what} did not become ready within ${timeoutMs / 1000} s`);
}

async function ensureDocker(): Promise<void> {
  if (await dockerOk('version', '--format', '{{.Server.Version}}')) return;
  log('starting dockerd');
  startDetached(['dockerd'], join(LAB_DIR, 'dockerd.log'));
  await waitFor('dockerd', () => dockerOk('version', '--format', '{{.Server.Version}}'), 60_000);
}

function httpStatus(url: string): Promise<number> {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.status,
    () => 0,
  );
}

function readOrCreateSecret(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(18).toString('base64url');
  writeFileSync(path, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function ensureRegistry(spec: RegistrySpec): Promise<LabRegistry> {
  const dir = join(LAB_DIR, 'registry', spec.name);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const username = 'slipway';
  const password = spec.auth ? readOrCreateSecret(join(dir, 'password')) : undefined;
  const info: LabRegistry = {
    name: spec.name,
    host: `127.0.0.1:${spec.port}`,
    url: `http://127.0.0.1:${spec.port}`,
    ...(spec.auth && { username, password }),
  };
  const expected = spec.auth ? 401 : 200;
  if ((await httpStatus(`${info.url}/v2/`)) === expected) return info;
  if (spec.auth && password) {
    const htpasswd = await sh(['htpasswd', '-B', '-i', '-n', username], { stdin: `${password}\n` });
    writeFileSync(join(dir, 'htpasswd'), htpasswd.stdout, { mode: 0o600 });
  }
  // Listens on all addresses so the deploy hosts reach it through the lab network's gateway.
  const config = [
    'version: 0.1',
    'log: { level: warn }',
    'storage:',
    `  filesystem: { rootdirectory: ${join(dir, 'data')} }`,
    '  delete: { enabled: true }',
    'http:',
    `  addr: 0.0.0.0:${spec.port}`,
    '  headers: { X-Content-Type-Options: [nosniff] }',
    ...(spec.auth
      ? ['auth:', `  htpasswd: { realm: slipway-lab-${spec.name}, path: ${join(dir, 'htpasswd')} }`]
      : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  log(`starting registry ${spec.name} on :${spec.port}`);
  const pid = startDetached(['docker-registry', 'serve', join(dir, 'config.yml')], join(dir, 'registry.log'));
  writeFileSync(join(dir, 'pid'), `${pid}\n`);
  await waitFor(
    `registry ${spec.name}`,
    async () => (await httpStatus(`${info.url}/v2/`)) === expected,
    30_000,
  );
  return info;
}

async function imageExists(ref: string): Promise<boolean> {
  return dockerOk('image', 'inspect', '--format', '{{.Id}}', ref);
}

/** A busybox root filesystem (the binary, its applets as links, passwd, group, /tmp) as a tar. */
async function busyboxRootfs(binary: string, name: string): Promise<string> {
  const root = join(LAB_DIR, 'cache', `${name}-root`);
  rmSync(root, { recursive: true, force: true });
  for (const dir of ['bin', 'etc', 'tmp', 'root']) mkdirSync(join(root, dir), { recursive: true });
  await sh(['cp', binary, join(root, 'bin', 'busybox')]);
  // Another platform's busybox lists its applets too: binfmt_misc runs it under QEMU.
  const applets = (await sh([join(root, 'bin', 'busybox'), '--list'])).stdout.split('\n').filter(Boolean);
  for (const applet of applets) {
    if (applet !== 'busybox') await sh(['ln', '-sf', 'busybox', join(root, 'bin', applet)]);
  }
  writeFileSync(
    join(root, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  );
  writeFileSync(join(root, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  chmodSync(join(root, 'tmp'), 0o1777);
  const tar = join(LAB_DIR, 'cache', `${name}.tar`);
  await sh(['tar', '-C', root, '-cf', tar, '.']);
  rmSync(root, { recursive: true, force: true });
  return tar;
}

async function ensureBusybox(): Promise<string> {
  const ref = 'slipway-lab/busybox:latest';
  if (await imageExists(ref)) return ref;
  const tar = await busyboxRootfs('/bin/busybox', 'busybox');
  await docker('import', '--change', 'CMD ["sh"]', '--change', 'ENV PATH=/bin', tar, ref);
  return ref;
}

/** The platforms of the two-platform base image (the second one emulated here). */
export const MULTI_BASE_PLATFORMS = ['linux/amd64', 'linux/arm64'] as const;

/** The platforms an index in a lab registry lists (none when it is not an index or not there). */
async function indexPlatforms(registry: LabRegistry, repository: string, tag: string): Promise<string[]> {
  const response = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    headers: {
      accept:
        'application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json',
    },
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  if (!response?.ok) return [];
  const index = (await response.json()) as {
    manifests?: Array<{ platform?: { os: string; architecture: string } }>;
  };
  return (index.manifests ?? [])
    .filter((m) => m.platform && m.platform.os !== 'unknown')
    .map((m) => `${m.platform?.os}/${m.platform?.architecture}`)
    .sort();
}

/**
 * A two-platform base image in the staging registry (linux/amd64 and linux/arm64 busybox, an index
 * pushed from the lab's builder): Debian's busybox-static of each architecture, nothing pulled.
 */
async function ensureMultiBase(staging: LabRegistry, builder: string): Promise<string> {
  const repository = 'base/busybox-multi';
  const ref = `${staging.host}/${repository}:1`;
  if (
    (await indexPlatforms(staging, repository, '1')).join(',') === [...MULTI_BASE_PLATFORMS].sort().join(',')
  )
    return ref;
  const context = join(LAB_DIR, 'cache', 'busybox-multi');
  rmSync(context, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });
  const amd64 = await busyboxRootfs('/bin/busybox', 'busybox-amd64');
  const arm64 = await busyboxRootfs(await foreignBusybox('arm64', log), 'busybox-arm64');
  copyFileSync(amd64, join(context, 'rootfs-amd64.tar'));
  copyFileSync(arm64, join(context, 'rootfs-arm64.tar'));
  rmSync(amd64, { force: true });
  rmSync(arm64, { force: true });
  writeFileSync(
    join(context, 'Dockerfile'),
    [
      'FROM scratch',
      'ARG TARGETARCH',
      'ADD rootfs-${TARGETARCH}.tar /',
      'ENV PATH=/bin',
      'CMD ["sh"]',
      '',
    ].join('\n'),
  );
  try {
    await docker(
      'buildx',
      'build',
      '--builder',
      builder,
      '--platform',
      MULTI_BASE_PLATFORMS.join(','),
      '--provenance',
      'false',
      '--push',
      '--tag',
      ref,
      context,
    );
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return ref;
}

/**
 * The reverse proxy image the deploy tests use (the action's default is the official caddy image,
 * which cannot be pulled here): Caddy built from source by scripts/tools.mjs (Debian's 2.6.2 drops
 * connections on a reload, see the README) and the libraries ldd lists, on busybox.
 */
async function ensureProxyImage(busybox: string, staging: LabRegistry): Promise<string> {
  const { ensureTools, tool } = await import('../../scripts/tools.mjs');
  const binary = (await ensureTools((message) => log(message), ['caddy'])).caddy as string;
  const ref = `${staging.host}/lab/caddy:${tool('caddy').version}-lab3`;
  const served = await httpStatus(`${staging.url}/v2/lab/caddy/manifests/${ref.split(':').pop()}`);
  if (served === 200 && (await imageExists(ref))) return ref;
  const context = join(LAB_DIR, 'cache', 'caddy-image');
  rmSync(context, { recursive: true, force: true });
  mkdirSync(join(context, 'libs'), { recursive: true });
  await sh(['cp', binary, join(context, 'caddy')]);
  const libs = (await sh(['ldd', binary])).stdout
    .split('\n')
    .map((line) => /(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((path): path is string => Boolean(path));
  const copies: string[] = [];
  for (const lib of libs) {
    const name = lib.split('/').pop() as string;
    await sh(['cp', '-L', lib, join(context, 'libs', name)]);
    copies.push(`COPY libs/${name} ${lib}`);
  }
  writeFileSync(
    join(context, 'Dockerfile'),
    [
      `FROM ${busybox}`,
      ...copies,
      'COPY caddy /usr/bin/caddy',
      'RUN mkdir -p /etc/caddy /data /config',
      'ENV XDG_DATA_HOME=/data XDG_CONFIG_HOME=/config PATH=/usr/bin:/bin',
      'EXPOSE 80',
      'CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]',
      '',
    ].join('\n'),
  );
  await docker('build', '--quiet', '--tag', ref, context);
  await docker('push', ref);
  return ref;
}

/** The base image as a registry image too, so builds can resolve FROM to a digest. */
async function publishBase(busybox: string, staging: LabRegistry): Promise<string> {
  const ref = `${staging.host}/base/busybox:1`;
  const served = await httpStatus(`${staging.url}/v2/base/busybox/manifests/1`);
  if (served === 200 && (await imageExists(ref))) return ref;
  await docker('tag', busybox, ref);
  await docker('push', ref);
  return ref;
}

function hash(...parts: string[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex').slice(0, 12);
}

async function ensureHostImage(): Promise<string> {
  const dir = join(LAB_SRC, 'host');
  const files = ['Dockerfile', 'entrypoint.sh', 'sshd_config'].map((f) => readFileSync(join(dir, f), 'utf8'));
  const rootfsTag = `slipway-lab/host-rootfs:${hash('bookworm', ...HOST_PACKAGES)}`;
  const tag = `slipway-lab/host:${hash(rootfsTag, ...files)}`;
  if (await imageExists(tag)) return tag;
  if (!(await imageExists(rootfsTag))) {
    const rootfs = join(LAB_DIR, 'cache', 'rootfs');
    rmSync(rootfs, { recursive: true, force: true });
    log('debootstrap: making a Debian rootfs for the deploy hosts (about a minute)');
    await sh([
      'debootstrap',
      '--variant=minbase',
      `--include=${HOST_PACKAGES.join(',')}`,
      'bookworm',
      rootfs,
      'http://deb.debian.org/debian',
    ]);
    for (const junk of ['var/cache/apt/archives', 'usr/share/doc', 'usr/share/man', 'var/lib/apt/lists']) {
      rmSync(join(rootfs, junk), { recursive: true, force: true });
    }
    const tar = join(LAB_DIR, 'cache', 'rootfs.tar');
    await sh(['tar', '-C', rootfs, '-cf', tar, '.']);
    await docker('import', tar, rootfsTag);
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(tar, { force: true });
  }
  await docker('build', '--quiet', '--build-arg', `ROOTFS=${rootfsTag}`, '--tag', tag, dir);
  return tag;
}

/**
 * The Docker 29 client: $SLIPWAY_DOCKER_CLIENT, else the pinned docker/cli built from source by
 * scripts/tools.mjs (Debian 12 has only 20.10's, which a Docker 29 engine refuses).
 */
async function modernClient(): Promise<string> {
  const { ensureTools } = await import('../../scripts/tools.mjs');
  return (await ensureTools((message) => log(message), ['docker'])).docker as string;
}

/** The docker client's version ("29.1.0"), or a clear error when it is missing or too old for Docker 29. */
async function clientVersion(): Promise<string> {
  const DOCKER_CLIENT = await modernClient();
  const probe = await runner.run({ argv: [DOCKER_CLIENT, '--version'] });
  const version = /version (\d+)\.(\d+)\.\d+\S*/.exec(probe.stdout);
  if (probe.exitCode !== 0 || !version || Number(version[1]) < 25) {
    throw new Error(
      `lab: the Docker 29 host needs a docker client of Docker 25 or newer (API >= 1.44) at ${DOCKER_CLIENT} ` +
        `(set SLIPWAY_DOCKER_CLIENT to another one); found ${probe.stdout.trim() || probe.stderr.trim() || 'none'}`,
    );
  }
  return (version[0] as string).replace(/^version /, '').replace(/,$/, '');
}

/**
 * The Docker 29 host's image: the deploy host image plus the pinned engine binaries, Compose v2,
 * buildx and the newer client, from a build context assembled here. The tag hashes the base, the
 * files and every pin, so a moved pin rebuilds it (and ensureHost then replaces the host).
 */
async function ensureEngine29Image(base: string): Promise<string> {
  const dir = join(LAB_SRC, 'host-engine29');
  const files = ['Dockerfile', 'dockerd.sh'];
  // Imported when needed: the lab CLI runs under tsx as CommonJS, which cannot require an ES
  // module with top-level await.
  const { ensureTools, tool } = await import('../../scripts/tools.mjs');
  const client = await clientVersion();
  const versions = ENGINE29_TOOLS.map((name) => `${name}@${tool(name).version}`);
  const tag = `slipway-lab/host-engine29:${hash(
    base,
    ...files.map((f) => readFileSync(join(dir, f), 'utf8')),
    // The whole pin (version, build tags, ldflags): any change to how a tool is built rebuilds.
    ...ENGINE29_TOOLS.map((name) => JSON.stringify(tool(name))),
    `docker@${client}`,
  )}`;
  if (await imageExists(tag)) return tag;
  const paths = await ensureTools((message) => log(message), ENGINE29_TOOLS);
  const context = join(LAB_DIR, 'cache', 'host-engine29');
  rmSync(context, { recursive: true, force: true });
  mkdirSync(context, { recursive: true });
  for (const file of files) copyFileSync(join(dir, file), join(context, file));
  const binaries: Record<string, string> = {
    dockerd: paths.dockerd as string,
    'docker-proxy': paths['docker-proxy'] as string,
    runc: paths.runc as string,
    'docker-compose': paths['docker-compose'] as string,
    'docker-buildx': paths.buildx as string,
    docker: await modernClient(),
  };
  for (const [name, path] of Object.entries(binaries)) copyFileSync(path, join(context, name));
  log(`building the Docker 29 host image (${versions.join(', ')}, docker client ${client})`);
  try {
    await docker('build', '--quiet', '--build-arg', `BASE=${base}`, '--tag', tag, context);
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

async function ensureNetwork(): Promise<void> {
  if (await dockerOk('network', 'inspect', NETWORK.name)) return;
  await docker('network', 'create', '--subnet', NETWORK.subnet, '--gateway', NETWORK.gateway, NETWORK.name);
}

function sshBanner(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: timeoutMs });
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('SSH-'));
    });
    socket.once('error', () => resolve(false));
    // docker-proxy accepts, then closes at once while the container's sshd is not listening yet.
    socket.once('close', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function ensureSshKey(): Promise<string> {
  const dir = join(LAB_DIR, 'ssh');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = join(dir, 'id_ed25519');
  if (!existsSync(key))
    await sh(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'slipway-lab', '-f', key]);
  return key;
}

async function ensureHost(
  spec: (typeof HOSTS)[number],
  image: string,
  publicKey: string,
  extraPublish: readonly string[] = [],
): Promise<LabHost> {
  const container = `slipway-${spec.name}`;
  const host: LabHost = { name: spec.name, address: spec.address, ip: spec.ip, sshPort: SSH_PORT, container };
  const running = await runner.run({
    argv: [DOCKER, 'inspect', '--format', '{{.State.Running}} {{.Config.Image}}', container],
  });
  const healthy =
    running.exitCode === 0 &&
    running.stdout.trim() === `true ${image}` &&
    // Generous: a busy machine must not get a running host replaced (and the tests on it broken).
    (await sshBanner(spec.address, SSH_PORT, 10_000)) &&
    (await dockerOk('exec', container, 'docker', 'info', '--format', '{{.ServerVersion}}'));
  if (healthy) return host;
  await runner.run({ argv: [DOCKER, 'rm', '-f', container] });
  log(`starting deploy host ${spec.name} (${spec.address})`);
  await docker(
    'run',
    '--detach',
    '--name',
    container,
    '--hostname',
    spec.name,
    '--init',
    '--cap-add=ALL',
    '--cap-drop=SYS_RESOURCE',
    '--security-opt',
    'seccomp=unconfined',
    '--security-opt',
    'apparmor=unconfined',
    '--security-opt',
    'systempaths=unconfined',
    '--device-cgroup-rule',
    'a *:* rwm',
    '--tmpfs',
    '/run',
    '--tmpfs',
    '/tmp',
    '--network',
    NETWORK.name,
    '--ip',
    spec.ip,
    '--publish',
    `${spec.address}:${SSH_PORT}:22`,
    '--publish',
    `${spec.address}:${APP_PORTS.first}-${APP_PORTS.last}:${APP_PORTS.first}-${APP_PORTS.last}`,
    ...extraPublish.flatMap((p) => ['--publish', p]),
    '--volume',
    `${container}-docker:/var/lib/docker`,
    '--volume',
    `${publicKey}:/etc/slipway-lab/authorized_keys:ro`,
    '--env',
    `SLIPWAY_LAB_GATEWAY=${NETWORK.gateway}`,
    '--env',
    `SLIPWAY_LAB_FORWARD=${REGISTRIES.map((r) => r.port).join(' ')}`,
    '--label',
    'slipway-lab=host',
    image,
  );
  await waitFor(`sshd on ${spec.name}`, () => sshBanner(spec.address, SSH_PORT), 30_000);
  await waitFor(
    `dockerd on ${spec.name}`,
    () => dockerOk('exec', container, 'docker', 'info', '--format', '{{.ServerVersion}}'),
    60_000,
  );
  return host;
}

/** The Docker 29 host, its engine answering the runner's client on 127.0.10.3:2375. */
async function ensureModernHost(image: string, publicKey: string): Promise<ModernLabHost> {
  const spec = ENGINE29_HOST;
  const host = await ensureHost(spec, image, publicKey, [
    `${spec.address}:${ENGINE29_API_PORT}:${ENGINE29_API_PORT}`,
  ]);
  const dockerHost = `tcp://${spec.address}:${ENGINE29_API_PORT}`;
  const DOCKER_CLIENT = await modernClient();
  const version = () =>
    runner.run({
      argv: [DOCKER_CLIENT, 'version', '--format', '{{.Server.Version}} {{.Server.APIVersion}}'],
      env: { DOCKER_HOST: dockerHost },
    });
  await waitFor(
    `the Docker 29 engine at ${dockerHost}`,
    async () => (await version()).exitCode === 0,
    30_000,
  );
  const [engineVersion = '', apiVersion = ''] = (await version()).stdout.trim().split(' ');
  return { ...host, dockerHost, client: DOCKER_CLIENT, engineVersion, apiVersion };
}

async function writeKnownHosts(hosts: readonly LabHost[], path: string): Promise<void> {
  const lines: string[] = [];
  for (const host of hosts) {
    const keys = await docker('exec', host.container, 'sh', '-c', 'cat /etc/ssh/ssh_host_*_key.pub');
    for (const line of keys.stdout.split('\n').filter(Boolean)) {
      const [type, key] = line.split(/\s+/);
      lines.push(`[${host.address}]:${host.sshPort} ${type} ${key}`);
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

export async function buildFixtureApp(
  version: string,
  options: { healthy?: boolean; tag?: string } = {},
): Promise<string> {
  const tag = options.tag ?? `slipway-lab/app:${version}`;
  await docker(
    'build',
    '--quiet',
    '--build-arg',
    `VERSION=${version}`,
    '--build-arg',
    `HEALTHY=${options.healthy ?? true}`,
    '--tag',
    tag,
    join(LAB_SRC, 'fixtures', 'app'),
  );
  return tag;
}

/** Builds a version of the fixture app and pushes it to the staging registry; returns the reference. */
export async function publishFixtureApp(
  staging: LabRegistry,
  repository: string,
  version: string,
  options: { healthy?: boolean } = {},
): Promise<string> {
  const ref = await buildFixtureApp(version, { ...options, tag: `${staging.host}/${repository}:${version}` });
  await docker('push', '--quiet', ref);
  return ref;
}

/**
 * The deploy hosts as a two-node Docker Swarm: the first host the manager, the others workers
 * (idempotent; a host left in a stale swarm by an earlier lab leaves it and joins this one).
 */
async function ensureSwarm(hosts: readonly LabHost[]): Promise<void> {
  const [manager, ...workers] = hosts as [LabHost, ...LabHost[]];
  const onHost = (host: LabHost, ...args: string[]) => docker('exec', host.container, 'docker', ...args);
  const state = async (host: LabHost) =>
    (
      await onHost(host, 'info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}')
    ).stdout.trim();
  if ((await state(manager)) !== 'active true') {
    await runner.run({ argv: [DOCKER, 'exec', manager.container, 'docker', 'swarm', 'leave', '--force'] });
    await onHost(manager, 'swarm', 'init', '--advertise-addr', manager.ip);
  }
  const token = (await onHost(manager, 'swarm', 'join-token', '--quiet', 'worker')).stdout.trim();
  const nodes = (await onHost(manager, 'node', 'ls', '--format', '{{.Hostname}} {{.Status}}')).stdout;
  for (const worker of workers) {
    if (nodes.includes(`${worker.name} Ready`) && (await state(worker)).startsWith('active')) continue;
    await runner.run({ argv: [DOCKER, 'exec', worker.container, 'docker', 'swarm', 'leave', '--force'] });
    await onHost(worker, 'swarm', 'join', '--token', token, `${manager.ip}:2377`);
  }
  // Nodes that left (an earlier lab's) are listed as Down: remove them so tasks are not scheduled there.
  const down = (
    await onHost(manager, 'node', 'ls', '--filter', 'role=worker', '--format', '{{.ID}} {{.Status}}')
  ).stdout
    .split('\n')
    .filter((l) => l.endsWith(' Down'))
    .map((l) => l.split(' ')[0] as string);
  if (down.length > 0) await onHost(manager, 'node', 'rm', '--force', ...down);
}

/** Brings the whole lab up (idempotent: quick when already up) and returns how to reach it. */
export async function ensureLab(): Promise<LabInfo> {
  const started = performance.now();
  mkdirSync(join(LAB_DIR, 'cache'), { recursive: true });
  await step('Debian packages', ensurePackages);
  await step('Docker engine', ensureDocker);
  const emulation = await step('QEMU emulation (binfmt_misc)', () => ensureEmulation(log));
  const staging = await step('registry staging', () => ensureRegistry(REGISTRIES[0] as RegistrySpec));
  const production = await step('registry production', () => ensureRegistry(REGISTRIES[1] as RegistrySpec));
  const busybox = await step('busybox base image', ensureBusybox);
  const busyboxInRegistry = await step('busybox in the staging registry', () =>
    publishBase(busybox, staging),
  );
  const proxy = await step('proxy image (caddy)', () => ensureProxyImage(busybox, staging));
  const hostImage = await step('deploy host image', ensureHostImage);
  await step('lab network', ensureNetwork);
  const key = await ensureSshKey();
  // Built before any host is looked at: a build beside the hosts' health checks could slow them.
  const engine29Image = await step('Docker 29 deploy host image', () => ensureEngine29Image(hostImage));
  const [hosts, modernHost] = await Promise.all([
    step('deploy hosts (Docker 20.10)', async () => {
      const started = await Promise.all(HOSTS.map((h) => ensureHost(h, hostImage, `${key}.pub`)));
      await ensureSwarm(started);
      return started;
    }),
    step('deploy host (Docker 29)', async () => {
      const host = await ensureModernHost(engine29Image, `${key}.pub`);
      await ensureSwarm([host]);
      return host;
    }),
  ]);
  const knownHostsPath = join(LAB_DIR, 'ssh', 'known_hosts');
  await writeKnownHosts([...hosts, modernHost], knownHostsPath);
  const builder = await step('buildx plugin and BuildKit builder', ensureBuilder);
  const busyboxMulti = await step('two-platform base image', () => ensureMultiBase(staging, builder.name));
  const app = await step('fixture app', () => buildFixtureApp('dev'));
  const slowDb = await step('slow-db service image', async () => {
    await docker(
      'build',
      '--quiet',
      '--tag',
      'slipway-lab/slow-db:latest',
      join(LAB_SRC, 'fixtures', 'slow-db'),
    );
    return 'slipway-lab/slow-db:latest';
  });
  const info: LabInfo = {
    docker: DOCKER,
    builder: builder.name,
    registries: { staging, production },
    hosts,
    modernHost,
    ssh: { user: DEPLOY_USER, privateKeyPath: key, knownHostsPath },
    emulation,
    images: { busybox, busyboxInRegistry, busyboxMulti, app, slowDb, proxy },
  };
  writeFileSync(join(LAB_DIR, 'lab.json'), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  log(`lab is up (${Math.round(performance.now() - started)} ms)`);
  return info;
}

/** Stops and removes everything the lab started; caches survive unless purge is set. */
export async function teardownLab(options: { purge?: boolean } = {}): Promise<void> {
  await stopBuilder();
  for (const spec of [...HOSTS, ENGINE29_HOST]) {
    await runner.run({ argv: [DOCKER, 'rm', '-f', `slipway-${spec.name}`] });
    await runner.run({ argv: [DOCKER, 'volume', 'rm', `slipway-${spec.name}-docker`] });
  }
  await runner.run({ argv: [DOCKER, 'network', 'rm', NETWORK.name] });
  for (const spec of REGISTRIES) {
    const pidFile = join(LAB_DIR, 'registry', spec.name, 'pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8'));
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      rmSync(pidFile);
    }
  }
  if (options.purge) {
    const images = await runner.run({
      argv: [DOCKER, 'images', '--quiet', '--filter', 'reference=slipway-lab/*'],
    });
    const ids = [...new Set(images.stdout.split('\n').filter(Boolean))];
    if (ids.length > 0) await runner.run({ argv: [DOCKER, 'rmi', '-f', ...ids] });
    rmSync(LAB_DIR, { recursive: true, force: true });
  }
  log(options.purge ? 'lab removed (purged)' : 'lab stopped');
}

/** The last written lab description (after ensureLab). */
export function readLabInfo(): LabInfo {
  return JSON.parse(readFileSync(join(LAB_DIR, 'lab.json'), 'utf8')) as LabInfo;
}
