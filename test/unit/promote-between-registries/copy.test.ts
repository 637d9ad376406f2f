import { describe, expect, it } from 'vitest';
import { parseReference } from '../../../src/common/reference';
import { type Clients, promote, type PromoteOptions } from '../../../src/promote-between-registries/copy';
import type { Manifest, RegistryClient } from '../../../src/registry/client';

const OLD = `sha256:${'1'.repeat(64)}`;
const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, layers: [] }));
const NEW: Manifest = {
  digest: `sha256:${'2'.repeat(64)}`,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  size: bytes.length,
  bytes,
};

/** A source holding NEW and a destination where every tag already points to OLD; writes are recorded. */
function registries(): { clients: Clients; writes: string[] } {
  const writes: string[] = [];
  const client = {
    getManifest: async () => NEW,
    headManifest: async (_repo: string, reference: string) =>
      reference.startsWith('sha256:') ? undefined : { digest: OLD, mediaType: NEW.mediaType, size: 1 },
    putManifest: async (_repo: string, reference: string) => {
      writes.push(reference);
      return NEW.digest;
    },
  } as unknown as RegistryClient;
  return { clients: { source: () => client, destination: () => client }, writes };
}

const options = (over: Partial<PromoteOptions>): PromoteOptions => ({
  allowOverwrite: false,
  mutableTags: ['latest'],
  allPlatforms: true,
  platform: 'linux/amd64',
  concurrency: 1,
  dryRun: true,
  referrers: false,
  ...over,
});

const pair = (tags: string[]) => ({
  source: parseReference('staging.example.com/shop/web:1.2.0'),
  destination: parseReference('prod.example.com/shop/web', { repositoryOnly: true }),
  tags,
});

describe('promote: moving existing tags', () => {
  it('never moves a tag that is not mutable, even with allow-overwrite, and names both digests', async () => {
    const { clients, writes } = registries();
    await expect(
      promote([pair(['1.2.0', 'latest'])], clients, options({ allowOverwrite: true })),
    ).rejects.toThrow(
      `prod.example.com/shop/web:1.2.0 already points to ${OLD}, not to ${NEW.digest}; refusing to move it (it is not one of the mutable-tags`,
    );
    expect(writes).toEqual([]);
  });

  it('moves a mutable tag only with allow-overwrite', async () => {
    await expect(promote([pair(['latest'])], registries().clients, options({}))).rejects.toThrow(
      'set allow-overwrite: true to move it',
    );
    const moved = await promote([pair(['latest'])], registries().clients, options({ allowOverwrite: true }));
    expect(moved.tagsMoved).toBe(1);
    const patterned = await promote(
      [pair(['main-7'])],
      registries().clients,
      options({ allowOverwrite: true, mutableTags: ['latest', 'main-*'] }),
    );
    expect(patterned.tagsMoved).toBe(1);
  });
});
