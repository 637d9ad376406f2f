/** The signing and verification inputs, shared by push, the root action, promote, deploy and the CLI. */
import { existsSync } from 'node:fs';
import { InputError, type Inputs } from '../common/inputs';
import { KeyError, parsePrivateKey, parsePublicKeys, type SigningKey } from './keys';
import { predicateTypeOf, type SignatureFormat, type VerifyPolicy } from './verify';

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

/** `verify-key` and `require-attestations`; undefined when no key is given (nothing is verified). */
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
  if (!text) {
    if (attestations.length > 0)
      throw new InputError(
        'verify-key',
        'is required with require-attestations (the key they must be signed with)',
      );
    return undefined;
  }
  try {
    return { keys: parsePublicKeys(text), attestations };
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
