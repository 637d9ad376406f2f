import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../src/registry/client';
import { mergeFallbackIndex, referrerDescriptor, subjectOf } from '../../../src/registry/referrers';
import {
  buildPromotionRecord,
  describePromotion,
  isPromotionRecord,
  newestPromotion,
  parsePromotion,
  type Promotion,
  PROMOTION_ARTIFACT_TYPE,
  samePromotion,
  coversPromotion,
} from '../../../src/supply-chain/promotion';

const SUBJECT = {
  mediaType: 'application/vnd.oci.image.index.v1+json',
  digest: `sha256:${'a'.repeat(64)}`,
  size: 512,
};
const PROMOTION: Promotion = {
  source: 'staging.test/shop:1.2.3',
  destination: 'prod.test/shop',
  tags: ['1.2.3', 'stable'],
  runUrl: 'https://github.com/acme/shop/actions/runs/9',
  actor: 'octocat',
  time: '2026-12-01T10:00:00.000Z',
};

describe('the promotion record', () => {
  it('is an OCI artifact referring to the promoted manifest, with the empty config and the facts as annotations', () => {
    const record = buildPromotionRecord(SUBJECT, PROMOTION);
    const json = JSON.parse(record.bytes.toString('utf8'));
    expect(record.digest).toBe(sha256(record.bytes));
    expect(record.size).toBe(record.bytes.length);
    expect(record.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(json.artifactType).toBe(PROMOTION_ARTIFACT_TYPE);
    // The empty descriptor: `{}` (2 bytes), its well-known digest, inline data.
    expect(json.config).toEqual({
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: sha256(Buffer.from('{}')),
      size: 2,
      data: Buffer.from('{}').toString('base64'),
    });
    expect(json.layers).toEqual([json.config]);
    expect(json.subject).toEqual(SUBJECT);
    expect(subjectOf(record.bytes)).toBe(SUBJECT.digest);
    expect(json.annotations).toEqual({
      'org.opencontainers.image.created': PROMOTION.time,
      'dev.slipway.promotion.source': PROMOTION.source,
      'dev.slipway.promotion.destination': PROMOTION.destination,
      'dev.slipway.promotion.tags': '1.2.3,stable',
      'dev.slipway.promotion.run-url': PROMOTION.runUrl,
      'dev.slipway.promotion.actor': 'octocat',
    });
  });

  it('the same facts make the same bytes; another time or run another record', () => {
    const a = buildPromotionRecord(SUBJECT, PROMOTION);
    expect(buildPromotionRecord(SUBJECT, { ...PROMOTION }).digest).toBe(a.digest);
    expect(buildPromotionRecord(SUBJECT, { ...PROMOTION, time: '2026-12-01T10:00:01.000Z' }).digest).not.toBe(
      a.digest,
    );
    expect(buildPromotionRecord(SUBJECT, { ...PROMOTION, runUrl: 'https://x/runs/10' }).digest).not.toBe(
      a.digest,
    );
  });

  it('reads back from the descriptor a referrers list carries (API or fallback tag)', () => {
    const record = buildPromotionRecord(SUBJECT, PROMOTION);
    const descriptor = referrerDescriptor(record);
    expect(isPromotionRecord(descriptor)).toBe(true);
    expect(parsePromotion(descriptor.annotations)).toEqual(PROMOTION);
    const [entry] = JSON.parse(mergeFallbackIndex(undefined, [descriptor]).bytes.toString('utf8')).manifests;
    expect(parsePromotion(entry.annotations)).toEqual(PROMOTION);
    expect(isPromotionRecord({ artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json' })).toBe(false);
  });

  it('off CI: no run and no actor annotations, and the line says neither', () => {
    const local = { ...PROMOTION, runUrl: '', actor: '', tags: [] };
    const json = JSON.parse(buildPromotionRecord(SUBJECT, local).bytes.toString('utf8'));
    expect(Object.keys(json.annotations).sort()).toEqual([
      'dev.slipway.promotion.destination',
      'dev.slipway.promotion.source',
      'org.opencontainers.image.created',
    ]);
    expect(parsePromotion(json.annotations)).toEqual(local);
    expect(describePromotion(local)).toBe(
      `promoted from staging.test/shop:1.2.3 at ${PROMOTION.time} (unsigned record)`,
    );
    expect(describePromotion({ ...local, actor: 'ana' })).toBe(
      `promoted from staging.test/shop:1.2.3 by ana at ${PROMOTION.time} (unsigned record)`,
    );
  });

  it('annotations that are not a promotion’s (no source or no time) are none', () => {
    expect(parsePromotion(undefined)).toBeUndefined();
    expect(parsePromotion({})).toBeUndefined();
    expect(parsePromotion({ 'dev.slipway.promotion.source': 'x' })).toBeUndefined();
    expect(parsePromotion({ 'org.opencontainers.image.created': 't' })).toBeUndefined();
    // a time that is not UTC ISO 8601, or in the future, would be "newest" for ever
    const at = (time: string) =>
      parsePromotion({ 'dev.slipway.promotion.source': 's/a:1', 'org.opencontainers.image.created': time });
    expect(at('~')).toBeUndefined();
    expect(at('9999-01-01T00:00:00Z')).toBeUndefined();
    expect(at('2026-11-30T09:00:00.000Z')).toBeDefined();
  });

  it('a rerun of the same run is the same promotion, whatever its time', () => {
    expect(samePromotion(PROMOTION, { ...PROMOTION, time: '2027-01-01T00:00:00Z' })).toBe(true);
    expect(samePromotion(PROMOTION, { ...PROMOTION, runUrl: 'https://x/runs/10' })).toBe(false);
    expect(samePromotion(PROMOTION, { ...PROMOTION, source: 'staging.test/shop:1.2.4' })).toBe(false);
    expect(samePromotion(PROMOTION, { ...PROMOTION, tags: ['1.2.3'] })).toBe(false);
  });

  it('a record of any run covers a promotion of the same source and destination with no tag it lacks', () => {
    const rerun = { ...PROMOTION, runUrl: 'https://x/runs/10', time: '2027-01-01T00:00:00Z' };
    expect(coversPromotion(PROMOTION, rerun)).toBe(true);
    expect(coversPromotion(PROMOTION, { ...rerun, tags: ['stable'] })).toBe(true);
    expect(coversPromotion(PROMOTION, { ...rerun, tags: ['1.2.3', 'latest'] })).toBe(false);
    expect(coversPromotion(PROMOTION, { ...rerun, source: 'staging.test/shop:1.2.4' })).toBe(false);
    expect(coversPromotion(PROMOTION, { ...rerun, destination: 'prod.test/other' })).toBe(false);
  });

  it('the ledger names the newest', () => {
    const older = { ...PROMOTION, time: '2026-11-30T09:00:00.000Z', runUrl: 'https://x/runs/1' };
    const newer = { ...PROMOTION, time: '2026-12-01T11:00:00.000Z', runUrl: 'https://x/runs/2' };
    expect(newestPromotion([older, newer, PROMOTION])).toBe(newer);
    expect(newestPromotion([])).toBeUndefined();
    expect(describePromotion(PROMOTION)).toBe(
      `promoted from staging.test/shop:1.2.3 by ${PROMOTION.runUrl} at ${PROMOTION.time} (unsigned record)`,
    );
  });

  it('registry-provided text reaches the line printable: a newline cannot start a workflow command', () => {
    const line = describePromotion({
      ...PROMOTION,
      source: 'evil\n::add-mask::x',
      runUrl: 'r\r\n::error::y',
    });
    expect(line).not.toMatch(/[\r\n]/);
    expect(line).toContain('evil\\u000a::add-mask::x');
  });
});
