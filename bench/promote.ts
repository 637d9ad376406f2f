/**
 * promote-between-registries against skopeo copy and docker pull + tag + push, in one run, on the
 * same image and the same loopback registries:
 * - cold copy of a 5-layer image of about 100 MB (target: Slipway ≤ 0.8× skopeo's wall time);
 * - warm copy, everything present (target: ≤ 50 ms for the copy itself, 0 bytes);
 * - one 1 GB layer, with the peak memory of the process (target: under 150 MB).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from '../src/command/command';
import { LocalRunner } from '../src/command/local-runner';
import { RegistryClient } from '../src/registry/client';
import { pushImage, unique } from '../test/helpers/oci';
import { startRegistry } from '../test/helpers/registry-process';
import { REPO_ROOT } from '../test/helpers/run-bundle';
import type { LabInfo } from '../test/lab/lab';
import { median, ms, time } from './measure';
import { tempDir } from '../test/helpers/temp';

interface Run {
  readonly ms: number;
  readonly peakRssBytes: number;
  readonly outputs: Record<string, string>;
}

const BENCH_TEMP = tempDir('bench-promote');
const RSS_REPORTER = join(BENCH_TEMP, 'peak-rss.cjs');
writeFileSync(
  RSS_REPORTER,
  "process.on('exit', () => require('fs').writeSync(3, String(process.resourceUsage().maxRSS * 1024)));\n",
);

/** Runs the bundled action in a fresh Node process (as the runner does), measuring wall time and peak RSS. */
function runAction(inputs: Record<string, string>): Promise<Run> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };
  const outputFile = join(BENCH_TEMP, `out-${unique()}`);
  writeFileSync(outputFile, '');
  env.GITHUB_OUTPUT = outputFile;
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--require', RSS_REPORTER, join(REPO_ROOT, 'dist/promote-between-registries/index.js')],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      },
    );
    let log = '';
    let rss = '';
    child.stdout?.on('data', (c) => (log += c));
    child.stderr?.on('data', (c) => (log += c));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c) => (rss += c));
    child.on('close', (code) => {
      const elapsed = performance.now() - started;
      if (code !== 0) return reject(new Error(`promote failed:\n${log}`));
      const outputs: Record<string, string> = {};
      const text = readFileSync(outputFile, 'utf8');
      for (const m of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
        outputs[m[1] as string] = m[3] as string;
      resolve({ ms: elapsed, peakRssBytes: Number(rss), outputs });
    });
  });
}

/** skopeo copy between the (plain-HTTP) loopback registries. */
function skopeoCopy(local: LocalRunner, from: string, to: string) {
  return runChecked(local, {
    argv: [
      'skopeo',
      'copy',
      '--quiet',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${from}`,
      `docker://${to}`,
    ],
  });
}

export interface PromoteBench {
  readonly coldMs: { slipway: number; skopeo: number; docker: number };
  readonly ratioToSkopeo: number;
  readonly ratioToDocker: number;
  readonly warm: { copyMs: number; wallMs: number; bytes: number };
  readonly gigabyte?: { slipwayMs: number; slipwayPeakRssMb: number; skopeoMs: number };
  readonly imageBytes: number;
}

export async function benchPromote(
  lab: LabInfo,
  options: { rounds?: number; gigabyte?: boolean } = {},
): Promise<PromoteBench> {
  const rounds = options.rounds ?? 5;
  const local = new LocalRunner();
  const source = new RegistryClient(lab.registries.staging.host, { insecure: true, anonymous: true });
  const destination = await startRegistry();
  try {
    // A real image (docker must be able to pull it): 5 layers of 20 MiB of random, incompressible data.
    const repo = `bench/promote-${unique()}`;
    const layerSize = 20 * 1024 * 1024;
    const context = tempDir('bench-image');
    const steps = [1, 2, 3, 4, 5].map((i) => `RUN head -c ${layerSize} /dev/urandom > /data-${i}`);
    writeFileSync(
      join(context, 'Dockerfile'),
      [`FROM ${lab.images.busybox}`, `LABEL bench=${repo}`, ...steps, ''].join('\n'),
    );
    const built = `${lab.registries.staging.host}/${repo}:v1`;
    await runChecked(local, {
      argv: [lab.docker, 'build', '--quiet', '--tag', built, context],
      env: { DOCKER_BUILDKIT: '1' },
    });
    await runChecked(local, { argv: [lab.docker, 'push', '--quiet', built] });
    const src = `${lab.registries.staging.host}/${repo}:v1`;
    const samples = { slipway: [] as number[], skopeo: [] as number[], docker: [] as number[] };
    // Every sample copies into a registry of its own, started empty, so nothing can be skipped or
    // mounted from an earlier sample (skopeo and docker remember where blobs were seen).
    const fresh = async (fn: (host: string) => Promise<unknown>): Promise<number> => {
      const registry = await startRegistry();
      try {
        return await time(() => fn(registry.host));
      } finally {
        await registry.stop();
      }
    };
    for (let round = 0; round < rounds; round++) {
      samples.slipway.push(
        await fresh(async (host) => {
          await runAction({ source: src, destination: `${host}/bench/app` });
        }),
      );
      samples.skopeo.push(await fresh((host) => skopeoCopy(local, src, `${host}/bench/app:v1`)));
      // docker: a cold pull (the local copy removed first), tag, push.
      await local.run({ argv: [lab.docker, 'rmi', '--force', src] });
      let dockerTarget = '';
      samples.docker.push(
        await fresh(async (host) => {
          dockerTarget = `${host}/bench/app:v1`;
          await runChecked(local, { argv: [lab.docker, 'pull', '--quiet', src] });
          await runChecked(local, { argv: [lab.docker, 'tag', src, dockerTarget] });
          await runChecked(local, { argv: [lab.docker, 'push', '--quiet', dockerTarget] });
        }),
      );
      await local.run({ argv: [lab.docker, 'rmi', '--force', src, dockerTarget] });
    }
    const coldMs = {
      slipway: median(samples.slipway),
      skopeo: median(samples.skopeo),
      docker: median(samples.docker),
    };

    const warmTarget = `${destination.host}/bench/warm-${unique()}`;
    await runAction({ source: src, destination: warmTarget });
    const warmRuns = [];
    for (let i = 0; i < rounds; i++) warmRuns.push(await runAction({ source: src, destination: warmTarget }));
    const warm = {
      copyMs: median(warmRuns.map((r) => Number(r.outputs['duration-ms']))),
      wallMs: median(warmRuns.map((r) => r.ms)),
      bytes: Math.max(...warmRuns.map((r) => Number(r.outputs['bytes-copied']))),
    };

    let gigabyte: PromoteBench['gigabyte'];
    if (options.gigabyte !== false) {
      const big = `bench/gigabyte-${unique()}`;
      await pushImage(source, big, { seed: big, layers: 1, layerSize: 1024 * 1024 * 1024, tag: 'v1' });
      const run = await runAction({
        source: `${lab.registries.staging.host}/${big}:v1`,
        destination: `${destination.host}/${big}`,
      });
      const skopeoMs = await time(() =>
        skopeoCopy(local, `${lab.registries.staging.host}/${big}:v1`, `${destination.host}/${big}-skopeo:v1`),
      );
      gigabyte = { slipwayMs: run.ms, slipwayPeakRssMb: run.peakRssBytes / 1024 / 1024, skopeoMs };
    }
    return {
      coldMs,
      ratioToSkopeo: coldMs.slipway / coldMs.skopeo,
      ratioToDocker: coldMs.slipway / coldMs.docker,
      warm,
      ...(gigabyte && { gigabyte }),
      imageBytes: 5 * layerSize,
    };
  } finally {
    await destination.stop();
  }
}

export function formatPromote(b: PromoteBench): string {
  const rows = [
    '| measure | Slipway | skopeo copy | docker pull+tag+push | target |',
    '| --- | --- | --- | --- | --- |',
    `| cold copy, 5 layers, ${(b.imageBytes / 1024 / 1024).toFixed(0)} MiB (median) | ${ms(b.coldMs.slipway)} | ${ms(b.coldMs.skopeo)} | ${ms(b.coldMs.docker)} | ≤ 0.8× skopeo: ${b.ratioToSkopeo.toFixed(2)}× ${b.ratioToSkopeo <= 0.8 ? '✓' : '✗'}; ${b.ratioToDocker.toFixed(2)}× docker |`,
    `| warm copy (all present): copy itself / whole process | ${ms(b.warm.copyMs)} / ${ms(b.warm.wallMs)}, ${b.warm.bytes} bytes | | | ≤ 50 ms, 0 bytes ${b.warm.copyMs <= 50 && b.warm.bytes === 0 ? '✓' : '✗'} |`,
  ];
  if (b.gigabyte) {
    rows.push(
      `| one 1 GiB layer | ${ms(b.gigabyte.slipwayMs)}, peak RSS ${b.gigabyte.slipwayPeakRssMb.toFixed(0)} MB | ${ms(b.gigabyte.skopeoMs)} | | peak < 150 MB ${b.gigabyte.slipwayPeakRssMb < 150 ? '✓' : '✗'} |`,
    );
  }
  return rows.join('\n');
}
