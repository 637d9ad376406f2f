/**
 * What a push may do to each tag, decided from where the tag came from (recorded in the image's
 * labels by build-and-tag, or named in `immutable-tags`) and what the registry serves for it now.
 * Pure: unit-tested without a registry.
 * - An immutable tag (the build's version, a release's X.Y.Z) never moves to another image. A
 *   rerun (GITHUB_RUN_ATTEMPT > 1) whose rebuild is another image than its first attempt pushed
 *   gets its own version, <version>.<attempt>, instead of failing.
 * - A release line (X.Y and X of the release the image records) moves forward only: a back-port
 *   (1.0.5 after 1.1.1) leaves `1` where it is.
 * - Every other tag (latest, branches, sha-<7>, pr-N, templates) moves: a branch named like a
 *   version (20240115-hotfix, 1.2.3) is a branch.
 */
import {
  compareSemver,
  formatSemver,
  parseSemver,
  releaseLines,
  rerunVersion,
  type Semver,
  VERSION_LABEL,
} from '../build-and-tag/tags';

const RELEASE_LABEL = 'org.opencontainers.image.version';

/** What the image being pushed says of itself, and what the user adds. */
export interface TagRules {
  /** The build's version (its label), if the image has one. */
  readonly version?: string;
  /** The release the image records (a full semver in its version label), if any. */
  readonly release?: Semver;
  /** Tags that never move (the version, the release's X.Y.Z, and the `immutable-tags` input). */
  readonly immutable: ReadonlySet<string>;
  /** X.Y and X of the release: forward only. */
  readonly releaseLines: ReadonlySet<string>;
  readonly attempt: number;
  readonly allowOverwrite: boolean;
}

export function tagRules(
  labels: Readonly<Record<string, string>>,
  extraImmutable: readonly string[],
  attempt: number,
  allowOverwrite: boolean,
): TagRules {
  const version = labels[VERSION_LABEL] || undefined;
  const releaseText = labels[RELEASE_LABEL];
  const release = releaseText && releaseText !== version ? parseSemver(releaseText) : undefined;
  const immutable = new Set(extraImmutable);
  if (version) immutable.add(version);
  if (release) immutable.add(formatSemver(release));
  return {
    ...(version && { version }),
    ...(release && { release }),
    immutable,
    releaseLines: new Set(release ? releaseLines(release) : []),
    attempt,
    allowOverwrite,
  };
}

/** What the registry serves under a tag now. */
export interface Served {
  readonly digest: string;
  /** The config digest of each platform image (what docker calls the image ID). */
  readonly configDigests: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
}

export type TagDecision =
  | { readonly action: 'push' }
  | { readonly action: 'keep'; readonly reason: string }
  | { readonly action: 'rename'; readonly to: string; readonly reason: string }
  | { readonly action: 'refuse'; readonly current: string };

/** Is what the registry serves the image being pushed (its ID: config digest, or the containerd store's manifest digest)? */
export function isSameImage(served: Served, localImageId: string): boolean {
  return served.digest === localImageId || served.configDigests.includes(localImageId);
}

export function decideTag(
  tag: string,
  rules: TagRules,
  served: Served | undefined,
  localImageId: string,
): TagDecision {
  if (!served || isSameImage(served, localImageId)) return { action: 'push' };
  if (rules.immutable.has(tag)) {
    if (rules.allowOverwrite) return { action: 'push' };
    if (tag === rules.version && rules.attempt > 1)
      return {
        action: 'rename',
        to: rerunVersion(tag, rules.attempt),
        reason: `attempt ${rules.attempt} of the run rebuilt another image than ${tag} (${served.digest}), which stays`,
      };
    return { action: 'refuse', current: served.digest };
  }
  if (rules.releaseLines.has(tag) && rules.release) {
    const theirs = parseSemver(served.labels[RELEASE_LABEL] ?? '');
    if (theirs && compareSemver(theirs, rules.release) > 0)
      return {
        action: 'keep',
        reason: `${tag} stays on ${formatSemver(theirs)}, newer than ${formatSemver(rules.release)} (release lines only move forward)`,
      };
  }
  return { action: 'push' };
}
