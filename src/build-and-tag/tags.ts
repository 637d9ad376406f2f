/**
 * Tag rules: the immutable version (YYYYMMDD-<run>, off CI YYYYMMDD-<sha7>), sha-<7>, latest on the default branch,
 * branch names, pr-<N>, semver tags from vX.Y.Z git tags, and user templates.
 * Pure functions of the GitContext.
 */
import type { GitContext } from '../github/context';
import { MAX_TAG_LENGTH } from '../common/reference';

export const PLACEHOLDERS = ['date', 'run', 'sha', 'sha7', 'branch', 'version'] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

/** Makes any text a valid Docker tag: invalid characters become '-', no leading '.' or '-', ≤ 128. */
export function sanitizeTag(text: string): string {
  let tag = text.replace(/[^A-Za-z0-9_.-]/g, '-');
  tag = tag.replace(/^[.-]+/, '');
  tag = tag.slice(0, MAX_TAG_LENGTH);
  return tag;
}

/** UTC date as YYYYMMDD. */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * The immutable version tag of a build: YYYYMMDD-<run number> on CI. Without a build number (a
 * laptop) YYYYMMDD-<sha7>, with -dirty-<7 hex> (a hash of the uncommitted changes) when the work tree
 * has any, so different content never gets the same version; outside a repository, the time of day.
 */
export function versionTag(ctx: GitContext): string {
  const date = utcDate(ctx.now);
  if (ctx.runNumber > 0) return `${date}-${ctx.runNumber}`;
  if (ctx.sha)
    return `${date}-${ctx.sha.slice(0, 7)}${ctx.localChanges ? `-dirty-${ctx.localChanges.slice(0, 7)}` : ''}`;
  return `${date}-t${ctx.now.toISOString().slice(11, 23).replace(/[:.]/g, '')}`;
}

const IMMUTABLE_TAGS = [
  /^\d{8}-[0-9A-Za-z][0-9A-Za-z.-]*$/, // the version, YYYYMMDD-<run> or YYYYMMDD-<sha7>[-dirty-<hash>]
  /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, // a full semantic version X.Y.Z[-pre]
];

/**
 * Does this tag name one build for good (the version, X.Y.Z), so it must never move to other
 * content? latest, branch names, pr-<N>, X.Y and X are pointers that move by design, and so does
 * sha-<7>: a rebuild of the same commit (a re-run, a new base image) gets a new image under it.
 */
export function isImmutableTag(tag: string): boolean {
  return IMMUTABLE_TAGS.some((re) => re.test(tag));
}

export function branchName(ctx: GitContext): string | undefined {
  if (ctx.pullRequest !== undefined && ctx.headRef) return ctx.headRef;
  return ctx.ref.startsWith('refs/heads/') ? ctx.ref.slice('refs/heads/'.length) : undefined;
}

export function gitTagName(ctx: GitContext): string | undefined {
  return ctx.ref.startsWith('refs/tags/') ? ctx.ref.slice('refs/tags/'.length) : undefined;
}

export interface Semver {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  readonly prerelease?: string;
}

export function parseSemver(text: string): Semver | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return {
    major: m[1] as string,
    minor: m[2] as string,
    patch: m[3] as string,
    ...(m[4] !== undefined && { prerelease: m[4] }),
  };
}

/**
 * The default tags of a build, most specific first (the version first):
 * - YYYYMMDD-<run> and sha-<7> always;
 * - push to the default branch: latest; another branch: the sanitised branch name;
 * - pull request: pr-<N>;
 * - git tag vX.Y.Z: X.Y.Z, X.Y, X; a pre-release (vX.Y.Z-rc.1) gets only its full version.
 * `latest` moves only for the default branch.
 */
export function defaultTags(ctx: GitContext): string[] {
  const tags = [versionTag(ctx)];
  if (ctx.sha) tags.push(`sha-${ctx.sha.slice(0, 7)}`);
  const tag = gitTagName(ctx);
  if (ctx.pullRequest !== undefined) {
    tags.push(`pr-${ctx.pullRequest}`);
  } else if (tag !== undefined) {
    const semver = parseSemver(tag);
    if (semver?.prerelease !== undefined) {
      tags.push(sanitizeTag(`${semver.major}.${semver.minor}.${semver.patch}-${semver.prerelease}`));
    } else if (semver) {
      tags.push(
        `${semver.major}.${semver.minor}.${semver.patch}`,
        `${semver.major}.${semver.minor}`,
        semver.major,
      );
    } else {
      tags.push(sanitizeTag(tag));
    }
  } else {
    const branch = branchName(ctx);
    if (branch !== undefined) {
      if (ctx.defaultBranch !== undefined && branch === ctx.defaultBranch) tags.push('latest');
      else tags.push(sanitizeTag(branch));
    }
  }
  return unique(tags.filter((t) => t !== ''));
}

/** Expands a tag template such as "{branch}-{sha7}"; unknown placeholders are errors. */
export function expandTemplate(template: string, ctx: GitContext): string {
  const values: Record<Placeholder, string> = {
    date: utcDate(ctx.now),
    run: String(ctx.runNumber),
    sha: ctx.sha,
    sha7: ctx.sha.slice(0, 7),
    branch: branchName(ctx) ?? gitTagName(ctx) ?? '',
    version: versionTag(ctx),
  };
  const expanded = template.replace(/\{([^}]*)\}/g, (_, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new Error(
        `unknown placeholder {${name}} in ${JSON.stringify(template)} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`,
      );
    }
    return values[name as Placeholder];
  });
  const tag = sanitizeTag(expanded);
  if (tag === '') throw new Error(`the template ${JSON.stringify(template)} expands to an empty tag`);
  return tag;
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
