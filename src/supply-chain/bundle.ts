/**
 * Sigstore bundles (v0.3, `application/vnd.dev.sigstore.bundle.v0.3+json`), the format cosign v3
 * signs and attests in by default: one bundle per signature, stored as the one layer of an OCI
 * referrer of the image (artifactType the bundle's media type, the empty config, `subject` the
 * image). A signature is a DSSE envelope over an in-toto statement whose predicate type is
 * https://sigstore.dev/cosign/sign/v1 (cosign v3's `sign`), or a message signature over the
 * manifest itself; an attestation is a DSSE envelope over a statement of its predicate type.
 *
 * Parsing and checking use the Sigstore project's libraries (@sigstore/bundle for the format,
 * @sigstore/verify for the signature), offline: with verify-key, transparency-log entries and
 * timestamps are not consulted (as `cosign verify --key … --insecure-ignore-tlog` and Slipway's
 * legacy verification), so no network and no trust root is needed. Keyless bundles (a Fulcio-style
 * certificate) are verified against a supplied trust root (trusted_root.json) and an identity
 * policy, never fetched. Pure functions: no registry.
 */
import { createHash, type KeyObject } from 'node:crypto';
import {
  assertBundle,
  type Bundle,
  BUNDLE_V03_MEDIA_TYPE,
  bundleFromJSON,
  bundleToJSON,
  toDSSEBundle,
} from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import { toSignedEntity, toTrustMaterial, type TrustMaterial, Verifier } from '@sigstore/verify';
import { type Manifest, MEDIA_TYPES, sha256 } from '../registry/client';
import {
  IN_TOTO_PAYLOAD_TYPE,
  pae,
  parseStatement,
  STATEMENT_TYPE,
  type Statement,
  statementCovers,
} from './formats';
import { hashFor, signBytes, type SigningKey, verifyBytes, type VerifyKey } from './keys';

export const BUNDLE_MEDIA_TYPE = BUNDLE_V03_MEDIA_TYPE;
/** Fulcio's certificate extensions naming the OIDC issuer (v1: raw string; v2: DER UTF8String). */
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';
const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
/** Every bundle media type (v0.1 to v0.3, old and new spellings) starts with this. */
export const BUNDLE_MEDIA_PREFIX = 'application/vnd.dev.sigstore.bundle';
/** The predicate type of cosign v3's `sign`: the statement is the signature. */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
export const BUNDLE_ANNOTATIONS = {
  created: 'org.opencontainers.image.created',
  content: 'dev.sigstore.bundle.content',
  predicateType: 'dev.sigstore.bundle.predicateType',
} as const;
export const EMPTY_CONFIG = {
  mediaType: 'application/vnd.oci.empty.v1+json',
  digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
  size: 2,
} as const;

export function isBundleMediaType(mediaType: string | undefined): boolean {
  return typeof mediaType === 'string' && mediaType.startsWith(BUNDLE_MEDIA_PREFIX);
}

/** The key hint sigstore writes for a public key: base64 of the SHA-256 of its DER (SPKI). */
export function keyHint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('base64');
}

/**
 * The statement cosign v3's `sign` signs: the digest as its only subject (no name), the cosign
 * sign predicate, empty; `annotations` go on the subject (cosign's `-a key=value`), signed.
 */
export function signStatement(digest: string, annotations: Readonly<Record<string, string>> = {}): Buffer {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return Buffer.from(
    JSON.stringify({
      _type: STATEMENT_TYPE,
      subject: [
        {
          digest: { [algorithm]: hex },
          ...(Object.keys(annotations).length > 0 && { annotations }),
        },
      ],
      predicateType: COSIGN_SIGN_PREDICATE,
      predicate: {},
    }),
  );
}

/** A bundle (JSON bytes) holding `statement` in a DSSE envelope signed by `key`. */
export function dsseBundle(statementBytes: Buffer, key: SigningKey): Buffer {
  const signature = signBytes(key, pae(IN_TOTO_PAYLOAD_TYPE, statementBytes));
  const bundle = toDSSEBundle({
    artifact: statementBytes,
    artifactType: IN_TOTO_PAYLOAD_TYPE,
    signature,
    keyHint: keyHint(key.publicKey),
  });
  // The hint goes in the verification material only: a DSSE keyid is matched against the
  // verifier's own key id by cosign (sigstore-go), which is not this hint; cosign writes none.
  for (const s of bundle.content.dsseEnvelope.signatures) s.keyid = '';
  return Buffer.from(JSON.stringify(bundleToJSON(bundle)));
}

/**
 * The referrer manifest cosign v3 writes for a bundle: the empty config (carrying the artifact type,
 * as cosign's does), the bundle as the one layer, `subject` the image, and cosign's annotations.
 */
export function bundleReferrer(
  subject: Pick<Manifest, 'digest' | 'mediaType' | 'size'>,
  bundle: { readonly digest: string; readonly size: number },
  predicateType: string,
  created: string,
): Manifest {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { ...EMPTY_CONFIG, artifactType: BUNDLE_MEDIA_TYPE },
      layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: bundle.digest, size: bundle.size }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: {
        [BUNDLE_ANNOTATIONS.created]: created,
        [BUNDLE_ANNOTATIONS.content]: 'dsse-envelope',
        [BUNDLE_ANNOTATIONS.predicateType]: predicateType,
      },
      artifactType: BUNDLE_MEDIA_TYPE,
    }),
  );
  return { bytes, digest: sha256(bytes), mediaType: MEDIA_TYPES.ociManifest, size: bytes.length };
}

/** What a bundle turned out to be, checked against the keys and the digest. */
export type BundleCheck =
  | {
      readonly ok: true;
      readonly content: 'dsse';
      readonly fingerprint: string;
      readonly statement: Statement;
    }
  | { readonly ok: true; readonly content: 'message'; readonly fingerprint: string }
  | { readonly ok: false; readonly note: string };

/** The bundle in bytes, validated by @sigstore/bundle; throws with what is wrong. */
export function parseBundle(bytes: Buffer): Bundle {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new Error('not JSON');
  }
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (!isBundleMediaType(typeof mediaType === 'string' ? mediaType : undefined))
    throw new Error(`media type ${JSON.stringify(mediaType)} is not a Sigstore bundle's`);
  try {
    const bundle = bundleFromJSON(json);
    assertBundle(bundle);
    return bundle;
  } catch (error) {
    const fields = (error as { fields?: unknown }).fields;
    throw new Error(
      `${(error as Error).message}${Array.isArray(fields) && fields.length > 0 ? `: ${fields.join(', ')}` : ''}`,
    );
  }
}

/** A key's fingerprint shortened (sha256: and 12 hex digits); an identity as it is. */
function short(signer: string): string {
  return signer.startsWith('sha256:') ? signer.slice(0, 19) : signer;
}

const EMPTY_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
} as unknown as Parameters<typeof toTrustMaterial>[0];

/**
 * The bundle as verification with a key sees it: no transparency-log entries, no timestamps (the
 * log is not consulted; a bundle that has them is checked on its signature alone).
 */
function withoutLog(bundle: Bundle): Bundle {
  return {
    ...bundle,
    verificationMaterial: {
      ...bundle.verificationMaterial,
      tlogEntries: [],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
  } as Bundle;
}

/** Whether `key` made the bundle's signature (over the PAE, or over `artifact` for a message signature). */
function signedBy(bundle: Bundle, key: VerifyKey, artifact: Buffer | undefined): boolean {
  // @sigstore/verify verifies with the key type's default hash (SHA-256): P-384 and P-521 keys,
  // which sigstore signs with SHA-384 and SHA-512, are checked with that hash here.
  const hash = hashFor(key.publicKey);
  if (hash === 'sha384' || hash === 'sha512') {
    const content = bundle.content;
    if (content.$case === 'dsseEnvelope') {
      const env = content.dsseEnvelope;
      return env.signatures.some((s) => verifyBytes(key.publicKey, pae(env.payloadType, env.payload), s.sig));
    }
    return artifact !== undefined && verifyBytes(key.publicKey, artifact, content.messageSignature.signature);
  }
  const verifier = new Verifier(
    toTrustMaterial(EMPTY_ROOT, () => ({ publicKey: key.publicKey, validFor: () => true })),
    { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 },
  );
  try {
    verifier.verify(toSignedEntity(withoutLog(bundle), artifact));
    return true;
  } catch {
    return false;
  }
}

/** The identity a Fulcio-style certificate names: its subject alternative name and OIDC issuer. */
export function certificateIdentity(der: Buffer): { identity: string; issuer: string } {
  try {
    const cert = X509Certificate.parse(Buffer.from(der));
    const v2 = cert.extension(OID_ISSUER_V2);
    const issuer = v2
      ? v2.valueObj.subs?.[0]?.value.toString('utf8')
      : cert.extension(OID_ISSUER_V1)?.value.toString('utf8');
    return {
      identity: cert.subjectAltName ?? '(no subject alternative name)',
      issuer: issuer ?? '(no issuer)',
    };
  } catch {
    return { identity: '(a certificate that cannot be read)', issuer: '?' };
  }
}

/** Who a bundle says signed it: the key hint, or the certificate's identity. */
export function signerOf(bundle: Bundle): string {
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'publicKey')
    return material.publicKey.hint ? `key hint ${material.publicKey.hint}` : 'a key without hint';
  const der =
    material.$case === 'certificate'
      ? material.certificate.rawBytes
      : material.x509CertificateChain.certificates[0]?.rawBytes;
  const { identity, issuer } = certificateIdentity(Buffer.from(der ?? []));
  return `certificate for ${identity}, issuer ${issuer}`;
}

/**
 * Keyless verification: what signs is a certificate from the trust root's certificate authority
 * (a Fulcio, or one of one's own) naming the identity and OIDC issuer the policy asks for.
 */
export interface KeylessPolicy {
  readonly trustMaterial: TrustMaterial;
  /** The certificate's subject alternative name: exactly this string, or matching this expression. */
  readonly identity: string | RegExp;
  readonly issuer: string;
  /**
   * A transparency-log entry verified against the trust root's logs (its time is when the
   * certificate must have been valid) and a certificate-transparency SCT. Without: the certificate
   * is checked at the time of verification, as cosign --insecure-ignore-tlog --insecure-ignore-sct.
   */
  readonly requireLog: boolean;
}

/** How a policy's identity reads in a message. */
export function describeKeyless(policy: KeylessPolicy): string {
  const identity = typeof policy.identity === 'string' ? policy.identity : `~/${policy.identity.source}/`;
  return `certificate-identity ${identity} (issuer ${policy.issuer})`;
}

/** Verifies a certificate bundle's signature and identity; throws what does not hold. */
function verifyKeyless(bundle: Bundle, policy: KeylessPolicy, artifact: Buffer | undefined): void {
  if (policy.requireLog && bundle.verificationMaterial.tlogEntries.length === 0)
    throw new Error('it has no transparency-log entry (require-transparency-log is true)');
  const verifier = new Verifier(policy.trustMaterial, {
    tlogThreshold: policy.requireLog ? 1 : 0,
    ctlogThreshold: policy.requireLog ? 1 : 0,
    timestampThreshold: 1,
  });
  const entity = toSignedEntity(policy.requireLog ? bundle : withoutLog(bundle), artifact);
  // Without the log, the one time the certificate must be valid at is now (a synthetic
  // observation: @sigstore/verify checks the chain at each timestamp it is given).
  const timestamps = policy.requireLog
    ? entity.timestamps
    : [
        {
          $case: 'transparency-log' as const,
          tlogEntry: {
            inclusionPromise: { signedEntryTimestamp: Buffer.alloc(0) },
            logId: { keyId: Buffer.alloc(0) },
            integratedTime: String(Math.floor(Date.now() / 1000)),
          } as unknown as (typeof entity.tlogEntries)[number],
        },
      ];
  verifier.verify(
    { ...entity, timestamps },
    { subjectAlternativeName: policy.identity, extensions: { issuer: policy.issuer } },
  );
}

/** The signer of a bundle among the keys or by the keyless policy, or why none. */
function signer(
  bundle: Bundle,
  keys: readonly VerifyKey[],
  keyless: KeylessPolicy | undefined,
  artifact: Buffer | undefined,
): { ok: true; signer: string } | { ok: false; note: string } {
  const what = bundle.content.$case === 'messageSignature' ? 'a message-signature bundle' : 'a bundle';
  if (bundle.verificationMaterial.content.$case === 'publicKey') {
    const key = keys.find((k) => signedBy(bundle, k, artifact));
    if (key) return { ok: true, signer: key.fingerprint };
    return {
      ok: false,
      note: `${what} by another key (${signerOf(bundle)}, or ${bundle.content.$case === 'messageSignature' ? 'over other bytes' : 'altered after signing'})`,
    };
  }
  if (!keyless)
    return {
      ok: false,
      note: `a keyless bundle (${signerOf(bundle)}); no trusted-root and certificate-identity to check it with`,
    };
  try {
    verifyKeyless(bundle, keyless, artifact);
  } catch (error) {
    return {
      ok: false,
      note: `a keyless bundle (${signerOf(bundle)}) refused: ${(error as Error).message}`,
    };
  }
  const material = bundle.verificationMaterial.content;
  const der =
    material.$case === 'certificate'
      ? material.certificate.rawBytes
      : material.$case === 'x509CertificateChain'
        ? material.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  const { identity, issuer } = certificateIdentity(Buffer.from(der ?? []));
  return { ok: true, signer: `${identity} (${issuer})` };
}

function subjects(s: Statement): string {
  return s.subject
    .map((x) =>
      Object.entries(x.digest ?? {})
        .map(([a, h]) => `${a}:${h}`)
        .join(' '),
    )
    .join(', ');
}

/**
 * Checks a bundle against the keys and the digest: signed by one of the keys (a keyless bundle
 * needs a trust root: it is reported, not accepted), and over exactly this digest (a DSSE
 * envelope's in-toto statement names it as a subject; a message signature is over the manifest,
 * `manifest`, whose digest it is).
 */
export function checkBundle(
  bytes: Buffer,
  digest: string,
  keys: readonly VerifyKey[],
  manifest?: Buffer,
  keyless?: KeylessPolicy,
): BundleCheck {
  let bundle: Bundle;
  try {
    bundle = parseBundle(bytes);
  } catch (error) {
    return { ok: false, note: `a bundle that cannot be read (${(error as Error).message})` };
  }
  const content = bundle.content;
  if (content.$case === 'messageSignature') {
    const [algorithm, hex] = digest.split(':') as [string, string];
    const signed = Buffer.from(content.messageSignature.messageDigest?.digest ?? []).toString('hex');
    if (algorithm !== 'sha256' || signed !== hex)
      return { ok: false, note: `a message-signature bundle over another digest (sha256:${signed})` };
    const by = signer(bundle, keys, keyless, manifest);
    if (!by.ok) return by;
    return { ok: true, content: 'message', fingerprint: by.signer };
  }
  const envelope = content.dsseEnvelope;
  const by = signer(bundle, keys, keyless, undefined);
  if (!by.ok) return by;
  const name = short(by.signer);
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return { ok: false, note: `a bundle by ${name} with payload type ${envelope.payloadType}` };
  let statement: Statement;
  try {
    statement = parseStatement(envelope.payload);
  } catch (error) {
    return { ok: false, note: `a bundle by ${name} whose payload is ${(error as Error).message}` };
  }
  if (!statementCovers(statement, digest))
    return {
      ok: false,
      note: `a bundle (${statement.predicateType}) by ${name} for another digest (${subjects(statement)})`,
    };
  return { ok: true, content: 'dsse', fingerprint: by.signer, statement };
}

/** The signed annotations of the statement's subject naming `digest` (cosign's `-a`). */
export function subjectAnnotations(statement: Statement, digest: string): Record<string, unknown> {
  const [algorithm, hex] = digest.split(':') as [string, string];
  const subject = statement.subject.find((s) => s.digest?.[algorithm] === hex) as
    { annotations?: Record<string, unknown> } | undefined;
  return subject?.annotations && typeof subject.annotations === 'object' ? subject.annotations : {};
}
