/**
 * Signing, attesting and verifying as operations: after a push (push-registry, the root action),
 * before a promotion or a deploy changes anything, and on their own (slipway sign, attest, verify).
 */
import { readGitContext, runUrl } from '../github/context';
import { InputError, type Inputs } from '../common/inputs';
import { formatReference, parseReference, repositoryName, type ImageReference } from '../common/reference';
import type { Credentials } from '../registry/credentials';
import type { RegistryClient } from '../registry/client';
import { clientFor, resolveDigest } from '../registry/resolve';
import { Code, facts, heading, table } from '../common/summary';
import type { Outcome, Reporter } from '../common/reporter';
import { readReports } from '../test-in-container/run-tests';
import { summarizeJUnit } from '../test-in-container/junit';
import { platformMatches } from '../test-in-container/platform';
import { isIndex, platformImages } from '../registry/image-tree';
import { TEST_RESULT_PREDICATE, testResultPredicate, type TestRun } from './formats';
import type { SigningKey } from './keys';
import {
  readSignatureFormat,
  readSigningKey,
  readTestReportInputs,
  readVerifyPolicy,
  type TestReportInputs,
} from './inputs';
import { attestDigest, signDigest } from './sign';
import {
  predicateName,
  refusal,
  type SignatureFormat,
  type Verification,
  VerificationError,
  verifyDigest,
  type VerifyPolicy,
} from './verify';

/** Keeps the signing secrets out of every log (first thing an operation that reads them does). */
export function maskSigningInputs(inputs: Inputs, report: Reporter): void {
  report.mask(inputs.string('sign-key'));
  report.mask(inputs.string('sign-key-password'));
}

/** The test run a report (JUnit file or directory), exit code and command describe, with this run's URL. */
export function testRunOf(source: TestReportInputs): TestRun {
  const junit = source.report ? summarizeJUnit(readReports(source.report)) : undefined;
  const url = runUrl(readGitContext());
  return {
    ...(source.exitCode !== undefined && { exitCode: source.exitCode }),
    passedTests: junit?.passedNames ?? [],
    failedTests: junit?.failures.map((f) => (f.classname ? `${f.classname}.${f.name}` : f.name)) ?? [],
    ...(source.command && { command: source.command }),
    ...(url && { url }),
  };
}

export interface SignedImage {
  readonly image: string;
  readonly digest: string;
  readonly signature: string;
  readonly attestation?: string;
  readonly result?: string;
}

/** Signs repository@digest and, with a test run, attests it; returns where both are stored. */
export async function signAndAttest(
  client: RegistryClient,
  repository: string,
  digest: string,
  key: SigningKey,
  tests: TestRun | undefined,
  report: Reporter,
  format: SignatureFormat = 'bundle',
): Promise<SignedImage> {
  const image = `${client.registry}/${repository}`;
  const url = runUrl(readGitContext());
  const signed = await signDigest(client, repository, digest, key, { ...(url && { runUrl: url }) }, format);
  report.info(
    `${signed.added ? 'Signed' : 'Already signed by this key:'} ${image}@${digest} (key ${key.fingerprint.slice(0, 19)}) → ${signed.location}`,
  );
  if (!tests) return { image, digest, signature: signed.location };
  const predicate = testResultPredicate(tests);
  const attested = await attestDigest(
    client,
    repository,
    digest,
    key,
    TEST_RESULT_PREDICATE,
    predicate,
    format,
  );
  report.info(
    `${attested.added ? 'Attested' : 'Already attested:'} test result ${predicate.result} (${tests.passedTests.length} passed, ${tests.failedTests.length} failed) → ${attested.location}`,
  );
  return {
    image,
    digest,
    signature: signed.location,
    attestation: attested.location,
    result: predicate.result,
  };
}

export function signedSummary(signed: readonly SignedImage[], key: SigningKey, title = 'Signed'): string[] {
  return [
    heading(title),
    table(
      ['Image', 'Signature', 'Test-result attestation'],
      signed.map((s) => [
        new Code(`${s.image}@${s.digest}`),
        new Code(s.signature),
        s.attestation ? `${s.result} — ${new Code(s.attestation).text}` : '—',
      ]),
    ),
    facts([['Key fingerprint', new Code(key.fingerprint)]]),
  ];
}

/** After a push: signs (and attests) every repository@digest pushed. */
export async function signPushed(
  key: SigningKey,
  refs: readonly string[],
  tests: TestReportInputs | undefined,
  credentialsFor: (registry: string) => Credentials | undefined,
  report: Reporter,
  format: SignatureFormat = 'bundle',
): Promise<Outcome> {
  const run = tests ? testRunOf(tests) : undefined;
  if (!run) report.info('No test report or exit code given: the image is signed, its tests are not attested');
  const signed: SignedImage[] = [];
  for (const text of refs) {
    const ref = parseReference(text);
    const credentials = credentialsFor(ref.registry);
    const client = clientFor(ref.registry, credentials ? { credentials } : {});
    signed.push(await signAndAttest(client, ref.repository, ref.digest as string, key, run, report, format));
  }
  return {
    outputs: {
      signature: signed.map((s) => s.signature).join('\n'),
      attestation: signed
        .map((s) => s.attestation ?? '')
        .filter(Boolean)
        .join('\n'),
    },
    summary: signedSummary(signed, key),
  };
}

/** One platform's tests, as test-in-container reported them (its `results` output). */
export interface PlatformTests {
  readonly platform: string;
  readonly tests: TestReportInputs;
}

/**
 * After a multi-platform index is pushed: each platform manifest whose platform was tested gets its
 * own signature and test-result attestation (subject: that manifest's digest; result: that
 * platform's run), so a host that resolves the index to its platform finds what was tested there.
 */
export async function signPlatforms(
  key: SigningKey,
  refs: readonly string[],
  platforms: readonly PlatformTests[],
  credentialsFor: (registry: string) => Credentials | undefined,
  report: Reporter,
  format: SignatureFormat = 'bundle',
): Promise<SignedImage[]> {
  const signed: SignedImage[] = [];
  if (platforms.length === 0) return signed;
  for (const text of refs) {
    const ref = parseReference(text);
    const credentials = credentialsFor(ref.registry);
    const client = clientFor(ref.registry, credentials ? { credentials } : {});
    const index = await client.getManifest(ref.repository, ref.digest as string);
    if (!isIndex(index)) continue;
    for (const image of platformImages(index)) {
      const tested = platforms.find((p) => platformMatches(image.platform, p.platform));
      if (!tested) {
        report.warning(
          `${repositoryName(ref)}@${image.digest} (${image.platform}) was not tested: not attested`,
        );
        continue;
      }
      report.info(`${image.platform}: ${repositoryName(ref)}@${image.digest}`);
      signed.push(
        await signAndAttest(
          client,
          ref.repository,
          image.digest,
          key,
          testRunOf(tested.tests),
          report,
          format,
        ),
      );
    }
  }
  return signed;
}

export interface ImageToVerify {
  readonly client: RegistryClient;
  readonly repository: string;
  readonly digest: string;
}

/**
 * The images a host may run: each image, and when test results are required and it is an index,
 * each of its platform manifests too (a host's engine resolves the index to its platform's manifest,
 * whose own signature and test-result attestation must be there: an attested index is not a tested
 * arm64 image).
 */
export async function withPlatformManifests(
  images: readonly ImageToVerify[],
  policy: VerifyPolicy,
): Promise<ImageToVerify[]> {
  if (!policy.attestations.includes(TEST_RESULT_PREDICATE)) return [...images];
  const expanded: ImageToVerify[] = [];
  for (const image of images) {
    expanded.push(image);
    const manifest = await image.client.getManifest(image.repository, image.digest);
    if (!isIndex(manifest)) continue;
    for (const platform of platformImages(manifest))
      expanded.push({ client: image.client, repository: image.repository, digest: platform.digest });
  }
  return expanded;
}

/** Verifies every image; throws VerificationError (naming each digest and what is missing) unless all pass. */
export async function verifyAll(
  images: readonly ImageToVerify[],
  policy: VerifyPolicy,
  log: (line: string) => void,
): Promise<Verification[]> {
  const results: Verification[] = [];
  for (const i of images) {
    const v = await verifyDigest(i.client, i.repository, i.digest, policy);
    log(v.ok ? `Verified ${describe(v)}` : refusal(v));
    for (const line of v.ignored) log(`Ignored (names another digest) ${line}`);
    results.push(v);
  }
  if (results.some((v) => !v.ok)) throw new VerificationError(results);
  return results;
}

/** "repo@digest: signed by … at …; tests …" of a verification that passed. */
export function describe(v: Verification): string {
  const signature = v.signatures[0];
  return [
    `${v.image}@${v.digest}: signed by ${signature?.fingerprint.slice(0, 19) ?? '?'} (${signature?.format === 'bundle' ? 'Sigstore bundle' : 'legacy .sig'} ${signature?.location ?? ''})`,
    signature?.signedAt ? ` at ${signature.signedAt}` : '',
    v.tests
      ? `; tests ${v.tests.result} (${v.tests.passed} passed, ${v.tests.failed} failed)${v.tests.url ? ` in ${v.tests.url}` : ''}`
      : '',
  ].join('');
}

export function verificationSummary(verifications: readonly Verification[]): string[] {
  if (verifications.length === 0) return [];
  return [
    heading('Verified before any change'),
    table(
      ['Image', 'Result', 'Key fingerprint', 'Signed at', 'Attestations', 'Tests', 'Test run'],
      verifications.map((v) => [
        new Code(`${v.image}@${v.digest}`),
        v.ok ? 'verified' : `refused: ${v.problems.join('; ')}`,
        v.signatures[0] ? new Code(v.signatures[0].fingerprint) : '—',
        v.signatures[0]?.signedAt ?? 'not recorded (signed without a transparency log)',
        [...new Set(v.attestations.map((a) => predicateName(a.predicateType)))].join(', ') || '—',
        v.tests ? `${v.tests.result}: ${v.tests.passed} passed, ${v.tests.failed} failed` : '—',
        v.tests?.url ?? '—',
      ]),
    ),
  ];
}

/** Registry credentials of the CLI commands: username/password for the image's registry. */
function clientOf(inputs: Inputs, ref: ImageReference): RegistryClient {
  const username = inputs.line('username');
  const password = inputs.string('password');
  if (username && !password) throw new InputError('password', 'is required when username is given');
  return clientFor(ref.registry, username ? { credentials: { username, password } } : {});
}

async function resolveImage(
  inputs: Inputs,
): Promise<{ ref: ImageReference; digest: string; client: RegistryClient }> {
  const text = inputs.line('image');
  if (!text) throw new InputError('image', 'is required (registry/repository:tag or @sha256:…)');
  let ref: ImageReference;
  try {
    ref = parseReference(text);
  } catch (error) {
    throw new InputError('image', (error as Error).message);
  }
  const client = clientOf(inputs, ref);
  const username = inputs.line('username');
  const digest = await resolveDigest(
    ref,
    username ? { credentials: { username, password: inputs.string('password') } } : {},
  );
  if (!digest) throw new Error(`${formatReference(ref)} does not exist in its registry`);
  return { ref, digest, client };
}

/** slipway sign: signs an image (by tag or digest) with sign-key. */
export async function runSign(inputs: Inputs, report: Reporter): Promise<Outcome> {
  maskSigningInputs(inputs, report);
  report.mask(inputs.string('password'));
  const key = readSigningKey(inputs);
  if (!key) throw new InputError('sign-key', 'is required');
  const tests = readTestReportInputs(inputs);
  const format = readSignatureFormat(inputs);
  const { ref, digest, client } = await resolveImage(inputs);
  const signed = await signAndAttest(
    client,
    ref.repository,
    digest,
    key,
    tests && testRunOf(tests),
    report,
    format,
  );
  return {
    outputs: { digest, signature: signed.signature, attestation: signed.attestation ?? '' },
    summary: signedSummary([signed], key),
  };
}

/** slipway attest: attests an image's test results (test-report, test-exit-code, test-command). */
export async function runAttest(inputs: Inputs, report: Reporter): Promise<Outcome> {
  maskSigningInputs(inputs, report);
  report.mask(inputs.string('password'));
  const key = readSigningKey(inputs);
  if (!key) throw new InputError('sign-key', 'is required');
  const tests = readTestReportInputs(inputs);
  if (!tests)
    throw new InputError('test-report', 'is required (or test-exit-code): the test results to attest');
  const format = readSignatureFormat(inputs);
  const { ref, digest, client } = await resolveImage(inputs);
  const run = testRunOf(tests);
  const predicate = testResultPredicate(run);
  const attested = await attestDigest(
    client,
    ref.repository,
    digest,
    key,
    TEST_RESULT_PREDICATE,
    predicate,
    format,
  );
  report.info(
    `${attested.added ? 'Attested' : 'Already attested:'} ${predicate.result} → ${attested.location}`,
  );
  return {
    outputs: { digest, attestation: attested.location, result: predicate.result },
    summary: [
      heading('Attested'),
      facts([
        ['Image', new Code(`${repositoryName(ref)}@${digest}`)],
        ['Result', `${predicate.result}: ${run.passedTests.length} passed, ${run.failedTests.length} failed`],
        ['Stored at', new Code(attested.location)],
        ['Key fingerprint', new Code(key.fingerprint)],
      ]),
    ],
  };
}

/** slipway verify IMAGE: the image's signature and required attestations, by verify-key. */
export async function runVerify(inputs: Inputs, report: Reporter): Promise<Outcome> {
  report.mask(inputs.string('password'));
  const policy = readVerifyPolicy(inputs);
  if (!policy) throw new InputError('verify-key', 'is required');
  const { ref, digest, client } = await resolveImage(inputs);
  const v = await verifyDigest(client, ref.repository, digest, policy);
  report.info(v.ok ? `Verified ${describe(v)}` : refusal(v));
  for (const line of v.ignored) report.warning(`Ignored (names another digest) ${line}`);
  return {
    outputs: {
      digest,
      verified: String(v.ok),
      verification: JSON.stringify(v),
    },
    summary: verificationSummary([v]),
    ...(!v.ok && { error: refusal(v) }),
  };
}
