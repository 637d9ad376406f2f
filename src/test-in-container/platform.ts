/**
 * Which platforms of the image the tests run on, and the image each runs in. An image in the
 * engine's store is tested on its own platform; a reference the engine does not have is read from
 * its registry: an index is tested on each of its platforms (each platform's manifest pulled by its
 * digest), a single manifest on its own. `platforms` narrows (or names) what is tested. A platform
 * this runner can neither run natively nor through emulation registered with binfmt_misc is refused
 * before anything runs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked, type Runner } from '../command/command';
import * as images from '../docker/images';
import type { DockerTarget } from '../docker/target';
import { InputError } from '../common/inputs';
import { parseReference, repositoryName } from '../common/reference';
import { clientFor } from '../registry/resolve';
import { isIndex, platformImages } from '../registry/image-tree';

/** One platform's test: the platform and the image (reference or id) the test container runs. */
export interface PlatformTarget {
  /** os/arch[/variant]. */
  readonly platform: string;
  /** What `docker run` is given: the reference, an image id, or repository@<platform digest>. */
  readonly image: string;
  /** The platform manifest's digest, when the image came from an index in a registry. */
  readonly digest?: string;
  /** Run with docker run --platform (an engine holding a whole index: the containerd image store). */
  readonly runPlatform?: boolean;
}

export interface TestPlatforms {
  readonly targets: readonly PlatformTarget[];
  /** The engine's own platform (the runner's), os/arch. */
  readonly runner: string;
  /** Where the platforms came from. */
  readonly source: 'engine' | 'index' | 'registry' | 'given';
  /** The index digest, when the image is an index in a registry. */
  readonly index?: string;
}

/** `docker image inspect`'s Os/Architecture/Variant line as a platform. */
export function platformOf(text: string): string {
  return text.trim().replace(/\/$/, '');
}

/** os/arch of a platform (a variant dropped): what decides whether it runs natively. */
function osArch(platform: string): string {
  return platform.split('/').slice(0, 2).join('/');
}

/** Whether `platform` is `wanted` ("linux/arm64" matches "linux/arm64/v8"; "linux/arm/v7" only itself). */
export function platformMatches(platform: string, wanted: string): boolean {
  return platform === wanted || platform.startsWith(`${wanted}/`) || wanted.startsWith(`${platform}/`);
}

/**
 * The targets `requested` picks from what the image offers (all of them when nothing is requested),
 * or an InputError naming a requested platform the image does not have.
 */
export function pickPlatforms(
  offered: readonly PlatformTarget[],
  requested: readonly string[],
  image: string,
): PlatformTarget[] {
  if (requested.length === 0) return [...offered];
  return requested.map((wanted) => {
    const found = offered.find((t) => platformMatches(t.platform, wanted));
    if (!found)
      throw new InputError(
        'platforms',
        `${image} has no ${wanted} image (it has ${offered.map((t) => t.platform).join(', ') || 'none'})`,
      );
    return found;
  });
}

/** Platforms a runner of `runner`'s platform runs without emulation. */
const NATIVE_TOO: Record<string, readonly string[]> = {
  'linux/amd64': ['linux/386'],
  'linux/arm64': ['linux/arm'],
};

/** The binfmt_misc entry (QEMU's, as docker/setup-qemu-action and binfmt-support name it) per architecture. */
export const QEMU_ENTRIES: Record<string, string> = {
  amd64: 'qemu-x86_64',
  '386': 'qemu-i386',
  arm64: 'qemu-aarch64',
  arm: 'qemu-arm',
  riscv64: 'qemu-riscv64',
  ppc64le: 'qemu-ppc64le',
  s390x: 'qemu-s390x',
  mips64le: 'qemu-mips64el',
  mips64: 'qemu-mips64',
  loong64: 'qemu-loongarch64',
};

/** What this machine's binfmt_misc says: undefined when it is not mounted, else its enabled entries. */
export interface Binfmt {
  readonly enabled: ReadonlySet<string>;
}

/** Reads /proc/sys/fs/binfmt_misc: the names of the enabled entries (undefined when not mounted). */
export function readBinfmt(dir = '/proc/sys/fs/binfmt_misc'): Binfmt | undefined {
  if (!existsSync(join(dir, 'status'))) return undefined;
  const enabled = new Set<string>();
  for (const name of readdirSync(dir)) {
    if (name === 'status' || name === 'register') continue;
    try {
      if (/^enabled$/m.test(readFileSync(join(dir, name), 'utf8'))) enabled.add(name);
    } catch {
      // an entry removed while listed
    }
  }
  return { enabled };
}

/** Why `platform` cannot run on a `runner` engine with `binfmt`, or undefined when it can. */
export function whyNotRunnable(
  platform: string,
  runner: string,
  binfmt: Binfmt | undefined,
): string | undefined {
  const own = osArch(platform);
  if (own === runner || (NATIVE_TOO[runner] ?? []).includes(own)) return undefined;
  const [os, arch = ''] = own.split('/');
  if (os !== runner.split('/')[0]) return `${platform} images do not run on a ${runner} engine`;
  const entry = QEMU_ENTRIES[arch] ?? `qemu-${arch}`;
  if (binfmt?.enabled.has(entry)) return undefined;
  return binfmt
    ? `no emulation is registered for it (binfmt_misc has no enabled ${entry})`
    : 'no emulation is registered for it (binfmt_misc is not mounted)';
}

/**
 * Refuses, before anything runs, the platforms this runner cannot run: named, with how to enable
 * emulation. Only a local engine's binfmt_misc can be read; a remote engine (DOCKER_HOST) is trusted.
 */
export function checkRunnable(
  targets: readonly PlatformTarget[],
  runner: string,
  binfmt: Binfmt | undefined,
  requested: boolean,
): void {
  const problems = targets
    .map((t) => [t.platform, whyNotRunnable(t.platform, runner, binfmt)] as const)
    .filter((p): p is readonly [string, string] => p[1] !== undefined);
  if (problems.length === 0) return;
  const runnable = targets.filter((t) => !whyNotRunnable(t.platform, runner, binfmt)).map((t) => t.platform);
  const emulable = problems.some(([, why]) => why.startsWith('no emulation'));
  const instead =
    runnable.length > 0
      ? `${requested ? 'list' : 'set platforms to'} only the platforms this runner runs (${runnable.join(',')})`
      : 'test on a runner of that platform';
  throw new InputError(
    'platforms',
    [
      `${problems.map(([p]) => p).join(', ')} cannot run on this runner (${runner}): ${problems.map(([p, why]) => `${p}: ${why}`).join('; ')}.`,
      emulable
        ? `Register QEMU emulation first (docker/setup-qemu-action in the job before this step; on a machine of your own, binfmt_misc with apt-get install qemu-user-static binfmt-support), or ${instead}.`
        : `Nothing was run: ${instead}.`,
    ].join(' '),
  );
}

/** Whether the docker client talks to an engine on this machine (its binfmt_misc is the engine's). */
export function localEngine(env: NodeJS.ProcessEnv = process.env): boolean {
  const host = env.DOCKER_HOST ?? '';
  return host === '' || host.startsWith('unix://');
}

async function imageInStore(
  runner: Runner,
  target: DockerTarget,
  image: string,
): Promise<string | undefined> {
  const inspected = await runner.run(images.imagePlatform(target, image));
  return inspected.exitCode === 0 ? platformOf(inspected.stdout) : undefined;
}

/** The platforms of `image` to test (see the file's comment); nothing is pulled yet. */
export async function resolveTestPlatforms(
  runner: Runner,
  target: DockerTarget,
  image: string,
  requested: readonly string[],
): Promise<TestPlatforms> {
  const [runnerPlatform, inStore] = await Promise.all([
    runChecked(runner, images.serverPlatform(target)).then((r) => r.stdout.trim()),
    imageInStore(runner, target, image),
  ]);
  if (
    inStore !== undefined &&
    (requested.length === 0 || requested.every((p) => platformMatches(inStore, p)))
  )
    return {
      targets: pickPlatforms([{ platform: inStore, image }], requested, image),
      runner: runnerPlatform,
      source: 'engine',
    };
  if (inStore !== undefined) {
    // An engine that holds a whole index (the containerd image store) has each platform asked for:
    // each is run with docker run --platform.
    const held = await Promise.all(
      requested.map(async (wanted) => {
        const one = await runner.run(images.imagePlatform(target, image, wanted));
        return one.exitCode === 0
          ? { platform: platformOf(one.stdout), image, runPlatform: true }
          : undefined;
      }),
    );
    if (held.every((t) => t !== undefined))
      return { targets: held as PlatformTarget[], runner: runnerPlatform, source: 'engine' };
  }
  // Not in the engine's store (or another platform asked for): the registry says what the image is.
  let ref;
  try {
    ref = parseReference(image);
  } catch {
    ref = undefined;
  }
  if (ref && !/^[a-f0-9]{64}$/.test(image) && !image.startsWith('sha256:')) {
    const client = clientFor(ref.registry, { retry: { retries: 1, baseDelayMs: 200, maxDelayMs: 1000 } });
    let manifest;
    try {
      manifest = await client.getManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
    } catch (error) {
      if (inStore !== undefined)
        throw new InputError(
          'platforms',
          `${image} is in the engine's image store for ${inStore} only, and its registry cannot say which other platforms it has (${(error as Error).message.split('\n')[0]})`,
        );
      manifest = undefined; // docker pull says why (or finds it where this client cannot)
    }
    if (manifest && isIndex(manifest)) {
      const name = repositoryName(ref);
      const offered = platformImages(manifest).map((p) => ({
        platform: p.platform,
        image: `${name}@${p.digest}`,
        digest: p.digest,
      }));
      return {
        targets: pickPlatforms(offered, requested, image),
        runner: runnerPlatform,
        source: 'index',
        index: manifest.digest,
      };
    }
  }
  if (inStore !== undefined)
    throw new InputError(
      'platforms',
      `${image} has one platform, ${inStore} (it is not an index of several): test ${requested.join(', ')} with a reference to a multi-platform index`,
    );
  // A single-platform image the engine does not have: pulled, then its own platform.
  await runChecked(runner, images.pull(target, image));
  const pulled = (await runChecked(runner, images.imagePlatform(target, image))).stdout;
  return {
    targets: pickPlatforms([{ platform: platformOf(pulled), image }], requested, image),
    runner: runnerPlatform,
    source: 'registry',
  };
}

/** Pulls a platform's image by its digest when the engine does not have it yet. */
export async function ensurePulled(
  runner: Runner,
  target: DockerTarget,
  t: PlatformTarget,
): Promise<boolean> {
  if (!t.digest) return false;
  if ((await runner.run(images.imagePlatform(target, t.image))).exitCode === 0) return false;
  await runChecked(runner, images.pull(target, t.image));
  return true;
}

/** One line saying which platforms are tested and why. */
export function describeTested(image: string, tested: TestPlatforms): string {
  const names = tested.targets.map((t) => {
    const own = osArch(t.platform) === tested.runner;
    const native = own || (NATIVE_TOO[tested.runner] ?? []).includes(osArch(t.platform));
    return `${t.platform}${own ? " (this runner's platform)" : native ? '' : ' (emulated)'}`;
  });
  const where =
    tested.source === 'index'
      ? `, each platform's image pulled by digest from the index ${tested.index}`
      : tested.source === 'registry'
        ? ', pulled from its registry'
        : '';
  const runnerNote = tested.targets.some((t) => osArch(t.platform) === tested.runner)
    ? ''
    : ` (this runner is ${tested.runner})`;
  return `Testing ${image} for ${names.join(', ')}${runnerNote}${where}`;
}
