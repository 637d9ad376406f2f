import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../src/registry/client';
import {
  applyArtifactTypeFilter,
  cosignTag,
  fallbackTag,
  indexEntries,
  mergeCosignManifest,
  mergeFallbackIndex,
  missingLayers,
  nextLink,
  referrerDescriptor,
  subjectOf,
} from '../../../src/registry/referrers';

const HEX = 'a'.repeat(64);
const D = `sha256:${HEX}`;
const d = (c: string) => `sha256:${c.repeat(64)}`;

describe('tag names', () => {
  it('fallback tag: <alg>-<hex>', () => {
    expect(fallbackTag(D)).toBe(`sha256-${HEX}`);
    expect(fallbackTag(`sha512:${'b'.repeat(128)}`)).toHaveLength(128);
  });
  it("cosign's tags", () => {
    expect(cosignTag(D, 'sig')).toBe(`sha256-${HEX}.sig`);
    expect(cosignTag(D, 'att')).toBe(`sha256-${HEX}.att`);
    expect(cosignTag(D, 'sbom')).toBe(`sha256-${HEX}.sbom`);
  });
  it('refuses what is not a digest', () => {
    expect(() => fallbackTag('latest')).toThrow(/not a digest/);
    expect(() => cosignTag('sha256:../x', 'sig')).toThrow(/not a digest/);
  });
});

describe('descriptors', () => {
  const artifact = (extra: object) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: d('e'), size: 2 },
        layers: [],
        subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: D, size: 10 },
        ...extra,
      }),
    );
  const manifest = (bytes: Buffer) => ({
    bytes,
    digest: sha256(bytes),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: bytes.length,
  });

  it('artifactType from the manifest, else the config media type; annotations carried', () => {
    const withType = manifest(artifact({ artifactType: 'application/x-sbom', annotations: { a: 'b' } }));
    expect(referrerDescriptor(withType)).toEqual({
      mediaType: withType.mediaType,
      digest: withType.digest,
      size: withType.size,
      artifactType: 'application/x-sbom',
      annotations: { a: 'b' },
    });
    expect(referrerDescriptor(manifest(artifact({}))).artifactType).toBe('application/vnd.oci.empty.v1+json');
  });

  it('the subject', () => {
    expect(subjectOf(artifact({}))).toBe(D);
    expect(subjectOf(Buffer.from('{"schemaVersion":2}'))).toBeUndefined();
  });
});

describe('the fallback index', () => {
  const entry = (c: string, artifactType = 'application/x') => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: d(c),
    size: 100,
    artifactType,
  });

  it('a new one holds the entries', () => {
    const merged = mergeFallbackIndex(undefined, [entry('1'), entry('2')]);
    expect(merged.added).toBe(2);
    expect(JSON.parse(merged.bytes.toString())).toMatchObject({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
    });
    expect(indexEntries(merged.bytes).map((e) => e.digest)).toEqual([d('1'), d('2')]);
  });

  it("keeps others' entries (and their fields) in order, appends only what is missing", () => {
    const existing = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ ...entry('1'), annotations: { 'org.example': 'kept' } }, entry('3')],
        annotations: { top: 'kept' },
      }),
    );
    const merged = mergeFallbackIndex(existing, [entry('1', 'other'), entry('2')]);
    expect(merged.added).toBe(1);
    const json = JSON.parse(merged.bytes.toString());
    expect(json.annotations).toEqual({ top: 'kept' });
    expect(json.manifests.map((m: { digest: string }) => m.digest)).toEqual([d('1'), d('3'), d('2')]);
    expect(json.manifests[0]).toEqual({ ...entry('1'), annotations: { 'org.example': 'kept' } });
  });

  it('unchanged bytes when nothing is added (no rewrite, same digest)', () => {
    const existing = Buffer.from(`{"schemaVersion":2,"manifests":[${JSON.stringify(entry('1'))}]}`);
    const merged = mergeFallbackIndex(existing, [entry('1')]);
    expect(merged.added).toBe(0);
    expect(merged.bytes).toBe(existing);
  });

  it('refuses what is not an index', () => {
    expect(() => mergeFallbackIndex(Buffer.from('{"schemaVersion":2,"layers":[]}'), [entry('1')])).toThrow();
  });
});

describe('the referrers API answer', () => {
  const entries = [
    { mediaType: 'm', digest: d('1'), size: 1, artifactType: 'application/x-sig' },
    { mediaType: 'm', digest: d('2'), size: 1, artifactType: 'application/x-sbom' },
  ];
  it('no filter asked: everything', () => {
    expect(applyArtifactTypeFilter(entries, undefined, undefined)).toEqual(entries);
  });
  it('the registry filtered (OCI-Filters-Applied: artifactType): taken as it is', () => {
    expect(applyArtifactTypeFilter(entries, 'application/x-sig', 'artifactType')).toEqual(entries);
  });
  it('the registry did not say it filtered: the client filters', () => {
    expect(applyArtifactTypeFilter(entries, 'application/x-sig', undefined)).toEqual([entries[0]]);
    expect(applyArtifactTypeFilter(entries, 'application/x-sig', 'annotation')).toEqual([entries[0]]);
  });
  it('pagination: the next link, resolved against the request', () => {
    const base = 'http://r:5000/v2/app/referrers/sha256:1';
    expect(nextLink('</v2/app/referrers/sha256:1?n=2&last=x>; rel="next"', base)).toBe(
      'http://r:5000/v2/app/referrers/sha256:1?n=2&last=x',
    );
    expect(nextLink('<https://other/v2/x>; rel=next', base)).toBe('https://other/v2/x');
    expect(nextLink('</v2/a>; rel="prev"', base)).toBeUndefined();
    expect(nextLink(undefined, base)).toBeUndefined();
  });
});

describe("merging cosign's .sig manifests", () => {
  const payload = {
    mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
    digest: d('p'),
    size: 200,
  };
  const layer = (signature: string) => ({
    ...payload,
    annotations: { 'dev.cosignproject.cosign/signature': signature },
  });
  const config = (layers: Array<{ digest: string }>) =>
    Buffer.from(
      JSON.stringify({
        architecture: '',
        os: '',
        config: {},
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
        history: layers.map(() => ({ created: '0001-01-01T00:00:00Z' })),
      }),
    );
  const image = (layers: object[], cfg: Buffer) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: {
          mediaType: 'application/vnd.oci.image.config.v1+json',
          digest: sha256(cfg),
          size: cfg.length,
        },
        layers,
      }),
    );

  it('signatures sharing a payload differ by their annotations', () => {
    const dst = image([layer('A'), layer('B')], config([payload, payload]));
    const src = image([layer('A'), layer('C')], config([payload, payload]));
    expect(missingLayers(dst, src)).toEqual([layer('C')]);
    expect(missingLayers(src, src)).toEqual([]);
  });

  it("appends the source's missing layers to the destination's, the config following", () => {
    const dstConfig = config([payload, payload]);
    const dst = image([layer('A'), layer('B')], dstConfig);
    const merged = mergeCosignManifest(dst, dstConfig, [layer('C')]);
    const manifest = JSON.parse(merged.manifest.toString());
    const cfg = JSON.parse(merged.config.toString());
    expect(manifest.layers).toEqual([layer('A'), layer('B'), layer('C')]);
    expect(manifest.config.digest).toBe(sha256(merged.config));
    expect(manifest.config.size).toBe(merged.config.length);
    expect(cfg.rootfs.diff_ids).toEqual([payload.digest, payload.digest, payload.digest]);
    expect(cfg.history).toHaveLength(3);
  });

  it('refuses layers that are not the uncompressed ones cosign writes', () => {
    const cfg = config([{ digest: d('z') }]);
    expect(() => mergeCosignManifest(image([layer('A')], cfg), cfg, [layer('C')])).toThrow(/uncompressed/);
  });
});

describe("a registry's referrers index", () => {
  it('keeps only entries whose digest is a digest (a hostile one never reaches a log line)', () => {
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d('1'), size: 1 },
          { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: 'x\n::error::owned', size: 1 },
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: `sha512:${'c'.repeat(128)}`,
            size: 1,
          },
        ],
      }),
    );
    expect(indexEntries(index).map((e) => e.digest)).toEqual([d('1'), `sha512:${'c'.repeat(128)}`]);
  });
});
