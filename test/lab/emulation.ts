/**
 * Other platforms on this machine: QEMU user-mode emulation registered with the kernel's binfmt_misc
 * (Debian's qemu-user-static and binfmt-support), with the fix-binary flag (F) so the interpreter is
 * opened once at registration and also works inside containers and BuildKit's RUN steps; and the
 * files a second platform's base image is made of (Debian's arm64 busybox-static, downloaded, never
 * installed). Idempotent: quick when everything is already there.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, type CommandResult, runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { LAB_DIR } from './config';

const runner = new LocalRunner();
const BINFMT = '/proc/sys/fs/binfmt_misc';

/** The platforms the lab emulates, each with its binfmt_misc entry (binfmt-support's name). */
export const EMULATED: ReadonlyArray<{ platform: string; entry: string; debianArch: string }> = [
  { platform: 'linux/arm64', entry: 'qemu-aarch64', debianArch: 'arm64' },
];

export interface EmulatedPlatform {
  readonly platform: string;
  /** The interpreter the kernel runs this platform's binaries with. */
  readonly interpreter: string;
  /** binfmt_misc flags (F: fix-binary, works in containers; P: preserve argv[0]). */
  readonly flags: string;
}

export interface Emulation {
  readonly binfmtMisc: string;
  readonly platforms: readonly EmulatedPlatform[];
}

async function sh(argv: string[], extra: Partial<Command> = {}): Promise<CommandResult> {
  return runChecked(runner, { argv, ...extra });
}

/** One binfmt_misc entry as the kernel shows it: enabled, interpreter, flags. */
export function parseBinfmtEntry(text: string): { enabled: boolean; interpreter: string; flags: string } {
  const field = (name: string) => new RegExp(`^${name}[: ]\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return {
    enabled: /^enabled$/m.test(text),
    interpreter: field('interpreter'),
    flags: field('flags'),
  };
}

function registered(entry: string): EmulatedPlatform | undefined {
  const path = join(BINFMT, entry);
  if (!existsSync(path)) return undefined;
  const parsed = parseBinfmtEntry(readFileSync(path, 'utf8'));
  if (!parsed.enabled || !parsed.flags.includes('F')) return undefined;
  const platform = EMULATED.find((e) => e.entry === entry)?.platform ?? entry;
  return { platform, interpreter: parsed.interpreter, flags: parsed.flags };
}

/**
 * binfmt_misc mounted, qemu-user-static and binfmt-support installed, every platform of EMULATED
 * registered and enabled with the F flag. Throws naming what is missing when it cannot be done
 * (not root, no binfmt_misc in this kernel).
 */
export async function ensureEmulation(log: (message: string) => void): Promise<Emulation> {
  if (!existsSync(join(BINFMT, 'status'))) {
    log(`mounting binfmt_misc on ${BINFMT}`);
    const mounted = await runner.run({ argv: ['mount', '-t', 'binfmt_misc', 'binfmt_misc', BINFMT] });
    if (mounted.exitCode !== 0)
      throw new Error(
        `lab: cannot mount binfmt_misc on ${BINFMT} (${mounted.stderr.trim()}): other platforms need QEMU emulation registered there`,
      );
  }
  if (EMULATED.every((e) => registered(e.entry)))
    return { binfmtMisc: BINFMT, platforms: EMULATED.map((e) => registered(e.entry) as EmulatedPlatform) };
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!existsSync('/usr/bin/qemu-aarch64-static') || !existsSync('/usr/sbin/update-binfmts')) {
    log('installing qemu-user-static and binfmt-support');
    await sh(['apt-get', 'update', '-q'], { env });
    await sh(
      ['apt-get', 'install', '-y', '-q', '--no-install-recommends', 'qemu-user-static', 'binfmt-support'],
      {
        env,
      },
    );
  }
  for (const { entry } of EMULATED) {
    if (registered(entry)) continue;
    // binfmt-support's format for qemu-user-static carries the F flag (fix-binary).
    log(`registering ${entry} with binfmt_misc`);
    await runner.run({ argv: ['update-binfmts', '--import', entry] });
    await runner.run({ argv: ['update-binfmts', '--enable', entry] });
    if (!registered(entry))
      throw new Error(
        `lab: ${entry} is not registered with binfmt_misc with the F flag after update-binfmts (see ${join(BINFMT, entry)})`,
      );
  }
  return { binfmtMisc: BINFMT, platforms: EMULATED.map((e) => registered(e.entry) as EmulatedPlatform) };
}

/**
 * A busybox binary for a Debian architecture (`arm64`): Debian's busybox-static for it, downloaded
 * (dpkg knows the architecture, apt has its lists) and unpacked into the lab's cache.
 */
export async function foreignBusybox(debianArch: string, log: (message: string) => void): Promise<string> {
  const dir = join(LAB_DIR, 'cache', `busybox-static-${debianArch}`);
  const binary = join(dir, 'root', 'bin', 'busybox');
  if (existsSync(binary)) return binary;
  const foreign = (await sh(['dpkg', '--print-foreign-architectures'])).stdout.split('\n');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!foreign.includes(debianArch)) {
    log(`adding the ${debianArch} architecture to dpkg (for busybox-static:${debianArch})`);
    await sh(['dpkg', '--add-architecture', debianArch]);
    await sh(['apt-get', 'update', '-q'], { env });
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // apt-get download writes into the current directory: a shell only to cd, its arguments positional.
  const download: Command = {
    argv: ['sh', '-c', 'cd "$1" && exec apt-get download "$2"', 'sh', dir, `busybox-static:${debianArch}`],
  };
  let downloaded = await runner.run(download);
  if (downloaded.exitCode !== 0) {
    await sh(['apt-get', 'update', '-q'], { env });
    downloaded = await runner.run(download);
  }
  if (downloaded.exitCode !== 0)
    throw new Error(`lab: apt-get download busybox-static:${debianArch}: ${downloaded.stderr.trim()}`);
  const deb = readdirSync(dir).find((f) => f.endsWith('.deb'));
  if (!deb) throw new Error(`lab: apt-get download busybox-static:${debianArch} left no .deb in ${dir}`);
  await sh(['dpkg-deb', '-x', join(dir, deb), join(dir, 'root')]);
  rmSync(join(dir, deb), { force: true });
  return binary;
}
