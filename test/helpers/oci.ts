/**
 * Synthetic OCI images pushed straight through the distribution API: random layers of a given
 * size (streamed, never held in memory whole), an image config, manifests and indexes. Used to
 * build multi-platform images and large layers the tests and benchmarks need.
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { type RegistryClient, MEDIA_TYPES, sha256 } from '../../src/registry/client';
import { putBlobStream, startUpload } from '../../src/registry/blobs';
import { discard } from '../../src/registry/http';

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { os: string; architecture: string };
}

/** Deterministic pseudo-random bytes from a seed (an AES-CTR keystream), generated block by block. */
function* blocks(seed: string, size: number, blockSize = 1024 * 1024): Generator<Buffer> {
  const key = createHash('sha256').update(seed).digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(blockSize);
  for (let produced = 0; produced < size;) {
    const n = Math.min(blockSize, size - produced);
    produced += n;
    yield cipher.update(n === blockSize ? zeros : zeros.subarray(0, n));
  }
}

export async function pushBlob(
  client: RegistryClient,
  repository: string,
  seed: string,
  size: number,
): Promise<Descriptor> {
  const hash = createHash('sha256');
  for (const block of blocks(seed, size)) hash.update(block);
  const digest = `sha256:${hash.digest('hex')}`;
  const upload = await startUpload(client, repository);
  const res = await putBlobStream(
    client,
    repository,
    upload,
    digest,
    size,
    Readable.from(blocks(seed, size)),
  );
  await client.expect(res, [201], `upload ${digest}`);
  discard(res);
  return { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size };
}

async function pushJsonBlob(
  client: RegistryClient,
  repository: string,
  value: object,
  mediaType: string,
): Promise<Descriptor> {
  const bytes = Buffer.from(JSON.stringify(value));
  const digest = sha256(bytes);
  const upload = await startUpload(client, repository);
  const res = await putBlobStream(client, repository, upload, digest, bytes.length, Readable.from([bytes]));
  await client.expect(res, [201], `upload ${digest}`);
  discard(res);
  return { mediaType, digest, size: bytes.length };
}

/** An OCI image of `layers` random layers of `layerSize` bytes; returns the manifest descriptor. */
export async function pushImage(
  client: RegistryClient,
  repository: string,
  options: { seed: string; layers: number; layerSize: number; architecture?: string; tag?: string },
): Promise<Descriptor> {
  const layers: Descriptor[] = [];
  for (let i = 0; i < options.layers; i++) {
    layers.push(await pushBlob(client, repository, `${options.seed}-layer-${i}`, options.layerSize));
  }
  const config = await pushJsonBlob(
    client,
    repository,
    {
      architecture: options.architecture ?? 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    },
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config, layers }),
  );
  const digest = await client.putManifest(repository, options.tag ?? sha256(manifest), {
    bytes: manifest,
    mediaType: MEDIA_TYPES.ociManifest,
  });
  return {
    mediaType: MEDIA_TYPES.ociManifest,
    digest,
    size: manifest.length,
    platform: { os: 'linux', architecture: options.architecture ?? 'amd64' },
  };
}

export async function pushIndex(
  client: RegistryClient,
  repository: string,
  tag: string,
  manifests: readonly Descriptor[],
): Promise<string> {
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
  return client.putManifest(repository, tag, { bytes, mediaType: MEDIA_TYPES.ociIndex });
}

export const unique = () => randomBytes(4).toString('hex');
