#!/usr/bin/env node
// The programs the tests, benchmarks and CI need besides npm and Debian packages, in one place:
// pinned, built from source with `go install` into a cache directory and found there on later runs.
// A binary counts as installed when Go's build information inside it (`go version -m`) names the
// pinned module version and build tags, so a tool's own --version output (often "dev") is never
// trusted.
//
//   node scripts/tools.mjs                  install what is missing, print where each tool is
//   node scripts/tools.mjs crane cosign     install just those
//   node scripts/tools.mjs --except-judges  all but the judges (cosign v2 and v3, 12 of the 24 cold
//                                           minutes): the integration tests build those in the
//                                           background while the files that do not need them run
//
// Used by the integration tests' global setup (test/lab/global-setup.ts), test/helpers/act.ts,
// scripts/lint-actions.mjs, the benchmarks and .ci/run. No dependencies: runs before npm packages.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * name (the file in the cache), pinned version, the Go package `go install` builds, the module whose
 * version is checked, build tags, what it is for, and roughly how long a cold build takes here
 * (2 cores).
 */
export const TOOLS = [
  {
    name: 'act',
    version: '0.2.89',
    pkg: 'github.com/nektos/act',
    module: 'github.com/nektos/act',
    env: 'SLIPWAY_ACT',
    for: 'a real GitHub Actions runner (>= 0.2.81 for node24 actions)',
    minutes: 0.5,
  },
  {
    name: 'actionlint',
    version: '1.7.12',
    pkg: 'github.com/rhysd/actionlint/cmd/actionlint',
    module: 'github.com/rhysd/actionlint',
    env: 'ACTIONLINT',
    for: 'workflow lint',
    minutes: 0.1,
  },
  {
    name: 'crane',
    version: '0.22.1',
    pkg: 'github.com/google/go-containerregistry/cmd/crane',
    module: 'github.com/google/go-containerregistry',
    env: 'SLIPWAY_CRANE',
    for: 'registry judge and benchmark rival',
    minutes: 0.1,
  },
  {
    name: 'regctl',
    version: '0.11.7',
    pkg: 'github.com/regclient/regclient/cmd/regctl',
    module: 'github.com/regclient/regclient',
    env: 'SLIPWAY_REGCTL',
    for: 'referrers judge and benchmark rival',
    minutes: 0.1,
  },
  {
    name: 'cosign',
    version: '2.6.5',
    pkg: 'github.com/sigstore/cosign/v2/cmd/cosign',
    module: 'github.com/sigstore/cosign/v2',
    env: 'SLIPWAY_COSIGN',
    for: 'signature and attestation judge',
    minutes: 2,
    judge: true,
  },
  {
    // cosign v3 signs and attests in Sigstore bundles stored as OCI referrers (v2 used .sig/.att
    // tags): the judge of both formats. Installed as cosign-v3 beside cosign v2.
    name: 'cosign-v3',
    version: '3.1.3',
    pkg: 'github.com/sigstore/cosign/v3/cmd/cosign',
    module: 'github.com/sigstore/cosign/v3',
    binary: 'cosign',
    env: 'SLIPWAY_COSIGN_V3',
    for: 'Sigstore bundle judge (signatures and attestations as referrers)',
    minutes: 10,
    judge: true,
  },
  {
    name: 'pebble',
    version: '2.8.0',
    pkg: 'github.com/letsencrypt/pebble/v2/cmd/pebble',
    module: 'github.com/letsencrypt/pebble/v2',
    env: 'SLIPWAY_PEBBLE',
    for: 'an ACME server in the lab',
    minutes: 0.1,
  },
  {
    name: 'buildx',
    version: '0.19.3',
    pkg: 'github.com/docker/buildx/cmd/buildx',
    module: 'github.com/docker/buildx',
    env: 'SLIPWAY_BUILDX',
    for: 'the docker buildx CLI plugin',
    minutes: 1.5,
  },
  {
    name: 'buildkitd',
    version: '0.16.0',
    pkg: 'github.com/moby/buildkit/cmd/buildkitd',
    module: 'github.com/moby/buildkit',
    env: 'SLIPWAY_BUILDKITD',
    for: 'a multi-platform BuildKit builder (remote driver)',
    minutes: 1.5,
  },
  {
    name: 'docker-compose',
    version: '2.32.4',
    pkg: 'github.com/docker/compose/v2/cmd',
    binary: 'cmd',
    module: 'github.com/docker/compose/v2',
    // As compose's own Makefile does: without it `docker compose version` says "dev".
    ldflags: '-X github.com/docker/compose/v2/internal.Version=v2.32.4',
    env: 'SLIPWAY_COMPOSE',
    for: 'Compose v2 (CLI plugin)',
    minutes: 2,
  },
  {
    name: 'docker',
    version: '29.1.0',
    pkg: 'github.com/docker/cli/cmd/docker',
    module: 'github.com/docker/cli',
    // docker/cli keeps its requirements in vendor.mod, not go.mod, so `go install` cannot build it:
    // the module is downloaded through the proxy and built with vendor.mod as its go.mod, as the
    // project's own scripts do.
    vendorMod: true,
    ldflags: '-X github.com/docker/cli/cli/version.Version=29.1.0',
    env: 'SLIPWAY_DOCKER_CLIENT',
    for: 'a Docker 29 client for the Docker 29 lab host (Debian 12 ships 20.10)',
    minutes: 0.5,
  },
  {
    name: 'dockerd',
    version: '2.0.0-beta.24',
    pkg: 'github.com/moby/moby/v2/cmd/dockerd',
    module: 'github.com/moby/moby/v2',
    env: 'SLIPWAY_DOCKERD',
    for: 'a Docker 29-era engine for a lab host',
    minutes: 3.5,
  },
  {
    name: 'docker-proxy',
    version: '2.0.0-beta.24',
    pkg: 'github.com/moby/moby/v2/cmd/docker-proxy',
    module: 'github.com/moby/moby/v2',
    env: 'SLIPWAY_DOCKER_PROXY',
    for: "that engine's port publisher",
    minutes: 0.1,
  },
  {
    name: 'caddy',
    version: '2.9.1',
    pkg: 'github.com/caddyserver/caddy/v2/cmd/caddy',
    module: 'github.com/caddyserver/caddy/v2',
    // Built with the Go its release was made with (fetched through the module proxy): measured here,
    // 2.9.1 on Go 1.22 dropped no connection over 120 reloads under load; Debian's 2.6.2 drops some
    // (it listens before its certificates load, fixed in 2.7), and a Go 1.26 build of 2.10.2 too.
    toolchain: 'go1.22.12',
    env: 'SLIPWAY_CADDY',
    for: "the lab's proxy image (the action's default is the official caddy image)",
    minutes: 1.5,
  },
  {
    name: 'runc',
    version: '1.2.0',
    pkg: 'github.com/opencontainers/runc',
    module: 'github.com/opencontainers/runc',
    tags: ['seccomp'],
    cgo: true,
    env: 'SLIPWAY_RUNC',
    for: 'a runc that knows time namespaces (needs libseccomp-dev)',
    minutes: 0.2,
  },
];

/** Where `go install` puts the tools: $SLIPWAY_TOOLS_BIN, else ~/.cache/slipway/bin. */
/** The tools only a few test files use, as outside judges: built while the other files run. */
export const JUDGES = TOOLS.filter((t) => t.judge).map((t) => t.name);

export const TOOLS_BIN =
  process.env.SLIPWAY_TOOLS_BIN ??
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'slipway', 'bin');

export function tool(name) {
  const found = TOOLS.find((t) => t.name === name);
  if (!found)
    throw new Error(`unknown tool ${name} (scripts/tools.mjs knows ${TOOLS.map((t) => t.name).join(', ')})`);
  return found;
}

export function goBinary() {
  for (const candidate of ['go', '/usr/local/go/bin/go', join(homedir(), 'go', 'bin', 'go')]) {
    if (spawnSync(candidate, ['version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}

/**
 * Reads Go's build information of a binary (`go version -m`): the main module's version and the
 * build tags. Undefined when it is not a Go binary or Go is missing.
 */
export function buildInfo(path, go = goBinary()) {
  if (!go) return undefined;
  const probe = spawnSync(go, ['version', '-m', path], { encoding: 'utf8' });
  if (probe.status !== 0) return undefined;
  const fields = probe.stdout.split('\n').map((line) => line.trim().split(/\s+/));
  const mod = fields.find((f) => f[0] === 'mod');
  const tags = fields.find((f) => f[0] === 'build' && f[1]?.startsWith('-tags='));
  const ldflags = probe.stdout
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.startsWith('build\t-ldflags=') || line.startsWith('build -ldflags='));
  return {
    module: mod?.[1],
    version: mod?.[2],
    tags: tags ? tags[1].slice('-tags='.length).split(',').filter(Boolean) : [],
    ldflags: ldflags ? unquote(ldflags.replace(/^build\s+-ldflags=/, '')) : '',
  };
}

/** A value as `go version -m` prints it: Go-quoted when it holds spaces or quotes. */
function unquote(value) {
  if (!value.startsWith('"')) return value;
  try {
    return JSON.parse(value);
  } catch {
    return value.slice(1, -1);
  }
}

export function isPinned(path, spec, go = goBinary()) {
  const info = buildInfo(path, go);
  return (
    info !== undefined &&
    info.module === spec.module &&
    info.version === (spec.vendorMod ? '(devel)' : `v${spec.version}`) &&
    (spec.tags ?? []).every((t) => info.tags.includes(t)) &&
    (!spec.ldflags || info.ldflags === spec.ldflags)
  );
}

/** The path of a tool at its pinned version (its env override, the cache, ~/go/bin, PATH), if any. */
export function findTool(name) {
  const spec = tool(name);
  const go = goBinary();
  const override = process.env[spec.env];
  // An explicit override is the user's choice; it is used as given (it may not be a Go build).
  if (override && existsSync(override)) return override;
  const candidates = [
    join(TOOLS_BIN, name),
    join(homedir(), 'go', 'bin', spec.binary ?? name),
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => dir && join(dir, name)),
  ];
  return candidates.find((path) => path && existsSync(path) && isPinned(path, spec, go));
}

/**
 * A module that keeps its requirements in vendor.mod (docker/cli): downloaded through the module
 * proxy, copied into the scratch directory with vendor.mod/vendor.sum as go.mod/go.sum. Returns
 * the directory to build in.
 */
function vendorModSource(go, spec, scratch) {
  const download = spawnSync(
    go,
    ['mod', 'download', '-json', `${spec.module}@v${spec.version}+incompatible`],
    {
      encoding: 'utf8',
    },
  );
  const dir = download.status === 0 ? JSON.parse(download.stdout).Dir : undefined;
  if (!dir) throw new Error(`go mod download ${spec.module}@v${spec.version} failed:\n${download.stderr}`);
  const source = join(scratch, 'src');
  cpSync(dir, source, { recursive: true });
  spawnSync('chmod', ['-R', 'u+w', source]);
  renameSync(join(source, 'vendor.mod'), join(source, 'go.mod'));
  renameSync(join(source, 'vendor.sum'), join(source, 'go.sum'));
  return source;
}

/**
 * The build under way (its `go` process and scratch directory), for a clean stop on SIGTERM. Run as
 * a command, `go` gets a process group of its own (`detach`), so a stop ends its compilers too.
 */
const building = { child: undefined, scratch: undefined, detach: false };

/** Builds one tool with `go install` into TOOLS_BIN, printing a progress line every 30 s. */
async function install(spec, log) {
  const go = goBinary();
  const target = `${spec.pkg}@v${spec.version}`;
  if (!go) {
    throw new Error(
      `${spec.name} ${spec.version} is needed and Go is not installed to build it: install Go 1.25 or newer ` +
        `(https://go.dev/dl/; Debian 12's golang-go is too old), or put ${spec.name} ${spec.version} on PATH`,
    );
  }
  mkdirSync(TOOLS_BIN, { recursive: true });
  // Built into a directory of its own, then renamed into place: an interrupted build never leaves
  // a half-written binary under the tool's name, and `cmd` (compose) gets its real name.
  const scratch = mkdtempSync(join(TOOLS_BIN, `.${spec.name}-`));
  building.scratch = scratch;
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  const tags = spec.tags?.length ? ['-tags', spec.tags.join(',')] : [];
  if (spec.ldflags) tags.push(`-ldflags=${spec.ldflags}`);
  log(
    `installing ${spec.name} ${spec.version}: go install ${tags.join(' ')} ${target} into ${TOOLS_BIN} ` +
      `(once; about ${spec.minutes} min here)`,
  );
  const env = {
    ...process.env,
    GOBIN: scratch,
    CGO_ENABLED: spec.cgo ? '1' : (process.env.CGO_ENABLED ?? ''),
    ...(spec.toolchain && { GOTOOLCHAIN: spec.toolchain }),
  };
  const child = spec.vendorMod
    ? spawn(
        go,
        [
          'build',
          '-mod=mod',
          ...tags,
          '-o',
          join(scratch, spec.name),
          `./${spec.pkg.slice(spec.module.length + 1)}`,
        ],
        {
          cwd: vendorModSource(go, spec, scratch),
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: building.detach,
        },
      )
    : spawn(go, ['install', ...tags, target], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: building.detach,
      });
  building.child = child;
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const ticker = globalThis.setInterval(() => log(`still building ${spec.name} (${seconds()} s)`), 30_000);
  const code = await new Promise((resolve) => {
    child.on('error', (error) => resolve(`${error.message}`));
    child.on('close', resolve);
  });
  globalThis.clearInterval(ticker);
  try {
    if (code !== 0) {
      const hint = spec.cgo
        ? ' (it needs a C compiler and libseccomp-dev: apt-get install gcc libseccomp-dev)'
        : '';
      throw new Error(`go install ${tags.join(' ')} ${target} failed (${code})${hint}:\n${output.trim()}`);
    }
    const path = join(TOOLS_BIN, spec.name);
    renameSync(join(scratch, spec.binary ?? spec.name), path);
    if (!isPinned(path, spec, go)) throw new Error(`${path} is not ${spec.module} v${spec.version}`);
    log(`${spec.name} ${spec.version} installed in ${seconds()} s`);
    return path;
  } finally {
    building.child = undefined;
    building.scratch = undefined;
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * What ensureTools will build, said before it starts: the missing tools with the minutes each took on
 * a fresh 2-core machine (scripts/tools.mjs's `minutes`, measured), or that every tool is cached.
 */
export function buildPlan(names = TOOLS.map((t) => t.name)) {
  const missing = names.map(tool).filter((spec) => !findTool(spec.name));
  if (missing.length === 0) return `all ${names.length} tools are built (${TOOLS_BIN})`;
  const minutes = missing.reduce((sum, spec) => sum + spec.minutes, 0);
  return (
    `building ${missing.length} of ${names.length} tools once into ${TOOLS_BIN}, about ${Math.max(1, Math.round(minutes))} min ` +
    `on a fresh 2-core machine: ${missing.map((spec) => `${spec.name} (${spec.minutes} min)`).join(', ')}`
  );
}

/** The named tools (all by default) at their pinned versions, installed when missing: name → path. */
export async function ensureTools(
  log = (message) => process.stderr.write(`[tools] ${message}\n`),
  names = TOOLS.map((t) => t.name),
) {
  log(buildPlan(names));
  const paths = {};
  for (const name of names) {
    const spec = tool(name);
    paths[spec.name] = findTool(spec.name) ?? (await install(spec, log));
  }
  return paths;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  // Stopped (a test run that ended before it needed the judges being built for it): the build
  // under way ends with it and leaves no scratch directory.
  building.detach = true;
  for (const signal of ['SIGTERM', 'SIGINT']) {
    process.on(signal, () => {
      try {
        if (building.child?.pid) process.kill(-building.child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      if (building.scratch) rmSync(building.scratch, { recursive: true, force: true });
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  try {
    const args = process.argv.slice(2);
    const exceptJudges = args.includes('--except-judges');
    const named = args.filter((a) => a !== '--except-judges');
    const names = named.length
      ? named
      : exceptJudges
        ? TOOLS.map((t) => t.name).filter((n) => !JUDGES.includes(n))
        : undefined;
    const paths = await ensureTools(undefined, names);
    for (const [name, path] of Object.entries(paths)) console.log(`${name} ${tool(name).version} ${path}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
