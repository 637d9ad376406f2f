/**
 * What a registry says about content, checked before it is used: a digest goes into URL paths,
 * tags, file names and log lines, a size decides how many bytes are sent, a media type becomes a
 * Content-Type header. A hostile or broken registry can put anything in a manifest, so every
 * descriptor is validated once, where the manifest is parsed, and nothing downstream re-checks.
 * Pure functions; the errors say what was wrong (the bad value shown printable, never raw).
 */
import { printable } from '../common/text';

/** The digest algorithms a client can verify, and their hex lengths (OCI image spec). */
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/** A media type as RFC 6838 names one (type/subtype, restricted characters, 127 each), no parameters. */
const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** A descriptor's fields once checked. */
export interface Descriptor {
  readonly digest: string;
  readonly size: number;
  readonly mediaType?: string;
}

/** A manifest or descriptor a registry sent that cannot be used as it is. */
export class InvalidContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidContentError';
  }
}

/** The value as one safe, short log fragment: JSON for what is not a string. */
export function shown(value: unknown): string {
  if (typeof value === 'string') return `"${printable(value, 80)}"`;
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return printable(text, 80);
}

export function isDigest(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const colon = value.indexOf(':');
  const length = DIGEST_HEX_LENGTH[value.slice(0, colon)];
  return (
    length !== undefined && value.length === colon + 1 + length && /^[a-f0-9]+$/.test(value.slice(colon + 1))
  );
}

export function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && MEDIA_TYPE_RE.test(value);
}

/** A digest, or an error naming `what` and the value. */
export function checkDigest(value: unknown, what: string): string {
  if (!isDigest(value))
    throw new InvalidContentError(
      `${what}: digest ${shown(value)} is not sha256:<64 hex> or sha512:<128 hex>`,
    );
  return value;
}

/** A media type (a Content-Type's parameters dropped), or an error naming `what` and the value. */
export function checkMediaType(value: unknown, what: string): string {
  if (!isMediaType(value))
    throw new InvalidContentError(`${what}: media type ${shown(value)} is not a media type`);
  return value;
}

/**
 * A descriptor ({digest, size, mediaType?}) checked: `what` names where it was found
 * ("layers[2]"). Other fields are left as they are, for the caller to read.
 */
export function checkDescriptor<T extends object = Descriptor>(value: unknown, what: string): T & Descriptor {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidContentError(`${what}: ${shown(value)} is not a descriptor`);
  const d = value as { digest?: unknown; size?: unknown; mediaType?: unknown };
  checkDigest(d.digest, what);
  if (!isSize(d.size))
    throw new InvalidContentError(
      `${what}: size ${shown(d.size)} is not a non-negative whole number of bytes`,
    );
  if (d.mediaType !== undefined) checkMediaType(d.mediaType, what);
  return value as T & Descriptor;
}

/** Checks an optional array of descriptors (`manifests`, `layers`). */
export function checkDescriptors<T extends object = Descriptor>(
  value: unknown,
  what: string,
): Array<T & Descriptor> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new InvalidContentError(`${what}: ${shown(value)} is not a list`);
  return value.map((d, i) => checkDescriptor<T>(d, `${what}[${i}]`));
}

/** A JSON object from registry bytes, or an error naming `what` (no bare JSON.parse message). */
export function parseJsonObject(bytes: Buffer, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new InvalidContentError(
      `${what} is not valid JSON (${printable(error instanceof Error ? error.message : String(error), 120)})`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new InvalidContentError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
