/** An image's configuration as a registry serves it (labels, for provenance checks), without a daemon. */
import { type ImageReference } from '../common/reference';
import { openBlob } from './blobs';
import type { RegistryOptions } from './client';
import { readBody } from './http';
import { isIndex, parseManifest, selectPlatform } from './image-tree';
import { clientFor } from './resolve';

export interface ImageConfig {
  readonly digest: string;
  /** The digest of the configuration (of the platform's image): what docker calls the image ID. */
  readonly configDigest: string;
  readonly labels: Readonly<Record<string, string>>;
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
  const config = parseManifest(manifest.bytes).config;
  if (!config) throw new Error(`${ref.repository}@${manifest.digest} has no image configuration`);
  const body = await readBody(await openBlob(client, ref.repository, config.digest), 4 * 1024 * 1024);
  const json = JSON.parse(body.toString('utf8')) as { config?: { Labels?: Record<string, string> | null } };
  return { digest: head.digest, configDigest: config.digest, labels: json.config?.Labels ?? {} };
}
