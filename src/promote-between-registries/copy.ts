/**
 * Promotion: copying one image, or a set of images, between registries over the distribution
 * API with digests preserved. Every image is copied (blobs, then manifests bottom-up) before any
 * tag moves, so production never sees half a set; an existing tag that points elsewhere is a
 * conflict unless overwriting is allowed; what is already there is skipped, so a rerun after a
 * failure converges.
 */
import { formatReference, type ImageReference, repositoryName } from '../common/reference';
import { blobExists, mountBlob, streamBlob } from '../registry/blobs';
import { isRetryableError, type Manifest, type RegistryClient, RegistryError } from '../registry/client';
import { type BlobRef, type ImageTree, isIndex, readImageTree, selectPlatform } from '../registry/image-tree';
import { isMutableTag } from '../common/mutable-tags';
import { runPool } from '../common/pool';
import { TagConflictError } from '../registry/resolve';
import { retry } from '../common/retry';
import type { ReferrerDescriptor } from '../registry/referrers';
import {
  discoverReferrers,
  type FoundThrough,
  type Referrer,
  type ReferrerAction,
  putManifestKeepingSubject,
  writeReferrer,
} from './referrers';
import { writePromotionRecord } from './record';

export interface PromotePair {
  readonly source: ImageReference;
  /** Repository only. */
  readonly destination: ImageReference;
  readonly tags: readonly string[];
  readonly expectedDigest?: string;
}

export interface PromoteOptions {
  /** Lets an existing tag move to another digest, when it is a mutable tag. */
  readonly allowOverwrite: boolean;
  /** Patterns of the tags that may move (with allowOverwrite); every other tag never moves. */
  readonly mutableTags: readonly string[];
  readonly allPlatforms: boolean;
  /** Platform kept when allPlatforms is false. */
  readonly platform: string;
  readonly concurrency: number;
  readonly dryRun: boolean;
  /** Copy everything referring to each copied manifest (OCI referrers, cosign tags), recursively. */
  readonly referrers: boolean;
  /**
   * Cancels the promotion: no transfer starts after it is aborted, those running are aborted (the
   * clients should share it, so their requests are), and no tag or record is written.
   */
  readonly signal?: AbortSignal;
  /**
   * Who promotes: each image copied (not one already complete at the destination, nor in a dry
   * run) gets a promotion record there naming the run. None without it.
   */
  readonly record?: PromotionContext;
}

export interface PromotionContext {
  readonly runUrl: string;
  readonly actor: string;
  readonly now: () => Date;
}

/** Gives the client for a registry in its role (credentials differ between source and destination). */
export interface Clients {
  source(registry: string): RegistryClient;
  destination(registry: string): RegistryClient;
}

export type BlobAction = 'skip' | 'mount' | 'copy';

export type PromoteEvent =
  | { kind: 'resolved'; source: string; digest: string; manifests: number; blobs: number }
  | { kind: 'up-to-date'; destination: string; digest: string }
  | { kind: 'blob'; action: BlobAction; destination: string; digest: string; size: number; ms: number }
  | { kind: 'manifest'; destination: string; digest: string }
  | { kind: 'tag'; destination: string; tag: string; digest: string; previous?: string; dryRun: boolean }
  | { kind: 'referrers-found'; source: string; count: number }
  | ({ kind: 'referrer'; dryRun: boolean } & PlannedReferrer)
  | { kind: 'promotion-record'; destination: string; subject: string; digest: string; written: boolean }
  | { kind: 'promotion-record-failed'; destination: string; subject: string; error: string };

/** A referrer and what was (or in a dry run would be) done with it at the destination. */
export interface PlannedReferrer {
  readonly destination: string;
  /** The digest it refers to. */
  readonly subject: string;
  readonly digest: string;
  /** artifactType, or the cosign kind. */
  readonly type: string;
  readonly found: FoundThrough;
  /** The cosign tag it travels under. */
  readonly tag?: string;
  readonly action: ReferrerAction;
}

export interface PlannedBlob {
  readonly destination: string;
  readonly digest: string;
  readonly size: number;
  readonly action: BlobAction;
}

export interface PromoteResult {
  readonly images: ReadonlyArray<{
    source: string;
    destination: string;
    digest: string;
    ref: string;
    tags: readonly string[];
  }>;
  /** Blobs streamed, mounted and bytes streamed: always 0 in a dry run (a plan copies nothing). */
  readonly blobsCopied: number;
  readonly blobsMounted: number;
  readonly blobsSkipped: number;
  readonly bytesCopied: number;
  /** The plan's figures: what a run copies and mounts (what it did, or in a dry run would do). */
  readonly blobsToCopy: number;
  readonly blobsToMount: number;
  readonly bytesToCopy: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
  /** The plan: every blob and what was (or, in a dry run, would be) done with it. */
  readonly plan: readonly PlannedBlob[];
  readonly tagsMoved: number;
  /** Referrers written at the destinations (0 in a dry run); those already there are not counted. */
  readonly referrersCopied: number;
  /** Referrers a run writes (what it did, or in a dry run would do). */
  readonly referrersToCopy: number;
  /** Every referrer found and what was (would be) done with it. */
  readonly referrers: readonly PlannedReferrer[];
  /** The promotion records at the destinations (written, or found from an earlier try of this run). */
  readonly promotionRecords: ReadonlyArray<{
    destination: string;
    subject: string;
    digest: string;
    written: boolean;
  }>;
}

/** Refuses moving `tag` from `current` to `wanted` unless allowed and the tag is mutable. */
function checkTagMove(
  options: PromoteOptions,
  destination: string,
  tag: string,
  current: string,
  wanted: string,
): void {
  if (current === wanted) return;
  const mutable = isMutableTag(tag, options.mutableTags);
  if (!options.allowOverwrite || !mutable)
    throw new TagConflictError(
      destination,
      tag,
      current,
      wanted,
      mutable ? undefined : 'it is not one of the mutable-tags, so it never moves, even with allow-overwrite',
    );
}

interface Job {
  readonly pair: PromotePair;
  readonly tree: ImageTree;
  readonly srcClient: RegistryClient;
  readonly dstClient: RegistryClient;
  /** Tags already pointing at the digest. */
  readonly tagsInPlace: ReadonlySet<string>;
  /** The root manifest is at the destination, so (the registry guarantees) all it references is too. */
  readonly rootPresent: boolean;
  readonly upToDate: boolean;
  /** Set for a referrer's job: its tree is the referrer's. */
  readonly referrer?: Referrer;
}

async function resolveTree(pair: PromotePair, clients: Clients, options: PromoteOptions): Promise<ImageTree> {
  const client = clients.source(pair.source.registry);
  const reference = pair.source.digest ?? pair.source.tag ?? 'latest';
  let root: Manifest = await client.getManifest(pair.source.repository, reference).catch((error: unknown) => {
    if (error instanceof RegistryError && error.status === 404) {
      throw new RegistryError(`${client.label}: ${formatReference(pair.source)} does not exist`, 404);
    }
    throw error;
  });
  if (pair.expectedDigest && root.digest !== pair.expectedDigest) {
    throw new Error(
      `${formatReference(pair.source)} resolves to ${root.digest}, not the expected ${pair.expectedDigest}; nothing was copied`,
    );
  }
  if (!options.allPlatforms && isIndex(root))
    root = await selectPlatform(client, pair.source.repository, root, options.platform).catch(
      (error: unknown) => {
        if (error instanceof Error) error.message = `${client.label}: ${error.message}`;
        throw error;
      },
    );
  return readImageTree(client, pair.source.repository, root);
}

/** The project's retry primitive over registry errors, ended by the promotion's signal. */
function withRetry<T>(what: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  return retry(what, fn, { retryable: isRetryableError, ...(signal && { signal }) });
}

export async function promote(
  pairs: readonly PromotePair[],
  clients: Clients,
  options: PromoteOptions,
  onEvent: (event: PromoteEvent) => void = () => {},
): Promise<PromoteResult> {
  const started = performance.now();
  const signal = options.signal;
  const go = () => signal?.throwIfAborted();

  // Reach the destinations while the sources resolve (a failure here is reported when used).
  for (const pair of pairs)
    clients
      .destination(pair.destination.registry)
      .base()
      .catch(() => {});

  // 1. Resolve every source (a set is all or nothing: a missing image fails before any write).
  const trees = new Map<string, ImageTree>();
  for (const pair of pairs) {
    const key = formatReference(pair.source) + (pair.expectedDigest ?? '');
    if (!trees.has(key)) {
      const tree = await resolveTree(pair, clients, options);
      trees.set(key, tree);
      onEvent({
        kind: 'resolved',
        source: formatReference(pair.source),
        digest: tree.root.digest,
        manifests: tree.manifests.length,
        blobs: tree.blobs.length,
      });
    }
  }

  // 1b. Everything referring to the manifests copied, recursively, read before anything is written.
  const referrersOf = new Map<string, Referrer[]>();
  if (options.referrers) {
    for (const pair of pairs) {
      const key = formatReference(pair.source) + (pair.expectedDigest ?? '');
      if (referrersOf.has(key)) continue;
      const tree = trees.get(key) as ImageTree;
      go();
      const found = await discoverReferrers(
        clients.source(pair.source.registry),
        pair.source.repository,
        tree.manifests.map((m) => m.digest),
        formatReference(pair.source),
      );
      referrersOf.set(key, found);
      onEvent({ kind: 'referrers-found', source: formatReference(pair.source), count: found.length });
    }
  }

  // 2. Check every destination tag before writing anything: conflicts refuse the whole promotion.
  const jobs: Job[] = [];
  for (const pair of pairs) {
    const tree = trees.get(formatReference(pair.source) + (pair.expectedDigest ?? '')) as ImageTree;
    const dstClient = clients.destination(pair.destination.registry);
    const destination = repositoryName(pair.destination);
    const tagsInPlace = new Set<string>();
    for (const tag of pair.tags) {
      const current = await dstClient.headManifest(pair.destination.repository, tag);
      if (!current) continue;
      if (current.digest === tree.root.digest) tagsInPlace.add(tag);
      else checkTagMove(options, destination, tag, current.digest, tree.root.digest);
    }
    const rootPresent =
      tagsInPlace.size > 0 ||
      (await dstClient.headManifest(pair.destination.repository, tree.root.digest)) !== undefined;
    const upToDate = rootPresent && tagsInPlace.size === pair.tags.length;
    if (upToDate) onEvent({ kind: 'up-to-date', destination, digest: tree.root.digest });
    jobs.push({
      pair,
      tree,
      srcClient: clients.source(pair.source.registry),
      dstClient,
      tagsInPlace,
      rootPresent,
      upToDate,
    });
  }
  const candidates: Array<{ job: Job; referrer: Referrer }> = [];
  const referrerKeys = new Set<string>();
  for (const job of jobs) {
    const key = formatReference(job.pair.source) + (job.pair.expectedDigest ?? '');
    for (const referrer of referrersOf.get(key) ?? []) {
      const dedupe = `${repositoryName(job.pair.destination)}|${referrer.tree.root.digest}|${referrer.tag ?? ''}`;
      if (referrerKeys.has(dedupe)) continue;
      referrerKeys.add(dedupe);
      candidates.push({ job, referrer });
    }
  }
  const referrerJobs: Job[] = await Promise.all(
    candidates.map(async ({ job, referrer }) => {
      const rootPresent =
        (await job.dstClient.headManifest(job.pair.destination.repository, referrer.tree.root.digest)) !==
        undefined;
      return {
        pair: { source: job.pair.source, destination: job.pair.destination, tags: [] },
        tree: referrer.tree,
        srcClient: job.srcClient,
        dstClient: job.dstClient,
        tagsInPlace: new Set<string>(),
        rootPresent,
        upToDate: rootPresent,
        referrer,
      };
    }),
  );

  // 3. Blobs: one bounded pool over every (destination repository, blob), de-duplicated.
  let blobsCopied = 0;
  let blobsMounted = 0;
  let blobsSkipped = 0;
  let bytesCopied = 0;
  const plan: PlannedBlob[] = [];
  const firstCopy = new Map<string, Promise<string | undefined>>();
  const tasks: Array<() => Promise<void>> = [];
  const queued = new Set<string>();
  for (const job of [...jobs, ...referrerJobs]) {
    if (job.rootPresent) {
      for (const blob of job.tree.blobs)
        plan.push({
          destination: repositoryName(job.pair.destination),
          digest: blob.digest,
          size: blob.size,
          action: 'skip',
        });
      blobsSkipped += job.tree.blobs.length;
      continue;
    }
    for (const blob of job.tree.blobs) {
      const key = `${repositoryName(job.pair.destination)}|${blob.digest}`;
      if (queued.has(key)) continue;
      queued.add(key);
      const registryKey = `${job.pair.destination.registry}|${blob.digest}`;
      let release: (repo: string | undefined) => void = () => {};
      const earlier = firstCopy.get(registryKey);
      if (!earlier) firstCopy.set(registryKey, new Promise((resolve) => (release = resolve)));
      tasks.push(async () => {
        const t0 = performance.now();
        try {
          go();
          const action = await copyBlob(job, blob, earlier, options.dryRun, signal, (bytes) => {
            bytesCopied += bytes;
          });
          if (action === 'skip') blobsSkipped += 1;
          else if (action === 'mount') blobsMounted += 1;
          else blobsCopied += 1;
          plan.push({
            destination: repositoryName(job.pair.destination),
            digest: blob.digest,
            size: blob.size,
            action,
          });
          onEvent({
            kind: 'blob',
            action,
            destination: repositoryName(job.pair.destination),
            digest: blob.digest,
            size: blob.size,
            ms: performance.now() - t0,
          });
          release(job.pair.destination.repository);
        } catch (error) {
          release(undefined);
          throw error;
        }
      });
    }
  }
  await runPool(tasks, options.concurrency);

  // 4. Manifests bottom-up (children, then the index), by digest: still no tag has moved.
  if (!options.dryRun) {
    for (const job of jobs) {
      if (job.upToDate) continue;
      for (const manifest of job.tree.manifests) {
        go();
        const present = await job.dstClient.headManifest(job.pair.destination.repository, manifest.digest);
        if (present) continue;
        await withRetry(
          `put manifest ${manifest.digest}`,
          () => putManifestKeepingSubject(job.dstClient, job.pair.destination.repository, manifest),
          signal,
        );
        onEvent({
          kind: 'manifest',
          destination: repositoryName(job.pair.destination),
          digest: manifest.digest,
        });
      }
    }
  }

  // 4b. Referrers, once what they refer to is there, before any tag moves: a tag never shows an
  // image whose signatures are still missing.
  const referrers: PlannedReferrer[] = [];
  const apiLists = new Map<string, Map<string, Promise<ReferrerDescriptor[] | undefined>>>();
  for (const job of referrerJobs) {
    const referrer = job.referrer as Referrer;
    const destination = repositoryName(job.pair.destination);
    if (!apiLists.has(destination)) apiLists.set(destination, new Map());
    go();
    const action = await withRetry(
      `referrer ${referrer.tree.root.digest}`,
      () =>
        writeReferrer(
          {
            source: job.srcClient,
            sourceRepository: job.pair.source.repository,
            destination: job.dstClient,
            destinationRepository: job.pair.destination.repository,
            dryRun: options.dryRun,
            apiLists: apiLists.get(destination) as Map<string, Promise<ReferrerDescriptor[] | undefined>>,
          },
          referrer,
          job.rootPresent,
        ),
      signal,
    );
    const planned: PlannedReferrer = {
      destination,
      subject: referrer.subject,
      digest: referrer.tree.root.digest,
      type: referrer.type,
      found: referrer.found,
      ...(referrer.tag !== undefined && { tag: referrer.tag }),
      action,
    };
    referrers.push(planned);
    onEvent({ kind: 'referrer', dryRun: options.dryRun, ...planned });
  }
  const referrersToCopy = referrers.filter((r) => r.action !== 'present').length;

  // 5. Tags last, once every image of the set is complete.
  let tagsMoved = 0;
  for (const job of jobs) {
    for (const tag of job.pair.tags) {
      if (job.tagsInPlace.has(tag)) continue;
      go();
      if (!options.dryRun) {
        const previous = await job.dstClient.headManifest(job.pair.destination.repository, tag);
        // Checked again: the tag may have moved since the plan.
        if (previous)
          checkTagMove(
            options,
            repositoryName(job.pair.destination),
            tag,
            previous.digest,
            job.tree.root.digest,
          );
        const put = await withRetry(
          `tag ${tag}`,
          () => job.dstClient.putManifest(job.pair.destination.repository, tag, job.tree.root),
          signal,
        );
        if (put !== job.tree.root.digest) {
          throw new Error(
            `${job.dstClient.label}: ${repositoryName(job.pair.destination)}:${tag}: the registry stored ${put}, not ${job.tree.root.digest}`,
          );
        }
        onEvent({
          kind: 'tag',
          destination: repositoryName(job.pair.destination),
          tag,
          digest: put,
          ...(previous && { previous: previous.digest }),
          dryRun: false,
        });
      }
      if (options.dryRun) {
        onEvent({
          kind: 'tag',
          destination: repositoryName(job.pair.destination),
          tag,
          digest: job.tree.root.digest,
          dryRun: true,
        });
      }
      tagsMoved += 1;
    }
  }

  // 6. The promotion record of each image, once its tags are in place (a record never claims a
  // promotion whose tags were refused). An image found complete gets one only when no record says
  // the same (a run killed between its tags and its record); a rerun of a finished promotion adds none.
  // Not counted among the referrers; a registry that refuses it gets a warning, the promotion stands.
  const promotionRecords: Array<{ destination: string; subject: string; digest: string; written: boolean }> =
    [];
  if (options.record && !options.dryRun) {
    const at = options.record.now().toISOString();
    for (const job of jobs) {
      const destination = repositoryName(job.pair.destination);
      const promotion = {
        source: formatReference(job.pair.source),
        destination,
        tags: job.pair.tags,
        runUrl: options.record.runUrl,
        actor: options.record.actor,
        time: at,
      };
      go();
      try {
        const { digest, written } = await withRetry(
          `promotion record of ${job.tree.root.digest}`,
          () =>
            writePromotionRecord(job.dstClient, job.pair.destination.repository, job.tree.root, promotion, {
              alreadyPromoted: job.upToDate,
            }),
          signal,
        );
        if (job.upToDate && !written) continue;
        const done = { destination, subject: job.tree.root.digest, digest, written };
        promotionRecords.push(done);
        onEvent({ kind: 'promotion-record', ...done });
      } catch (error) {
        go();
        onEvent({
          kind: 'promotion-record-failed',
          destination,
          subject: job.tree.root.digest,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  const planned = (action: BlobAction) => plan.filter((p) => p.action === action);
  const toCopy = planned('copy');
  return {
    images: jobs.map((job) => ({
      source: formatReference(job.pair.source),
      destination: repositoryName(job.pair.destination),
      digest: job.tree.root.digest,
      ref: `${repositoryName(job.pair.destination)}@${job.tree.root.digest}`,
      tags: job.pair.tags,
    })),
    blobsCopied: options.dryRun ? 0 : blobsCopied,
    blobsMounted: options.dryRun ? 0 : blobsMounted,
    blobsSkipped,
    bytesCopied: options.dryRun ? 0 : bytesCopied,
    blobsToCopy: toCopy.length,
    blobsToMount: planned('mount').length,
    bytesToCopy: toCopy.reduce((sum, p) => sum + p.size, 0),
    durationMs: performance.now() - started,
    dryRun: options.dryRun,
    plan,
    tagsMoved,
    referrersCopied: options.dryRun ? 0 : referrersToCopy,
    referrersToCopy,
    referrers,
    promotionRecords,
  };
}

async function copyBlob(
  job: Job,
  blob: BlobRef,
  earlier: Promise<string | undefined> | undefined,
  dryRun: boolean,
  signal: AbortSignal | undefined,
  countBytes: (bytes: number) => void,
): Promise<BlobAction> {
  const dst = job.dstClient;
  const dstRepo = job.pair.destination.repository;
  if (await blobExists(dst, dstRepo, blob.digest)) return 'skip';
  const sameRegistry = job.pair.source.registry === job.pair.destination.registry;
  const mountFrom = sameRegistry ? job.pair.source.repository : await earlier;
  if (dryRun) return mountFrom ? 'mount' : 'copy';
  let upload: string | undefined;
  if (mountFrom && mountFrom !== dstRepo) {
    const mounted = await withRetry(
      `mount ${blob.digest}`,
      () => mountBlob(dst, dstRepo, blob.digest, mountFrom),
      signal,
    );
    if (mounted.mounted) return 'mount';
    upload = mounted.uploadUrl; // distribution answers 202 when it cannot mount: upload into it instead
  }
  let pendingUpload = upload;
  await withRetry(
    `copy blob ${blob.digest}`,
    async () => {
      // A retry starts a fresh upload: the one a failed attempt used may be broken.
      const into = pendingUpload;
      pendingUpload = undefined;
      const result = await streamBlob(
        { client: job.srcClient, repository: job.pair.source.repository },
        { client: dst, repository: dstRepo, ...(into && { upload: into }) },
        blob.digest,
        blob.size,
      );
      countBytes(result.bytes);
    },
    signal,
  );
  return 'copy';
}
