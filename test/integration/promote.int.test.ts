/**
 * promote-between-registries against real registries: the lab's staging (open) and production
 * (basic auth), a token-auth registry with a small token server, and throwaway registries that
 * are killed mid-copy or answer 503.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsFor, readPromoteRequest } from '../../src/promote-between-registries/inputs';
import { Inputs } from '../../src/common/inputs';
import { parseReference } from '../../src/common/reference';
import { RegistryClient } from '../../src/registry/client';
import { type PromotePair, promote } from '../../src/promote-between-registries/copy';
import { startFaultProxy } from '../helpers/fault-proxy';
import { pushImage, pushIndex, unique } from '../helpers/oci';
import {
  startRegistry,
  startTokenServer,
  type TestRegistry,
  type TokenServer,
} from '../helpers/registry-process';
import { PROMOTE_DEFAULTS } from '../helpers/promote-options';
import { runBundle } from '../helpers/run-bundle';

const lab = inject('lab');
const { staging, production } = lab.registries;
const prodCreds = { username: production.username as string, password: production.password as string };
const stagingClient = new RegistryClient(staging.host, { insecure: true, anonymous: true });
const prodClient = new RegistryClient(production.host, { insecure: true, credentials: prodCreds });

const OPTIONS = PROMOTE_DEFAULTS;

/** Clients the way the action makes them: anonymous source, basic-auth destination. */
function clients(destinationCredentials = prodCreds) {
  return clientsFor({
    pairs: [],
    options: OPTIONS,
    destinationCredentials,
    insecure: [],
  });
}

const pair = (source: string, destination: string, tags: string[], expectedDigest?: string): PromotePair => ({
  source: parseReference(source),
  destination: parseReference(destination, { repositoryOnly: true }),
  tags,
  ...(expectedDigest && { expectedDigest }),
});

async function rawManifest(client: RegistryClient, repo: string, ref: string): Promise<string> {
  return (await client.getManifest(repo, ref)).bytes.toString('base64');
}

describe('promotion between the lab registries', () => {
  const repo = `promote/app-${unique()}`;
  let digest = '';

  beforeAll(async () => {
    const image = await pushImage(stagingClient, repo, {
      seed: repo,
      layers: 3,
      layerSize: 200_000,
      tag: 'v1',
    });
    digest = image.digest;
  });

  it('copies an image byte for byte: same digest, same manifest bytes', async () => {
    const result = await promote(
      [pair(`${staging.host}/${repo}:v1`, `${production.host}/${repo}`, ['v1', 'stable'])],
      clients(),
      OPTIONS,
    );
    expect(result.images[0]?.digest).toBe(digest);
    expect(result.blobsCopied).toBe(4);
    expect(result.bytesCopied).toBeGreaterThan(600_000);
    expect((await prodClient.headManifest(repo, 'stable'))?.digest).toBe(digest);
    expect(await rawManifest(prodClient, repo, 'v1')).toBe(await rawManifest(stagingClient, repo, 'v1'));
  });

  it('re-promotion copies 0 bytes and moves nothing', async () => {
    const result = await promote(
      [pair(`${staging.host}/${repo}:v1`, `${production.host}/${repo}`, ['v1', 'stable'])],
      clients(),
      OPTIONS,
    );
    expect(result).toMatchObject({ blobsCopied: 0, blobsMounted: 0, bytesCopied: 0, tagsMoved: 0 });
  });

  it('refuses to move an existing tag to another digest, naming both; allows it when told', async () => {
    const other = await pushImage(stagingClient, repo, {
      seed: `${repo}-v2`,
      layers: 1,
      layerSize: 1000,
      tag: 'v2',
    });
    const promotion = [pair(`${staging.host}/${repo}:v2`, `${production.host}/${repo}`, ['stable'])];
    await expect(promote(promotion, clients(), OPTIONS)).rejects.toThrow(
      `${production.host}/${repo}:stable already points to ${digest}, not to ${other.digest}`,
    );
    expect((await prodClient.headManifest(repo, 'stable'))?.digest).toBe(digest);
    await expect(promote(promotion, clients(), { ...OPTIONS, allowOverwrite: true })).rejects.toThrow(
      'it is not one of the mutable-tags, so it never moves, even with allow-overwrite',
    );
    expect((await prodClient.headManifest(repo, 'stable'))?.digest).toBe(digest);
    const allowed = await promote(promotion, clients(), {
      ...OPTIONS,
      allowOverwrite: true,
      mutableTags: ['latest', 'stable'],
    });
    expect(allowed.tagsMoved).toBe(1);
    expect((await prodClient.headManifest(repo, 'stable'))?.digest).toBe(other.digest);
  });

  it('refuses a source that does not resolve to the expected digest', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    await expect(
      promote(
        [pair(`${staging.host}/${repo}:v1`, `${production.host}/${repo}-x`, ['v1'], wrong)],
        clients(),
        OPTIONS,
      ),
    ).rejects.toThrow(`resolves to ${digest}, not the expected ${wrong}`);
    expect(await prodClient.headManifest(`${repo}-x`, 'v1')).toBeUndefined();
  });

  it('moves no tag of a set when one image of the set is missing', async () => {
    const set = [
      pair(`${staging.host}/${repo}:v1`, `${production.host}/${repo}-set-app`, ['release']),
      pair(`${staging.host}/${repo}-missing:v1`, `${production.host}/${repo}-set-db`, ['release']),
    ];
    await expect(promote(set, clients(), OPTIONS)).rejects.toThrow('does not exist');
    expect(await prodClient.headManifest(`${repo}-set-app`, 'release')).toBeUndefined();
  });

  it('promotes a set: every image copied before any tag moves', async () => {
    const companion = await pushImage(stagingClient, `${repo}-db`, {
      seed: `${repo}-db`,
      layers: 2,
      layerSize: 10_000,
      tag: 'v1',
    });
    const events: string[] = [];
    const result = await promote(
      [
        pair(`${staging.host}/${repo}:v1`, `${production.host}/${repo}-pair-app`, ['v1']),
        pair(`${staging.host}/${repo}-db:v1`, `${production.host}/${repo}-pair-db`, ['v1']),
      ],
      clients(),
      OPTIONS,
      (e) => events.push(e.kind),
    );
    expect(result.images.map((i) => i.digest)).toEqual([digest, companion.digest]);
    expect(result.tagsMoved).toBe(2);
    expect(events.indexOf('tag')).toBeGreaterThan(events.lastIndexOf('manifest'));
    expect(events.indexOf('tag')).toBeGreaterThan(events.lastIndexOf('blob'));
  });

  it('copies each blob once into a registry and mounts it into the other repositories', async () => {
    const result = await promote(
      [
        pair(`${staging.host}/${repo}:v1`, `${production.host}/${repo}-east`, ['v1']),
        pair(`${staging.host}/${repo}:v1`, `${production.host}/${repo}-west`, ['v1']),
      ],
      clients(),
      OPTIONS,
    );
    expect(result).toMatchObject({ blobsCopied: 4, blobsMounted: 4 });
    expect((await prodClient.headManifest(`${repo}-west`, 'v1'))?.digest).toBe(digest);
  });

  it('keeps a two-platform OCI index intact, or picks one platform', async () => {
    const multi = `promote/multi-${unique()}`;
    const amd64 = await pushImage(stagingClient, multi, {
      seed: `${multi}-amd64`,
      layers: 2,
      layerSize: 5000,
      architecture: 'amd64',
    });
    const arm64 = await pushImage(stagingClient, multi, {
      seed: `${multi}-arm64`,
      layers: 2,
      layerSize: 5000,
      architecture: 'arm64',
    });
    const index = await pushIndex(stagingClient, multi, 'v1', [amd64, arm64]);
    const all = await promote(
      [pair(`${staging.host}/${multi}:v1`, `${production.host}/${multi}`, ['v1'])],
      clients(),
      OPTIONS,
    );
    expect(all.images[0]?.digest).toBe(index);
    expect(await rawManifest(prodClient, multi, 'v1')).toBe(await rawManifest(stagingClient, multi, 'v1'));
    expect(await prodClient.headManifest(multi, arm64.digest)).toBeDefined();
    const one = await promote(
      [pair(`${staging.host}/${multi}:v1`, `${production.host}/${multi}-amd64`, ['v1'])],
      clients(),
      { ...OPTIONS, allPlatforms: false },
    );
    expect(one.images[0]?.digest).toBe(amd64.digest);
    expect(await prodClient.headManifest(`${multi}-amd64`, arm64.digest)).toBeUndefined();
  });

  it('plans without changing anything in a dry run', async () => {
    const target = `${repo}-dry`;
    const result = await promote(
      [pair(`${staging.host}/${repo}:v1`, `${production.host}/${target}`, ['v1'])],
      clients(),
      {
        ...OPTIONS,
        dryRun: true,
      },
    );
    expect(result.plan.map((p) => p.action).sort()).toEqual(['copy', 'copy', 'copy', 'copy']);
    expect(await prodClient.headManifest(target, 'v1')).toBeUndefined();
    expect(await prodClient.headManifest(target, digest)).toBeUndefined();
  });

  it('fails clearly on wrong credentials', async () => {
    await expect(
      promote(
        [pair(`${staging.host}/${repo}:v1`, `${production.host}/${repo}-denied`, ['v1'])],
        clients({ username: 'slipway', password: 'nope' }),
        OPTIONS,
      ),
    ).rejects.toThrow(`destination registry ${production.host}: credentials refused (401)`);
  });
});

describe('token auth', () => {
  let tokens: TokenServer;
  let registry: TestRegistry;
  const user = { username: 'robot', password: `pw-${unique()}` };

  beforeAll(async () => {
    tokens = await startTokenServer(user);
    registry = await startRegistry({ token: tokens.auth });
  });
  afterAll(async () => {
    await registry.stop();
    await tokens.close();
  });

  it('negotiates bearer tokens: pull on the source, push on the destination', async () => {
    const repo = `token/app-${unique()}`;
    const image = await pushImage(stagingClient, repo, { seed: repo, layers: 2, layerSize: 5000, tag: 'v1' });
    const request = readPromoteRequest(
      new Inputs(
        (n) =>
          ({
            source: `${staging.host}/${repo}:v1`,
            destination: `${registry.host}/${repo}`,
            'destination-username': user.username,
            'destination-password': user.password,
          })[n],
      ),
    );
    const result = await promote(request.pairs, clientsFor(request), request.options);
    expect(result.images[0]?.digest).toBe(image.digest);
    expect(tokens.scopes).toContain(`repository:${repo}:pull,push`);
    const reader = new RegistryClient(registry.host, { insecure: true, credentials: user });
    expect((await reader.headManifest(repo, 'v1'))?.digest).toBe(image.digest);
    const anonymous = new RegistryClient(registry.host, { insecure: true, anonymous: true });
    await expect(anonymous.headManifest(repo, 'v1')).rejects.toThrow(/refused|401/);
  });
});

describe('failures on the way', () => {
  it('a registry killed mid-copy: the rerun completes and the result is identical', async () => {
    const registry = await startRegistry();
    try {
      const repo = `crash/app-${unique()}`;
      const image = await pushImage(stagingClient, repo, {
        seed: repo,
        layers: 5,
        layerSize: 8_000_000,
        tag: 'v1',
      });
      const promotion = [pair(`${staging.host}/${repo}:v1`, `${registry.host}/${repo}`, ['v1'])];
      const anonymous = clientsFor({ pairs: [], options: OPTIONS, insecure: [] });
      const copying = promote(promotion, anonymous, { ...OPTIONS, concurrency: 2 }, (event) => {
        if (event.kind === 'blob' && event.action === 'copy') registry.kill();
      });
      await expect(copying).rejects.toThrow();
      const dest = new RegistryClient(registry.host, { insecure: true, anonymous: true });
      await registry.start();
      expect(await dest.headManifest(repo, 'v1')).toBeUndefined();
      const rerun = await promote(promotion, anonymous, OPTIONS);
      expect(rerun.images[0]?.digest).toBe(image.digest);
      expect(rerun.blobsSkipped).toBeGreaterThanOrEqual(1);
      expect(await rawManifest(dest, repo, 'v1')).toBe(await rawManifest(stagingClient, repo, 'v1'));
    } finally {
      await registry.stop();
    }
  });

  it('retries transient 503s from the destination', async () => {
    const registry = await startRegistry();
    const [host, port] = registry.host.split(':') as [string, string];
    const proxy = await startFaultProxy(
      { host, port: Number(port) },
      { failures: 3, status: 503, retryAfter: '0' },
    );
    try {
      const repo = `flaky/app-${unique()}`;
      const image = await pushImage(stagingClient, repo, {
        seed: repo,
        layers: 2,
        layerSize: 5000,
        tag: 'v1',
      });
      const result = await promote(
        [pair(`${staging.host}/${repo}:v1`, `${proxy.host}:${proxy.port}/${repo}`, ['v1'])],
        clientsFor({ pairs: [], options: OPTIONS, insecure: [] }),
        OPTIONS,
      );
      expect(proxy.faultsInjected()).toBe(3);
      expect(result.images[0]?.digest).toBe(image.digest);
    } finally {
      await proxy.close();
      await registry.stop();
    }
  });
});

describe('the bundled action', () => {
  it('promotes with outputs and a summary, and keeps the password out of the log', async () => {
    const repo = `promote/bundle-${unique()}`;
    const image = await pushImage(stagingClient, repo, {
      seed: repo,
      layers: 2,
      layerSize: 4000,
      tag: '20260101-7',
    });
    const result = await runBundle('promote-between-registries', {
      source: `${staging.host}/${repo}:20260101-7`,
      destination: `${production.host}/${repo}`,
      tags: '20260101-7\nlatest',
      'expected-digest': image.digest,
      'destination-username': prodCreds.username,
      'destination-password': prodCreds.password,
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({
      digest: image.digest,
      refs: `${production.host}/${repo}@${image.digest}`,
      'blobs-copied': '3',
      'blobs-skipped': '0',
    });
    expect(Number(result.outputs['duration-ms'])).toBeGreaterThan(0);
    expect(result.summary).toContain('| Blobs copied | 3 |');
    expect(result.log).not.toContain(prodCreds.password);
  });

  it('rejects hostile references before any request is made', async () => {
    const registry = await startRegistry();
    const [host, port] = registry.host.split(':') as [string, string];
    const proxy = await startFaultProxy({ host, port: Number(port) }, { failures: 0 });
    try {
      const cases: Array<[string, string]> = [
        [`${proxy.host}:${proxy.port}/a;touch /tmp/x:1`, 'input "source"'],
        [`${proxy.host}:${proxy.port}/$(id):1`, 'input "source"'],
        [`${proxy.host}:${proxy.port}/a\`id\`:1`, 'input "source"'],
        // A newline makes two sources for one destination: refused as a malformed set.
        [`${proxy.host}:${proxy.port}/a:1\nb`, 'input "destination"'],
      ];
      for (const [source, message] of cases) {
        const result = await runBundle('promote-between-registries', {
          source,
          destination: `${proxy.host}:${proxy.port}/b`,
        });
        expect(result.exitCode).toBe(1);
        expect(result.log).toContain(message);
      }
      expect(proxy.requests()).toBe(0);
    } finally {
      await proxy.close();
      await registry.stop();
    }
  });
});
