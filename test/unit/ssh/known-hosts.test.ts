import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hostName, KnownHosts, keyType } from '../../../src/ssh/known-hosts';

/** An ssh-ed25519 public key blob (string "ssh-ed25519", then the 32-byte key). */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const type = Buffer.from('ssh-ed25519');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(type.length);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(raw.length);
  return Buffer.concat([head, type, len, raw]);
}

function hashed(name: string): string {
  const salt = Buffer.from('0123456789abcdefghij');
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

describe('KnownHosts', () => {
  const a = ed25519Blob();
  const b = ed25519Blob();
  const text = [
    '# pinned keys',
    `web1.example.com,10.0.0.5 ssh-ed25519 ${a.toString('base64')} ops@example`,
    `[127.0.10.1]:2222 ssh-ed25519 ${b.toString('base64')}`,
    `${hashed('[secret.example.com]:2200')} ssh-ed25519 ${a.toString('base64')}`,
    `*.internal,!bad.internal ssh-rsa ${a.toString('base64')}`,
  ].join('\n');
  const known = KnownHosts.parse(text);

  it('accepts the pinned key for plain, bracketed, hashed and wildcard entries', () => {
    expect(known.verify('web1.example.com', 22, a)).toEqual({ ok: true });
    expect(known.verify('10.0.0.5', 22, a)).toEqual({ ok: true });
    expect(known.verify('127.0.10.1', 2222, b)).toEqual({ ok: true });
    expect(known.verify('secret.example.com', 2200, a)).toEqual({ ok: true });
    expect(known.verify('db.internal', 22, a)).toEqual({ ok: true });
  });

  it('refuses a different key, naming the mismatch', () => {
    const verdict = known.verify('web1.example.com', 22, b);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.reason).toContain('HOST KEY MISMATCH for web1.example.com');
  });

  it('refuses unknown hosts and the right host on another port', () => {
    expect(known.verify('other.example.com', 22, a)).toMatchObject({ ok: false });
    expect(known.verify('127.0.10.1', 22, b)).toMatchObject({ ok: false });
    expect(known.verify('secret.example.com', 22, a)).toMatchObject({ ok: false });
    expect(known.verify('bad.internal', 22, a)).toMatchObject({ ok: false });
  });

  it('refuses revoked keys even when pinned', () => {
    const revoked = KnownHosts.parse(`${text}\n@revoked * ssh-ed25519 ${a.toString('base64')}`);
    const verdict = revoked.verify('web1.example.com', 22, a);
    expect(!verdict.ok && verdict.reason).toContain('@revoked');
  });

  it('offers only the pinned host key algorithms', () => {
    expect(known.algorithmsFor('127.0.10.1', 2222)).toEqual(['ssh-ed25519']);
    expect(known.algorithmsFor('db.internal')).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(known.algorithmsFor('nowhere')).toEqual([]);
  });

  it('names malformed lines', () => {
    expect(() => KnownHosts.parse('host ssh-ed25519')).toThrow('known-hosts line 1');
    expect(() => KnownHosts.parse('\nhost ssh-ed25519 not$base64')).toThrow('known-hosts line 2');
    expect(() => KnownHosts.parse('@weird host ssh-ed25519 AAAA')).toThrow('unknown marker');
  });

  it('reads the key type from a blob and formats host names like OpenSSH', () => {
    expect(keyType(a)).toBe('ssh-ed25519');
    expect(hostName('h', 22)).toBe('h');
    expect(hostName('h', 2222)).toBe('[h]:2222');
  });
});
