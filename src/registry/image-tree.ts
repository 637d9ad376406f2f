/**
 * An image as the registry stores it: the manifest a tag points to (an index or a single
 * manifest), the manifests under it, and every blob they reference — read from the source with
 * exact bytes, so a copy can put them back byte for byte.
 */
import { MEDIA_TYPES, type Manifest, type RegistryClient, RegistryError } from './client';
import { checkDescriptor, checkDescriptors, InvalidContentError, parseJsonObject } from './descriptor';
import { runPool } from '../common/pool';
import { printable } from '../common/text';

/**
 * Limits of one image tree, so a hostile index cannot exhaust memory or the registry: distinct
 * manifests under one root, and the bytes of all of them held together (each is at most 4 MiB).
 */
export const MAX_TREE_MANIFESTS = 1000;
export const MAX_TREE_MANIFEST_BYTES = 64 * 1024 * 1024;
/** Child manifests fetched at once. */
const TREE_FETCH_CONCURRENCY = 8;

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

export interface Descriptor {
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
  // Only its shape: what is wrong in it is said where it is read (with the registry and digest).
  try {
    return Array.isArray(parseJsonObject(manifest.bytes, 'manifest').manifests);
  } catch {
    return false;
  }
}

/**
 * A manifest's JSON with its descriptors (manifests, config, layers) checked; `what` names the
 * manifest in the error ("source registry r:5000: team/app@sha256:…").
 */
export function parseManifest(bytes: Buffer, what = 'manifest'): ManifestJson {
  const json = parseJsonObject(bytes, what) as ManifestJson;
  if (json.schemaVersion === 1) {
    throw new InvalidContentError(
      `${what}: schema 1 manifests are not supported (the registry rewrote the image; ask it with a full Accept list)`,
    );
  }
  checkDescriptors(json.manifests, `${what}: manifests`);
  if (json.config !== undefined) checkDescriptor(json.config, `${what}: config`);
  checkDescriptors(json.layers, `${what}: layers`);
  return json;
}

/** How errors name a manifest read from `client`: role, registry, repository and digest. */
export function manifestName(client: RegistryClient, repository: string, digest: string): string {
  return `${client.label}: ${repository}@${digest}`;
}

/** "os/arch[/variant]" of an index entry, printable (a registry wrote it). */
export function platformOf(d: Descriptor): string {
  const p = d.platform;
  const field = (value: unknown) => printable(String(value ?? '?'), 40);
  return p ? `${field(p.os)}/${field(p.architecture)}${p.variant ? `/${field(p.variant)}` : ''}` : 'unknown';
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
  return (parseManifest(index.bytes, 'index').manifests ?? [])
    .filter((d) => !isAttestation(d))
    .map((d) => ({ digest: d.digest, platform: platformOf(d) }));
}

/**
 * Reads the whole tree below `root` from the source: each distinct child fetched once (an index
 * may list one many times), a few at a time, within MAX_TREE_MANIFESTS and MAX_TREE_MANIFEST_BYTES.
 */
export async function readImageTree(
  client: RegistryClient,
  repository: string,
  root: Manifest,
): Promise<ImageTree> {
  const manifests: Manifest[] = [];
  const blobs = new Map<string, BlobRef>();
  const seen = new Set<string>([root.digest]);
  let bytes = root.bytes.length;
  const limit = (what: string) =>
    new RegistryError(
      `${manifestName(client, repository, root.digest)}: the image has ${what}; refusing to read it`,
      0,
      undefined,
      false,
    );
  const visit = async (manifest: Manifest): Promise<void> => {
    const json = parseManifest(manifest.bytes, manifestName(client, repository, manifest.digest));
    if (Array.isArray(json.manifests)) {
      const fresh = [...new Set(json.manifests.map((d) => d.digest))].filter((d) => !seen.has(d));
      for (const digest of fresh) seen.add(digest);
      if (seen.size > MAX_TREE_MANIFESTS)
        throw limit(`more than ${MAX_TREE_MANIFESTS} manifests (MAX_TREE_MANIFESTS)`);
      const children = await runPool(
        fresh.map((digest) => async () => {
          const child = await client.getManifest(repository, digest);
          bytes += child.bytes.length;
          if (bytes > MAX_TREE_MANIFEST_BYTES)
            throw limit(`more than ${MAX_TREE_MANIFEST_BYTES} bytes of manifests (MAX_TREE_MANIFEST_BYTES)`);
          return child;
        }),
        TREE_FETCH_CONCURRENCY,
      );
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
  const json = parseManifest(index.bytes, manifestName(client, repository, index.digest));
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
