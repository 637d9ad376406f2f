/**
 * Merge by digest: one index assembled from images pushed by digest (one per platform, each built
 * on its own runner), every digest listed unchanged. A digest that is itself an index (a one-platform
 * push with provenance: the image and its attestation manifest) contributes its entries as they are.
 */
import { InputError } from '../common/inputs';
import { MEDIA_TYPES, type Manifest, type RegistryClient } from '../registry/client';
import { type Descriptor, isAttestation, isIndex, parseManifest, platformOf } from '../registry/image-tree';
import { openBlob } from '../registry/blobs';
import { readBody } from '../registry/http';

/** What one of the merged digests brings to the index. */
export interface MergePart {
  readonly digest: string;
  /** The descriptors it contributes: itself with its platform, or an index's entries. */
  readonly entries: readonly Descriptor[];
}

/**
 * The index over `parts`, in their order: an OCI index unless every entry is a Docker v2 manifest
 * (then a Docker manifest list). Refuses two images of one platform (two jobs built the same one).
 */
export function planIndex(parts: readonly MergePart[]): {
  bytes: Buffer;
  mediaType: string;
  platforms: string[];
} {
  const manifests = parts.flatMap((p) => p.entries);
  const seen = new Map<string, string>();
  for (const part of parts) {
    for (const entry of part.entries) {
      if (isAttestation(entry)) continue;
      const platform = platformOf(entry);
      const other = seen.get(platform);
      if (other && other !== part.digest)
        throw new InputError('digests', `${other} and ${part.digest} are both ${platform} images`);
      seen.set(platform, part.digest);
    }
  }
  const docker = manifests.every((m) => m.mediaType === MEDIA_TYPES.dockerManifest);
  const mediaType = docker ? MEDIA_TYPES.dockerManifestList : MEDIA_TYPES.ociIndex;
  const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests }, null, 2));
  return { bytes, mediaType, platforms: [...seen.keys()] };
}

/** The platform a single image manifest was built for, from its configuration. */
async function platformFromConfig(
  client: RegistryClient,
  repository: string,
  manifest: Manifest,
): Promise<Descriptor['platform']> {
  const config = parseManifest(manifest.bytes, `${repository}@${manifest.digest}`).config;
  if (!config) throw new Error(`${repository}@${manifest.digest} has no image configuration`);
  const body = await readBody(await openBlob(client, repository, config.digest), 4 * 1024 * 1024);
  const json = JSON.parse(body.toString('utf8')) as { os?: string; architecture?: string; variant?: string };
  if (!json.os || !json.architecture)
    throw new Error(`${repository}@${manifest.digest}: its configuration names no os/architecture`);
  return { os: json.os, architecture: json.architecture, ...(json.variant && { variant: json.variant }) };
}

/** Reads what each digest contributes (its manifest, and its configuration's platform). */
export async function readParts(
  client: RegistryClient,
  repository: string,
  digests: readonly string[],
): Promise<MergePart[]> {
  return Promise.all(
    digests.map(async (digest) => {
      const manifest = await client.getManifest(repository, digest);
      if (isIndex(manifest))
        return { digest, entries: parseManifest(manifest.bytes, `${repository}@${digest}`).manifests ?? [] };
      const platform = await platformFromConfig(client, repository, manifest);
      return {
        digest,
        entries: [
          { mediaType: manifest.mediaType, digest, size: manifest.size, ...(platform && { platform }) },
        ],
      };
    }),
  );
}
