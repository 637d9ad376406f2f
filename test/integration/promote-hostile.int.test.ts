/**
 * promote-between-registries (the bundle) against a hostile or broken registry (issue 26): a small
 * real HTTP server whose answers each test sets (test/helpers/hostile-registry.ts), with Debian's
 * docker-registry as the well-behaved side where one is needed. Each case asserts what the runner
 * would see (exit, log lines, outputs), what reached the other registry, and generous bounds on
 * time and peak RSS. Needs nothing from the lab: only servers and a registry this file starts.
 *
 * HOSTILE_BUNDLE_DIR=<dir> runs another build (<dir>/promote-between-registries/index.js), e.g.
 * the one before the fix, to see each case fail there; HOSTILE_REPORT=<file> appends each run's
 * exit, time and peak RSS to it (JSON lines), for a before/after table.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type http from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  descriptor,
  digestOf,
  drip,
  flood,
  type HostileRegistry,
  imageManifest,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  startHostileRegistry,
} from '../helpers/hostile-registry';
import { startRegistry, type TestRegistry } from '../helpers/registry-process';
import { type BundleOptions, type BundleRun, runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';

let REPO = 'hostile/app';
let repos = 0;
const MiB = 1024 * 1024;
const bundleDir = process.env.HOSTILE_BUNDLE_DIR;

/** A run of the bundle with its peak RSS (MiB), measured inside the process at exit. */
interface MeasuredRun extends BundleRun {
  readonly peakRssMiB: number;
}

let rssHook: string;

async function promoteBundle(
  inputs: Record<string, string>,
  options: BundleOptions & { stallMs?: number } = {},
): Promise<MeasuredRun> {
  const rssFile = join(tempDir('rss'), 'peak');
  const run = await runBundle('promote-between-registries', inputs, {
    timeoutMs: 60_000,
    ...options,
    ...(bundleDir && { bundle: join(bundleDir, 'promote-between-registries', 'index.js') }),
    env: {
      SLIPWAY_RETRY_BASE_MS: '50',
      SLIPWAY_STALL_MS: String(options.stallMs ?? 1000),
      // An unbounded client dies here, quickly, instead of taking the machine's memory.
      NODE_OPTIONS: `--max-old-space-size=512 --require ${rssHook}`,
      PEAK_RSS_FILE: rssFile,
      ...options.env,
    },
  });
  let peakRssMiB = Number.NaN;
  try {
    peakRssMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // the process did not exit on its own (killed at the timeout, or crashed)
  }
  if (process.env.HOSTILE_REPORT)
    writeFileSync(
      process.env.HOSTILE_REPORT,
      JSON.stringify({
        test: expect.getState().currentTestName,
        exit: run.exitCode,
        ms: Math.round(run.durationMs),
        rss: Math.round(peakRssMiB),
      }) + '\n',
      { flag: 'a' },
    );
  return { ...run, peakRssMiB };
}

/** Log lines the runner would read as workflow commands, other than the step's own failure. */
function injectedCommands(log: string): string[] {
  return log.split('\n').filter((line) => /^::/.test(line) && !/^::error::/.test(line));
}

/** The step's error annotation (setFailed), decoded. */
function failure(run: BundleRun): string {
  const line = run.log.split('\n').find((l) => l.startsWith('::error::')) ?? '';
  return line.slice('::error::'.length).replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
}

/** A config blob and a layer, served by `registry`; returns their descriptors. */
function serveImageBlobs(registry: HostileRegistry, layer = Buffer.from('layer bytes')) {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' } }),
  );
  registry.blob(REPO, digestOf(config), config);
  registry.blob(REPO, digestOf(layer), layer);
  return { config: descriptor(config, OCI_CONFIG), layer: descriptor(layer) };
}

describe('promote against a hostile registry', () => {
  let source: HostileRegistry;
  let sink: HostileRegistry;
  let registry: TestRegistry;

  beforeAll(async () => {
    const dir = tempDir('rss-hook');
    rssHook = join(dir, 'peak-rss.cjs');
    writeFileSync(
      rssHook,
      "process.on('exit', () => require('node:fs').writeFileSync(process.env.PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)));\n",
    );
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry.stop();
  });
  afterEach(async () => {
    await source?.close();
    await sink?.close();
  });

  const fresh = async () => {
    REPO = `hostile/app-${process.pid}-${++repos}`;
    source = await startHostileRegistry();
    sink = await startHostileRegistry();
  };
  const from = (inputs: Record<string, string> = {}, destination = sink.host) => ({
    source: `${source.host}/${REPO}:v1`,
    destination: `${destination}/${REPO}`,
    tags: 'v1',
    referrers: 'false',
    ...inputs,
  });

  describe('1. descriptors are validated before any use', () => {
    it('a size holding workflow commands never reaches the log raw: the run fails naming it', async () => {
      await fresh();
      const { config } = serveImageBlobs(source);
      const evil = '1\n::error title=pwned::injected\n::add-mask::secret\n::stop-commands::token';
      source.manifest(REPO, imageManifest(config, [{ ...descriptor(Buffer.from('x')), size: evil }]), ['v1']);
      const run = await promoteBundle(from({ 'dry-run': 'true' }));
      expect(injectedCommands(run.log), run.log).toEqual([]);
      expect(run.exitCode).toBe(1);
      expect(failure(run)).toMatch(
        new RegExp(
          `^source registry ${source.host}: ${REPO}@sha256:[0-9a-f]{64}: layers\\[0\\]: size "1\\\\u000a::error`,
        ),
      );
      expect(failure(run)).toContain('is not a non-negative whole number of bytes');
    });

    it('a digest that is a path is never put in a URL: the destination sees no request for it', async () => {
      await fresh();
      const { config } = serveImageBlobs(source);
      source.manifest(
        REPO,
        imageManifest(config, [{ ...descriptor(Buffer.from('x')), digest: '../../v2/_catalog?n=1#' }]),
        ['v1'],
      );
      const run = await promoteBundle(from({ 'dry-run': 'true' }));
      expect(sink.requests.filter((r) => r.url.includes('_catalog'))).toEqual([]);
      expect(run.exitCode).toBe(1);
      expect(failure(run)).toContain(`source registry ${source.host}: ${REPO}@`);
      expect(failure(run)).toContain('is not sha256:<64 hex>');
    });
  });

  describe('2. never more bytes than the size', () => {
    it('an endless source blob: nothing past its size is sent, the run fails at once', async () => {
      await fresh();
      const size = MiB;
      const { config } = serveImageBlobs(source);
      const layer = { ...descriptor(randomBytes(size)), size };
      source.blob(REPO, layer.digest, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        flood(res, randomBytes(64 * 1024));
      });
      source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      // The destination refuses a monolithic PUT, so the client falls back to chunked PATCHes.
      sink.route('PUT', /\/blobs\/uploads\//, (req, res) => {
        req.resume();
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":"SIZE_INVALID"}]}');
      });
      const run = await promoteBundle(from(), { timeoutMs: 30_000 });
      expect(run.exitCode, run.log).toBe(1);
      // At once, and the process exits at once (a PUT answered early is not left open).
      expect(run.durationMs).toBeLessThan(5_000);
      expect(sink.received()).toBeLessThanOrEqual(size);
      expect(failure(run)).toContain(`source registry ${source.host}: blob ${layer.digest} of ${REPO}`);
      expect(failure(run)).toContain(`longer than its descriptor's ${size} bytes`);
      expect(run.peakRssMiB).toBeLessThan(200);
    });

    it('a source blob that ends short of its size fails at once, not after retries of the destination', async () => {
      await fresh();
      const bytes = randomBytes(256 * 1024);
      const { config } = serveImageBlobs(source);
      const layer = descriptor(bytes);
      source.blob(REPO, layer.digest, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }); // chunked: no length promised
        res.end(bytes.subarray(0, 1000));
      });
      source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      const run = await promoteBundle(from(), { timeoutMs: 30_000 });
      expect(run.exitCode, run.log).toBe(1);
      expect(failure(run)).toContain(
        `blob ${layer.digest} of ${REPO} ended after 1000 of its ${bytes.length} bytes`,
      );
      expect(sink.requests.filter((r) => r.method === 'PUT' && r.url.includes('/manifests/'))).toEqual([]);
    });
  });

  describe('3. bodies not read are destroyed', () => {
    it('an endless 5xx body, retried: the promotion succeeds and the process exits', async () => {
      await fresh();
      const { config, layer } = serveImageBlobs(source);
      source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      let failed = 0;
      source.route('GET', /\/manifests\/v1$/, (req, res) => {
        if (failed++ > 0) return false;
        req.resume();
        res.writeHead(503, { 'content-type': 'text/plain' });
        drip(res, Buffer.alloc(1024, 'e'), 10);
      });
      const run = await promoteBundle(from({}, registry.host), { timeoutMs: 30_000 });
      expect(run.exitCode, run.log).toBe(0);
      expect(run.outputs.digest).toMatch(/^sha256:/);
      expect(run.durationMs).toBeLessThan(10_000);
    });
  });

  describe('6. stalled transfers fail, blaming the side that stalled', () => {
    it('a source trickling its blob: "source … stalled", within the bound', async () => {
      await fresh();
      const bytes = randomBytes(256 * 1024);
      const { config } = serveImageBlobs(source);
      const layer = descriptor(bytes);
      source.blob(REPO, layer.digest, (_req, res) => {
        res.writeHead(200, { 'content-length': bytes.length });
        drip(res, Buffer.alloc(1), 100);
      });
      source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      const run = await promoteBundle(from(), { timeoutMs: 40_000 });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.durationMs).toBeLessThan(25_000);
      expect(failure(run)).toContain(
        `source registry ${source.host}: blob ${layer.digest} of ${REPO} stalled`,
      );
      expect(failure(run)).not.toMatch(/destination registry [^:]*: .*ECONNRESET/);
    });

    it('a source body shorter than its Content-Length, then silence: the source is blamed', async () => {
      await fresh();
      const bytes = randomBytes(256 * 1024);
      const { config } = serveImageBlobs(source);
      const layer = descriptor(bytes);
      source.blob(REPO, layer.digest, (_req, res) => {
        res.writeHead(200, { 'content-length': bytes.length });
        res.write(bytes.subarray(0, 100 * 1024));
      });
      source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      const run = await promoteBundle(from(), { timeoutMs: 40_000 });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.durationMs).toBeLessThan(25_000);
      // The source, stalled (or, should its server give up first, its connection lost): never the destination.
      expect(failure(run)).toMatch(
        new RegExp(`^copy blob ${layer.digest}: source registry ${source.host}: `),
      );
    });

    it('a destination that stops taking the upload: "destination … stalled"', async () => {
      await fresh();
      const bytes = randomBytes(48 * MiB);
      const { config } = serveImageBlobs(source);
      const layer = descriptor(bytes);
      source.blob(REPO, layer.digest, bytes);
      source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      sink.route('PUT', /\/blobs\/uploads\//, (req: http.IncomingMessage) => {
        if (!(req.url ?? '').includes(encodeURIComponent(layer.digest))) return false;
        req.pause(); // never read, never answered
      });
      const run = await promoteBundle(from(), { timeoutMs: 40_000 });
      expect(run.exitCode, run.log).toBe(1);
      expect(run.durationMs).toBeLessThan(25_000);
      expect(failure(run)).toContain(`destination registry ${sink.host}: the upload of blob ${layer.digest}`);
      expect(failure(run)).toContain('stalled');
    });
  });

  describe('7. errors name the role, the registry, the reference and what was wrong', () => {
    it('a manifest that is not JSON', async () => {
      await fresh();
      source.manifest(REPO, Buffer.from('{"schemaVersion": 2, bad}'), ['v1']);
      const run = await promoteBundle(from());
      expect(run.exitCode).toBe(1);
      expect(failure(run)).toMatch(
        new RegExp(`^source registry ${source.host}: ${REPO}@sha256:[0-9a-f]{64} is not valid JSON`),
      );
      expect(failure(run)).not.toMatch(/^Expected property name/);
    });

    it('layers: [null]', async () => {
      await fresh();
      const { config } = serveImageBlobs(source);
      source.manifest(REPO, imageManifest(config, [null]), ['v1']);
      const run = await promoteBundle(from());
      expect(run.exitCode).toBe(1);
      expect(failure(run)).toMatch(
        new RegExp(
          `^source registry ${source.host}: ${REPO}@sha256:[0-9a-f]{64}: layers\\[0\\]: null is not a descriptor`,
        ),
      );
      expect(failure(run)).not.toContain('Cannot read properties');
    });
  });

  describe('4. referrer discovery is bounded and checked', () => {
    /** An image at the source whose referrers API answers with `page(digest, url)`. */
    function withReferrers(page: (digest: string, url: URL, res: http.ServerResponse) => void) {
      const { config, layer } = serveImageBlobs(source);
      const root = source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      source.route('GET', /\/referrers\//, (req, res, path) => {
        req.resume();
        page(path.slice(path.lastIndexOf('/') + 1), new URL(req.url ?? '/', 'http://x'), res);
      });
      return { root, config };
    }

    it('a referrer chain that never ends stops at MAX_REFERRER_DEPTH, naming the image', async () => {
      await fresh();
      const { config } = withReferrers((digest, _url, res) => {
        const child = imageManifest(config, [], {
          artifactType: 'application/vnd.example.sig',
          subject: { mediaType: OCI_MANIFEST, digest, size: 1 },
        });
        source.manifest(REPO, child);
        const index = {
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [{ ...descriptor(child, OCI_MANIFEST), artifactType: 'application/vnd.example.sig' }],
        };
        res.writeHead(200, { 'content-type': OCI_INDEX }).end(JSON.stringify(index));
      });
      const run = await promoteBundle(from({ referrers: 'true', 'dry-run': 'true' }), { timeoutMs: 30_000 });
      expect(run.exitCode, run.log).toBe(1);
      expect(failure(run)).toContain(
        `source registry ${source.host}: ${source.host}/${REPO}:v1 has referrers more than`,
      );
      expect(failure(run)).toContain('MAX_REFERRER_DEPTH');
      expect(source.requests.length).toBeLessThan(500);
      expect(run.durationMs).toBeLessThan(15_000);
    });

    it('pages of thousands of referrers stop at MAX_REFERRERS_LISTED, in bounded memory', async () => {
      await fresh();
      const entries = Array.from({ length: 15_000 }, (_, i) => ({
        mediaType: OCI_MANIFEST,
        digest: digestOf(`referrer ${i}`),
        size: 500,
        artifactType: 'application/vnd.example.sig',
      }));
      const page = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries });
      let pages = 0;
      withReferrers((_digest, url, res) => {
        pages += 1;
        res
          .writeHead(200, { 'content-type': OCI_INDEX, link: `<${url.pathname}?n=${pages}>; rel="next"` })
          .end(page);
      });
      const run = await promoteBundle(from({ referrers: 'true', 'dry-run': 'true' }), { timeoutMs: 30_000 });
      expect(run.exitCode, run.log).toBe(1);
      expect(failure(run)).toContain('MAX_REFERRERS_LISTED');
      expect(failure(run)).toContain(`${REPO}@sha256:`);
      expect(pages).toBeLessThan(5);
      expect(run.peakRssMiB).toBeLessThan(300);
    });

    it('a listed referrer whose subject is another manifest is not copied', async () => {
      await fresh();
      const { config } = withReferrers((_digest, _url, res) => {
        const index = {
          schemaVersion: 2,
          mediaType: OCI_INDEX,
          manifests: [{ ...descriptor(stranger, OCI_MANIFEST), artifactType: 'application/vnd.example.sig' }],
        };
        res.writeHead(200, { 'content-type': OCI_INDEX }).end(JSON.stringify(index));
      });
      const stranger = imageManifest(config, [], {
        artifactType: 'application/vnd.example.sig',
        subject: { mediaType: OCI_MANIFEST, digest: digestOf('another image'), size: 1 },
      });
      source.manifest(REPO, stranger);
      const run = await promoteBundle(from({ referrers: 'true' }, registry.host));
      expect(run.exitCode, run.log).toBe(0);
      expect(run.outputs['referrers-copied']).toBe('0');
      const head = await fetch(`http://${registry.host}/v2/${REPO}/manifests/${digestOf(stranger)}`, {
        method: 'HEAD',
      });
      expect(head.status).toBe(404);
    });
  });

  describe('5. index fan-out', () => {
    it('one large child listed 200 times is fetched once, in bounded memory', async () => {
      await fresh();
      const { config, layer } = serveImageBlobs(source);
      const child = imageManifest(config, [layer], { annotations: { pad: 'x'.repeat(3_900_000) } });
      const childDigest = source.manifest(REPO, child);
      const entry = { ...descriptor(child, OCI_MANIFEST), platform: { os: 'linux', architecture: 'amd64' } };
      source.manifest(
        REPO,
        Buffer.from(
          JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: Array(200).fill(entry) }),
        ),
        ['v1'],
        OCI_INDEX,
      );
      const run = await promoteBundle(from({ 'dry-run': 'true' }), { timeoutMs: 30_000 });
      expect(run.exitCode, run.log).toBe(0);
      expect(source.requests.filter((r) => r.method === 'GET' && r.url.endsWith(childDigest))).toHaveLength(
        1,
      );
      expect(run.peakRssMiB).toBeLessThan(250);
    });

    it('more distinct children than MAX_TREE_MANIFESTS: refused before they are fetched', async () => {
      await fresh();
      const manifests = Array.from({ length: 1500 }, (_, i) => {
        const bytes = imageManifest(descriptor(Buffer.from(`config ${i}`), OCI_CONFIG), []);
        source.manifest(REPO, bytes);
        return descriptor(bytes, OCI_MANIFEST);
      });
      source.manifest(
        REPO,
        Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })),
        ['v1'],
        OCI_INDEX,
      );
      const run = await promoteBundle(from({ 'dry-run': 'true' }), { timeoutMs: 30_000 });
      expect(run.exitCode, run.log).toBe(1);
      expect(failure(run)).toContain('MAX_TREE_MANIFESTS');
      expect(failure(run)).toContain(`source registry ${source.host}: ${REPO}@sha256:`);
      expect(source.requests.length).toBeLessThan(20);
    });
  });

  describe('8. cancellation', () => {
    /** SIGINT once `moment` resolves; the run, and how long the process took to exit after it. */
    async function cancelAt(moment: Promise<void>, inputs: Record<string, string>) {
      let sentAt = 0;
      const interrupt = moment.then(() => {
        sentAt = performance.now();
        return 'cancel' as const;
      });
      const started = performance.now();
      const run = await promoteBundle(inputs, { interrupt, stallMs: 30_000, timeoutMs: 30_000 });
      return { run, exitMs: started + run.durationMs - sentAt };
    }

    it('mid-blob: exits within a second, drops the upload session, tags nothing; a rerun converges', async () => {
      await fresh();
      const bytes = randomBytes(8 * MiB);
      const { config } = serveImageBlobs(source);
      const layer = descriptor(bytes);
      let slow = true;
      let midBlob: () => void = () => {};
      const moment = new Promise<void>((resolve) => (midBlob = resolve));
      source.blob(REPO, layer.digest, (_req, res) => {
        if (!slow) return void res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
        res.writeHead(200, { 'content-length': bytes.length });
        let offset = 0;
        const timer = setInterval(() => {
          if (res.destroyed) return clearInterval(timer);
          res.write(bytes.subarray(offset, (offset += 128 * 1024)));
          if (offset >= MiB) midBlob();
        }, 20);
        res.on('close', () => clearInterval(timer));
      });
      source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      const { run, exitMs } = await cancelAt(moment, from());
      expect(run.exitCode, run.log).toBe(1);
      expect(run.log).toContain('SIGINT: cancelling');
      expect(failure(run)).toContain('cancelled (SIGINT)');
      expect(exitMs).toBeLessThan(1000);
      expect(
        sink.requests.filter((r) => r.method === 'DELETE' && r.url.includes('/blobs/uploads/')),
      ).not.toEqual([]);
      expect(sink.requests.filter((r) => r.method === 'PUT' && r.url.includes('/manifests/'))).toEqual([]);
      slow = false;
      const rerun = await promoteBundle(from());
      expect(rerun.exitCode, rerun.log).toBe(0);
      expect(sink.requests.filter((r) => r.method === 'PUT' && r.url.endsWith('/manifests/v1'))).toHaveLength(
        1,
      );
    });

    it('between the manifest and the tags: exits within a second, writes no tag', async () => {
      await fresh();
      const { config, layer } = serveImageBlobs(source);
      source.manifest(REPO, imageManifest(config, [layer]), ['v1']);
      let manifestPut: () => void = () => {};
      const moment = new Promise<void>((resolve) => (manifestPut = resolve));
      let heads = 0;
      sink.route('HEAD', /\/manifests\/v1$/, (req) => {
        // The plan's look at the tag is answered; the look just before tagging is held: the
        // manifest is in, the tag not yet.
        if (heads++ === 0) return false;
        req.resume();
        manifestPut();
      });
      const { run, exitMs } = await cancelAt(moment, from());
      expect(run.exitCode, run.log).toBe(1);
      expect(failure(run)).toContain('cancelled (SIGINT)');
      expect(exitMs).toBeLessThan(1000);
      expect(
        sink.requests.filter((r) => r.method === 'PUT' && /\/manifests\/sha256:/.test(r.url)),
      ).toHaveLength(1);
      expect(sink.requests.filter((r) => r.method === 'PUT' && r.url.endsWith('/manifests/v1'))).toEqual([]);
    });
  });
});
