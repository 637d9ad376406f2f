/**
 * Referrers travel with the image: everything that refers to a copied manifest — OCI 1.1
 * referrers (a manifest with `subject`), found through the source's referrers API or, where it has
 * none, its `sha256-<hex>` fallback tag; and cosign's `sha256-<hex>.sig`, `.att` and `.sbom` tags —
 * recursively (the signature of an attestation), written at the destination the way it supports.
 *
 * At the destination:
 * - a referrer with `subject` is put by digest; a registry that answers OCI-Subject keeps the list
 *   itself, any other gets the fallback tag `sha256-<hex>` of the subject, merged (entries already
 *   there are kept, ours appended);
 * - a cosign tag is put under the same tag. When the destination's tag holds another manifest,
 *   the destination's signatures are never dropped: if it has every layer (signature) of the
 *   source's, nothing changes; otherwise the source's missing layers are appended to the
 *   destination's manifest (cosign's own append), and the source's manifest is put by digest too,
 *   so what refers to it still resolves.
 *
 * Slipway's own promotion records (supply-chain/promotion.ts) are not carried onward: each says how
 * the image reached the registry it is in, so a production registry holds the records of the
 * promotions into it, and the referrer counts are those of the signatures, attestations and SBOMs.
 */
import { type Manifest, type RegistryClient, RegistryError } from '../registry/client';
import { runPool } from '../common/pool';
import { isDigest } from '../registry/descriptor';
import { type ImageTree, readImageTree } from '../registry/image-tree';
import {
  COSIGN_SUFFIXES,
  cosignTag,
  type CosignSuffix,
  fallbackTag,
  findReferrers,
  getManifestIfAny,
  listReferrers,
  mergeCosignManifest,
  mergeFallbackIndex,
  missingLayers,
  putManifestWithSubject,
  putSmallBlob,
  type ReferrerDescriptor,
  referrerDescriptor,
  subjectOf,
} from '../registry/referrers';
import { isPromotionRecord, PROMOTION_ARTIFACT_TYPE } from '../supply-chain/promotion';
import { pullScope } from '../registry/client';

export type FoundThrough = 'referrers-api' | 'fallback-tag' | 'cosign-tag';

export interface Referrer {
  /** The digest it refers to. */
  readonly subject: string;
  readonly tree: ImageTree;
  readonly found: FoundThrough;
  /** The cosign tag (source and destination), for found = cosign-tag. */
  readonly tag?: string;
  /** artifactType (else the config's media type), or "cosign signature" / "attestation" / "SBOM". */
  readonly type: string;
}

/**
 * What was (or in a dry run would be) done at the destination: present (nothing to do), copy
 * (manifest put), register (manifest there, added to the fallback tag), merge (cosign tag merged).
 */
export type ReferrerAction = 'present' | 'copy' | 'register' | 'merge';

/**
 * Bounds of referrer discovery for one image, so a registry cannot make it endless or exhaust
 * memory: how deep referrers of referrers go, how many there are in all, and the bytes of their
 * manifests held together.
 */
export const MAX_REFERRER_DEPTH = 8;
export const MAX_REFERRERS = 1000;
export const MAX_REFERRER_BYTES = 64 * 1024 * 1024;
/** Referrer manifests fetched at once. */
const REFERRER_FETCH_CONCURRENCY = 8;

const COSIGN_TYPES: Record<CosignSuffix, string> = {
  sig: 'cosign signature',
  att: 'cosign attestation',
  sbom: 'cosign SBOM',
};

async function referrersOf(client: RegistryClient, repository: string, digest: string): Promise<Referrer[]> {
  // All at once (one round trip): the fallback tag is read only to be used when there is no API.
  const [{ entries: listed, found }, ...cosign] = await Promise.all([
    findReferrers(client, repository, digest),
    ...COSIGN_SUFFIXES.map((suffix) => getManifestIfAny(client, repository, cosignTag(digest, suffix))),
  ]);
  // Promotion records stay where they were written: each says how the image reached that registry.
  const entries = listed.filter((e) => !isPromotionRecord(e));
  const manifests = await runPool(
    entries.map((e) => () => getManifestIfAny(client, repository, e.digest)),
    REFERRER_FETCH_CONCURRENCY,
  );
  const out: Referrer[] = [];
  for (const [i, manifest] of manifests.entries()) {
    // An entry whose manifest is gone (a stale fallback index) has nothing to copy; one whose
    // subject is another manifest is not a referrer of this one, whatever the list says.
    if (!manifest || subjectOf(manifest.bytes) !== digest) continue;
    const entry = entries[i] as ReferrerDescriptor;
    const type = referrerDescriptor(manifest).artifactType ?? entry.artifactType ?? manifest.mediaType;
    if (type === PROMOTION_ARTIFACT_TYPE) continue;
    out.push({
      subject: digest,
      tree: await readImageTree(client, repository, manifest),
      found,
      // The manifest's own artifactType first: some registries list the config's media type instead.
      type,
    });
  }
  for (const [i, manifest] of cosign.entries()) {
    if (!manifest) continue;
    const suffix = COSIGN_SUFFIXES[i] as CosignSuffix;
    out.push({
      subject: digest,
      tree: await readImageTree(client, repository, manifest),
      found: 'cosign-tag',
      tag: cosignTag(digest, suffix),
      type: COSIGN_TYPES[suffix],
    });
  }
  return out;
}

/**
 * Everything referring to `digests` in the source repository, recursively, each once, within
 * MAX_REFERRER_DEPTH, MAX_REFERRERS and MAX_REFERRER_BYTES (an error names the limit and `image`).
 */
export async function discoverReferrers(
  client: RegistryClient,
  repository: string,
  digests: readonly string[],
  image = `${repository}@${digests.at(-1) ?? ''}`,
): Promise<Referrer[]> {
  const seen = new Set(digests);
  const listed = new Set<string>();
  const out: Referrer[] = [];
  let bytes = 0;
  const limit = (what: string) =>
    new RegistryError(
      `${client.label}: ${image} has ${what}; refusing to copy its referrers`,
      0,
      undefined,
      false,
    );
  let queue = [...digests];
  for (let depth = 1; queue.length > 0; depth++) {
    if (depth > MAX_REFERRER_DEPTH)
      throw limit(`referrers more than ${MAX_REFERRER_DEPTH} deep (MAX_REFERRER_DEPTH)`);
    const found = await runPool(
      queue.map((d) => () => referrersOf(client, repository, d)),
      REFERRER_FETCH_CONCURRENCY,
    );
    queue = [];
    for (const referrer of found.flat()) {
      const key = `${referrer.tree.root.digest}|${referrer.tag ?? ''}`;
      if (listed.has(key)) continue;
      listed.add(key);
      out.push(referrer);
      if (out.length > MAX_REFERRERS) throw limit(`more than ${MAX_REFERRERS} referrers (MAX_REFERRERS)`);
      bytes += referrer.tree.manifests.reduce((sum, m) => sum + m.bytes.length, 0);
      if (bytes > MAX_REFERRER_BYTES)
        throw limit(`more than ${MAX_REFERRER_BYTES} bytes of referrer manifests (MAX_REFERRER_BYTES)`);
      if (!seen.has(referrer.tree.root.digest)) {
        seen.add(referrer.tree.root.digest);
        queue.push(referrer.tree.root.digest);
      }
    }
  }
  return out;
}

export interface ReferrerTarget {
  readonly source: RegistryClient;
  readonly sourceRepository: string;
  readonly destination: RegistryClient;
  readonly destinationRepository: string;
  readonly dryRun: boolean;
  /** Per subject digest: the destination's referrers API list (undefined: it has none). */
  readonly apiLists: Map<string, Promise<ReferrerDescriptor[] | undefined>>;
}

async function putMissingChildren(target: ReferrerTarget, tree: ImageTree): Promise<void> {
  for (const manifest of tree.manifests) {
    if (manifest.digest === tree.root.digest) continue;
    if (await target.destination.headManifest(target.destinationRepository, manifest.digest)) continue;
    await target.destination.putManifest(target.destinationRepository, manifest.digest, manifest);
  }
}

/** Adds `manifest` to the destination's fallback tag of `subject`; false when it was listed already. */
async function registerInFallbackTag(
  target: ReferrerTarget,
  subject: string,
  manifest: Manifest,
): Promise<boolean> {
  const tag = fallbackTag(subject);
  const existing = await getManifestIfAny(target.destination, target.destinationRepository, tag);
  let merged: { bytes: Buffer; added: number };
  try {
    merged = mergeFallbackIndex(existing?.bytes, [referrerDescriptor(manifest)]);
  } catch {
    throw new Error(
      `${target.destination.label}: ${target.destinationRepository}:${tag} is not a referrers index (${existing?.mediaType}); it was left as it is`,
    );
  }
  if (merged.added === 0) return false;
  if (!target.dryRun)
    await target.destination.putManifest(target.destinationRepository, tag, {
      bytes: merged.bytes,
      mediaType: existing?.mediaType || 'application/vnd.oci.image.index.v1+json',
    });
  return true;
}

/**
 * Puts a manifest that may have a subject (a referrer promoted by its own digest): a destination
 * that does not answer OCI-Subject gets it in the subject's fallback tag.
 */
export async function putManifestKeepingSubject(
  destination: RegistryClient,
  repository: string,
  manifest: Manifest,
): Promise<void> {
  const subject = subjectOf(manifest.bytes);
  if (!subject) {
    await destination.putManifest(repository, manifest.digest, manifest);
    return;
  }
  const { subjectKept } = await putManifestWithSubject(destination, repository, manifest);
  if (!subjectKept)
    await registerInFallbackTag(
      { destination, destinationRepository: repository, dryRun: false } as ReferrerTarget,
      subject,
      manifest,
    );
}

function apiList(target: ReferrerTarget, subject: string): Promise<ReferrerDescriptor[] | undefined> {
  let list = target.apiLists.get(subject);
  if (!list) {
    list = listReferrers(target.destination, target.destinationRepository, subject);
    target.apiLists.set(subject, list);
  }
  return list;
}

async function writeSubjectReferrer(
  target: ReferrerTarget,
  referrer: Referrer,
  known: boolean | undefined,
): Promise<ReferrerAction> {
  const root = referrer.tree.root;
  const subject = subjectOf(root.bytes) ?? referrer.subject;
  const present =
    known ?? (await target.destination.headManifest(target.destinationRepository, root.digest)) !== undefined;
  if (!present) {
    if (target.dryRun) return 'copy';
    await putMissingChildren(target, referrer.tree);
    const { subjectKept } = await putManifestWithSubject(
      target.destination,
      target.destinationRepository,
      root,
    );
    if (!subjectKept) await registerInFallbackTag(target, subject, root);
    target.apiLists.delete(subject);
    return 'copy';
  }
  const listed = await apiList(target, subject);
  // A registry with the referrers API keeps the list itself once the manifest is there.
  if (listed !== undefined) return 'present';
  return (await registerInFallbackTag(target, subject, root)) ? 'register' : 'present';
}

async function readConfig(client: RegistryClient, repository: string, manifest: Manifest): Promise<Buffer> {
  const digest = (JSON.parse(manifest.bytes.toString('utf8')) as { config?: { digest?: unknown } }).config
    ?.digest;
  if (!isDigest(digest)) throw new Error('it has no config');
  const res = await client.send({
    method: 'GET',
    path: `${repository}/blobs/${digest}`,
    scopes: [pullScope(repository)],
  });
  await client.expect(res, [200], `GET blob ${repository}@${digest}`);
  return client.read(res, 4 * 1024 * 1024, `GET blob ${repository}@${digest}`);
}

async function writeCosignTag(target: ReferrerTarget, referrer: Referrer): Promise<ReferrerAction> {
  const tag = referrer.tag as string;
  const root = referrer.tree.root;
  const dst = target.destination;
  const repo = target.destinationRepository;
  const current = await dst.headManifest(repo, tag);
  if (current?.digest === root.digest) return 'present';
  if (!current) {
    if (target.dryRun) return 'copy';
    await putMissingChildren(target, referrer.tree);
    await dst.putManifest(repo, tag, root);
    return 'copy';
  }
  const theirs = await dst.getManifest(repo, tag);
  let merged: { manifest: Buffer; config: Buffer } | undefined;
  try {
    const add = missingLayers(theirs.bytes, root.bytes);
    if (add.length === 0) return 'present';
    if (target.dryRun) return 'merge';
    merged = mergeCosignManifest(theirs.bytes, await readConfig(dst, repo, theirs), add);
  } catch (error) {
    throw new Error(
      `${dst.label}: ${repo}:${tag} holds ${theirs.digest}, the source has ${root.digest}, and they cannot be merged (${error instanceof Error ? error.message : String(error)}); the destination's ${tag} was left as it is and nothing was tagged`,
    );
  }
  // The source's own manifest too, by digest: what refers to it (a signature of an attestation) resolves.
  if (!(await dst.headManifest(repo, root.digest))) await dst.putManifest(repo, root.digest, root);
  await putSmallBlob(dst, repo, merged.config);
  await dst.putManifest(repo, tag, { bytes: merged.manifest, mediaType: theirs.mediaType });
  return 'merge';
}

/**
 * Writes one referrer at the destination (or, in a dry run, says what it would do); `present`:
 * whether its manifest is already there by digest, when the caller knows.
 */
export function writeReferrer(
  target: ReferrerTarget,
  referrer: Referrer,
  present?: boolean,
): Promise<ReferrerAction> {
  return referrer.found === 'cosign-tag'
    ? writeCosignTag(target, referrer)
    : writeSubjectReferrer(target, referrer, present);
}
