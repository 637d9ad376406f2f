/**
 * The promotion record: what promote-between-registries leaves at the destination next to the
 * digest it promoted, so the ledger can say which promotion put a running image there. An OCI 1.1
 * artifact (artifactType application/vnd.slipway.promotion.v1+json, the empty config and one empty
 * layer, as the artifact guidance says for an artifact without blobs) whose `subject` is the
 * promoted manifest and whose annotations are the facts: source, destination and tags, the run's
 * URL, the actor, the time. The annotations reach the referrers list (API or fallback tag), so a
 * reader needs no more than that list. Not signed: it says where an image came from, it proves
 * nothing (the signature and the attestations do).
 */
import {
  type Manifest,
  type ManifestDescriptor,
  MEDIA_TYPES,
  type RegistryClient,
  sha256,
} from '../registry/client';
import { findReferrers, getManifestIfAny, type ReferrerDescriptor } from '../registry/referrers';
import { printable } from '../common/text';

export const PROMOTION_ARTIFACT_TYPE = 'application/vnd.slipway.promotion.v1+json';

/** The OCI empty descriptor's content (`{}`), its config and layer. */
export const EMPTY_JSON = Buffer.from('{}');
const EMPTY_DESCRIPTOR = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
  data: 'e30=',
} as const;

export const PROMOTION_ANNOTATIONS = {
  time: 'org.opencontainers.image.created',
  source: 'dev.slipway.promotion.source',
  destination: 'dev.slipway.promotion.destination',
  tags: 'dev.slipway.promotion.tags',
  run: 'dev.slipway.promotion.run-url',
  actor: 'dev.slipway.promotion.actor',
} as const;

export interface Promotion {
  /** registry/repository[:tag][@digest] it was copied from. */
  readonly source: string;
  /** registry/repository it was copied to. */
  readonly destination: string;
  readonly tags: readonly string[];
  /** The workflow run's URL ('' off CI). */
  readonly runUrl: string;
  readonly actor: string;
  /** ISO 8601, UTC. */
  readonly time: string;
}

/** The record's manifest for `subject`: the same facts make the same bytes (the same digest). */
export function buildPromotionRecord(subject: ManifestDescriptor, promotion: Promotion): Manifest {
  const A = PROMOTION_ANNOTATIONS;
  const annotations: Record<string, string> = {
    [A.time]: promotion.time,
    [A.source]: promotion.source,
    [A.destination]: promotion.destination,
    ...(promotion.tags.length > 0 && { [A.tags]: promotion.tags.join(',') }),
    ...(promotion.runUrl && { [A.run]: promotion.runUrl }),
    ...(promotion.actor && { [A.actor]: promotion.actor }),
  };
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      artifactType: PROMOTION_ARTIFACT_TYPE,
      config: EMPTY_DESCRIPTOR,
      layers: [EMPTY_DESCRIPTOR],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations,
    }),
  );
  return { bytes, digest: sha256(bytes), mediaType: MEDIA_TYPES.ociManifest, size: bytes.length };
}

/** The facts of a record's annotations; undefined when they are not a promotion's (no source or time). */
export function parsePromotion(
  annotations: Readonly<Record<string, string>> | undefined,
): Promotion | undefined {
  if (!annotations) return undefined;
  const A = PROMOTION_ANNOTATIONS;
  const source = annotations[A.source];
  const time = annotations[A.time];
  if (typeof source !== 'string' || typeof time !== 'string' || !source || !time) return undefined;
  // A time from the future (or not a UTC ISO 8601 time) would be "newest" for ever: not a record.
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(time) || Date.parse(time) > Date.now() + 300_000)
    return undefined;
  const text = (key: string) => (typeof annotations[key] === 'string' ? annotations[key] : '');
  return {
    source,
    destination: text(A.destination),
    tags: text(A.tags).split(',').filter(Boolean),
    runUrl: text(A.run),
    actor: text(A.actor),
    time,
  };
}

/** One promotion seen twice (a rerun in the same run): same run, source, destination and tags. */
export function samePromotion(a: Promotion, b: Promotion): boolean {
  return (
    a.runUrl === b.runUrl &&
    a.source === b.source &&
    a.destination === b.destination &&
    a.tags.join(',') === b.tags.join(',')
  );
}

/**
 * `p` already says what `promotion` would (any run's): the same source and destination, and every
 * one of its tags.
 */
export function coversPromotion(p: Promotion, promotion: Promotion): boolean {
  return (
    p.source === promotion.source &&
    p.destination === promotion.destination &&
    promotion.tags.every((t) => p.tags.includes(t))
  );
}

/** The newest by time (ISO 8601 in UTC sorts as text); the later listed wins a tie. */
export function newestPromotion(promotions: readonly Promotion[]): Promotion | undefined {
  let newest: Promotion | undefined;
  for (const p of promotions) if (!newest || p.time >= newest.time) newest = p;
  return newest;
}

/** "promoted from <source> by <run> at <time>", every registry-provided string made printable. */
export function describePromotion(p: Promotion): string {
  const by = p.runUrl || p.actor;
  return `promoted from ${printable(p.source)}${by ? ` by ${printable(by)}` : ''} at ${printable(p.time, 40)} (unsigned record)`;
}

/** Whether a referrers-list entry is a promotion record. */
export function isPromotionRecord(entry: Pick<ReferrerDescriptor, 'artifactType'>): boolean {
  return entry.artifactType === PROMOTION_ARTIFACT_TYPE;
}

/**
 * The promotion records of `digest` in a repository, each with its manifest digest, through the
 * referrers API or the fallback tag. A registry that lists the config's media type instead of the
 * artifactType (go-containerregistry's) lists ours as the empty type: those entries, and any
 * listed without annotations, are read to be sure.
 */
export async function readPromotions(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<Array<Promotion & { readonly record: string }>> {
  const { entries } = await findReferrers(client, repository, digest);
  const out: Array<Promotion & { readonly record: string }> = [];
  for (const entry of entries) {
    let annotations = entry.annotations;
    const listedAsOurs = isPromotionRecord(entry);
    if (!listedAsOurs && entry.artifactType !== EMPTY_DESCRIPTOR.mediaType) continue;
    if (!listedAsOurs || !annotations) {
      const manifest = await getManifestIfAny(client, repository, entry.digest);
      if (!manifest) continue;
      try {
        const json = JSON.parse(manifest.bytes.toString('utf8')) as {
          artifactType?: string;
          annotations?: Record<string, string>;
        };
        if (json.artifactType !== PROMOTION_ARTIFACT_TYPE) continue;
        annotations = json.annotations;
      } catch {
        continue;
      }
    }
    const promotion = parsePromotion(annotations);
    if (promotion) out.push({ ...promotion, record: entry.digest });
  }
  return out;
}
