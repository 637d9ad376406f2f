/**
 * The documents cosign signs and stores, byte for byte: the simple-signing payload of an image
 * signature, the in-toto statement with the test-result predicate, and the DSSE envelope with its
 * pre-authentication encoding (PAE). Pure functions: no keys, no registry.
 */

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';
export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const TEST_RESULT_PREDICATE = 'https://in-toto.io/attestation/test-result/v0.1';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
/** Annotations Slipway adds inside the signed payload's `optional` part. */
export const SIGNED_AT = 'dev.slipway.signed-at';
export const SIGNED_RUN = 'dev.slipway.run-url';

/** Short names for `require-attestations`. */
export const PREDICATE_ALIASES: Readonly<Record<string, string>> = {
  'test-result': TEST_RESULT_PREDICATE,
};

export interface SimpleSigningPayload {
  readonly critical: {
    readonly identity: { readonly 'docker-reference': string };
    readonly image: { readonly 'docker-manifest-digest': string };
    readonly type: string;
  };
  readonly optional: Readonly<Record<string, unknown>> | null;
}

/** The payload cosign signs for an image (key order as cosign writes it). */
export function simpleSigningPayload(
  repository: string,
  digest: string,
  optional: Readonly<Record<string, string>> = {},
): Buffer {
  const payload: SimpleSigningPayload = {
    critical: {
      identity: { 'docker-reference': repository },
      image: { 'docker-manifest-digest': digest },
      type: SIMPLE_SIGNING_TYPE,
    },
    optional: Object.keys(optional).length > 0 ? optional : null,
  };
  return Buffer.from(JSON.stringify(payload));
}

export function parseSimpleSigningPayload(bytes: Buffer): SimpleSigningPayload {
  const parsed = JSON.parse(bytes.toString('utf8')) as Partial<SimpleSigningPayload>;
  if (
    parsed?.critical?.type !== SIMPLE_SIGNING_TYPE ||
    typeof parsed.critical.image?.['docker-manifest-digest'] !== 'string'
  )
    throw new Error('not a cosign simple-signing payload');
  return parsed as SimpleSigningPayload;
}

/** DSSE's pre-authentication encoding: what is actually signed. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `),
    type,
    Buffer.from(` ${payload.length} `),
    payload,
  ]);
}

export interface DsseEnvelope {
  readonly payloadType: string;
  readonly payload: string;
  readonly signatures: ReadonlyArray<{ readonly keyid: string; readonly sig: string }>;
}

export function dsseEnvelope(payloadType: string, payload: Buffer, signature: Buffer, keyid = ''): Buffer {
  const envelope: DsseEnvelope = {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid, sig: signature.toString('base64') }],
  };
  return Buffer.from(JSON.stringify(envelope));
}

export function parseDsseEnvelope(bytes: Buffer): DsseEnvelope {
  const parsed = JSON.parse(bytes.toString('utf8')) as Partial<DsseEnvelope>;
  if (
    typeof parsed?.payloadType !== 'string' ||
    typeof parsed.payload !== 'string' ||
    !Array.isArray(parsed.signatures)
  )
    throw new Error('not a DSSE envelope');
  return parsed as DsseEnvelope;
}

export interface Statement {
  readonly _type: string;
  readonly subject: ReadonlyArray<{
    readonly name: string;
    readonly digest: Readonly<Record<string, string>>;
  }>;
  readonly predicateType: string;
  readonly predicate: unknown;
}

export function statement(
  repository: string,
  digest: string,
  predicateType: string,
  predicate: unknown,
): Buffer {
  const [algorithm, hex] = digest.split(':') as [string, string];
  const s: Statement = {
    _type: STATEMENT_TYPE,
    subject: [{ name: repository, digest: { [algorithm]: hex } }],
    predicateType,
    predicate,
  };
  return Buffer.from(JSON.stringify(s));
}

export function parseStatement(bytes: Buffer): Statement {
  const parsed = JSON.parse(bytes.toString('utf8')) as Partial<Statement>;
  if (!Array.isArray(parsed?.subject) || typeof parsed.predicateType !== 'string')
    throw new Error('not an in-toto statement');
  return parsed as Statement;
}

/** Whether a statement's subjects include the digest (sha256:<hex>). */
export function statementCovers(s: Statement, digest: string): boolean {
  const [algorithm, hex] = digest.split(':') as [string, string];
  return s.subject.some((subject) => subject.digest?.[algorithm] === hex);
}

export interface TestResultPredicate {
  readonly result: 'PASSED' | 'WARNED' | 'FAILED';
  readonly configuration?: ReadonlyArray<Record<string, unknown>>;
  readonly url?: string;
  readonly passedTests?: readonly string[];
  readonly warnedTests?: readonly string[];
  readonly failedTests?: readonly string[];
}

export interface TestRun {
  /** The test container's exit code (undefined when unknown: then the report alone decides). */
  readonly exitCode?: number;
  readonly passedTests: readonly string[];
  readonly failedTests: readonly string[];
  readonly command?: string;
  readonly url?: string;
}

/** The test-result predicate of a run: PASSED only with exit code 0 (when known) and no failed test. */
export function testResultPredicate(run: TestRun): TestResultPredicate {
  const failed = run.failedTests.length > 0 || (run.exitCode !== undefined && run.exitCode !== 0);
  return {
    result: failed ? 'FAILED' : 'PASSED',
    ...(run.command && {
      configuration: [
        {
          name: 'test-command',
          annotations: {
            command: run.command,
            ...(run.exitCode !== undefined && { exitCode: run.exitCode }),
          },
        },
      ],
    }),
    ...(run.url && { url: run.url }),
    passedTests: run.passedTests,
    warnedTests: [],
    failedTests: run.failedTests,
  };
}

/** The command a test-result predicate records (Slipway's configuration entry), if any. */
export function testCommandOf(predicate: TestResultPredicate): string | undefined {
  const entry = predicate.configuration?.find((c) => c.name === 'test-command');
  const command = (entry?.annotations as { command?: unknown } | undefined)?.command;
  return typeof command === 'string' ? command : undefined;
}
