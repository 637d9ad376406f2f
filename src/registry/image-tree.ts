/**
 * An image as the registry stores it: the manifest a tag points to (an index or a single
 * manifest), the manifests under it, and every blob they reference — read from the source with
 * exact bytes, so a copy can put them back byte for byte.
 */
import { MEDIA_TYPES, type Manifest, type RegistryClient } from './client';

export interface BlobRef {
  readonly digest: string;
  readonly size: number;
}

export interface ImageTree {
  /** What tags point to. */
  readonly root: Manifest;
  /** Every manifest, children before parents (the order to put them in); the root last. */
  readonly manifests: readonly Manifest[];
  /** Every blob (configs and layers), de-duplicated. */
  readonly blobs: readonly BlobRef[];
}

interface Descriptor {
  digest: string;
  size: number;
  mediaType?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

interface ManifestJson {
  schemaVersion?: number;
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

export function isIndex(manifest: Pick<Manifest, 'mediaType' | 'bytes'>): boolean {
  if (manifest.mediaType === MEDIA_TYPES.ociIndex || manifest.mediaType === MEDIA_TYPES.dockerManifestList)
    return true;
  return Array.isArray(parseManifest(manifest.bytes).manifests);
}

export function parseManifest(bytes: Buffer): ManifestJson {
  const json = JSON.parse(bytes.toString('utf8')) as ManifestJson;
  if (json.schemaVersion === 1) {
    throw new Error(
      'schema 1 manifests are not supported (the registry rewrote the image; ask it with a full Accept list)',
    );
  }
  return json;
}

export function platformOf(d: Descriptor): string {
  const p = d.platform;
  return p ? `${p.os ?? '?'}/${p.architecture ?? '?'}${p.variant ? `/${p.variant}` : ''}` : 'unknown';
}

/**
 * Whether an index entry is an attestation manifest (BuildKit's provenance and SBOM, which Docker 29
 * adds to a plain `docker build`), not an image anyone runs.
 */
export function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown')
  );
}

/** An index's runnable images, one per platform (attestation manifests left out), in its order. */
export function platformImages(index: Pick<Manifest, 'bytes'>): Array<{ digest: string; platform: string }> {
  return (parseManifest(index.bytes).manifests ?? [])
    .filter((d) => !isAttestation(d))
    .map((d) => ({ digest: d.digest, platform: platformOf(d) }));
}

/** Reads the whole tree below `root` from the source. */
export async function readImageTree(
  client: RegistryClient,
  repository: string,
  root: Manifest,
): Promise<ImageTree> {
  const manifests: Manifest[] = [];
  const blobs = new Map<string, BlobRef>();
  const seen = new Set<string>();
  const visit = async (manifest: Manifest): Promise<void> => {
    if (seen.has(manifest.digest)) return;
    seen.add(manifest.digest);
    const json = parseManifest(manifest.bytes);
    if (Array.isArray(json.manifests)) {
      const children = await Promise.all(json.manifests.map((d) => client.getManifest(repository, d.digest)));
      for (const child of children) await visit(child);
    } else {
      for (const d of [...(json.config ? [json.config] : []), ...(json.layers ?? [])]) {
        if (!blobs.has(d.digest)) blobs.set(d.digest, { digest: d.digest, size: d.size });
      }
    }
    manifests.push(manifest);
  };
  await visit(root);
  return { root, manifests, blobs: [...blobs.values()] };
}

/** The child manifest of an index for one platform ("linux/amd64"). */
export async function selectPlatform(
  client: RegistryClient,
  repository: string,
  index: Manifest,
  platform: string,
): Promise<Manifest> {
  const json = parseManifest(index.bytes);
  const match = json.manifests?.find(
    (d) => platformOf(d) === platform || platformOf(d).startsWith(`${platform}/`),
  );
  if (!match) {
    const offered = (json.manifests ?? []).map(platformOf).join(', ');
    throw new Error(
      `${repository}@${index.digest} has no ${platform} image (it has: ${offered || 'none'}); pick one of them with platform, or copy every platform`,
    );
  }
  return client.getManifest(repository, match.digest);
}
