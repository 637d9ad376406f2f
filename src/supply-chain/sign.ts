/**
 * Signing a pushed digest and attesting its test results, stored where cosign looks: by default
 * as cosign v3 does (Sigstore bundles as OCI referrers, bundle.ts), or in the legacy tags
 * sha256-<hex>.sig/.att of cosign v1/v2 (store.ts) for verifiers that read only those.
 * A rerun converges: a digest this key already signed is not signed again, and an attestation with
 * the same predicate by the same key is not added twice.
 */
import { isDeepStrictEqual } from 'node:util';
import type { RegistryClient } from '../registry/client';
import {
  DSSE_MEDIA_TYPE,
  dsseEnvelope,
  IN_TOTO_PAYLOAD_TYPE,
  pae,
  SIGNATURE_ANNOTATION,
  SIGNED_AT,
  SIGNED_RUN,
  SIMPLE_SIGNING_MEDIA_TYPE,
  simpleSigningPayload,
  statement,
} from './formats';
import { signBytes, type SigningKey } from './keys';
import { appendLayer } from './store';
import { type SignatureFormat, verifyDigest } from './verify';
import { bundleReferrer, COSIGN_SIGN_PREDICATE, dsseBundle, signStatement } from './bundle';
import { putBlobBytes } from '../registry/blobs';
import { putManifestKeepingSubject } from '../promote-between-registries/referrers';
import { EMPTY_JSON } from './promotion';

export interface Signed {
  /** Where it is stored: registry/repo@<referrer digest> (bundle), registry/repo:sha256-<hex>.sig (.att). */
  readonly location: string;
  /** false when an equal one was already there. */
  readonly added: boolean;
}

const keysOf = (key: SigningKey) => [{ publicKey: key.publicKey, fingerprint: key.fingerprint, pem: '' }];

/**
 * Stores a bundle (JSON bytes) as cosign v3 does: the bundle blob, the empty config, and a
 * referrer manifest whose subject is the image, put by digest; a registry without the referrers
 * API gets it in the fallback tag sha256-<hex>, merged with what is there. Returns its reference.
 */
async function putBundle(
  client: RegistryClient,
  repository: string,
  digest: string,
  bundle: Buffer,
  predicateType: string,
  created: string,
): Promise<string> {
  const subject = await client.getManifest(repository, digest);
  const blob = await putBlobBytes(client, repository, bundle);
  await putBlobBytes(client, repository, EMPTY_JSON);
  const manifest = bundleReferrer(subject, blob, predicateType, created);
  await putManifestKeepingSubject(client, repository, manifest);
  return `${client.registry}/${repository}@${manifest.digest}`;
}

export async function signDigest(
  client: RegistryClient,
  repository: string,
  digest: string,
  key: SigningKey,
  context: { readonly runUrl?: string; readonly now?: Date } = {},
  format: SignatureFormat = 'bundle',
): Promise<Signed> {
  const existing = await verifyDigest(client, repository, digest, { keys: keysOf(key), attestations: [] });
  const mine = existing.signatures.find((s) => s.format === format);
  if (mine) return { location: mine.location, added: false };
  const signedAt = (context.now ?? new Date()).toISOString();
  const optional = {
    [SIGNED_AT]: signedAt,
    ...(context.runUrl && { [SIGNED_RUN]: context.runUrl }),
  };
  if (format === 'bundle') {
    const bundle = dsseBundle(signStatement(digest, optional), key);
    const location = await putBundle(client, repository, digest, bundle, COSIGN_SIGN_PREDICATE, signedAt);
    return { location, added: true };
  }
  const payload = simpleSigningPayload(`${client.registry}/${repository}`, digest, optional);
  const signature = signBytes(key, payload);
  const location = await appendLayer(client, repository, digest, 'sig', {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    bytes: payload,
    annotations: { [SIGNATURE_ANNOTATION]: signature.toString('base64') },
  });
  return { location, added: true };
}

export async function attestDigest(
  client: RegistryClient,
  repository: string,
  digest: string,
  key: SigningKey,
  predicateType: string,
  predicate: unknown,
  format: SignatureFormat = 'bundle',
  context: { readonly now?: Date } = {},
): Promise<Signed> {
  const existing = await verifyDigest(client, repository, digest, {
    keys: keysOf(key),
    attestations: [predicateType],
  });
  const normalised = JSON.parse(JSON.stringify(predicate)) as unknown;
  const same = existing.attestations.find(
    (a) =>
      a.format === format && a.predicateType === predicateType && isDeepStrictEqual(a.predicate, normalised),
  );
  if (same) return { location: same.location, added: false };
  const body = statement(`${client.registry}/${repository}`, digest, predicateType, predicate);
  if (format === 'bundle') {
    const created = (context.now ?? new Date()).toISOString();
    const location = await putBundle(
      client,
      repository,
      digest,
      dsseBundle(body, key),
      predicateType,
      created,
    );
    return { location, added: true };
  }
  const envelope = dsseEnvelope(IN_TOTO_PAYLOAD_TYPE, body, signBytes(key, pae(IN_TOTO_PAYLOAD_TYPE, body)));
  const location = await appendLayer(client, repository, digest, 'att', {
    mediaType: DSSE_MEDIA_TYPE,
    bytes: envelope,
    annotations: { [SIGNATURE_ANNOTATION]: '', predicateType },
  });
  return { location, added: true };
}
