/**
 * A fingerprint of what a deploy configures besides the image (environment, volumes, network,
 * health command): redeploying the same digest with another configuration — a rotated secret — is a
 * change, the same configuration is not. Stored as a label; it reveals nothing `docker inspect`
 * does not show to whoever can run it on the host.
 */
import { createHash } from 'node:crypto';

/** sha256 of the canonical JSON of `value` (object keys sorted). */
export function fingerprint(value: unknown): string {
  const canonical = JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** A deploy's configuration fingerprint: its environment (order does not matter) and other settings. */
export function configFingerprint(
  env: ReadonlyArray<readonly [string, string]>,
  other: Readonly<Record<string, unknown>> = {},
): string {
  return fingerprint({ env: env.map(([k, v]) => `${k}=${v}`).sort(), ...other });
}
