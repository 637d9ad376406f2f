/**
 * Verifying what is stored for an exact digest, in either format (legacy tags or Sigstore bundles): at least one signature by one of the given public
 * keys whose payload names that digest, and for each required predicate type at least one
 * attestation signed by one of the keys, whose statement's subject is that digest and (for test
 * results) whose result is PASSED. Everything found wrong is kept, so a refusal says what is missing.
 */
import type { RegistryClient } from '../registry/client';
import {
  DSSE_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  pae,
  parseDsseEnvelope,
  parseSimpleSigningPayload,
  parseStatement,
  PREDICATE_ALIASES,
  SIGNATURE_ANNOTATION,
  SIGNED_AT,
  SIGNED_RUN,
  SIMPLE_SIGNING_MEDIA_TYPE,
  statementCovers,
  TEST_RESULT_PREDICATE,
  testCommandOf,
  type TestResultPredicate,
} from './formats';
import { verifyBytes, type VerifyKey } from './keys';
import {
  checkBundle,
  COSIGN_SIGN_PREDICATE,
  describeKeyless,
  type KeylessPolicy,
  subjectAnnotations,
} from './bundle';
import { fallbackTag } from '../registry/referrers';
import {
  artifactTag,
  type FoundBundles,
  readBundles,
  readLayer,
  readLayers,
  type StoredLayer,
} from './store';

export interface VerifyPolicy {
  /** verify-key: public keys, any of which may sign (none: keyless only). */
  readonly keys: readonly VerifyKey[];
  /** trusted-root with certificate-identity and certificate-oidc-issuer: keyless bundles. */
  readonly keyless?: KeylessPolicy;
  /** Predicate type URIs that must be attested (aliases already expanded). */
  readonly attestations: readonly string[];
}

export function predicateTypeOf(name: string): string {
  return PREDICATE_ALIASES[name] ?? name;
}

export function predicateName(type: string): string {
  return Object.entries(PREDICATE_ALIASES).find(([, uri]) => uri === type)?.[0] ?? type;
}

/** legacy: cosign's sha256-<hex>.sig/.att tags; bundle: Sigstore bundles as OCI referrers (cosign v3). */
export type SignatureFormat = 'bundle' | 'legacy';

export interface VerifiedSignature {
  readonly fingerprint: string;
  readonly format: SignatureFormat;
  /** Where it is: registry/repo:sha256-<hex>.sig, or registry/repo@<referrer digest>. */
  readonly location: string;
  readonly signedAt?: string;
  readonly runUrl?: string;
}

export interface VerifiedAttestation {
  readonly predicateType: string;
  readonly fingerprint: string;
  readonly predicate: unknown;
  readonly format: SignatureFormat;
  readonly location: string;
}

export interface TestEvidence {
  readonly result: string;
  readonly passed: number;
  readonly failed: number;
  readonly url?: string;
  readonly command?: string;
}

/** A test result as status and summaries print it: "PASSED (12 passed, 0 failed) <url>". */
export function describeTests(t: TestEvidence): string {
  return `${t.result} (${t.passed} passed, ${t.failed} failed)${t.url ? ` ${t.url}` : ''}`;
}

export interface Verification {
  /** repository (registry/path) */
  readonly image: string;
  readonly digest: string;
  readonly ok: boolean;
  readonly signatures: readonly VerifiedSignature[];
  readonly attestations: readonly VerifiedAttestation[];
  /** What is missing or wrong, one line each (empty when ok). */
  readonly problems: readonly string[];
  /** Bundles (or signatures) found for another digest: not counted, reported. */
  readonly ignored: readonly string[];
  /** The test-result attestation that counted, if any. */
  readonly tests?: TestEvidence;
  /** A platform image of an index a deploy verified for its hosts: its platform (os/arch[/variant]). */
  readonly platform?: string;
  /** …and the hosts whose engines run it. */
  readonly hosts?: readonly string[];
}

function short(fingerprint: string): string {
  return fingerprint.slice(0, 19);
}

function keyOf(keys: readonly VerifyKey[], data: Buffer, signature: Buffer): VerifyKey | undefined {
  return keys.find((k) => verifyBytes(k.publicKey, data, signature));
}

async function checkSignatures(
  client: RegistryClient,
  repository: string,
  digest: string,
  keys: readonly VerifyKey[],
  layers: readonly StoredLayer[],
  notes: string[],
): Promise<VerifiedSignature[]> {
  const found: VerifiedSignature[] = [];
  for (const layer of layers) {
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE) continue;
    const signature = Buffer.from(layer.annotations?.[SIGNATURE_ANNOTATION] ?? '', 'base64');
    let payload: Buffer;
    try {
      payload = await readLayer(client, repository, layer);
    } catch (error) {
      notes.push(`a signature layer cannot be read (${(error as Error).message})`);
      continue;
    }
    const key = keyOf(keys, payload, signature);
    if (!key) {
      notes.push('a signature by another key (or over other bytes)');
      continue;
    }
    try {
      const parsed = parseSimpleSigningPayload(payload);
      const signed = parsed.critical.image['docker-manifest-digest'];
      if (signed !== digest) {
        notes.push(`a signature by ${short(key.fingerprint)} for another digest (${signed})`);
        continue;
      }
      const optional = parsed.optional ?? {};
      const signedAt = optional[SIGNED_AT];
      const runUrl = optional[SIGNED_RUN];
      found.push({
        fingerprint: key.fingerprint,
        format: 'legacy',
        location: `${client.registry}/${repository}:${artifactTag(digest, 'sig')}`,
        ...(typeof signedAt === 'string' && { signedAt }),
        ...(typeof runUrl === 'string' && { runUrl }),
      });
    } catch (error) {
      notes.push(
        `a signature by ${short(key.fingerprint)} over a payload that is not cosign's (${(error as Error).message})`,
      );
    }
  }
  return found;
}

async function checkAttestations(
  client: RegistryClient,
  repository: string,
  digest: string,
  keys: readonly VerifyKey[],
  layers: readonly StoredLayer[],
  notes: string[],
): Promise<VerifiedAttestation[]> {
  const found: VerifiedAttestation[] = [];
  for (const layer of layers) {
    if (layer.mediaType !== DSSE_MEDIA_TYPE) continue;
    const what = `an attestation${layer.annotations?.predicateType ? ` (${predicateName(layer.annotations.predicateType)})` : ''}`;
    try {
      const envelope = parseDsseEnvelope(await readLayer(client, repository, layer));
      if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
        notes.push(`${what} with payload type ${envelope.payloadType}`);
        continue;
      }
      const payload = Buffer.from(envelope.payload, 'base64');
      const signed = pae(envelope.payloadType, payload);
      const key = keys.find((k) =>
        envelope.signatures.some((s) => verifyBytes(k.publicKey, signed, Buffer.from(s.sig, 'base64'))),
      );
      if (!key) {
        notes.push(`${what} not signed by the key (another key, or altered after signing)`);
        continue;
      }
      const s = parseStatement(payload);
      if (!statementCovers(s, digest)) {
        notes.push(
          `${what} signed by ${short(key.fingerprint)} for another digest (${s.subject.map((x) => Object.entries(x.digest ?? {}).map(([a, h]) => `${a}:${h}`)).join(', ')})`,
        );
        continue;
      }
      found.push({
        predicateType: s.predicateType,
        fingerprint: key.fingerprint,
        predicate: s.predicate,
        format: 'legacy',
        location: `${client.registry}/${repository}:${artifactTag(digest, 'att')}`,
      });
    } catch (error) {
      notes.push(`${what} that cannot be read (${(error as Error).message})`);
    }
  }
  return found;
}

/** A test-result predicate counts only when its result is PASSED and it lists no failed test. */
export function testEvidence(predicate: unknown): TestEvidence {
  const p = (predicate ?? {}) as Partial<TestResultPredicate>;
  const command = testCommandOf(p as TestResultPredicate);
  return {
    result: typeof p.result === 'string' ? p.result : 'unknown',
    passed: Array.isArray(p.passedTests) ? p.passedTests.length : 0,
    failed: Array.isArray(p.failedTests) ? p.failedTests.length : 0,
    ...(typeof p.url === 'string' && p.url && { url: p.url }),
    ...(command && { command }),
  };
}

function accepted(attestation: VerifiedAttestation): boolean {
  if (attestation.predicateType !== TEST_RESULT_PREDICATE) return true;
  const evidence = testEvidence(attestation.predicate);
  return evidence.result === 'PASSED' && evidence.failed === 0;
}

/** The bundles of a digest sorted into signatures and attestations, and what did not count. */
async function checkBundles(
  client: RegistryClient,
  repository: string,
  digest: string,
  policy: VerifyPolicy,
  found: FoundBundles,
  notes: { sig: string[]; att: string[]; ignored: string[] },
): Promise<{ signatures: VerifiedSignature[]; attestations: VerifiedAttestation[] }> {
  const signatures: VerifiedSignature[] = [];
  const attestations: VerifiedAttestation[] = [];
  let manifest: Buffer | undefined;
  for (const stored of found.bundles) {
    const location = `${client.registry}/${repository}@${stored.referrer}`;
    const hinted = stored.predicateType && stored.predicateType !== COSIGN_SIGN_PREDICATE;
    const where = hinted ? notes.att : notes.sig;
    if (!stored.bytes) {
      where.push(`a bundle at ${stored.referrer} that cannot be read (${stored.error ?? 'no bytes'})`);
      continue;
    }
    // A message signature is over the manifest's own bytes: read once, only when one is there.
    if (!manifest && /"messageSignature"/.test(stored.bytes.toString('utf8')))
      manifest = (await client.getManifest(repository, digest)).bytes;
    const check = checkBundle(stored.bytes, digest, policy.keys, manifest, policy.keyless);
    if (!check.ok) {
      where.push(`${check.note} at ${stored.referrer}`);
      if (/for another digest|over another digest/.test(check.note))
        notes.ignored.push(`${location}: ${check.note}`);
      continue;
    }
    if (check.content === 'message') {
      signatures.push({ fingerprint: check.fingerprint, format: 'bundle', location });
      continue;
    }
    const s = check.statement;
    if (s.predicateType === COSIGN_SIGN_PREDICATE) {
      const annotations = subjectAnnotations(s, digest);
      const signedAt = annotations[SIGNED_AT];
      const runUrl = annotations[SIGNED_RUN];
      signatures.push({
        fingerprint: check.fingerprint,
        format: 'bundle',
        location,
        ...(typeof signedAt === 'string' && { signedAt }),
        ...(typeof runUrl === 'string' && { runUrl }),
      });
    } else {
      attestations.push({
        predicateType: s.predicateType,
        fingerprint: check.fingerprint,
        predicate: s.predicate,
        format: 'bundle',
        location,
      });
    }
  }
  for (const e of found.elsewhere) {
    notes.ignored.push(`${client.registry}/${repository}@${e}: a bundle referrer of another digest`);
  }
  return { signatures, attestations };
}

/** What was looked at, for a refusal: the legacy tag and the referrers (API or fallback tag). */
function lookedAt(digest: string, kind: 'sig' | 'att', found: FoundBundles): string {
  const referrers =
    found.through === 'referrers-api' ? 'the referrers API' : `the fallback tag ${fallbackTag(digest)}`;
  return `nothing at ${artifactTag(digest, kind)}, no Sigstore bundle${kind === 'att' ? ' attestation' : ''} in ${referrers}`;
}

/**
 * Verifies repository@digest against the policy, reading both formats: the legacy tags
 * (sha256-<hex>.sig/.att) and Sigstore bundles among its referrers, with the same rules. Never
 * throws for what it finds, only for registry errors.
 */
export async function verifyDigest(
  client: RegistryClient,
  repository: string,
  digest: string,
  policy: VerifyPolicy,
): Promise<Verification> {
  const image = `${client.registry}/${repository}`;
  const problems: string[] = [];
  const notes = { sig: [] as string[], att: [] as string[], ignored: [] as string[] };
  const needAttestations = policy.attestations.length > 0;
  const [sigLayers, attLayers, found] = await Promise.all([
    readLayers(client, repository, digest, 'sig'),
    needAttestations ? readLayers(client, repository, digest, 'att') : Promise.resolve([]),
    readBundles(client, repository, digest),
  ]);
  const legacySignatures = await checkSignatures(
    client,
    repository,
    digest,
    policy.keys,
    sigLayers,
    notes.sig,
  );
  const fromBundles = await checkBundles(client, repository, digest, policy, found, notes);
  const signatures = [...legacySignatures, ...fromBundles.signatures];
  const fingerprints = [
    ...(policy.keys.length > 0
      ? [`verify-key ${policy.keys.map((k) => short(k.fingerprint)).join(', ')}`]
      : []),
    ...(policy.keyless ? [describeKeyless(policy.keyless)] : []),
  ].join(' or ');
  if (signatures.length === 0)
    problems.push(
      sigLayers.length === 0 && notes.sig.length === 0
        ? `no signature (${lookedAt(digest, 'sig', found)})`
        : `no valid signature by ${fingerprints} (found ${notes.sig.join('; ') || 'none'})`,
    );
  const legacyAttestations = needAttestations
    ? await checkAttestations(client, repository, digest, policy.keys, attLayers, notes.att)
    : [];
  const attestations = [...legacyAttestations, ...(needAttestations ? fromBundles.attestations : [])];
  let tests: TestEvidence | undefined;
  for (const type of policy.attestations) {
    const ofType = attestations.filter((a) => a.predicateType === type);
    const good = ofType.filter(accepted);
    if (type === TEST_RESULT_PREDICATE) {
      const counted = good[good.length - 1] ?? ofType[ofType.length - 1];
      if (counted) tests = testEvidence(counted.predicate);
    }
    if (good.length > 0) continue;
    const name = predicateName(type);
    if (ofType.length > 0) {
      const e = testEvidence(ofType[ofType.length - 1]?.predicate);
      problems.push(
        `no passing ${name} attestation: the signed one says ${e.result} (${e.passed} passed, ${e.failed} failed${e.url ? `, ${e.url}` : ''})`,
      );
    } else if (attLayers.length === 0 && notes.att.length === 0) {
      problems.push(`no ${name} attestation (${lookedAt(digest, 'att', found)})`);
    } else {
      problems.push(
        `no valid ${name} attestation by ${fingerprints}${notes.att.length > 0 ? ` (found ${notes.att.join('; ')})` : ''}`,
      );
    }
  }
  return {
    image,
    digest,
    ok: problems.length === 0,
    signatures,
    attestations,
    problems,
    ignored: notes.ignored,
    ...(tests && { tests }),
  };
}

/** One line for an error: the digest and what is missing. */
export function refusal(v: Verification): string {
  return `${v.image}@${v.digest}${forHosts(v)} is not verified: ${v.problems.join('; ')}`;
}

/** " (the linux/amd64 image, run by deploy@a:22, deploy@b:22)" for a platform image verified for hosts. */
export function forHosts(v: Pick<Verification, 'platform' | 'hosts'>): string {
  if (!v.platform) return '';
  return ` (the ${v.platform} image${v.hosts?.length ? `, run by ${v.hosts.join(', ')}` : ''})`;
}

export class VerificationError extends Error {
  readonly verifications: readonly Verification[];
  constructor(verifications: readonly Verification[]) {
    super(
      `${verifications
        .filter((v) => !v.ok)
        .map(refusal)
        .join('\n')}\nnothing was changed`,
    );
    this.name = 'VerificationError';
    this.verifications = verifications;
  }
}
