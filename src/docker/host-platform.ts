/**
 * The platform a host runs: its engine's OS and machine, as an index names its images
 * (os/arch[/variant]), and the image of an index that engine resolves it to. A deploy with
 * `require-attestations: test-result` verifies that image (deploy-core/verify.ts); `slipway status`
 * shows it.
 */
import { runChecked, type Runner } from '../command/command';
import { dockerCommand, type DockerTarget } from './target';
import { platformMatches } from '../test-in-container/platform';

/** What `uname -m` (docker info's Architecture) says → the architecture (and variant) an index names. */
const MACHINES: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  amd64: 'amd64',
  aarch64: 'arm64',
  arm64: 'arm64',
  armv8l: 'arm/v8',
  armv7l: 'arm/v7',
  armv7: 'arm/v7',
  armv6l: 'arm/v6',
  armv5tel: 'arm/v5',
  i386: '386',
  i686: '386',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64: 'mips64',
  loongarch64: 'loong64',
};

/** The platform of an engine whose docker info says `os` (OSType) and `machine` (Architecture). */
export function enginePlatform(os: string, machine: string): string {
  const arch = MACHINES[machine.trim()] ?? machine.trim();
  return `${os.trim() || 'linux'}/${arch}`;
}

/** docker info's OSType/Architecture, one line. */
export function engineInfo(target: DockerTarget) {
  return dockerCommand(target, ['info', '--format', '{{.OSType}}/{{.Architecture}}']);
}

/** The platform the engine on `runner` pulls an index for. */
export async function hostPlatform(
  runner: Runner,
  target: DockerTarget = { docker: 'docker' },
): Promise<string> {
  const out = (await runChecked(runner, engineInfo(target))).stdout.trim();
  const [os = '', machine = ''] = out.split('/');
  return enginePlatform(os, machine);
}

/**
 * Platforms an engine of `platform` also takes from an index when its own is missing, best first
 * (containerd's default matcher: a 64-bit arm host runs 32-bit arm images, an amd64 host 386).
 */
const FALLBACKS: Readonly<Record<string, readonly string[]>> = {
  'linux/amd64': ['linux/386'],
  'linux/arm64': ['linux/arm/v8', 'linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5'],
  'linux/arm/v8': ['linux/arm/v7', 'linux/arm/v6', 'linux/arm/v5'],
  'linux/arm/v7': ['linux/arm/v6', 'linux/arm/v5'],
  'linux/arm/v6': ['linux/arm/v5'],
};

/**
 * The image of an index an engine of `platform` runs: its own platform (linux/arm64 is also
 * linux/arm64/v8), else the first fallback the index has; undefined when it has none.
 */
export function variantFor<T extends { readonly platform: string }>(
  images: readonly T[],
  platform: string,
): T | undefined {
  for (const wanted of [platform, ...(FALLBACKS[platform] ?? [])]) {
    const found =
      images.find((i) => i.platform === wanted) ?? images.find((i) => platformMatches(i.platform, wanted));
    if (found) return found;
  }
  return undefined;
}
