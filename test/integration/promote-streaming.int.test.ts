/**
 * Blobs stream from the source straight into the destination, never buffered whole: what arrives
 * is still verified. A source that dies mid-blob or serves a corrupt one is refused (naming the
 * blob) and nothing is tagged; a transient cut is retried with a fresh upload and the copy is
 * whole (crane validates it); an interrupted action leaves no tag behind.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsFor } from '../../src/promote-between-registries/inputs';
import { parseReference } from '../../src/common/reference';
import { RegistryClient } from '../../src/registry/client';
import { blobExists } from '../../src/registry/blobs';
import { promote } from '../../src/promote-between-registries/copy';
import { type FaultOptions, startFaultProxy } from '../helpers/fault-proxy';
import { pushImage, unique } from '../helpers/oci';
import { startRegistry, type TestRegistry } from '../helpers/registry-process';
import { PROMOTE_DEFAULTS } from '../helpers/promote-options';
import { runBundle } from '../helpers/run-bundle';

const tools = inject('tools');

const OPTIONS = PROMOTE_DEFAULTS;

const LAYER = 3 * 1024 * 1024;
const isBlobGet = (req: { method?: string; url?: string }) =>
  req.method === 'GET' && (req.url ?? '').includes('/blobs/sha256:');

describe('streamed blob copies', () => {
  let source: TestRegistry;
  let destination: TestRegistry;
  let sourceClient: RegistryClient;
  let destinationClient: RegistryClient;

  beforeAll(async () => {
    source = await startRegistry();
    destination = await startRegistry();
    sourceClient = new RegistryClient(source.host, { anonymous: true });
    destinationClient = new RegistryClient(destination.host, { anonymous: true });
  });
  afterAll(async () => {
    await source.stop();
    await destination.stop();
  });

  /** An image of one 3 MiB layer at the source; promoted from behind a proxy that damages blob GETs. */
  async function promoteThrough(faults: Omit<FaultOptions, 'when'>) {
    const repo = `stream/app-${unique()}`;
    const image = await pushImage(sourceClient, repo, { seed: repo, layers: 1, layerSize: LAYER, tag: 'v1' });
    const manifest = JSON.parse((await sourceClient.getManifest(repo, 'v1')).bytes.toString('utf8')) as {
      layers: Array<{ digest: string }>;
    };
    const layer = manifest.layers[0]?.digest as string;
    const [host, port] = source.host.split(':') as [string, string];
    const proxy = await startFaultProxy({ host, port: Number(port) }, { ...faults, when: isBlobGet });
    try {
      const copying = promote(
        [
          {
            source: parseReference(`${proxy.host}:${proxy.port}/${repo}:v1`),
            destination: parseReference(`${destination.host}/${repo}`, { repositoryOnly: true }),
            tags: ['v1'],
          },
        ],
        clientsFor({ pairs: [], options: OPTIONS, insecure: [] }),
        OPTIONS,
      );
      const outcome = await copying.then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error: error as Error }),
      );
      return { repo, image, layer, faults: proxy.faultsInjected(), ...outcome };
    } finally {
      await proxy.close();
    }
  }

  it('refuses a source that dies mid-blob, naming the blob, and tags nothing', async () => {
    const run = await promoteThrough({ failures: 1000, cutAfterBytes: LAYER / 2 });
    expect(run.error?.message).toContain(run.layer);
    expect(run.faults).toBeGreaterThan(1); // retried, each time with a fresh upload
    expect(await destinationClient.headManifest(run.repo, 'v1')).toBeUndefined();
    expect(await destinationClient.headManifest(run.repo, run.image.digest)).toBeUndefined();
    expect(await blobExists(destinationClient, run.repo, run.layer)).toBe(false);
  });

  it('refuses a corrupt blob of the right length, naming it and what it hashed to', async () => {
    const run = await promoteThrough({ failures: 1000, flipByteAt: LAYER - 10 });
    expect(run.error?.message).toMatch(new RegExp(`${run.layer}.*hashed to sha256:[0-9a-f]{64}`));
    expect(await destinationClient.headManifest(run.repo, 'v1')).toBeUndefined();
    expect(await blobExists(destinationClient, run.repo, run.layer)).toBe(false);
  });

  it('retries a blob cut once with a fresh upload: the copy is whole', async () => {
    const run = await promoteThrough({ failures: 1, cutAfterBytes: LAYER / 3 });
    expect(run.error).toBeUndefined();
    expect(run.faults).toBe(1);
    expect(run.result?.images[0]?.digest).toBe(run.image.digest);
    expect(run.result?.bytesCopied).toBeGreaterThan(LAYER);
    // crane as the judge: the layer it reads back from the destination hashes to its digest.
    const blob = spawnSync(tools.crane as string, ['blob', `${destination.host}/${run.repo}@${run.layer}`], {
      maxBuffer: 2 * LAYER,
    });
    expect(blob.status, blob.stderr?.toString()).toBe(0);
    expect(blob.stdout.length).toBe(LAYER);
    expect(`sha256:${createHash('sha256').update(blob.stdout).digest('hex')}`).toBe(run.layer);
  });

  it('an action interrupted mid-copy (SIGINT) leaves no tag behind; a rerun completes', async () => {
    const repo = `stream/cancel-${unique()}`;
    const image = await pushImage(sourceClient, repo, {
      seed: repo,
      layers: 6,
      layerSize: 16 * 1024 * 1024,
      tag: 'v1',
    });
    const manifest = JSON.parse((await sourceClient.getManifest(repo, 'v1')).bytes.toString('utf8')) as {
      layers: Array<{ digest: string }>;
    };
    const first = manifest.layers.map((l) => l.digest);
    const inputs = {
      source: `${source.host}/${repo}:v1`,
      destination: `${destination.host}/${repo}`,
      concurrency: '1',
    };
    // SIGINT as soon as the first layer has arrived.
    let watching = true;
    const interrupt = (async () => {
      while (watching) {
        for (const digest of first)
          if (await blobExists(destinationClient, repo, digest)) return 'cancel' as const;
        await new Promise((r) => setTimeout(r, 10));
      }
      return 'cancel' as const;
    })();
    const run = await runBundle('promote-between-registries', inputs, { interrupt });
    watching = false;
    expect(run.exitCode).not.toBe(0);
    expect(await destinationClient.headManifest(repo, 'v1')).toBeUndefined();
    const rerun = await runBundle('promote-between-registries', inputs);
    expect(rerun.exitCode, rerun.log).toBe(0);
    expect(rerun.outputs.digest).toBe(image.digest);
    expect(Number(rerun.outputs['blobs-skipped'])).toBeGreaterThanOrEqual(1);
  });
});
