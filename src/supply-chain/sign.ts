/**
 * Signing a pushed digest and attesting its test results, stored where cosign looks (store.ts).
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
import { appendLayer, artifactTag } from './store';
import { verifyDigest } from './verify';

export interface Signed {
  /** Where it is stored: registry/repo:sha256-<hex>.sig (or .att). */
  readonly location: string;
  /** false when an equal one was already there. */
  readonly added: boolean;
}

const keysOf = (key: SigningKey) => [{ publicKey: key.publicKey, fingerprint: key.fingerprint, pem: '' }];

export async function signDigest(
  client: RegistryClient,
  repository: string,
  digest: string,
  key: SigningKey,
  context: { readonly runUrl?: string; readonly now?: Date } = {},
): Promise<Signed> {
  const existing = await verifyDigest(client, repository, digest, { keys: keysOf(key), attestations: [] });
  if (existing.signatures.length > 0)
    return { location: `${client.registry}/${repository}:${artifactTag(digest, 'sig')}`, added: false };
  const payload = simpleSigningPayload(`${client.registry}/${repository}`, digest, {
    [SIGNED_AT]: (context.now ?? new Date()).toISOString(),
    ...(context.runUrl && { [SIGNED_RUN]: context.runUrl }),
  });
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
): Promise<Signed> {
  const existing = await verifyDigest(client, repository, digest, {
    keys: keysOf(key),
    attestations: [predicateType],
  });
  const tag = `${client.registry}/${repository}:${artifactTag(digest, 'att')}`;
  const normalised = JSON.parse(JSON.stringify(predicate)) as unknown;
  if (
    existing.attestations.some(
      (a) => a.predicateType === predicateType && isDeepStrictEqual(a.predicate, normalised),
    )
  )
    return { location: tag, added: false };
  const body = statement(`${client.registry}/${repository}`, digest, predicateType, predicate);
  const envelope = dsseEnvelope(IN_TOTO_PAYLOAD_TYPE, body, signBytes(key, pae(IN_TOTO_PAYLOAD_TYPE, body)));
  const location = await appendLayer(client, repository, digest, 'att', {
    mediaType: DSSE_MEDIA_TYPE,
    bytes: envelope,
    annotations: { [SIGNATURE_ANNOTATION]: '', predicateType },
  });
  return { location, added: true };
}
