import { createHash, generateKeyPairSync, randomBytes, scryptSync } from 'node:crypto';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import {
  dsseEnvelope,
  pae,
  parseDsseEnvelope,
  parseSimpleSigningPayload,
  parseStatement,
  simpleSigningPayload,
  statement,
  statementCovers,
  TEST_RESULT_PREDICATE,
  testCommandOf,
  testResultPredicate,
} from '../../../src/supply-chain/formats';
import {
  fingerprint,
  parsePrivateKey,
  parsePublicKeys,
  publicKeyPem,
  signBytes,
  verifyBytes,
} from '../../../src/supply-chain/keys';
import { Inputs } from '../../../src/common/inputs';
import { readSigningKey, readVerifyPolicy } from '../../../src/supply-chain/inputs';
import { testEvidence } from '../../../src/supply-chain/verify';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('cosign simple-signing payload', () => {
  it('is the JSON cosign writes, key for key and in order', () => {
    expect(simpleSigningPayload('127.0.0.1:5000/team/app', DIGEST).toString()).toBe(
      `{"critical":{"identity":{"docker-reference":"127.0.0.1:5000/team/app"},"image":{"docker-manifest-digest":"${DIGEST}"},"type":"cosign container image signature"},"optional":null}`,
    );
  });
  it('carries Slipway annotations in optional, and reads back', () => {
    const bytes = simpleSigningPayload('r/a', DIGEST, {
      'dev.slipway.signed-at': '2026-12-01T00:00:00.000Z',
    });
    const parsed = parseSimpleSigningPayload(bytes);
    expect(parsed.critical.image['docker-manifest-digest']).toBe(DIGEST);
    expect(parsed.optional).toEqual({ 'dev.slipway.signed-at': '2026-12-01T00:00:00.000Z' });
  });
  it('refuses a payload of another type', () => {
    expect(() => parseSimpleSigningPayload(Buffer.from('{"critical":{"type":"x"}}'))).toThrow(
      /simple-signing/,
    );
  });
});

describe('DSSE', () => {
  it('PAE is the spec example byte for byte', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).toBe(
      'DSSEv1 29 http://example.com/HelloWorld 11 hello world',
    );
  });
  it('PAE counts bytes, not characters', () => {
    expect(pae('t', Buffer.from('é')).toString()).toBe('DSSEv1 1 t 2 é');
  });
  it('an envelope holds the payload in base64 and reads back', () => {
    const env = parseDsseEnvelope(
      dsseEnvelope('application/vnd.in-toto+json', Buffer.from('{}'), Buffer.from([1, 2])),
    );
    expect(env).toEqual({
      payloadType: 'application/vnd.in-toto+json',
      payload: 'e30=',
      signatures: [{ keyid: '', sig: 'AQI=' }],
    });
  });
});

describe('in-toto statement and test-result predicate', () => {
  it('names the digest as subject', () => {
    const s = parseStatement(statement('r/a', DIGEST, TEST_RESULT_PREDICATE, { result: 'PASSED' }));
    expect(s._type).toBe('https://in-toto.io/Statement/v1');
    expect(s.subject).toEqual([{ name: 'r/a', digest: { sha256: 'ab'.repeat(32) } }]);
    expect(statementCovers(s, DIGEST)).toBe(true);
    expect(statementCovers(s, `sha256:${'cd'.repeat(32)}`)).toBe(false);
  });
  it('PASSED only with exit code 0 and no failed test', () => {
    const base = {
      passedTests: ['a'],
      failedTests: [] as string[],
      command: './t.sh',
      url: 'https://x/run/1',
    };
    const ok = testResultPredicate({ ...base, exitCode: 0 });
    expect(ok).toMatchObject({
      result: 'PASSED',
      passedTests: ['a'],
      failedTests: [],
      url: 'https://x/run/1',
    });
    expect(testCommandOf(ok)).toBe('./t.sh');
    expect(testResultPredicate({ ...base, exitCode: 1 }).result).toBe('FAILED');
    expect(testResultPredicate({ ...base, failedTests: ['b'] }).result).toBe('FAILED');
    expect(testResultPredicate({ ...base }).result).toBe('PASSED');
  });
  it('evidence counts the tests and keeps the run URL', () => {
    expect(
      testEvidence(testResultPredicate({ passedTests: ['a', 'b'], failedTests: ['c'], url: 'u' })),
    ).toEqual({
      result: 'FAILED',
      passed: 2,
      failed: 1,
      url: 'u',
    });
  });
});

function encryptLikeCosign(pkcs8: Buffer, password: string, N = 1024): string {
  const salt = randomBytes(32);
  const nonce = randomBytes(24);
  const key = scryptSync(password, salt, 32, { N, r: 8, p: 1 });
  const box = nacl.secretbox(new Uint8Array(pkcs8), new Uint8Array(nonce), new Uint8Array(key));
  const json = JSON.stringify({
    kdf: { name: 'scrypt', params: { N, r: 8, p: 1 }, salt: salt.toString('base64') },
    cipher: { name: 'nacl/secretbox', nonce: nonce.toString('base64') },
    ciphertext: Buffer.from(box).toString('base64'),
  });
  const body = Buffer.from(json).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${body}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
}

describe('keys', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pkcs8 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
  const pub = publicKey.export({ format: 'pem', type: 'spki' }).toString();

  it('reads PKCS#8 and SEC1 PEM private keys; the fingerprint is sha256 of the public key DER', () => {
    const a = parsePrivateKey(pkcs8);
    const b = parsePrivateKey(sec1);
    const der = publicKey.export({ format: 'der', type: 'spki' });
    expect(a.fingerprint).toBe(`sha256:${createHash('sha256').update(der).digest('hex')}`);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(publicKeyPem(a.publicKey)).toBe(pub);
  });
  it("opens cosign's encrypted format with the password, and names the password input when wrong", () => {
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    const encrypted = encryptLikeCosign(der, 'pw');
    expect(parsePrivateKey(encrypted, 'pw').fingerprint).toBe(fingerprint(publicKey));
    expect(() => parsePrivateKey(encrypted, 'nope')).toThrow(/wrong password/);
    expect(() =>
      readSigningKey(new Inputs((n) => ({ 'sign-key': encrypted, 'sign-key-password': 'nope' })[n])),
    ).toThrow(/input "sign-key-password": wrong password/);
  });
  it('refuses a public key as sign-key and a private key as verify-key, never echoing them', () => {
    expect(() => readSigningKey(new Inputs((n) => ({ 'sign-key': pub })[n]))).toThrow(
      /input "sign-key": no private key/,
    );
    let message = '';
    try {
      readVerifyPolicy(new Inputs((n) => ({ 'verify-key': pkcs8 })[n]));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/input "verify-key": it holds a private key/);
    expect(message).not.toContain(pkcs8.split('\n')[1]);
  });
  it('reads several public keys and maps test-result to its predicate type', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      format: 'pem',
      type: 'spki',
    });
    const policy = readVerifyPolicy(
      new Inputs(
        (n) => ({ 'verify-key': `${pub}\n${other.toString()}`, 'require-attestations': 'test-result' })[n],
      ),
    );
    expect(policy?.keys).toHaveLength(2);
    expect(policy?.attestations).toEqual([TEST_RESULT_PREDICATE]);
    expect(() =>
      readVerifyPolicy(new Inputs((n) => ({ 'verify-key': pub, 'require-attestations': 'tests' })[n])),
    ).toThrow(/require-attestations/);
    expect(() => readVerifyPolicy(new Inputs((n) => ({ 'require-attestations': 'test-result' })[n]))).toThrow(
      /input "verify-key": is required/,
    );
    expect(parsePublicKeys(pub)[0]?.fingerprint).toBe(fingerprint(publicKey));
  });
  it('signs and verifies with ECDSA P-256, RSA and Ed25519; another key or other bytes fail', () => {
    for (const [type, options] of [
      ['ec', { namedCurve: 'P-384' }],
      ['rsa', { modulusLength: 2048 }],
      ['ed25519', {}],
    ] as const) {
      const pair = generateKeyPairSync(type as 'ec', options as { namedCurve: string });
      const key = parsePrivateKey(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
      const sig = signBytes(key, Buffer.from('payload'));
      expect(verifyBytes(key.publicKey, Buffer.from('payload'), sig)).toBe(true);
      expect(verifyBytes(key.publicKey, Buffer.from('payloaD'), sig)).toBe(false);
      expect(verifyBytes(publicKey, Buffer.from('payload'), sig)).toBe(false);
    }
  });
});
