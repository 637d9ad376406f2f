/**
 * Before a promotion copies anything: every source digest must carry a signature by verify-key and
 * the required attestations. The verified digest becomes the pair's expected digest, so a tag moved
 * after the check is refused by the copy instead of promoting something unverified.
 * Loaded only when verify-key or require-attestations is given (operation.ts): everything the
 * promotion needs from the signature code comes through here.
 */
import { formatReference } from '../common/reference';
import { verifyAll } from '../supply-chain/operation';
import type { Verification, VerifyPolicy } from '../supply-chain/verify';
import { clientsFor, type PromoteRequest } from './inputs';

export { readVerifyPolicy } from '../supply-chain/inputs';
export { verificationSummary } from '../supply-chain/operation';
export { VerificationError } from '../supply-chain/verify';

export async function verifyPromotion(
  request: PromoteRequest,
  policy: VerifyPolicy,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<{ request: PromoteRequest; verified: Verification[] }> {
  const clients = clientsFor(request, signal);
  const digests = new Map<string, string>();
  const images = [];
  for (const pair of request.pairs) {
    const key = formatReference(pair.source) + (pair.expectedDigest ?? '');
    if (digests.has(key)) continue;
    const client = clients.source(pair.source.registry);
    const digest =
      pair.expectedDigest ??
      pair.source.digest ??
      (await client.headManifest(pair.source.repository, pair.source.tag ?? 'latest'))?.digest;
    if (!digest) throw new Error(`${formatReference(pair.source)} does not exist: nothing was copied`);
    digests.set(key, digest);
    images.push({ client, repository: pair.source.repository, digest });
  }
  const verified = await verifyAll(images, policy, log);
  const pairs = request.pairs.map((pair) => ({
    ...pair,
    expectedDigest: digests.get(formatReference(pair.source) + (pair.expectedDigest ?? '')) as string,
  }));
  return { request: { ...request, pairs }, verified };
}
