/**
 * Where signatures and attestations live. Legacy (cosign v1/v2): cosign's tag scheme. The signatures of the image
 * <repo>@sha256:<hex> are the layers of the manifest tagged <repo>:sha256-<hex>.sig, its
 * attestations those of <repo>:sha256-<hex>.att. Adding one appends a layer to the manifest there
 * (other signers' signatures are kept); the blobs are verified against their digests when read.
 * Bundles (cosign v3): Sigstore bundles in OCI referrers of the digest (bundle.ts, readBundles).
 */
import { createHash } from 'node:crypto';
import { MEDIA_TYPES, type RegistryClient } from '../registry/client';
import { openBlob, putBlobBytes } from '../registry/blobs';
import { readBody } from '../registry/http';
import { cosignTag, findReferrers, getManifestIfAny } from '../registry/referrers';
import { BUNDLE_ANNOTATIONS, EMPTY_CONFIG, isBundleMediaType } from './bundle';

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

/** A Sigstore bundle found among the referrers of a digest. */
export interface StoredBundle {
  /** The referrer manifest's digest. */
  readonly referrer: string;
  /** The bundle's bytes (checked against the layer's digest), or why it could not be read. */
  readonly bytes?: Buffer;
  readonly error?: string;
  /** The predicate type the referrer's annotations announce (unsigned: a hint only). */
  readonly predicateType?: string;
}

/** Where the bundles of a digest were looked for, and what was found. */
export interface FoundBundles {
  readonly bundles: readonly StoredBundle[];
  /** Referrers that are bundles but name another digest as their subject (a copied fallback index). */
  readonly elsewhere: readonly string[];
  readonly through: 'referrers-api' | 'fallback-tag';
}

/**
 * The Sigstore bundles referring to `digest`: the referrers API's list (every page) or, on a
 * registry without it, the fallback tag `sha256-<hex>`; each referrer manifest read and its bundle
 * layers fetched. Referrers listed without an artifact type (or as the empty config) are read to
 * be sure; Slipway's promotion records and other artifacts are skipped.
 */
export async function readBundles(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<FoundBundles> {
  const { entries, found } = await findReferrers(client, repository, digest);
  const candidates = entries.filter(
    (e) => !e.artifactType || isBundleMediaType(e.artifactType) || e.artifactType === EMPTY_CONFIG.mediaType,
  );
  const bundles: StoredBundle[] = [];
  const elsewhere: string[] = [];
  for (const entry of candidates) {
    const manifest = await getManifestIfAny(client, repository, entry.digest);
    if (!manifest) continue;
    let parsed: {
      artifactType?: string;
      config?: { mediaType?: string };
      subject?: { digest?: string };
      layers?: StoredLayer[];
      annotations?: Record<string, string>;
    };
    try {
      parsed = JSON.parse(manifest.bytes.toString('utf8')) as typeof parsed;
    } catch {
      continue;
    }
    const layers = (Array.isArray(parsed.layers) ? parsed.layers : []).filter((l) =>
      isBundleMediaType(l?.mediaType),
    );
    if (layers.length === 0) continue;
    if (parsed.subject?.digest !== digest) {
      elsewhere.push(`${entry.digest} (subject ${parsed.subject?.digest ?? 'none'})`);
      continue;
    }
    const predicateType = parsed.annotations?.[BUNDLE_ANNOTATIONS.predicateType];
    for (const layer of layers) {
      try {
        bundles.push({
          referrer: entry.digest,
          bytes: await readLayer(client, repository, layer),
          ...(predicateType && { predicateType }),
        });
      } catch (error) {
        bundles.push({ referrer: entry.digest, error: (error as Error).message });
      }
    }
  }
  return { bundles, elsewhere, through: found };
}
