/** The signing and verification inputs, shared by push, the root action, promote, deploy and the CLI. */
import { existsSync } from 'node:fs';
import { InputError, type Inputs } from '../common/inputs';
import { KeyError, parsePrivateKey, parsePublicKeys, type SigningKey } from './keys';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import { predicateTypeOf, type SignatureFormat, type VerifyPolicy } from './verify';
import type { KeylessPolicy } from './bundle';

const TRUSTED_ROOT_MEDIA_PREFIX = 'application/vnd.dev.sigstore.trustedroot';

/** `sign-key` (+ `sign-key-password`), opened before anything runs; undefined when not signing. */
export function readSigningKey(inputs: Inputs): SigningKey | undefined {
  const text = inputs.string('sign-key');
  const password = inputs.string('sign-key-password');
  if (!text) {
    if (password) throw new InputError('sign-key', 'is required when sign-key-password is given');
    return undefined;
  }
  try {
    return parsePrivateKey(text, password);
  } catch (error) {
    if (error instanceof KeyError)
      throw new InputError(/password/.test(error.message) ? 'sign-key-password' : 'sign-key', error.message);
    throw error;
  }
}

/**
 * `signature-format`: bundle (the default, as cosign v3: Sigstore bundles as OCI referrers) or
 * legacy (cosign v1/v2's sha256-<hex>.sig/.att tags, for verifiers that read only those).
 */
export function readSignatureFormat(inputs: Inputs): SignatureFormat {
  const value = inputs.line('signature-format') || 'bundle';
  if (value !== 'bundle' && value !== 'legacy')
    throw new InputError(
      'signature-format',
      `${JSON.stringify(value)} is not known: bundle (cosign v3's Sigstore bundles) or legacy (cosign v2's .sig/.att tags)`,
    );
  return value;
}

/**
 * The keyless half of the policy: `trusted-root` (a Sigstore trusted_root.json: the certificate
 * authorities, transparency logs and CT logs to trust), `certificate-identity` (or
 * `certificate-identity-regexp`) and `certificate-oidc-issuer`, as cosign names them, and
 * `require-transparency-log`. Undefined when none is given.
 */
export function readKeylessPolicy(inputs: Inputs): KeylessPolicy | undefined {
  const root = inputs.string('trusted-root');
  const identity = inputs.line('certificate-identity');
  const pattern = inputs.line('certificate-identity-regexp');
  const issuer = inputs.line('certificate-oidc-issuer');
  if (!root) {
    if (identity || pattern || issuer)
      throw new InputError(
        'trusted-root',
        'is required with certificate-identity and certificate-oidc-issuer (the trust root their certificates must chain to)',
      );
    return undefined;
  }
  if (identity && pattern)
    throw new InputError('certificate-identity', 'give it or certificate-identity-regexp, not both');
  if (!identity && !pattern)
    throw new InputError(
      'certificate-identity',
      'is required with trusted-root (or certificate-identity-regexp): whose certificates count, e.g. https://github.com/<org>/<repo>/.github/workflows/<file>@refs/heads/main',
    );
  if (!issuer)
    throw new InputError(
      'certificate-oidc-issuer',
      'is required with trusted-root, e.g. https://token.actions.githubusercontent.com',
    );
  let regexp: RegExp | undefined;
  if (pattern) {
    try {
      regexp = new RegExp(pattern);
    } catch (error) {
      throw new InputError('certificate-identity-regexp', (error as Error).message);
    }
  }
  let trustMaterial: KeylessPolicy['trustMaterial'];
  try {
    const json = JSON.parse(root) as { mediaType?: unknown };
    if (typeof json?.mediaType !== 'string' || !json.mediaType.startsWith(TRUSTED_ROOT_MEDIA_PREFIX))
      throw new Error(`its mediaType is ${JSON.stringify(json?.mediaType)}`);
    trustMaterial = toTrustMaterial(TrustedRoot.fromJSON(json));
  } catch (error) {
    throw new InputError(
      'trusted-root',
      `is not a Sigstore trusted_root.json (${(error as Error).message}); give the file's content`,
    );
  }
  return {
    trustMaterial,
    identity: regexp ?? identity,
    issuer,
    requireLog: inputs.boolean('require-transparency-log', true),
  };
}

/**
 * `verify-key` and/or the keyless policy, and `require-attestations`; undefined when neither a
 * key nor a trust root is given (nothing is verified).
 */
export function readVerifyPolicy(inputs: Inputs): VerifyPolicy | undefined {
  const text = inputs.string('verify-key');
  const attestations = inputs.list('require-attestations', { commas: true }).map(predicateTypeOf);
  for (const type of attestations) {
    if (!/^https?:\/\/\S+$/.test(type))
      throw new InputError(
        'require-attestations',
        `${JSON.stringify(type)} is not known: test-result, or a predicate type URI`,
      );
  }
  const keyless = readKeylessPolicy(inputs);
  if (!text && !keyless) {
    if (attestations.length > 0)
      throw new InputError(
        'verify-key',
        'is required with require-attestations (the key they must be signed with), or trusted-root with certificate-identity',
      );
    return undefined;
  }
  try {
    return {
      keys: text ? parsePublicKeys(text) : [],
      attestations,
      ...(keyless && { keyless }),
    };
  } catch (error) {
    if (error instanceof KeyError) throw new InputError('verify-key', error.message);
    throw error;
  }
}

/** What a test-result attestation is made from: a JUnit report path, an exit code, the command. */
export interface TestReportInputs {
  readonly report?: string;
  readonly exitCode?: number;
  readonly command?: string;
}

export function readTestReportInputs(inputs: Inputs): TestReportInputs | undefined {
  const report = inputs.line('test-report');
  const code = inputs.line('test-exit-code');
  const command = inputs.string('test-command');
  if (!report && !code) return undefined;
  if (report && !existsSync(report))
    throw new InputError('test-report', `${JSON.stringify(report)} does not exist`);
  let exitCode: number | undefined;
  if (code) {
    if (!/^\d{1,3}$/.test(code))
      throw new InputError('test-exit-code', `${JSON.stringify(code)} is not an exit code`);
    exitCode = Number(code);
  }
  return {
    ...(report && { report }),
    ...(exitCode !== undefined && { exitCode }),
    ...(command && { command }),
  };
}
