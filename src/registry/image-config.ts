/** An image's configuration as a registry serves it (labels, for provenance checks), without a daemon. */
import { type ImageReference } from '../common/reference';
import { openBlob } from './blobs';
import type { RegistryClient, RegistryOptions } from './client';
import { readBody } from './http';
import { isIndex, parseManifest, platformImages, selectPlatform } from './image-tree';
import { clientFor } from './resolve';

export interface ImageConfig {
  readonly digest: string;
  /** The digest of the configuration (of the platform's image): what docker calls the image ID. */
  readonly configDigest: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** One runnable image under a reference: the manifest itself, or one platform's image of an index. */
export interface PlatformImageConfig {
  /** "linux/amd64"; "unknown" for a single manifest, whose platform is in its config only. */
  readonly platform: string;
  /** The image manifest's digest. */
  readonly manifestDigest: string;
  readonly configDigest: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ImageConfigs {
  /** What the reference resolves to: an index or a single manifest. */
  readonly digest: string;
  readonly index: boolean;
  /** Every runnable image (an index's attestation manifests left out), in the index's order. */
  readonly images: readonly PlatformImageConfig[];
}

async function configOf(
  client: RegistryClient,
  repository: string,
  manifestDigest: string,
  bytes: Buffer,
): Promise<{ configDigest: string; labels: Record<string, string> }> {
  const config = parseManifest(bytes).config;
  if (!config) throw new Error(`${repository}@${manifestDigest} has no image configuration`);
  const body = await readBody(await openBlob(client, repository, config.digest), 4 * 1024 * 1024);
  const json = JSON.parse(body.toString('utf8')) as { config?: { Labels?: Record<string, string> | null } };
  return { configDigest: config.digest, labels: json.config?.Labels ?? {} };
}

/** The labels of an image (of its linux/amd64 image when the reference is an index); undefined when absent. */
export async function readImageConfig(
  ref: ImageReference,
  options: RegistryOptions = {},
  platform = 'linux/amd64',
): Promise<ImageConfig | undefined> {
  const client = clientFor(ref.registry, options);
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const head = await client.headManifest(ref.repository, reference);
  if (!head) return undefined;
  let manifest = await client.getManifest(ref.repository, head.digest);
  if (isIndex(manifest)) manifest = await selectPlatform(client, ref.repository, manifest, platform);
  const { configDigest, labels } = await configOf(client, ref.repository, manifest.digest, manifest.bytes);
  return { digest: head.digest, configDigest, labels };
}

/**
 * Every runnable image under a reference with its configuration: one for a single manifest, one
 * per platform for an index (Docker 29 pushes an index with an attestation manifest even for a
 * one-platform build; attestations are left out). Undefined when the registry does not serve it.
 */
export async function readImageConfigs(
  ref: ImageReference,
  options: RegistryOptions = {},
): Promise<ImageConfigs | undefined> {
  const client = clientFor(ref.registry, options);
  const head = await client.headManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest');
  if (!head) return undefined;
  const root = await client.getManifest(ref.repository, head.digest);
  if (!isIndex(root)) {
    const config = await configOf(client, ref.repository, root.digest, root.bytes);
    return {
      digest: head.digest,
      index: false,
      images: [{ platform: 'unknown', manifestDigest: root.digest, ...config }],
    };
  }
  const images = await Promise.all(
    platformImages(root).map(async ({ digest, platform }) => {
      const manifest = await client.getManifest(ref.repository, digest);
      const config = await configOf(client, ref.repository, digest, manifest.bytes);
      return { platform, manifestDigest: digest, ...config };
    }),
  );
  return { digest: head.digest, index: true, images };
}
