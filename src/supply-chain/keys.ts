/**
 * Signing and verification keys in the formats cosign reads and writes: public keys as PEM
 * (SubjectPublicKeyInfo), private keys as cosign's encrypted format ("ENCRYPTED SIGSTORE PRIVATE
 * KEY", older "ENCRYPTED COSIGN PRIVATE KEY": scrypt and NaCl secretbox over a PKCS#8 key) or as
 * plain PEM (PKCS#8, SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY"). Signatures follow sigstore's
 * defaults: ECDSA with SHA-256 (P-256), SHA-384 (P-384), SHA-512 (P-521), ASN.1 DER; RSA PKCS#1 v1.5
 * with SHA-256; Ed25519 over the message itself.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  scryptSync,
  sign as cryptoSign,
  verify as cryptoVerify,
} from 'node:crypto';
import nacl from 'tweetnacl';

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

const ENCRYPTED_TYPES = ['ENCRYPTED SIGSTORE PRIVATE KEY', 'ENCRYPTED COSIGN PRIVATE KEY'];
const PLAIN_TYPES = ['PRIVATE KEY', 'EC PRIVATE KEY', 'RSA PRIVATE KEY'];

export interface PemBlock {
  readonly type: string;
  readonly body: Buffer;
  readonly text: string;
}

/** Every PEM block of a text, in order (other text between blocks is ignored). */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (const m of text.matchAll(re)) {
    const type = m[1] as string;
    const base64 = (m[2] as string).replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    blocks.push({ type, body: Buffer.from(base64, 'base64'), text: m[0] });
  }
  return blocks;
}

/** The hash sigstore signs with for a key ('' for Ed25519, which signs the message). */
export function hashFor(key: KeyObject): 'sha256' | 'sha384' | 'sha512' | null {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return null;
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'sha384';
    if (curve === 'secp521r1') return 'sha512';
    if (curve === 'prime256v1') return 'sha256';
    throw new KeyError(`EC curve ${curve ?? 'unknown'} is not one cosign signs with (P-256, P-384, P-521)`);
  }
  if (type === 'rsa') return 'sha256';
  throw new KeyError(`${type ?? 'unknown'} keys are not supported (ECDSA, RSA or Ed25519)`);
}

interface EncryptedKey {
  kdf: { name: string; params: { N: number; r: number; p: number }; salt: string };
  cipher: { name: string; nonce: string };
  ciphertext: string;
}

/** Opens cosign's encrypted private key: scrypt(password, salt, N, r, p) → 32-byte secretbox key. */
export function decryptCosignKey(body: Buffer, password: string): Buffer {
  let parsed: EncryptedKey;
  try {
    parsed = JSON.parse(body.toString('utf8')) as EncryptedKey;
  } catch {
    throw new KeyError('the encrypted private key is not cosign JSON');
  }
  if (parsed.kdf?.name !== 'scrypt' || parsed.cipher?.name !== 'nacl/secretbox')
    throw new KeyError(
      `the encrypted private key uses ${parsed.kdf?.name}/${parsed.cipher?.name}, not scrypt/nacl/secretbox`,
    );
  const { N, r, p } = parsed.kdf.params;
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 2 ** 20 || r > 32 || p > 16)
    throw new KeyError('the encrypted private key has out-of-range scrypt parameters');
  const key = scryptSync(password, Buffer.from(parsed.kdf.salt, 'base64'), 32, {
    N,
    r,
    p,
    maxmem: 256 * N * r + 1024 * 1024,
  });
  const opened = nacl.secretbox.open(
    new Uint8Array(Buffer.from(parsed.ciphertext, 'base64')),
    new Uint8Array(Buffer.from(parsed.cipher.nonce, 'base64')),
    new Uint8Array(key),
  );
  key.fill(0);
  if (!opened) throw new KeyError('wrong password for the encrypted private key (sign-key-password)');
  return Buffer.from(opened);
}

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** sha256:<hex> of the public key's DER (SubjectPublicKeyInfo). */
  readonly fingerprint: string;
}

/** A private key from PEM text; the password opens cosign's encrypted format. Errors never show the key. */
export function parsePrivateKey(text: string, password = ''): SigningKey {
  const blocks = pemBlocks(text);
  const block = blocks.find((b) => ENCRYPTED_TYPES.includes(b.type) || PLAIN_TYPES.includes(b.type));
  if (!block) {
    const types = blocks.map((b) => b.type);
    throw new KeyError(
      types.length > 0
        ? `no private key in it (found ${types.join(', ')}); give the cosign.key file or a PEM private key`
        : 'not a PEM private key (-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY----- or -----BEGIN PRIVATE KEY-----)',
    );
  }
  let privateKey: KeyObject;
  try {
    if (ENCRYPTED_TYPES.includes(block.type)) {
      const der = decryptCosignKey(block.body, password);
      try {
        privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
      } finally {
        der.fill(0);
      }
    } else {
      privateKey = createPrivateKey({ key: block.text, format: 'pem' });
    }
  } catch (error) {
    if (error instanceof KeyError) throw error;
    throw new KeyError(
      `the ${block.type} cannot be read (${(error as { code?: string }).code ?? 'invalid'})`,
    );
  }
  hashFor(privateKey);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: fingerprint(publicKey) };
}

export interface VerifyKey {
  readonly publicKey: KeyObject;
  readonly fingerprint: string;
  readonly pem: string;
}

/** One or more public keys (PEM "PUBLIC KEY" blocks) from a text. */
export function parsePublicKeys(text: string): VerifyKey[] {
  const blocks = pemBlocks(text);
  if (blocks.some((b) => ENCRYPTED_TYPES.includes(b.type) || PLAIN_TYPES.includes(b.type)))
    throw new KeyError('it holds a private key: give the public key (cosign.pub), never the private one');
  const keys = blocks
    .filter((b) => b.type === 'PUBLIC KEY' || b.type === 'RSA PUBLIC KEY')
    .map((b): VerifyKey => {
      let publicKey: KeyObject;
      try {
        publicKey = createPublicKey({ key: b.text, format: 'pem' });
      } catch {
        throw new KeyError(`a ${b.type} block cannot be read`);
      }
      hashFor(publicKey);
      return { publicKey, fingerprint: fingerprint(publicKey), pem: publicKeyPem(publicKey) };
    });
  if (keys.length === 0) throw new KeyError('no PEM public key in it (-----BEGIN PUBLIC KEY-----)');
  return keys;
}

export function publicKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'spki' }).toString();
}

export function fingerprint(key: KeyObject): string {
  return `sha256:${createHash('sha256')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest('hex')}`;
}

/** A signature as sigstore makes it (DER ECDSA, PKCS#1 v1.5 RSA, or Ed25519). */
export function signBytes(key: SigningKey, data: Buffer): Buffer {
  return cryptoSign(hashFor(key.privateKey), data, key.privateKey);
}

export function verifyBytes(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return cryptoVerify(hashFor(key), data, key, signature);
  } catch {
    return false;
  }
}
