/**
 * The runner side's BuildKit: buildx installed as a docker CLI plugin where every client on this
 * machine finds it, and a buildkitd (run as root, its own --root under the lab dir) registered as
 * a buildx builder with the remote driver. It builds several platforms (RUN for linux/arm64 runs
 * under QEMU, registered with binfmt_misc by test/lab/emulation.ts) and exports caches; the lab
 * registries are plain HTTP to it.
 *
 * The lab's builder is started once and reused (its pid in a pidfile, never killed by name); tests
 * that need a builder with an empty cache start their own with startBuildkitd and stop it by pid.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { LocalRunner } from '../../src/command/local-runner';
import { BUILDER, DOCKER, LAB_DIR, REGISTRIES } from './config';
import { alive } from './process';

const runner = new LocalRunner();

/** Where docker clients (20.10 and 28 alike, whatever DOCKER_CONFIG says) look for CLI plugins. */
export const CLI_PLUGINS_DIR = '/usr/local/lib/docker/cli-plugins';

async function tools(): Promise<{ buildx: string; buildkitd: string }> {
  // Imported when needed: tools.mjs has a top-level await, which the lab CLI (tsx, CommonJS) cannot require.
  const { ensureTools, findTool } = await import('../../scripts/tools.mjs');
  let buildx = findTool('buildx');
  let buildkitd = findTool('buildkitd');
  if (!buildx || !buildkitd) {
    const built = await ensureTools((m) => process.stderr.write(`[lab] ${m}\n`), ['buildx', 'buildkitd']);
    buildx = built.buildx;
    buildkitd = built.buildkitd;
  }
  if (!buildx || !buildkitd)
    throw new Error('lab: buildx and buildkitd are not built (node scripts/tools.mjs)');
  return { buildx, buildkitd };
}

/** Copies the pinned buildx into the system CLI plugin directory (when missing or different). */
export async function installBuildxPlugin(): Promise<string> {
  const { buildx } = await tools();
  const plugin = join(CLI_PLUGINS_DIR, 'docker-buildx');
  const same =
    existsSync(plugin) &&
    statSync(plugin).size === statSync(buildx).size &&
    statSync(plugin).mtimeMs >= statSync(buildx).mtimeMs;
  if (!same) {
    mkdirSync(CLI_PLUGINS_DIR, { recursive: true });
    copyFileSync(buildx, `${plugin}.tmp`);
    // rename: a client running the old plugin keeps its file
    await runner.run({ argv: ['chmod', '0755', `${plugin}.tmp`] });
    await runner.run({ argv: ['mv', '-f', `${plugin}.tmp`, plugin] });
  }
  return plugin;
}

/**
 * Whether `pid` is the buildkitd serving `socket`: after a reboot the pidfile's number may belong to
 * any other process (a docker-proxy, once), which must neither be reused as the builder nor killed.
 */
function isBuildkitd(pid: number, socket: string): boolean {
  if (!alive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return /buildkitd$/.test(argv[0] ?? '') && argv.includes(`unix://${socket}`);
  } catch {
    return false;
  }
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The buildkitd.toml: the lab registries are plain HTTP. */
export function buildkitdConfig(): string {
  return REGISTRIES.map((r) => `[registry."127.0.0.1:${r.port}"]\n  http = true\n`).join('');
}

export interface Buildkitd {
  readonly dir: string;
  readonly socket: string;
  readonly pid: number;
}

/** A buildkitd for `dir` (state in dir/root, socket dir/buildkitd.sock), reused while its pid lives. */
export async function startBuildkitd(dir: string): Promise<Buildkitd> {
  const { buildkitd } = await tools();
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'buildkitd.sock');
  const pidFile = join(dir, 'buildkitd.pid');
  const running = readPid(pidFile);
  if (running && isBuildkitd(running, socket) && existsSync(socket)) return { dir, socket, pid: running };
  writeFileSync(join(dir, 'buildkitd.toml'), buildkitdConfig());
  rmSync(socket, { force: true });
  const log = openSync(join(dir, 'buildkitd.log'), 'a');
  const child = spawn(
    buildkitd,
    [
      '--root',
      join(dir, 'root'),
      '--addr',
      `unix://${socket}`,
      '--oci-worker-net',
      'host',
      '--config',
      join(dir, 'buildkitd.toml'),
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  const pid = child.pid ?? 0;
  writeFileSync(pidFile, `${pid}\n`);
  const deadline = Date.now() + 30_000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline || !alive(pid))
      throw new Error(`lab: buildkitd in ${dir} did not start (see ${join(dir, 'buildkitd.log')})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { dir, socket, pid };
}

/** Stops a buildkitd this process (or the lab) started, by its pid, and waits for it to exit. */
export async function stopBuildkitd(daemon: Buildkitd): Promise<void> {
  if (!isBuildkitd(daemon.pid, daemon.socket)) return;
  process.kill(daemon.pid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(daemon.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(daemon.pid)) process.kill(daemon.pid, 'SIGKILL');
}

/** Registers `socket` as buildx builder `name` (remote driver), replacing a stale registration. */
export async function registerBuilder(name: string, socket: string, docker = DOCKER): Promise<void> {
  const inspected = await runner.run({ argv: [docker, 'buildx', 'inspect', name] });
  if (
    inspected.exitCode === 0 &&
    inspected.stdout.includes(`unix://${socket}`) &&
    /Status:\s+running/.test(inspected.stdout)
  )
    return;
  if (inspected.exitCode === 0) await runner.run({ argv: [docker, 'buildx', 'rm', name] });
  const created = await runner.run({
    argv: [docker, 'buildx', 'create', '--name', name, '--driver', 'remote', `unix://${socket}`],
  });
  if (created.exitCode !== 0) throw new Error(`lab: docker buildx create ${name}: ${created.stderr.trim()}`);
  const ready = await runner.run({ argv: [docker, 'buildx', 'inspect', '--bootstrap', name] });
  if (ready.exitCode !== 0) throw new Error(`lab: builder ${name} does not answer: ${ready.stderr.trim()}`);
}

/** The lab's builder: buildx as a plugin, its buildkitd, registered as BUILDER. Idempotent. */
export async function ensureBuilder(): Promise<{ name: string; socket: string }> {
  await installBuildxPlugin();
  const daemon = await startBuildkitd(join(LAB_DIR, 'buildkit'));
  await registerBuilder(BUILDER, daemon.socket);
  return { name: BUILDER, socket: daemon.socket };
}

export interface FreshBuilder {
  readonly name: string;
  stop(): Promise<void>;
}

/** A builder with an empty cache, in `dir` (a test's temp dir): its own buildkitd, removed by stop(). */
export async function freshBuilder(name: string, dir: string): Promise<FreshBuilder> {
  const daemon = await startBuildkitd(dir);
  await registerBuilder(name, daemon.socket);
  return {
    name,
    stop: async () => {
      await runner.run({ argv: [DOCKER, 'buildx', 'rm', name] });
      await stopBuildkitd(daemon);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Stops the lab's buildkitd (by its pidfile) and unregisters the builder; its cache stays on disk. */
export async function stopBuilder(): Promise<void> {
  await runner.run({ argv: [DOCKER, 'buildx', 'rm', BUILDER] });
  const dir = join(LAB_DIR, 'buildkit');
  const pid = readPid(join(dir, 'buildkitd.pid'));
  if (pid) await stopBuildkitd({ dir, socket: join(dir, 'buildkitd.sock'), pid });
  rmSync(join(dir, 'buildkitd.pid'), { force: true });
}
