import { describe, expect, it } from 'vitest';
import {
  checkDescriptor,
  checkDescriptors,
  checkDigest,
  isDigest,
  isMediaType,
  isSize,
  parseJsonObject,
  shown,
} from '../../../src/registry/descriptor';
import { parseManifest } from '../../../src/registry/image-tree';
import { indexEntries, subjectOf } from '../../../src/registry/referrers';

const D = `sha256:${'a'.repeat(64)}`;
const INJECTION = '1\n::error title=x::pwned\n::add-mask::secret\n::stop-commands::token';

describe('descriptor validation', () => {
  it('a digest is sha256:<64 lowercase hex> or sha512:<128 lowercase hex>, nothing else', () => {
    expect(isDigest(D)).toBe(true);
    expect(isDigest(`sha512:${'b'.repeat(128)}`)).toBe(true);
    for (const bad of [
      '../../v2/_catalog?n=1#',
      `sha256:${'a'.repeat(63)}`,
      `sha256:${'a'.repeat(65)}`,
      `sha256:${'A'.repeat(64)}`,
      `sha512:${'b'.repeat(64)}`,
      `md5:${'a'.repeat(32)}`,
      `${D}\n::error::x`,
      `sha256:${'a'.repeat(60)}/../`,
      `:${'a'.repeat(64)}`,
      '',
      42,
      null,
      { digest: D },
    ])
      expect(isDigest(bad), String(bad)).toBe(false);
  });

  it('a size is a non-negative safe integer', () => {
    for (const good of [0, 1, 2 ** 40, Number.MAX_SAFE_INTEGER]) expect(isSize(good)).toBe(true);
    for (const bad of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Infinity, Number.NaN, '1', INJECTION, null])
      expect(isSize(bad), String(bad)).toBe(false);
  });

  it('a media type is type/subtype of RFC 6838 characters, without parameters', () => {
    for (const good of [
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.docker.distribution.manifest.list.v2+json',
      'application/vnd.dev.cosign.artifact.sig.v1+json',
    ])
      expect(isMediaType(good)).toBe(true);
    for (const bad of [
      'application',
      'application/json; charset=utf-8',
      'text/plain\n::error::x',
      'a/b/c',
      '/json',
      `application/${'x'.repeat(200)}`,
      7,
    ])
      expect(isMediaType(bad), String(bad)).toBe(false);
  });

  it('errors say where and what, with the value printable on one line', () => {
    expect(() => checkDescriptor({ digest: D, size: INJECTION }, 'layers[0]')).toThrow(
      /^layers\[0\]: size "1\\u000a::error title=x::pwned\\u000a::add-mask::secret\\u000a::stop-commands::token" is not a non-negative whole number of bytes$/,
    );
    expect(() => checkDigest('../../v2/_catalog?n=1#', 'config')).toThrow(
      'config: digest "../../v2/_catalog?n=1#" is not sha256:<64 hex> or sha512:<128 hex>',
    );
    expect(() => checkDescriptors([{ digest: D, size: 1 }, null], 'layers')).toThrow(
      'layers[1]: null is not a descriptor',
    );
    expect(() => checkDescriptors('no', 'layers')).toThrow('layers: "no" is not a list');
    expect(() => checkDescriptor({ digest: D, size: 1, mediaType: 'x\ny' }, 'm')).toThrow(
      'm: media type "x\\u000ay" is not a media type',
    );
    for (const message of [shown(INJECTION), shown({ a: INJECTION }), shown('x'.repeat(500))]) {
      expect(message).not.toMatch(/[\r\n]/);
      expect(message.length).toBeLessThan(100);
    }
  });

  it("JSON from a registry: a named error, never the parser's bare message", () => {
    expect(() => parseJsonObject(Buffer.from('{"a": bad}'), 'source registry r: app@x')).toThrow(
      /^source registry r: app@x is not valid JSON \(/,
    );
    expect(() => parseJsonObject(Buffer.from('[1]'), 'm')).toThrow('m is not a JSON object');
    expect(() => parseJsonObject(Buffer.from('null'), 'm')).toThrow('m is not a JSON object');
  });
});

describe('manifests are checked where they are parsed', () => {
  const manifest = (fields: object) => Buffer.from(JSON.stringify({ schemaVersion: 2, ...fields }));
  it('layers, config and manifests', () => {
    expect(() => parseManifest(manifest({ layers: [null] }), 'src: app@d')).toThrow(
      'src: app@d: layers[0]: null is not a descriptor',
    );
    expect(() => parseManifest(manifest({ config: { digest: 'x', size: 1 } }), 'src')).toThrow(
      'src: config: digest "x" is not',
    );
    expect(() => parseManifest(manifest({ manifests: [{ digest: D, size: -1 }] }), 'src')).toThrow(
      'src: manifests[0]: size -1 is not',
    );
    expect(
      parseManifest(manifest({ layers: [{ digest: D, size: 3, mediaType: 'a/b' }] })).layers,
    ).toHaveLength(1);
  });
  it('referrers: entries and subjects that are not valid are none', () => {
    const index = Buffer.from(
      JSON.stringify({
        manifests: [
          { mediaType: 'a/b', digest: D, size: 1 },
          { mediaType: 'a/b', digest: D, size: INJECTION },
          { mediaType: 'a/b\n::x', digest: D, size: 1 },
          { mediaType: 'a/b', digest: D, size: 1, artifactType: '::stop-commands::x\n' },
          null,
        ],
      }),
    );
    expect(indexEntries(index)).toHaveLength(1);
    expect(subjectOf(Buffer.from(JSON.stringify({ subject: { digest: '../x' } })))).toBeUndefined();
    expect(subjectOf(Buffer.from(JSON.stringify({ subject: null })))).toBeUndefined();
    expect(subjectOf(Buffer.from(JSON.stringify({ subject: { digest: D } })))).toBe(D);
  });
});
