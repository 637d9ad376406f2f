/**
 * build-and-tag on a BuildKit builder (the lab's remote-driver buildkitd, and fresh ones with an
 * empty cache): a two-platform index pushed from the builder, judged by crane; a registry cache
 * exported by one builder and hit by another; attestations and annotations in the pushed index;
 * the docker driver on the classic store refused before building; test-in-container on the
 * multi-platform result tests each platform and says so.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalRunner } from '../../src/command/local-runner';
import { freshBuilder, type FreshBuilder } from '../lab/builder';
import { LAB_SRC } from '../lab/config';
import { runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';

const lab = inject('lab');
const tools = inject('tools');
const local = new LocalRunner();
const env = { SLIPWAY_DOCKER: lab.docker };
const staging = lab.registries.staging.host;
const id = randomBytes(3).toString('hex');
const repo = `${staging}/build/multi-${id}`;
// The two-platform base: each platform's final stage runs its RUN step on that platform (arm64 under QEMU).
const base = `BASE=${lab.images.busyboxMulti}`;

async function crane(...args: string[]): Promise<string> {
  const result = await local.run({ argv: [tools.crane as string, ...args, '--insecure'] });
  if (result.exitCode !== 0) throw new Error(`crane ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

interface Descriptor {
  digest: string;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}
interface Manifest {
  manifests?: Descriptor[];
  layers?: Descriptor[];
  annotations?: Record<string, string>;
}

/**
 * How BuildKit settled one step, seen in its plain progress: `cached` when it printed CACHED,
 * otherwise the seconds of its DONE line. A step restored from an imported registry cache prints
 * its layers being fetched and extracted, then DONE in far less time than running it would take.
 */
function stepOutcome(log: string, step: RegExp): 'cached' | number {
  const header = new RegExp(`^#(\\d+) ${step.source}.*$`, 'm').exec(log);
  if (!header) throw new Error(`no BuildKit step ${step.source} in the log`);
  const id = header[1];
  const end = new RegExp(`^#${id} (CACHED|DONE (\\d+(?:\\.\\d+)?)s)$`, 'm').exec(log.slice(header.index));
  if (!end) throw new Error(`BuildKit step #${id} never finished in the log`);
  return end[1] === 'CACHED' ? 'cached' : Number(end[2]);
}

async function manifest(ref: string): Promise<Manifest> {
  return JSON.parse(await crane('manifest', ref)) as Manifest;
}

/** A copy of the multi-platform fixture, with its app source line set to `app`. */
function fixture(app: string): string {
  const dir = tempDir('build-context');
  cpSync(join(LAB_SRC, 'fixtures', 'multi'), dir, { recursive: true });
  writeFileSync(join(dir, 'app.txt'), `${app}\n`);
  return dir;
}

const localImages: string[] = [];
const builders: FreshBuilder[] = [];

afterAll(async () => {
  for (const builder of builders) await builder.stop();
  for (const image of localImages) await local.run({ argv: [lab.docker, 'image', 'rm', '--force', image] });
});

describe('build-and-tag on a BuildKit builder', () => {
  const scanner = `${staging}/lab/sbom-scanner:1`;
  let pushedTag = '';

  beforeAll(async () => {
    // A minimal SBOM generator (BuildKit's scanner protocol: read BUILDKIT_SCAN_SOURCE, write an
    // in-toto SPDX statement to BUILDKIT_SCAN_DESTINATION): Docker Hub's syft scanner is out of reach.
    const dir = tempDir('sbom-scanner');
    writeFileSync(
      join(dir, 'scan.sh'),
      [
        '#!/bin/sh',
        'set -e',
        'name=$(basename "$BUILDKIT_SCAN_SOURCE")',
        'count=$(find "$BUILDKIT_SCAN_SOURCE" -type f | wc -l)',
        'cat > "$BUILDKIT_SCAN_DESTINATION/$name.spdx.json" <<EOF',
        '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[],"predicate":{"spdxVersion":"SPDX-2.3","dataLicense":"CC0-1.0","SPDXID":"SPDXRef-DOCUMENT","name":"$name","documentNamespace":"https://slipway.invalid/lab/$name","creationInfo":{"created":"2026-01-01T00:00:00Z","creators":["Tool: slipway-lab-scanner"]},"comment":"$count files"}}',
        'EOF',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    writeFileSync(
      join(dir, 'Dockerfile'),
      `FROM ${lab.images.busyboxInRegistry}\nCOPY scan.sh /scan.sh\nENTRYPOINT ["/scan.sh"]\n`,
    );
    const built = await local.run({
      argv: [
        lab.docker,
        'buildx',
        'build',
        '--builder',
        lab.builder,
        '--provenance',
        'false',
        '--push',
        '--tag',
        scanner,
        dir,
      ],
    });
    expect(built.exitCode, built.stderr).toBe(0);
  }, 120_000);

  it('pushes a two-platform index from the builder: the digest output is what the registry serves', async () => {
    const result = await runBundle(
      'build-and-tag',
      {
        image: repo,
        context: fixture('app v1'),
        'build-args': base,
        tags: 'pushed',
        platforms: 'linux/amd64,linux/arm64',
        builder: lab.builder,
        push: 'true',
        provenance: 'mode=max',
        sbom: `generator=${scanner}`,
        annotations:
          'index:org.opencontainers.image.description=two platforms\nmanifest:dev.slipway.test=annotated',
      },
      { env },
    );
    expect(result.exitCode, result.log).toBe(0);
    pushedTag = `${repo}:pushed`;
    const digest = result.outputs.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const tag of result.outputs.tags?.split('\n') ?? []) expect(await crane('digest', tag)).toBe(digest);
    const index = await manifest(`${repo}@${digest}`);
    const images = (index.manifests ?? []).filter((m) => m.platform?.os !== 'unknown');
    expect(images.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort()).toEqual([
      'linux/amd64',
      'linux/arm64',
    ]);
    expect(result.log).toMatch(
      /Builder slipway-lab-builder \(remote driver\) builds linux\/amd64, linux\/arm64, pushed/,
    );
    // nothing was loaded into the engine: a push from the builder
    const inspected = await local.run({ argv: [lab.docker, 'image', 'inspect', pushedTag] });
    expect(inspected.exitCode).not.toBe(0);

    // provenance and SBOM: one attestation manifest per platform, holding both predicates
    const attestations = (index.manifests ?? []).filter(
      (m) => m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest',
    );
    expect(attestations.map((a) => a.annotations?.['vnd.docker.reference.digest']).sort()).toEqual(
      images.map((m) => m.digest).sort(),
    );
    const predicates = (await manifest(`${repo}@${attestations[0]?.digest}`)).layers?.map(
      (l) => l.annotations?.['in-toto.io/predicate-type'],
    );
    expect(predicates).toEqual(expect.arrayContaining(['https://spdx.dev/Document']));
    expect(predicates?.some((p) => p?.startsWith('https://slsa.dev/provenance/'))).toBe(true);

    // annotations: on the index and on each platform's manifest
    expect(index.annotations?.['org.opencontainers.image.description']).toBe('two platforms');
    const amd64 = await manifest(`${repo}@${images[0]?.digest}`);
    expect(amd64.annotations?.['dev.slipway.test']).toBe('annotated');
  }, 300_000);

  it('test-in-container on the pushed index pulls and tests each platform by digest, and says which', async () => {
    const result = await runBundle(
      'test-in-container',
      { image: pushedTag, run: 'cat /app/platform.txt /app/machine.txt' },
      { env },
    );
    const tested = JSON.parse(result.outputs.results ?? '[]') as Array<{ image: string }>;
    localImages.push(...tested.map((t) => t.image));
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs.platform).toBe('linux/amd64');
    expect(result.outputs.platforms).toBe('linux/amd64,linux/arm64');
    expect(result.log).toContain(
      `Testing ${pushedTag} for linux/amd64 (this runner's platform), linux/arm64 (emulated), each platform's image pulled by digest`,
    );
    // each image's own file, written for its TARGETPLATFORM at build time, and the machine its
    // RUN step ran on (arm64's under QEMU)
    expect(result.log).toMatch(/^linux\/amd64\nx86_64$/m);
    expect(result.log).toMatch(/^linux\/arm64\naarch64$/m);
  }, 120_000);

  it('keeps an unpushed two-platform build in the builder, loads the runner platform and tests it', async () => {
    const result = await runBundle(
      'build-and-tag',
      {
        image: repo,
        context: fixture('app v1'),
        'build-args': base,
        tags: 'loaded',
        platforms: 'linux/arm64,linux/amd64',
        builder: lab.builder,
      },
      { env },
    );
    expect(result.exitCode, result.log).toBe(0);
    const tag = `${repo}:loaded`;
    localImages.push(...(result.outputs.tags?.split('\n') ?? []));
    expect(result.outputs.digest).toBe('');
    expect(result.log).toMatch(/Built sha256:[0-9a-f]{64} for linux\/amd64/);
    const image = await local.run({
      argv: [lab.docker, 'image', 'inspect', '--format', '{{.Id}} {{.Os}}/{{.Architecture}}', tag],
    });
    expect(image.stdout.trim()).toBe(`${result.outputs['image-id']} linux/amd64`);
    const tested = await runBundle(
      'test-in-container',
      { image: tag, run: 'cat /app/platform.txt' },
      { env },
    );
    expect(tested.exitCode, tested.log).toBe(0);
    expect(tested.outputs.platform).toBe('linux/amd64');
    expect(tested.log).toContain(`Testing ${tag} for linux/amd64 (this runner's platform)`);
    expect(tested.log).not.toContain('pulled from its registry');
    expect(tested.log).toMatch(/^linux\/amd64$/m);
  }, 300_000);

  it('the one-step action tests every platform, then pushes every platform from the builder', async () => {
    const result = await runBundle(
      'pipeline',
      {
        image: repo,
        context: fixture('one step'),
        'build-args': base,
        tags: 'one-step',
        platforms: 'linux/amd64,linux/arm64',
        builder: lab.builder,
        run: 'cat /app/platform.txt',
      },
      { env },
    );
    expect(result.exitCode, result.log).toBe(0);
    localImages.push(...(result.outputs.tags?.split('\n') ?? []));
    expect(result.outputs.platform).toBe('linux/amd64');
    expect(result.outputs.platforms).toBe('linux/amd64,linux/arm64');
    expect(result.log).toMatch(/^linux\/amd64$/m);
    expect(result.log).toMatch(/^linux\/arm64$/m);
    const digest = result.outputs.digest as string;
    expect(await crane('digest', `${repo}:one-step`)).toBe(digest);
    const index = await manifest(`${repo}@${digest}`);
    expect(
      (index.manifests ?? [])
        .filter((m) => m.platform?.os !== 'unknown')
        .map((m) => `${m.platform?.os}/${m.platform?.architecture}`)
        .sort(),
    ).toEqual(['linux/amd64', 'linux/arm64']);
    expect(result.outputs.refs).toBe(`${repo}@${digest}`);
    // the tests ran before the push
    expect(result.log.indexOf('Tests passed')).toBeLessThan(result.log.indexOf('Pushing every platform'));
  }, 300_000);

  it('refuses two platforms, a cache export and attestations on the docker driver before building', async () => {
    for (const [input, extra] of [
      ['platforms', { platforms: 'linux/amd64,linux/arm64' }],
      ['cache-to', { 'cache-to': `type=registry,ref=${repo}:cache` }],
      ['provenance', { provenance: 'true' }],
    ] as const) {
      const result = await runBundle(
        'build-and-tag',
        { image: repo, context: fixture('refused'), 'build-args': base, builder: 'default', ...extra },
        { env },
      );
      expect(result.exitCode, result.log).toBe(1);
      expect(result.log).toMatch(
        new RegExp(`::error::input "${input}": .*docker driver, classic image store`),
      );
      expect(result.log).toContain('docker-container or remote builder');
      // before any build: no BuildKit progress at all
      expect(result.log).not.toMatch(/^#\d+ /m);
    }
  }, 120_000);

  it('exports a registry cache; a fresh builder importing it rebuilds a one-line change from cache', async () => {
    const cache = `${repo}:buildcache`;
    const DEPS_SECONDS = 6;
    const first = await freshBuilder(`slipway-test-build-a-${id}`, tempDir('buildkitd'));
    builders.push(first);
    const cold = await runBundle(
      'build-and-tag',
      {
        image: repo,
        context: fixture('app v1'),
        'build-args': `${base}\nDEPS_SECONDS=${DEPS_SECONDS}`,
        tags: 'cold',
        platforms: 'linux/amd64,linux/arm64',
        builder: first.name,
        push: 'true',
        'cache-to': `type=registry,ref=${cache},mode=max`,
      },
      { env },
    );
    expect(cold.exitCode, cold.log).toBe(0);
    expect(cold.log).not.toMatch(/CACHED/);
    const coldDeps = stepOutcome(cold.log, /\[linux\/amd64 build 3\/5\] RUN sleep/);
    expect(coldDeps).toBeGreaterThanOrEqual(DEPS_SECONDS); // the slow step really ran
    await crane('manifest', cache); // the cache is in the registry

    const second = await freshBuilder(`slipway-test-build-b-${id}`, tempDir('buildkitd'));
    builders.push(second);
    const warm = await runBundle(
      'build-and-tag',
      {
        image: repo,
        context: fixture('app v2'),
        'build-args': `${base}\nDEPS_SECONDS=${DEPS_SECONDS}`,
        tags: 'warm',
        platforms: 'linux/amd64,linux/arm64',
        builder: second.name,
        push: 'true',
        'cache-from': cache, // a bare reference: a registry cache
      },
      { env },
    );
    expect(warm.exitCode, warm.log).toBe(0);
    // the slow dependency step comes from the imported cache; the changed source is rebuilt
    // (restored from the registry cache: CACHED, or its layers fetched in far less than the sleep)
    const warmDeps = stepOutcome(warm.log, /\[linux\/amd64 build 3\/5\] RUN sleep/);
    if (warmDeps !== 'cached') expect(warmDeps, warm.log).toBeLessThan(DEPS_SECONDS / 2);
    expect(warm.log).toMatch(/^#\d+ \[linux\/amd64(->arm64)? build 4\/5\] COPY app\.txt .*\n#\d+ DONE/m);
    expect(warm.log).toMatch(/importing cache manifest from/);
    expect(warm.outputs.digest).not.toBe(cold.outputs.digest);
  }, 300_000);

  it('cancelled while the builder runs a step: buildx cancels, nothing is pushed or left behind; the rerun pushes', async () => {
    const dir = fixture(`app cancel ${id}`);
    writeFileSync(join(dir, 'deps.txt'), `deps cancel ${id}\n`); // never in the builder's cache
    const image = `${repo}-cancel`;
    const inputs = {
      image,
      context: dir,
      'build-args': `${base}\nDEPS_SECONDS=23`,
      platforms: 'linux/amd64,linux/arm64',
      builder: lab.builder,
      push: 'true',
      tags: 'c1',
    };
    const runnerTemp = tempDir('build-cancel-runner');
    // The moment, seen from outside: BuildKit running the slow step (its `sleep 23` on this machine).
    let at = 0;
    const slowStep = (async () => {
      while ((await local.run({ argv: ['pgrep', '-x', '-f', 'sleep 23'] })).exitCode !== 0)
        await new Promise((r) => setTimeout(r, 100));
      at = performance.now();
    })();
    const started = performance.now();
    const cancelled = await runBundle('build-and-tag', inputs, {
      env: { ...env, RUNNER_TEMP: runnerTemp },
      interrupt: slowStep.then(() => 'cancel' as const),
    });
    expect(cancelled.exitCode, cancelled.log).not.toBe(0);
    expect(cancelled.log).toContain('cancelled (SIGINT)');
    // Ended on the SIGINT, with buildx (not 7.5 s later by SIGTERM, nor by the SIGKILL after it).
    expect(started + cancelled.durationMs - at).toBeLessThan(7500);
    expect((await local.run({ argv: ['pgrep', '-f', runnerTemp] })).exitCode).toBe(1); // no buildx left
    expect((await local.run({ argv: ['pgrep', '-x', '-f', 'sleep 23'] })).exitCode).toBe(1);
    expect(readdirSync(runnerTemp).filter((f) => f.startsWith('slipway-build-'))).toEqual([]);
    await expect(crane('digest', `${image}:c1`)).rejects.toThrow(); // nothing pushed

    const rerun = await runBundle('build-and-tag', inputs, { env });
    expect(rerun.exitCode, rerun.log).toBe(0);
    expect(await crane('digest', `${image}:c1`)).toBe(rerun.outputs.digest);
  }, 300_000);
});
