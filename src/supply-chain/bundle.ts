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
 * legacy verification), so no network and no trust root is needed. Pure functions: no registry.
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
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
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

function short(fingerprint: string): string {
  return fingerprint.slice(0, 19);
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

/** Who a bundle says signed it: the key hint, or the certificate. */
export function signerOf(bundle: Bundle): string {
  const material = bundle.verificationMaterial.content;
  if (material.$case === 'publicKey')
    return material.publicKey.hint ? `key hint ${material.publicKey.hint}` : 'a key without hint';
  return 'a certificate (keyless)';
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
): BundleCheck {
  let bundle: Bundle;
  try {
    bundle = parseBundle(bytes);
  } catch (error) {
    return { ok: false, note: `a bundle that cannot be read (${(error as Error).message})` };
  }
  const content = bundle.content;
  if (bundle.verificationMaterial.content.$case !== 'publicKey')
    return {
      ok: false,
      note: `a keyless bundle (signed with ${signerOf(bundle)}), not by verify-key`,
    };
  if (content.$case === 'messageSignature') {
    const [algorithm, hex] = digest.split(':') as [string, string];
    const signed = Buffer.from(content.messageSignature.messageDigest?.digest ?? []).toString('hex');
    if (algorithm !== 'sha256' || signed !== hex)
      return { ok: false, note: `a message-signature bundle over another digest (sha256:${signed})` };
    const key = keys.find((k) => signedBy(bundle, k, manifest));
    if (!key)
      return {
        ok: false,
        note: `a message-signature bundle by another key (${signerOf(bundle)}, or over other bytes)`,
      };
    return { ok: true, content: 'message', fingerprint: key.fingerprint };
  }
  const envelope = content.dsseEnvelope;
  const key = keys.find((k) => signedBy(bundle, k, undefined));
  if (!key)
    return {
      ok: false,
      note: `a bundle by another key (${signerOf(bundle)}, or altered after signing)`,
    };
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return {
      ok: false,
      note: `a bundle by ${short(key.fingerprint)} with payload type ${envelope.payloadType}`,
    };
  let statement: Statement;
  try {
    statement = parseStatement(envelope.payload);
  } catch (error) {
    return {
      ok: false,
      note: `a bundle by ${short(key.fingerprint)} whose payload is ${(error as Error).message}`,
    };
  }
  if (!statementCovers(statement, digest))
    return {
      ok: false,
      note: `a bundle (${statement.predicateType}) by ${short(key.fingerprint)} for another digest (${subjects(statement)})`,
    };
  return { ok: true, content: 'dsse', fingerprint: key.fingerprint, statement };
}

/** The signed annotations of the statement's subject naming `digest` (cosign's `-a`). */
export function subjectAnnotations(statement: Statement, digest: string): Record<string, unknown> {
  const [algorithm, hex] = digest.split(':') as [string, string];
  const subject = statement.subject.find((s) => s.digest?.[algorithm] === hex) as
    { annotations?: Record<string, unknown> } | undefined;
  return subject?.annotations && typeof subject.annotations === 'object' ? subject.annotations : {};
}
