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
import { MAX_TAG_LENGTH } from '../common/reference';

const RELEASE_LABEL = 'org.opencontainers.image.version';
/** The run that built an image (its URL: the same for every attempt of a run). */
const RUN_LABEL = 'dev.slipway.run';

/** What the image being pushed says of itself, and what the user adds. */
export interface TagRules {
  /** The build's version (its label), if the image has one. */
  readonly version?: string;
  /** The release the image records (a full semver in its version label), if any. */
  readonly release?: Semver;
  /** The run that built it (dev.slipway.run): a rerun is an attempt of the same run. */
  readonly run?: string;
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
  const run = labels[RUN_LABEL] || undefined;
  const immutable = new Set(extraImmutable);
  if (version) immutable.add(version);
  if (release) immutable.add(formatSemver(release));
  return {
    ...(version && { version }),
    ...(release && { release }),
    ...(run && { run }),
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
  | { readonly action: 'refuse'; readonly current: string; readonly hint?: string };

/** Is what the registry serves the image being pushed (its ID: config digest, or the containerd store's manifest digest)? */
export function isSameImage(served: Served, localImageId: string): boolean {
  return served.digest === localImageId || served.configDigests.includes(localImageId);
}

/** What an image says it is: its version and, when it is a release, its release (from its labels). */
function recorded(labels: Readonly<Record<string, string>>): { version?: string; release?: Semver } {
  const version = labels[VERSION_LABEL] || undefined;
  const text = labels[RELEASE_LABEL];
  const release = text && text !== version ? parseSemver(text) : undefined;
  return { ...(version && { version }), ...(release && { release }) };
}

/** Is `tag` X.Y or X of `release` (a release, not a pre-release)? */
function isLineOf(tag: string, release: Semver): boolean {
  return releaseLines(release).includes(tag);
}

/**
 * What the push does with `tag`, given what the registry serves under it. A tag is immutable when
 * the image being pushed names it (its version, its release, immutable-tags) or when the image
 * served names it as its own (its version or its release): a branch called 20261207-42 or 1.2.3
 * never overwrites the build or the release of that name, and never blocks another branch.
 */
export function decideTag(
  tag: string,
  rules: TagRules,
  served: Served | undefined,
  localImageId: string,
): TagDecision {
  if (!served || isSameImage(served, localImageId)) return { action: 'push' };
  const theirs = recorded(served.labels);
  const namesThem =
    tag === theirs.version || (theirs.release !== undefined && tag === formatSemver(theirs.release));
  if (rules.immutable.has(tag) || namesThem) {
    if (rules.allowOverwrite) return { action: 'push' };
    // A rerun: an attempt of the run that pushed what the registry serves.
    const sameRun = rules.attempt > 1 && rules.run !== undefined && served.labels[RUN_LABEL] === rules.run;
    if (sameRun && tag === rules.version) {
      const to = rerunVersion(tag, rules.attempt);
      if (to.length > MAX_TAG_LENGTH)
        return {
          action: 'refuse',
          current: served.digest,
          hint: `this attempt's own version ${to} would be longer than ${MAX_TAG_LENGTH} characters; set allow-overwrite: true to move it`,
        };
      return {
        action: 'rename',
        to,
        reason: `attempt ${rules.attempt} of the run rebuilt another image than ${tag} (${served.digest}), which stays`,
      };
    }
    if (sameRun)
      return {
        action: 'keep',
        reason: `${tag} stays on ${served.digest}, which an earlier attempt of this run pushed (this attempt's rebuild is another image)`,
      };
    return {
      action: 'refuse',
      current: served.digest,
      ...(tag === rules.version &&
        served.labels[RUN_LABEL] !== rules.run && {
          hint: `another run built ${tag} (${JSON.stringify((served.labels[RUN_LABEL] ?? 'unknown').slice(0, 200))}, as the registry says): a second workflow pushing this repository needs its own version-prefix; set allow-overwrite: true to move it`,
        }),
    };
  }
  // A release line moves only to a newer release of its own line.
  if (theirs.release && isLineOf(tag, theirs.release)) {
    if (!rules.release || !rules.releaseLines.has(tag))
      return {
        action: 'keep',
        reason: `${tag} stays on ${formatSemver(theirs.release)}: only a newer release of its line moves it`,
      };
    if (compareSemver(theirs.release, rules.release) > 0)
      return {
        action: 'keep',
        reason: `${tag} stays on ${formatSemver(theirs.release)}, newer than ${formatSemver(rules.release)} (release lines only move forward)`,
      };
  }
  return { action: 'push' };
}
