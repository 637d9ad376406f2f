#!/usr/bin/env node
// The programs the tests and CI need besides npm and Debian packages, in one place: act (a real
// GitHub Actions runner, >= 0.2.81 for node24 actions) and actionlint, pinned, built from source
// with `go install` into a cache directory and found there on later runs (checked by version).
//
//   node scripts/tools.mjs        install what is missing, print where each tool is
//
// Used by the integration tests' global setup (test/lab/global-setup.ts), test/helpers/act.ts,
// scripts/lint-actions.mjs and .ci/run. No dependencies: runs before or without npm packages.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** name, pinned version, the Go package `go install` builds, and how to read the version back. */
export const TOOLS = [
  {
    name: 'act',
    version: '0.2.89',
    module: 'github.com/nektos/act',
    env: 'SLIPWAY_ACT',
    versionArgs: ['--version'],
    // "act version 0.2.89"
    reports: (out, version) => out.trim().split(/\s+/).pop() === version,
  },
  {
    name: 'actionlint',
    version: '1.7.12',
    module: 'github.com/rhysd/actionlint/cmd/actionlint',
    env: 'ACTIONLINT',
    versionArgs: ['--version'],
    // "v1.7.12\ninstalled by building from source\n…"
    reports: (out, version) => out.split('\n')[0]?.trim() === `v${version}`,
  },
];

/** Where `go install` puts the tools: $SLIPWAY_TOOLS_BIN, else ~/.cache/slipway/bin. */
export const TOOLS_BIN =
  process.env.SLIPWAY_TOOLS_BIN ??
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'slipway', 'bin');

export function tool(name) {
  const found = TOOLS.find((t) => t.name === name);
  if (!found) throw new Error(`unknown tool ${name}`);
  return found;
}

function reportsVersion(path, spec) {
  const probe = spawnSync(path, spec.versionArgs, { encoding: 'utf8' });
  return probe.status === 0 && spec.reports(probe.stdout, spec.version);
}

/** The path of a tool at its pinned version (its env override, the cache, ~/go/bin, PATH), if any. */
export function findTool(name) {
  const spec = tool(name);
  const candidates = [
    process.env[spec.env],
    join(TOOLS_BIN, name),
    join(homedir(), 'go', 'bin', name),
    ...(process.env.PATH ?? '').split(delimiter).map((dir) => dir && join(dir, name)),
  ];
  return candidates.find((path) => path && existsSync(path) && reportsVersion(path, spec));
}

function goBinary() {
  for (const candidate of ['go', '/usr/local/go/bin/go', join(homedir(), 'go', 'bin', 'go')]) {
    if (spawnSync(candidate, ['version'], { encoding: 'utf8' }).status === 0) return candidate;
  }
  return undefined;
}

/** Builds one tool with `go install` into TOOLS_BIN, printing a progress line every 30 s. */
async function install(spec, log) {
  const go = goBinary();
  const target = `${spec.module}@v${spec.version}`;
  if (!go) {
    throw new Error(
      `${spec.name} ${spec.version} is needed and Go is not installed to build it: install Go 1.25 or newer ` +
        `(https://go.dev/dl/; Debian 12's golang-go is too old), or put ${spec.name} ${spec.version} on PATH`,
    );
  }
  mkdirSync(TOOLS_BIN, { recursive: true });
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  log(
    `installing ${spec.name} ${spec.version}: go install ${target} into ${TOOLS_BIN} (once; a few minutes)`,
  );
  const child = spawn(go, ['install', target], {
    env: { ...process.env, GOBIN: TOOLS_BIN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const ticker = globalThis.setInterval(() => log(`still building ${spec.name} (${seconds()} s)`), 30_000);
  const code = await new Promise((resolve) => {
    child.on('error', (error) => resolve(`${error.message}`));
    child.on('close', resolve);
  });
  globalThis.clearInterval(ticker);
  if (code !== 0) throw new Error(`go install ${target} failed (${code}):\n${output.trim()}`);
  const path = join(TOOLS_BIN, spec.name);
  if (!reportsVersion(path, spec)) throw new Error(`${path} does not report version ${spec.version}`);
  log(`${spec.name} ${spec.version} installed in ${seconds()} s`);
  return path;
}

/** Every tool at its pinned version, installed when missing: name → path. */
export async function ensureTools(log = (message) => process.stderr.write(`[tools] ${message}\n`)) {
  const paths = {};
  for (const spec of TOOLS) paths[spec.name] = findTool(spec.name) ?? (await install(spec, log));
  return paths;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const paths = await ensureTools();
    for (const spec of TOOLS) console.log(`${spec.name} ${spec.version} ${paths[spec.name]}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
