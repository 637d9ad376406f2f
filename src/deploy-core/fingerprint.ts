/**
 * A fingerprint of what a deploy configures besides the image (environment, volumes, network,
 * health command): redeploying the same digest with another configuration — a rotated secret — is a
 * change, the same configuration is not. Stored as a label (`dev.slipway.config`) that anyone who
 * can run `docker inspect` on the host reads, so it is keyed: an HMAC-SHA256 whose key is the
 * SHA-256 of the deploy's SSH private key. Without the key the label cannot be used to test guesses
 * of a secret value; with the same key (deploys of the same service) it is stable. A new SSH key
 * changes every fingerprint once: the next deploy recreates what it deploys.
 */
import { createHash, createHmac } from 'node:crypto';

/** The key of a deploy's configuration fingerprints, from its SSH private key. */
export function fingerprintKey(privateKey: string): Buffer {
  return createHash('sha256').update(`slipway-config-fingerprint\n${privateKey.trim()}`).digest();
}

/** The canonical JSON of `value` (object keys sorted). */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** HMAC-SHA256 of the canonical JSON of `value` under `key`. */
export function fingerprint(value: unknown, key: Buffer): string {
  return `hmac-sha256:${createHmac('sha256', key).update(canonical(value)).digest('hex')}`;
}

/** A deploy's configuration fingerprint: its environment (order does not matter) and other settings. */
export function configFingerprint(
  key: Buffer,
  env: ReadonlyArray<readonly [string, string]>,
  other: Readonly<Record<string, unknown>> = {},
): string {
  return fingerprint({ env: env.map(([k, v]) => `${k}=${v}`).sort(), ...other }, key);
}
