import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUNDLE_MEDIA_TYPE,
  bundleReferrer,
  checkBundle,
  COSIGN_SIGN_PREDICATE,
  dsseBundle,
  EMPTY_CONFIG,
  keyHint,
  parseBundle,
  signStatement,
  subjectAnnotations,
} from '../../../src/supply-chain/bundle';
import { statement, TEST_RESULT_PREDICATE, testResultPredicate } from '../../../src/supply-chain/formats';
import {
  fingerprint,
  parsePrivateKey,
  parsePublicKeys,
  signBytes,
  type SigningKey,
  type VerifyKey,
} from '../../../src/supply-chain/keys';
import { Inputs } from '../../../src/common/inputs';
import { readKeylessPolicy, readSignatureFormat } from '../../../src/supply-chain/inputs';

/** The statement of a DSSE bundle that passed (undefined otherwise). */
const statementOf = (check: ReturnType<typeof checkBundle>) =>
  check.ok && check.content === 'dsse' ? check.statement : undefined;

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER = `sha256:${'cd'.repeat(32)}`;

function keyPair(type: 'P-256' | 'P-384' | 'ed25519' | 'rsa'): { sign: SigningKey; verify: VerifyKey[] } {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : type === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: type });
  const sign = parsePrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
  return {
    sign,
    verify: parsePublicKeys(pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()),
  };
}

const p256 = keyPair('P-256');
const other = keyPair('P-256');

/** A bundle's JSON, changed by `edit`, as bytes again. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a bundle's JSON, edited freely
type Json = any;
function edited(bytes: Buffer, edit: (json: Json) => void): Buffer {
  const json = JSON.parse(bytes.toString()) as Json;
  edit(json);
  return Buffer.from(JSON.stringify(json));
}

describe("cosign v3's own bundles (captured from cosign v3.1.3)", () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'cosign-v3.json'), 'utf8')) as {
    digest: string;
    publicKey: string;
    bundles: Record<string, string>;
  };
  const keys = parsePublicKeys(fixture.publicKey);
  const sign = Buffer.from(fixture.bundles[COSIGN_SIGN_PREDICATE] as string);
  const attest = Buffer.from(fixture.bundles[TEST_RESULT_PREDICATE] as string);

  it('the signature verifies with its key over its digest: a cosign sign statement', () => {
    const check = checkBundle(sign, fixture.digest, keys);
    expect(check).toMatchObject({ ok: true, content: 'dsse', fingerprint: keys[0]?.fingerprint });
    expect(statementOf(check)?.predicateType).toBe(COSIGN_SIGN_PREDICATE);
  });

  it('the attestation verifies and carries its predicate', () => {
    const check = checkBundle(attest, fixture.digest, keys);
    expect(statementOf(check)?.predicateType).toBe(TEST_RESULT_PREDICATE);
    expect(statementOf(check)?.predicate).toMatchObject({ result: 'PASSED' });
  });

  it('cosign writes the key hint Slipway computes (base64 SHA-256 of the SPKI)', () => {
    const json = JSON.parse(sign.toString()) as { verificationMaterial: { publicKey: { hint: string } } };
    expect(json.verificationMaterial.publicKey.hint).toBe(keyHint(keys[0]!.publicKey));
  });

  it('refuses them for another digest, with another key, or altered', () => {
    expect(checkBundle(sign, OTHER, keys)).toMatchObject({
      ok: false,
      note: expect.stringMatching(
        new RegExp(
          `^a bundle \\(${COSIGN_SIGN_PREDICATE}\\) by sha256:[0-9a-f]{12} for another digest \\(${fixture.digest}\\)$`,
        ),
      ),
    });
    expect(checkBundle(sign, fixture.digest, other.verify)).toMatchObject({
      ok: false,
      note: expect.stringContaining('a bundle by another key (key hint '),
    });
    const tampered = edited(attest, (j) => {
      const s = JSON.parse(Buffer.from(j.dsseEnvelope.payload, 'base64').toString());
      s.predicate.result = 'FAILED';
      j.dsseEnvelope.payload = Buffer.from(JSON.stringify(s)).toString('base64');
    });
    expect(checkBundle(tampered, fixture.digest, keys)).toMatchObject({ ok: false });
  });
});

describe('bundles Slipway makes', () => {
  it('are v0.3 bundles with the hint in the verification material and no DSSE keyid (cosign matches keyids)', () => {
    const bytes = dsseBundle(signStatement(DIGEST), p256.sign);
    const json = JSON.parse(bytes.toString());
    expect(json.mediaType).toBe(BUNDLE_MEDIA_TYPE);
    expect(json.verificationMaterial.publicKey.hint).toBe(keyHint(p256.sign.publicKey));
    expect(json.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(json.dsseEnvelope.signatures).toHaveLength(1);
    expect(json.dsseEnvelope.signatures[0].keyid ?? '').toBe('');
    expect(parseBundle(bytes).content.$case).toBe('dsseEnvelope');
  });

  it('the signature statement is cosign sign v1 over the digest alone, Slipway annotations signed on the subject', () => {
    const s = JSON.parse(signStatement(DIGEST, { 'dev.slipway.signed-at': 'T' }).toString());
    expect(s).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: 'ab'.repeat(32) }, annotations: { 'dev.slipway.signed-at': 'T' } }],
      predicateType: COSIGN_SIGN_PREDICATE,
      predicate: {},
    });
    const check = checkBundle(dsseBundle(signStatement(DIGEST, { a: 'b' }), p256.sign), DIGEST, p256.verify);
    const signed = statementOf(check);
    expect(signed && subjectAnnotations(signed, DIGEST)).toEqual({ a: 'b' });
    expect(signed && subjectAnnotations(signed, OTHER)).toEqual({});
  });

  for (const type of ['P-256', 'P-384', 'ed25519', 'rsa'] as const) {
    it(`verify with the ${type} key that made them, not another`, () => {
      const pair = type === 'P-256' ? p256 : keyPair(type);
      const bytes = dsseBundle(
        statement(
          'r/a',
          DIGEST,
          TEST_RESULT_PREDICATE,
          testResultPredicate({ passedTests: [], failedTests: [] }),
        ),
        pair.sign,
      );
      expect(checkBundle(bytes, DIGEST, [...other.verify, ...pair.verify])).toMatchObject({
        ok: true,
        fingerprint: pair.verify[0]?.fingerprint,
      });
      expect(checkBundle(bytes, DIGEST, other.verify).ok).toBe(false);
    });
  }

  it('a statement naming another digest is refused, naming the digest it names', () => {
    const bytes = dsseBundle(statement('r/a', OTHER, TEST_RESULT_PREDICATE, {}), p256.sign);
    const check = checkBundle(bytes, DIGEST, p256.verify);
    expect(check).toEqual({
      ok: false,
      note: `a bundle (${TEST_RESULT_PREDICATE}) by ${p256.verify[0]?.fingerprint.slice(0, 19)} for another digest (${OTHER})`,
    });
  });

  it('the transparency log is not consulted with a key: a bundle carrying an entry verifies on its signature', () => {
    const bytes = edited(dsseBundle(signStatement(DIGEST), p256.sign), (j) => {
      j.verificationMaterial.tlogEntries = [
        {
          logIndex: '7',
          logId: { keyId: Buffer.alloc(32, 1).toString('base64') },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: '1700000000',
          inclusionPromise: { signedEntryTimestamp: Buffer.from('x').toString('base64') },
          canonicalizedBody: Buffer.from('{}').toString('base64'),
          inclusionProof: {
            logIndex: '7',
            rootHash: Buffer.alloc(32, 2).toString('base64'),
            treeSize: '8',
            hashes: [Buffer.alloc(32, 3).toString('base64')],
            checkpoint: { envelope: 'rekor.example - 1\n8\nAAAA\n' },
          },
        },
      ];
    });
    expect(parseBundle(bytes).verificationMaterial.tlogEntries).toHaveLength(1);
    expect(checkBundle(bytes, DIGEST, p256.verify).ok).toBe(true);
  });

  it('a payload that is not an in-toto statement, or another payload type, is refused', () => {
    const typed = edited(dsseBundle(signStatement(DIGEST), p256.sign), (j) => {
      j.dsseEnvelope.payloadType = 'text/plain';
    });
    // Re-signed so that only the type is wrong.
    const env = JSON.parse(typed.toString()).dsseEnvelope;
    const pae = Buffer.concat([
      Buffer.from(`DSSEv1 10 text/plain ${Buffer.from(env.payload, 'base64').length} `),
      Buffer.from(env.payload, 'base64'),
    ]);
    const resigned = edited(typed, (j) => {
      j.dsseEnvelope.signatures[0].sig = signBytes(p256.sign, pae).toString('base64');
    });
    expect(checkBundle(resigned, DIGEST, p256.verify)).toMatchObject({
      ok: false,
      note: expect.stringContaining('with payload type text/plain'),
    });
    expect(checkBundle(Buffer.from('{"mediaType":"x"}'), DIGEST, p256.verify)).toMatchObject({
      ok: false,
      note: expect.stringContaining('cannot be read (media type "x"'),
    });
    expect(checkBundle(Buffer.from('not json'), DIGEST, p256.verify).ok).toBe(false);
    const noProof = edited(dsseBundle(signStatement(DIGEST), p256.sign), (j) => {
      j.verificationMaterial.tlogEntries = [{ logIndex: '1', integratedTime: '1' }];
    });
    expect(checkBundle(noProof, DIGEST, p256.verify)).toMatchObject({
      ok: false,
      note: expect.stringMatching(/^a bundle that cannot be read \(invalid bundle: .*tlogEntries\[0\]/),
    });
  });

  it('a keyless bundle (certificate) is reported, not accepted with a key', () => {
    const bytes = edited(dsseBundle(signStatement(DIGEST), p256.sign), (j) => {
      j.verificationMaterial = {
        certificate: { rawBytes: Buffer.from('not a certificate').toString('base64') },
        tlogEntries: [],
      };
    });
    expect(checkBundle(bytes, DIGEST, p256.verify)).toMatchObject({
      ok: false,
      note: expect.stringContaining('keyless'),
    });
  });
});

describe('message-signature bundles', () => {
  const manifest = Buffer.from('{"schemaVersion":2,"layers":[]}');
  const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
  const bundleOver = (bytes: Buffer, messageDigest: Buffer) =>
    Buffer.from(
      JSON.stringify({
        mediaType: BUNDLE_MEDIA_TYPE,
        verificationMaterial: { publicKey: { hint: keyHint(p256.sign.publicKey) }, tlogEntries: [] },
        messageSignature: {
          messageDigest: { algorithm: 'SHA2_256', digest: messageDigest.toString('base64') },
          signature: signBytes(p256.sign, bytes).toString('base64'),
        },
      }),
    );
  const sha = (b: Buffer) => createHash('sha256').update(b).digest();

  it('count when over exactly this manifest, by the key', () => {
    expect(checkBundle(bundleOver(manifest, sha(manifest)), digest, p256.verify, manifest)).toEqual({
      ok: true,
      content: 'message',
      fingerprint: fingerprint(p256.sign.publicKey),
    });
    expect(checkBundle(bundleOver(manifest, sha(manifest)), digest, other.verify, manifest).ok).toBe(false);
  });

  it('naming another digest, or signed over other bytes, they do not', () => {
    const elsewhere = Buffer.from('{"schemaVersion":2}');
    expect(checkBundle(bundleOver(elsewhere, sha(elsewhere)), digest, p256.verify, manifest)).toMatchObject({
      ok: false,
      note: `a message-signature bundle over another digest (sha256:${sha(elsewhere).toString('hex')})`,
    });
    // Claims this digest, signed other bytes.
    expect(checkBundle(bundleOver(elsewhere, sha(manifest)), digest, p256.verify, manifest)).toMatchObject({
      ok: false,
      note: expect.stringContaining('by another key'),
    });
  });
});

describe('the referrer manifest', () => {
  it('is the one cosign v3 writes: empty config, the bundle layer, the subject, its annotations', () => {
    const subject = { digest: DIGEST, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 42 };
    const m = bundleReferrer(
      subject,
      { digest: OTHER, size: 9 },
      TEST_RESULT_PREDICATE,
      '2026-12-07T10:00:00Z',
    );
    const json = JSON.parse(m.bytes.toString());
    expect(json).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { ...EMPTY_CONFIG, artifactType: BUNDLE_MEDIA_TYPE },
      layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: OTHER, size: 9 }],
      subject,
      annotations: {
        'org.opencontainers.image.created': '2026-12-07T10:00:00Z',
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': TEST_RESULT_PREDICATE,
      },
      artifactType: BUNDLE_MEDIA_TYPE,
    });
    expect(m.digest).toBe(`sha256:${createHash('sha256').update(m.bytes).digest('hex')}`);
    expect(EMPTY_CONFIG.digest).toBe(`sha256:${createHash('sha256').update('{}').digest('hex')}`);
  });
});

describe('signature-format', () => {
  const read = (value?: string) =>
    readSignatureFormat(new Inputs((n) => (n === 'signature-format' ? value : undefined)));
  it('is bundle by default, legacy when asked, and nothing else', () => {
    expect(read()).toBe('bundle');
    expect(read('legacy')).toBe('legacy');
    expect(read('bundle')).toBe('bundle');
    expect(() => read('sig')).toThrow(/signature-format.*"sig" is not known: bundle .* or legacy/);
  });
});

describe('keyless bundles (a test CA, a certificate cosign v3 signed with)', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'cosign-v3-keyless.json'), 'utf8')) as {
    digest: string;
    identity: string;
    issuer: string;
    trustedRoot: unknown;
    bundle: string;
  };
  const bundle = Buffer.from(fixture.bundle);
  const policyFrom = (over: Record<string, string | undefined> = {}) => {
    const values: Record<string, string | undefined> = {
      'trusted-root': JSON.stringify(fixture.trustedRoot),
      'certificate-identity': fixture.identity,
      'certificate-oidc-issuer': fixture.issuer,
      'require-transparency-log': 'false',
      ...over,
    };
    return readKeylessPolicy(new Inputs((n) => values[n]));
  };

  it('verify against the trust root with the identity and issuer asked for, exactly or by expression', () => {
    for (const policy of [
      policyFrom(),
      policyFrom({
        'certificate-identity': undefined,
        'certificate-identity-regexp': '^https://github\\.com/shop/web/\\.github/workflows/',
      }),
    ]) {
      const check = checkBundle(bundle, fixture.digest, [], undefined, policy);
      expect(check).toMatchObject({
        ok: true,
        content: 'dsse',
        fingerprint: `${fixture.identity} (${fixture.issuer})`,
      });
      expect(statementOf(check)?.predicateType).toBe(COSIGN_SIGN_PREDICATE);
    }
  });

  it('refuse another identity, another issuer, another digest, a log that is required, another CA — saying whose it is', () => {
    const whose = `certificate for ${fixture.identity}, issuer ${fixture.issuer}`;
    const refused = (policy: ReturnType<typeof policyFrom>, digest = fixture.digest) =>
      checkBundle(bundle, digest, [], undefined, policy);
    expect(
      refused(
        policyFrom({
          'certificate-identity': 'https://github.com/shop/web/.github/workflows/x.yml@refs/heads/main',
        }),
      ),
    ).toEqual({
      ok: false,
      note: `a keyless bundle (${whose}) refused: certificate identity error - expected https://github.com/shop/web/.github/workflows/x.yml@refs/heads/main, got ${fixture.identity}`,
    });
    expect(refused(policyFrom({ 'certificate-oidc-issuer': 'https://accounts.google.com' }))).toMatchObject({
      ok: false,
      note: expect.stringContaining('refused: invalid certificate extension'),
    });
    expect(refused(policyFrom(), OTHER)).toMatchObject({
      ok: false,
      note: expect.stringContaining(
        `by ${fixture.identity} (${fixture.issuer}) for another digest (${fixture.digest})`,
      ),
    });
    expect(refused(policyFrom({ 'require-transparency-log': 'true' }))).toMatchObject({
      ok: false,
      note: expect.stringContaining(
        'refused: it has no transparency-log entry (require-transparency-log is true)',
      ),
    });
    const otherCa = {
      ...(fixture.trustedRoot as Record<string, unknown>),
      certificateAuthorities: [],
    };
    expect(refused(policyFrom({ 'trusted-root': JSON.stringify(otherCa) }))).toMatchObject({
      ok: false,
      note: expect.stringContaining('refused: '),
    });
    // With keys only, it is reported, not accepted.
    expect(checkBundle(bundle, fixture.digest, p256.verify)).toEqual({
      ok: false,
      note: `a keyless bundle (${whose}); no trusted-root and certificate-identity to check it with`,
    });
  });

  it('the inputs: each needs the others, the trust root must be one', () => {
    expect(
      policyFrom({
        'trusted-root': undefined,
        'certificate-identity': undefined,
        'certificate-oidc-issuer': undefined,
      }),
    ).toBeUndefined();
    expect(() => policyFrom({ 'trusted-root': undefined })).toThrow(
      /trusted-root.*is required with certificate-identity/,
    );
    expect(() => policyFrom({ 'certificate-identity': undefined })).toThrow(
      /certificate-identity.*is required with trusted-root/,
    );
    expect(() => policyFrom({ 'certificate-identity-regexp': '.*' })).toThrow(/not both/);
    expect(() => policyFrom({ 'certificate-oidc-issuer': undefined })).toThrow(
      /certificate-oidc-issuer.*is required/,
    );
    expect(() =>
      policyFrom({ 'certificate-identity': undefined, 'certificate-identity-regexp': '(' }),
    ).toThrow(/certificate-identity-regexp/);
    expect(() => policyFrom({ 'trusted-root': '{"mediaType":"x"}' })).toThrow(
      /trusted-root.*is not a Sigstore trusted_root.json/,
    );
    expect(policyFrom()?.requireLog).toBe(false);
    expect(policyFrom({ 'require-transparency-log': undefined })?.requireLog).toBe(true);
  });
});
