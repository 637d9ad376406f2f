/** Before any host is touched: the pinned images must carry a signature by verify-key and the required attestations. */
import { parseReference } from '../common/reference';
import { clientFor } from '../registry/resolve';
import { verifyAll, withPlatformManifests } from '../supply-chain/operation';
import type { Verification } from '../supply-chain/verify';
import type { Connection } from './inputs';
import type { PinnedImage } from './pin';

/** Verifies each pinned image (none when no verify-key is given); throws VerificationError naming what is missing. */
export async function verifyPinned(
  images: readonly PinnedImage[],
  connection: Connection,
  log: (line: string) => void,
): Promise<Verification[]> {
  if (!connection.verify || images.length === 0) return [];
  const list = images.map((image) => {
    const ref = parseReference(image.reference);
    const credentials =
      connection.registryUsername && connection.registryPassword && connection.registry === ref.registry
        ? { credentials: { username: connection.registryUsername, password: connection.registryPassword } }
        : {};
    return { client: clientFor(ref.registry, credentials), repository: ref.repository, digest: image.digest };
  });
  // An index: the platform manifests the hosts resolve it to are verified too.
  return verifyAll(await withPlatformManifests(list, connection.verify), connection.verify, log);
}
