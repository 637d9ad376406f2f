/** Names, addresses and paths of the lab: one place, read by the lab, the tests and the benchmarks. */
import { join } from 'node:path';

export const LAB_DIR = process.env.SLIPWAY_LAB_DIR ?? '/var/lib/slipway-lab';
export const LAB_SRC = new URL('.', import.meta.url).pathname;
export const REPO_ROOT = join(LAB_SRC, '..', '..');

/** The Docker client that has BuildKit here (the newer one in /usr/local/bin lacks buildx). */
export const DOCKER = process.env.SLIPWAY_DOCKER ?? '/usr/bin/docker';

/** The lab's buildx builder (remote driver on the lab's buildkitd): several platforms, cache export. */
export const BUILDER = 'slipway-lab-builder';

export const DEBIAN_PACKAGES = [
  'docker.io',
  'docker-registry',
  'apache2-utils',
  'busybox-static',
  'debootstrap',
  'openssh-client',
  'skopeo',
  'socat',
  'curl',
  'iproute2',
  'caddy',
  // other platforms: QEMU user-mode emulation registered with binfmt_misc (test/lab/emulation.ts)
  'qemu-user-static',
  'binfmt-support',
  // runc with seccomp for the Docker 29-era lab host (scripts/tools.mjs builds it)
  'gcc',
  'libseccomp-dev',
  'pkg-config',
];

/** Packages inside every deploy host's Debian rootfs. */
export const HOST_PACKAGES = [
  'docker.io',
  'docker-compose',
  'openssh-server',
  'iproute2',
  'iptables',
  'ca-certificates',
  'socat',
  'procps',
  'curl',
];

export const NETWORK = { name: 'slipway-lab', subnet: '172.29.213.0/24', gateway: '172.29.213.1' };

export interface RegistrySpec {
  readonly name: 'staging' | 'production';
  readonly port: number;
  readonly auth: boolean;
}

export const REGISTRIES: readonly RegistrySpec[] = [
  { name: 'staging', port: 5000, auth: false },
  { name: 'production', port: 5001, auth: true },
];

export interface HostSpec {
  readonly name: string;
  /** Loopback address the host's ports are published on. */
  readonly address: string;
  /** Address on the lab network (what other hosts see). */
  readonly ip: string;
}

export const HOSTS: readonly HostSpec[] = [
  { name: 'lab-host1', address: '127.0.10.1', ip: '172.29.213.11' },
  { name: 'lab-host2', address: '127.0.10.2', ip: '172.29.213.12' },
];
/**
 * The Docker 29-era host: the engine, runc, Compose v2 and buildx pinned in scripts/tools.mjs and
 * the newer docker client, in its own single-node swarm. Apart from HOSTS (the Debian 20.10 pair
 * with Compose v1, a two-node swarm), so tests iterating over the lab's hosts keep deploying there.
 */
export const ENGINE29_HOST: HostSpec = { name: 'lab-host3', address: '127.0.10.3', ip: '172.29.213.13' };
/** The Docker 29 engine's API, plain TCP on the host's loopback address (lab only). */
export const ENGINE29_API_PORT = 2375;
/** Tools from scripts/tools.mjs baked into the Docker 29 host's image. */
export const ENGINE29_TOOLS = ['dockerd', 'docker-proxy', 'runc', 'docker-compose', 'buildx'] as const;
export const SSH_PORT = 2222;
/** Ports published from each host on its loopback address, for deployed apps. */
export const APP_PORTS = { first: 8080, last: 8089 };
export const DEPLOY_USER = 'deploy';
