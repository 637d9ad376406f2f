/**
 * Writes the promotion record (supply-chain/promotion.ts) next to a promoted digest at the
 * destination, the way the destination keeps referrers (putManifestKeepingSubject: the referrers
 * API where the registry has it, else the fallback tag). A rerun in the same run finds its record
 * (same run, source, destination and tags) and writes nothing, so there is never a second one.
 * For an image found already promoted (`alreadyPromoted`: complete, its tags in place), one is
 * written only when no record says it came from the same source to the same destination with
 * these tags (what a run killed between its tags and its record leaves); any run's record counts.
 */
import type { ManifestDescriptor, RegistryClient } from '../registry/client';
import { putSmallBlob } from '../registry/referrers';
import {
  buildPromotionRecord,
  coversPromotion,
  EMPTY_JSON,
  type Promotion,
  readPromotions,
  samePromotion,
} from '../supply-chain/promotion';
import { putManifestKeepingSubject } from './referrers';

export async function writePromotionRecord(
  client: RegistryClient,
  repository: string,
  subject: ManifestDescriptor,
  promotion: Promotion,
  options: { alreadyPromoted?: boolean } = {},
): Promise<{ digest: string; written: boolean }> {
  const records = await readPromotions(client, repository, subject.digest);
  const existing = records.find((p) =>
    options.alreadyPromoted ? coversPromotion(p, promotion) : samePromotion(p, promotion),
  );
  if (existing) return { digest: existing.record, written: false };
  const record = buildPromotionRecord(subject, promotion);
  await putSmallBlob(client, repository, EMPTY_JSON);
  await putManifestKeepingSubject(client, repository, record);
  return { digest: record.digest, written: true };
}
