/**
 * What refers to a manifest, and how a registry keeps that list: the OCI 1.1 referrers API
 * (`GET /v2/<name>/referrers/<digest>`, paginated by Link, filtered by the registry when it says
 * so in OCI-Filters-Applied), the fallback tag `sha256-<hex>` (an index of the referrers, for a
 * registry without the API), and cosign's tags `sha256-<hex>.sig`, `.att` and `.sbom` (manifests
 * without a subject, found by name only).
 */
import {
  type Manifest,
  MEDIA_TYPES,
  pullScope,
  pushScope,
  type RegistryClient,
  RegistryError,
  sha256,
} from './client';
import { putBlobBytes } from './blobs';
import { isDigest, isMediaType, isSize, parseJsonObject } from './descriptor';
import { discard, header } from './http';

export interface ReferrerDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** cosign's tags: signatures, attestations, attached SBOMs. */
export const COSIGN_SUFFIXES = ['sig', 'att', 'sbom'] as const;
export type CosignSuffix = (typeof COSIGN_SUFFIXES)[number];

const DIGEST_RE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

/** The referrers tag schema's fallback tag: `<alg>-<hex>`, truncated to the 128 characters a tag may have. */
export function fallbackTag(digest: string): string {
  const match = DIGEST_RE.exec(digest);
  if (!match) throw new Error(`not a digest: ${digest}`);
  return `${match[1]}-${match[2]}`.slice(0, 128);
}

/** cosign's tag for a digest: `sha256-<hex>.sig` (.att, .sbom). */
export function cosignTag(digest: string, suffix: CosignSuffix): string {
  const match = DIGEST_RE.exec(digest);
  if (!match) throw new Error(`not a digest: ${digest}`);
  return `${match[1]}-${match[2]}.${suffix}`;
}

interface ManifestFields {
  mediaType?: string;
  artifactType?: string;
  config?: { mediaType?: string };
  subject?: { digest?: string };
  annotations?: Record<string, string>;
  manifests?: ReferrerDescriptor[];
}

function fields(bytes: Buffer, what = 'manifest'): ManifestFields {
  return parseJsonObject(bytes, what) as ManifestFields;
}

/** The digest a manifest refers to (its `subject`), if any; one that is not a digest is none. */
export function subjectOf(bytes: Buffer): string | undefined {
  const subject = fields(bytes).subject;
  const digest = subject !== null && typeof subject === 'object' ? subject.digest : undefined;
  return isDigest(digest) ? digest : undefined;
}

/**
 * The descriptor a referrers list carries for a manifest: artifactType (else the config's media
 * type, as the spec says) and the manifest's annotations.
 */
export function referrerDescriptor(
  manifest: Pick<Manifest, 'bytes' | 'digest' | 'mediaType' | 'size'>,
): ReferrerDescriptor {
  const json = fields(manifest.bytes);
  const candidate = json.artifactType ?? (json.config !== null ? json.config?.mediaType : undefined);
  const artifactType = isMediaType(candidate) ? candidate : undefined;
  return {
    mediaType: manifest.mediaType,
    digest: manifest.digest,
    size: manifest.size,
    ...(artifactType !== undefined && { artifactType }),
    ...(json.annotations &&
      typeof json.annotations === 'object' &&
      Object.keys(json.annotations).length > 0 && { annotations: json.annotations }),
  };
}

/** The descriptors of a referrers index (an API page or a fallback tag's index). */
export function indexEntries(bytes: Buffer): ReferrerDescriptor[] {
  const json = fields(bytes);
  if (!Array.isArray(json.manifests)) throw new Error('not an index');
  // A digest is what a client reads and logs next: an entry without a valid digest, size and media
  // type (artifactType, when given) is not an entry.
  return json.manifests.filter(
    (d) =>
      d !== null &&
      typeof d === 'object' &&
      isDigest(d.digest) &&
      isSize(d.size) &&
      isMediaType(d.mediaType) &&
      (d.artifactType === undefined || isMediaType(d.artifactType)),
  );
}

/**
 * A fallback index with `add` merged in: every entry already there kept as it is and in order (other
 * tools' referrers are never dropped), the new ones appended; `added` counts them.
 */
export function mergeFallbackIndex(
  existing: Buffer | undefined,
  add: readonly ReferrerDescriptor[],
): { bytes: Buffer; added: number } {
  const json: Record<string, unknown> & { manifests: ReferrerDescriptor[] } = existing
    ? (JSON.parse(existing.toString('utf8')) as Record<string, unknown> & { manifests: ReferrerDescriptor[] })
    : { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: [] };
  if (!Array.isArray(json.manifests)) throw new Error('not an index');
  const have = new Set(json.manifests.map((d) => d.digest));
  let added = 0;
  for (const d of add) {
    if (have.has(d.digest)) continue;
    have.add(d.digest);
    json.manifests.push({ ...d });
    added += 1;
  }
  return { bytes: added === 0 && existing ? existing : Buffer.from(JSON.stringify(json)), added };
}

/**
 * Honours OCI-Filters-Applied: when an artifactType was asked for and the registry did not say it
 * filtered by it, the client filters.
 */
export function applyArtifactTypeFilter(
  entries: readonly ReferrerDescriptor[],
  artifactType: string | undefined,
  filtersApplied: string | undefined,
): ReferrerDescriptor[] {
  if (artifactType === undefined) return [...entries];
  const applied = (filtersApplied ?? '').split(',').map((f) => f.trim());
  if (applied.includes('artifactType')) return [...entries];
  return entries.filter((d) => d.artifactType === artifactType);
}

/** The next page from a Link header (`<url>; rel="next"`), resolved against the request's URL. */
export function nextLink(link: string | undefined, base: string): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match?.[1] && /rel="?next"?/.test(match[2] ?? '')) return new URL(match[1], base).toString();
  }
  return undefined;
}

/** Pages of one referrers list read at most; more is an error, not a silently short list. */
export const MAX_REFERRER_PAGES = 100;
/** Entries of one referrers list (one subject) kept at most. */
export const MAX_REFERRERS_LISTED = 1000;
/** The bytes of one referrers page (an index). */
const MAX_REFERRER_PAGE_BYTES = 4 * 1024 * 1024;

/**
 * The referrers API's list for `digest`, every page; undefined when the registry has no referrers
 * API (it answers 404, or 400/405/501 for a path it does not know).
 */
export async function listReferrers(
  client: RegistryClient,
  repository: string,
  digest: string,
  artifactType?: string,
): Promise<ReferrerDescriptor[] | undefined> {
  const base = await client.base();
  let url: string | undefined = `${base}/v2/${repository}/referrers/${digest}`;
  if (artifactType) url += `?artifactType=${encodeURIComponent(artifactType)}`;
  const entries: ReferrerDescriptor[] = [];
  const image = `${client.label}: referrers of ${repository}@${digest}`;
  for (let page = 0; url; page++) {
    if (page === MAX_REFERRER_PAGES)
      throw new RegistryError(
        `${image}: more than ${MAX_REFERRER_PAGES} pages (MAX_REFERRER_PAGES); refusing to read on`,
        0,
        undefined,
        false,
      );
    const res = await client.send({
      method: 'GET',
      path: url,
      scopes: [pullScope(repository)],
      headers: { accept: MEDIA_TYPES.ociIndex },
    });
    if ([400, 404, 405, 501].includes(res.status)) {
      discard(res);
      if (page === 0) return undefined;
      throw new RegistryError(
        `${client.label}: referrers of ${repository}@${digest}: a next page answered ${res.status}`,
        res.status,
      );
    }
    await client.expect(res, [200], `GET referrers ${repository}@${digest}`);
    const contentType = (header(res, 'content-type') ?? '').split(';')[0]?.trim();
    const body = await client.read(res, MAX_REFERRER_PAGE_BYTES, `GET referrers ${repository}@${digest}`);
    // A registry without the API may answer 200 with something else (an HTML page, its own JSON).
    if (page === 0 && contentType !== MEDIA_TYPES.ociIndex) {
      try {
        indexEntries(body);
      } catch {
        return undefined;
      }
    }
    let listed: ReferrerDescriptor[];
    try {
      listed = indexEntries(body);
    } catch (error) {
      throw new RegistryError(`${image}: ${(error as Error).message}`, 502, undefined, false);
    }
    entries.push(...applyArtifactTypeFilter(listed, artifactType, header(res, 'oci-filters-applied')));
    if (entries.length > MAX_REFERRERS_LISTED)
      throw new RegistryError(
        `${image}: more than ${MAX_REFERRERS_LISTED} referrers (MAX_REFERRERS_LISTED); refusing to read on`,
        0,
        undefined,
        false,
      );
    url = nextLink(header(res, 'link'), url);
  }
  return entries;
}

/** A fallback tag's entries; a tag of that name that is not an index lists none. */
export function fallbackEntries(manifest: Pick<Manifest, 'bytes'>): ReferrerDescriptor[] {
  try {
    return indexEntries(manifest.bytes).slice(0, MAX_REFERRERS_LISTED + 1);
  } catch {
    return [];
  }
}

/**
 * What refers to `digest`, the way the registry keeps it: its referrers API, or where it has none
 * the fallback tag (both asked at once: one round trip). With `artifactType`, only those.
 */
export async function findReferrers(
  client: RegistryClient,
  repository: string,
  digest: string,
  artifactType?: string,
): Promise<{ entries: ReferrerDescriptor[]; found: 'referrers-api' | 'fallback-tag' }> {
  const [api, fallback] = await Promise.all([
    listReferrers(client, repository, digest, artifactType),
    getManifestIfAny(client, repository, fallbackTag(digest)),
  ]);
  if (api !== undefined) return { entries: api, found: 'referrers-api' };
  const entries = fallback ? fallbackEntries(fallback) : [];
  return {
    entries: artifactType === undefined ? entries : entries.filter((e) => e.artifactType === artifactType),
    found: 'fallback-tag',
  };
}

/** A manifest by tag or digest, or undefined when there is none. */
export async function getManifestIfAny(
  client: RegistryClient,
  repository: string,
  reference: string,
): Promise<Manifest | undefined> {
  try {
    return await client.getManifest(repository, reference);
  } catch (error) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * Puts a manifest by digest and says whether the registry keeps its subject's referrers itself
 * (it answered OCI-Subject).
 */
export async function putManifestWithSubject(
  client: RegistryClient,
  repository: string,
  manifest: Pick<Manifest, 'bytes' | 'mediaType' | 'digest'>,
): Promise<{ subjectKept: boolean }> {
  const res = await client.send({
    method: 'PUT',
    path: `${repository}/manifests/${manifest.digest}`,
    scopes: [pushScope(repository)],
    headers: { 'content-type': manifest.mediaType },
    body: manifest.bytes,
  });
  await client.expect(res, [200, 201], `PUT manifest ${repository}@${manifest.digest}`);
  discard(res);
  return { subjectKept: header(res, 'oci-subject') !== undefined };
}

/** Uploads a small blob held in memory (a config); nothing when it is there. */
export async function putSmallBlob(
  client: RegistryClient,
  repository: string,
  bytes: Buffer,
): Promise<string> {
  return (await putBlobBytes(client, repository, bytes)).digest;
}

interface ImageJson {
  mediaType?: string;
  config: { mediaType: string; digest: string; size: number };
  layers: Array<{ digest: string; mediaType: string; size: number }>;
  [key: string]: unknown;
}

interface ConfigJson {
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: unknown[];
  [key: string]: unknown;
}

/** A JSON value with its object keys sorted: equal descriptors compare equal whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * The layers of `source` that `destination` lacks (cosign's .sig/.att/.sbom: one layer per
 * signature). Whole descriptors are compared: cosign's signatures of one image share the payload
 * blob (same digest) and differ in their annotations (the signature itself).
 */
export function missingLayers(destination: Buffer, source: Buffer): ImageJson['layers'] {
  const have = new Set((JSON.parse(destination.toString('utf8')) as ImageJson).layers.map(canonical));
  return (JSON.parse(source.toString('utf8')) as ImageJson).layers.filter((l) => !have.has(canonical(l)));
}

/**
 * cosign appends every signature (attestation) as one more layer of the one manifest under
 * `sha256-<hex>.sig` (`.att`); two registries' manifests of the same tag can both be right. The
 * merge keeps the destination's manifest and appends the source's layers it lacks, with the
 * config's diff_ids (and history) extended to match, as cosign itself would have appended them.
 * Returns the new manifest and config bytes.
 */
export function mergeCosignManifest(
  destination: Buffer,
  destinationConfig: Buffer,
  add: ImageJson['layers'],
): { manifest: Buffer; config: Buffer } {
  const image = JSON.parse(destination.toString('utf8')) as ImageJson;
  const config = JSON.parse(destinationConfig.toString('utf8')) as ConfigJson;
  const diffIds = config.rootfs?.diff_ids ?? [];
  const uncompressed =
    diffIds.length === image.layers.length && image.layers.every((l, i) => diffIds[i] === l.digest);
  if (!uncompressed) throw new Error('its layers are not the uncompressed ones cosign writes');
  const layers = [...image.layers, ...add];
  const history = Array.isArray(config.history)
    ? [...config.history, ...add.map(() => ({ created: '0001-01-01T00:00:00Z' }))]
    : undefined;
  const newConfig: ConfigJson = {
    ...config,
    rootfs: { ...config.rootfs, type: 'layers', diff_ids: layers.map((l) => l.digest) },
    ...(history && { history }),
  };
  const configBytes = Buffer.from(JSON.stringify(newConfig));
  const newImage: ImageJson = {
    ...image,
    config: { ...image.config, digest: sha256(configBytes), size: configBytes.length },
    layers,
  };
  return { manifest: Buffer.from(JSON.stringify(newImage)), config: configBytes };
}
