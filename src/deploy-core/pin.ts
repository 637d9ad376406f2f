/** Tags become digests before anything is deployed: what was tested is exactly what runs. */
import { type ImageReference, repositoryName } from '../common/reference';
import { resolveDigest } from '../registry/resolve';
import type { StackImage } from '../deploy-stack/compose-file';
import type { Connection } from './inputs';

/** The image to deploy, pinned: repository@digest, with the tag it came from for labels. */
export interface PinnedImage {
  readonly reference: string;
  readonly digest: string;
  readonly version: string;
}

export async function pinImage(image: ImageReference, connection: Connection): Promise<PinnedImage> {
  const credentials =
    connection.registryUsername && connection.registryPassword && connection.registry === image.registry
      ? { credentials: { username: connection.registryUsername, password: connection.registryPassword } }
      : {};
  const digest = await resolveDigest(image, credentials);
  if (!digest)
    throw new Error(`${repositoryName(image)}:${image.tag ?? 'latest'} does not exist in its registry`);
  return { reference: `${repositoryName(image)}@${digest}`, digest, version: image.tag ?? '' };
}

/** Every image of a stack, pinned in parallel; service → pinned image, in the order given. */
export async function pinStackImages(
  images: readonly StackImage[],
  connection: Connection,
): Promise<Map<string, PinnedImage>> {
  const pinned = await Promise.all(images.map((i) => pinImage(i.image, connection)));
  return new Map(images.map((i, n) => [i.service, pinned[n] as PinnedImage]));
}
