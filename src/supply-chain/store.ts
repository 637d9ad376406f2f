/**
 * Where signatures and attestations live: cosign's tag scheme. The signatures of the image
 * <repo>@sha256:<hex> are the layers of the manifest tagged <repo>:sha256-<hex>.sig, its
 * attestations those of <repo>:sha256-<hex>.att. Adding one appends a layer to the manifest there
 * (other signers' signatures are kept); the blobs are verified against their digests when read.
 */
import { createHash } from 'node:crypto';
import { MEDIA_TYPES, type RegistryClient } from '../registry/client';
import { openBlob, putBlobBytes } from '../registry/blobs';
import { readBody } from '../registry/http';
import { cosignTag } from '../registry/referrers';

export type ArtifactKind = 'sig' | 'att';

export interface StoredLayer {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface ArtifactManifest {
  readonly schemaVersion: 2;
  readonly mediaType: string;
  readonly config: { mediaType: string; size: number; digest: string };
  readonly layers: readonly StoredLayer[];
}

const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
const MAX_LAYER_BYTES = 8 * 1024 * 1024;

/** sha256:<hex> → sha256-<hex>.sig (or .att). */
export function artifactTag(digest: string, kind: ArtifactKind): string {
  return cosignTag(digest, kind);
}

/** The layers stored for a digest ([] when nothing is). */
export async function readLayers(
  client: RegistryClient,
  repository: string,
  digest: string,
  kind: ArtifactKind,
): Promise<StoredLayer[]> {
  const tag = artifactTag(digest, kind);
  if (!(await client.headManifest(repository, tag))) return [];
  const manifest = await client.getManifest(repository, tag);
  const parsed = JSON.parse(manifest.bytes.toString('utf8')) as Partial<ArtifactManifest>;
  return Array.isArray(parsed.layers) ? [...parsed.layers] : [];
}

/** A layer's bytes, checked against its digest. */
export async function readLayer(
  client: RegistryClient,
  repository: string,
  layer: StoredLayer,
): Promise<Buffer> {
  if (layer.size > MAX_LAYER_BYTES)
    throw new Error(`layer ${layer.digest} is too large (${layer.size} bytes)`);
  const bytes = await readBody(await openBlob(client, repository, layer.digest), MAX_LAYER_BYTES);
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== layer.digest) throw new Error(`layer ${layer.digest} hashed to ${actual}`);
  return bytes;
}

/** The image config cosign writes for its signature images: one diff id (and history entry) per layer. */
function configFor(layers: readonly StoredLayer[]): Buffer {
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
}

/**
 * Adds a layer to the .sig/.att manifest of `digest` (created when there is none), keeping the
 * layers already there. Returns the reference it is stored under (repo:sha256-<hex>.sig).
 */
export async function appendLayer(
  client: RegistryClient,
  repository: string,
  digest: string,
  kind: ArtifactKind,
  layer: {
    readonly mediaType: string;
    readonly bytes: Buffer;
    readonly annotations: Readonly<Record<string, string>>;
  },
): Promise<string> {
  const existing = await readLayers(client, repository, digest, kind);
  const blob = await putBlobBytes(client, repository, layer.bytes);
  const layers: StoredLayer[] = [
    ...existing,
    { mediaType: layer.mediaType, size: blob.size, digest: blob.digest, annotations: layer.annotations },
  ];
  const config = await putBlobBytes(client, repository, configFor(layers));
  const manifest: ArtifactManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: CONFIG_MEDIA_TYPE, size: config.size, digest: config.digest },
    layers,
  };
  const tag = artifactTag(digest, kind);
  await client.putManifest(repository, tag, {
    bytes: Buffer.from(JSON.stringify(manifest)),
    mediaType: MEDIA_TYPES.ociManifest,
  });
  return `${client.registry}/${repository}:${tag}`;
}
