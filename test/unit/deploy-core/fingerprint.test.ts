import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configFingerprint, fingerprintKey } from '../../../src/deploy-core/fingerprint';

const KEY_A = '-----BEGIN OPENSSH PRIVATE KEY-----\naaa\n-----END OPENSSH PRIVATE KEY-----';
const KEY_B = '-----BEGIN OPENSSH PRIVATE KEY-----\nbbb\n-----END OPENSSH PRIVATE KEY-----';

describe('configuration fingerprint', () => {
  it('is keyed: stable for one SSH key, different for another, and no plain hash of the values', () => {
    const env: Array<[string, string]> = [
      ['B', '2'],
      ['PIN', '1234'],
    ];
    const keyA = fingerprintKey(KEY_A);
    const a = configFingerprint(keyA, env, { healthCmd: '' });
    expect(a).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(configFingerprint(keyA, [...env].reverse(), { healthCmd: '' })).toBe(a);
    expect(
      configFingerprint(
        keyA,
        [
          ['B', '2'],
          ['PIN', '1235'],
        ],
        { healthCmd: '' },
      ),
    ).not.toBe(a);
    // Whoever reads the label cannot test guesses of PIN with a plain hash.
    const unkeyed = createHash('sha256')
      .update(JSON.stringify({ env: ['B=2', 'PIN=1234'], healthCmd: '' }))
      .digest('hex');
    expect(a).not.toContain(unkeyed);
    expect(configFingerprint(fingerprintKey(KEY_B), env, { healthCmd: '' })).not.toBe(a);
    expect(configFingerprint(fingerprintKey(KEY_A), env, { healthCmd: '' })).toBe(a);
  });
});
