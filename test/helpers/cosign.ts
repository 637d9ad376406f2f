/**
 * cosign v2.6.5 as the outside judge of signatures and test-result attestations: run in a key
 * directory (its cwd and HOME, so `cosign.pub` names a key there), keys only, no transparency log
 * (the lab is offline).
 */
import { execFile } from 'node:child_process';
import { TEST_RESULT_PREDICATE } from '../../src/supply-chain/formats';

export interface CosignRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs cosign in `dir` with only PATH, HOME=dir and `env` in its environment. */
export function runCosign(
  binary: string,
  dir: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CosignRun> {
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** `cosign verify` of ref's signature by `key` (a file in the key directory). */
export const verifyArgs = (ref: string, key = 'cosign.pub'): string[] => [
  'verify',
  '--key',
  key,
  '--insecure-ignore-tlog=true',
  ref,
];

/** `cosign verify-attestation` of ref's test-result attestation by `key`. */
export const verifyTestResultArgs = (ref: string, key = 'cosign.pub'): string[] => [
  'verify-attestation',
  '--key',
  key,
  '--type',
  TEST_RESULT_PREDICATE,
  '--insecure-ignore-tlog=true',
  ref,
];

/** The in-toto statement of the first envelope `cosign verify-attestation` printed. */
export function statementOf(stdout: string): {
  subject: Array<{ digest: { sha256: string } }>;
  predicate: Record<string, unknown>;
} {
  const envelope = JSON.parse(stdout.trim().split('\n')[0] as string) as { payload: string };
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
}
