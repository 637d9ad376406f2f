/**
 * The tag plan of a build, a pure function of the GitContext: every tag with where it came from.
 * - the version YYYYMMDD-<run> (off CI YYYYMMDD-<sha7>), with an optional prefix: names this build
 *   for good (immutable);
 * - sha-<7> of the commit that was built (GITHUB_SHA: a pull request's merge commit);
 * - latest for the default branch (a scheduled run runs on it), the sanitised branch name on other
 *   branches (a branch named `latest` gets `branch-latest`), pr-<N> for pull requests;
 * - a vX.Y.Z git tag: X.Y.Z (immutable), X.Y and X (release lines: they only ever move forward);
 *   a pre-release gets only its full version; another git tag its sanitised name;
 * - user templates.
 * Immutability follows from where a tag came from, never from what its name looks like: a branch
 * called 20240115-hotfix or 1.2.3 moves like any branch.
 */
import { createHash } from 'node:crypto';
import type { GitContext } from '../github/context';
import { MAX_TAG_LENGTH } from '../common/reference';

export const PLACEHOLDERS = [
  'date',
  'run',
  'sha',
  'sha7',
  'head_sha',
  'head_sha7',
  'branch',
  'version',
] as const;
type Placeholder = (typeof PLACEHOLDERS)[number];

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/;

/** The label an image records its build's version in (what push-registry keeps from moving). */
export const VERSION_LABEL = 'dev.slipway.version';

/** Where a tag came from: what it promises. */
export type TagSource =
  | 'version' // this build's version: immutable
  | 'release' // X.Y.Z[-pre] of a semver git tag: immutable
  | 'release-line' // X.Y and X of a release: move forward only
  | 'commit' // sha-<7>: moves when the same commit is rebuilt
  | 'latest'
  | 'branch'
  | 'pull-request'
  | 'git-tag'
  | 'template';

export interface PlannedTag {
  readonly tag: string;
  readonly source: TagSource;
}

/** Does a tag of this source name one build for good? */
export const isImmutableSource = (source: TagSource): boolean => source === 'version' || source === 'release';

/** The length of the hash a cut tag ends with. */
const CUT_HASH_LENGTH = 8;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, CUT_HASH_LENGTH);
}

/** Replaces characters a Docker tag cannot hold with '-' and drops a leading '.' or '-'. */
function tagCharacters(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[.-]+/, '');
}

/**
 * Makes `text` fit in `room` characters and stay unique: a longer text keeps its start and ends
 * with '-' and a hash of the whole, so two long names with a shared start never collide.
 */
function cutToFit(text: string, room: number): string {
  if (text.length <= room) return text;
  const keep = Math.max(0, room - CUT_HASH_LENGTH - 1);
  return `${text.slice(0, keep)}-${shortHash(text)}`.slice(-room);
}

/** Makes any text a valid Docker tag: invalid characters become '-', no leading '.' or '-', ≤ 128 (a longer one is cut, keeping it unique). */
export function sanitizeTag(text: string): string {
  return cutToFit(tagCharacters(text), MAX_TAG_LENGTH);
}

/** UTC date as YYYYMMDD. */
export function utcDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

/** A version prefix: tag characters, starting with a letter or digit, short enough to leave room. */
const VERSION_PREFIX = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,47}$/;

export function isValidVersionPrefix(prefix: string): boolean {
  return VERSION_PREFIX.test(prefix);
}

/**
 * The immutable version tag of a build: [prefix]YYYYMMDD-<run number> on CI. Without a build number
 * (a laptop) YYYYMMDD-<sha7>, with -dirty-<7 hex> (a hash of the uncommitted changes) when the work
 * tree has any, so different content never gets the same version; outside a repository, the time
 * of day. The prefix keeps the versions of two workflows of one repository apart (their run
 * numbers are counted separately).
 */
export function versionTag(ctx: GitContext, prefix = ''): string {
  const date = utcDate(ctx.now);
  if (ctx.runNumber > 0) return `${prefix}${date}-${ctx.runNumber}`;
  if (ctx.sha)
    return `${prefix}${date}-${ctx.sha.slice(0, 7)}${ctx.localChanges ? `-dirty-${ctx.localChanges.slice(0, 7)}` : ''}`;
  return `${prefix}${date}-t${ctx.now.toISOString().slice(11, 23).replace(/[:.]/g, '')}`;
}

/** The version a rerun gets when its rebuild is another image than the one its first attempt pushed. */
export function rerunVersion(version: string, attempt: number): string {
  return `${version}.${attempt}`;
}

export function branchName(ctx: GitContext): string | undefined {
  if (ctx.pullRequest !== undefined && ctx.headRef) return ctx.headRef;
  return ctx.ref.startsWith('refs/heads/') ? ctx.ref.slice('refs/heads/'.length) : undefined;
}

export function gitTagName(ctx: GitContext): string | undefined {
  return ctx.ref.startsWith('refs/tags/') ? ctx.ref.slice('refs/tags/'.length) : undefined;
}

/**
 * Is this run on the repository's default branch? A scheduled run always is (GitHub runs it on the
 * default branch, and its payload does not name the repository's default branch).
 */
export function onDefaultBranch(ctx: GitContext): boolean {
  const branch = ctx.pullRequest === undefined ? branchName(ctx) : undefined;
  if (branch === undefined) return false;
  if (ctx.defaultBranch !== undefined) return branch === ctx.defaultBranch;
  return ctx.eventName === 'schedule';
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

export function formatSemver(v: Semver): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease !== undefined ? `-${v.prerelease}` : ''}`;
}

/** Semantic version precedence (semver.org §11): negative when a < b. */
export function compareSemver(a: Semver, b: Semver): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    const d = Number(a[k]) - Number(b[k]);
    if (d !== 0) return Math.sign(d);
  }
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  const pa = a.prerelease.split('.');
  const pb = b.prerelease.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Math.sign(Number(x) - Number(y));
    if (nx) return -1;
    if (ny) return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** The release a semver git tag names (vX.Y.Z[-pre]), or undefined. */
export function releaseOf(ctx: GitContext): Semver | undefined {
  const tag = gitTagName(ctx);
  return tag === undefined ? undefined : parseSemver(tag);
}

/** The release lines of a release (X.Y and X), which move forward only; none for a pre-release. */
export function releaseLines(release: Semver): string[] {
  return release.prerelease === undefined ? [`${release.major}.${release.minor}`, release.major] : [];
}

/** A ref's name as a tag: never `latest`, which only the default branch gets. */
function refTag(name: string, kind: 'branch' | 'tag'): string {
  const tag = sanitizeTag(name);
  return tag === 'latest' ? `${kind}-latest` : tag;
}

/** The default tags of a build with where each came from, most specific first (the version first). */
export function defaultTagPlan(ctx: GitContext, versionPrefix = ''): PlannedTag[] {
  const tags: PlannedTag[] = [{ tag: versionTag(ctx, versionPrefix), source: 'version' }];
  if (ctx.sha) tags.push({ tag: `sha-${ctx.sha.slice(0, 7)}`, source: 'commit' });
  const gitTag = gitTagName(ctx);
  if (ctx.pullRequest !== undefined) {
    tags.push({ tag: `pr-${ctx.pullRequest}`, source: 'pull-request' });
  } else if (gitTag !== undefined) {
    const release = parseSemver(gitTag);
    if (release) {
      tags.push({ tag: sanitizeTag(formatSemver(release)), source: 'release' });
      for (const line of releaseLines(release)) tags.push({ tag: line, source: 'release-line' });
    } else {
      tags.push({ tag: refTag(gitTag, 'tag'), source: 'git-tag' });
    }
  } else {
    const branch = branchName(ctx);
    if (onDefaultBranch(ctx)) tags.push({ tag: 'latest', source: 'latest' });
    else if (branch !== undefined) tags.push({ tag: refTag(branch, 'branch'), source: 'branch' });
  }
  return uniqueTags(tags.filter((t) => t.tag !== ''));
}

/** The default tags of a build, most specific first. */
export function defaultTags(ctx: GitContext, versionPrefix = ''): string[] {
  return defaultTagPlan(ctx, versionPrefix).map((t) => t.tag);
}

/**
 * Expands a tag template such as "{branch}-{sha7}"; unknown placeholders are errors. A result over
 * 128 characters is cut in its {branch} part (the only unbounded one), which keeps its start and
 * gets a hash of the whole branch name: the template's other parts, its distinguishing tail
 * included, stay. `{branch}` alone on a branch named `latest` gives `branch-latest`.
 */
export function expandTemplate(template: string, ctx: GitContext, versionPrefix = ''): string {
  const branch = tagCharacters(branchName(ctx) ?? gitTagName(ctx) ?? '');
  const values: Record<Placeholder, string> = {
    date: utcDate(ctx.now),
    run: String(ctx.runNumber),
    sha: ctx.sha,
    sha7: ctx.sha.slice(0, 7),
    head_sha: ctx.headSha ?? ctx.sha,
    head_sha7: (ctx.headSha ?? ctx.sha).slice(0, 7),
    branch,
    version: versionTag(ctx, versionPrefix),
  };
  const parts = template.split(/(\{[^}]*\})/);
  for (const part of parts) {
    const name = /^\{([^}]*)\}$/.exec(part)?.[1];
    if (name !== undefined && !(PLACEHOLDERS as readonly string[]).includes(name))
      throw new Error(
        `unknown placeholder {${name}} in ${JSON.stringify(template)} (known: ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')})`,
      );
  }
  const render = (branchValue: string) =>
    parts
      .map((part) => {
        if (part === '{branch}') return branchValue;
        return /^\{[^}]*\}$/.test(part) ? values[part.slice(1, -1) as Placeholder] : part;
      })
      .join('');
  let expanded = tagCharacters(render(branch));
  if (expanded.length > MAX_TAG_LENGTH && template.includes('{branch}')) {
    const uses = parts.filter((p) => p === '{branch}').length;
    const fixed = expanded.length - uses * branch.length;
    const room = Math.floor((MAX_TAG_LENGTH - fixed) / uses);
    if (room > CUT_HASH_LENGTH) expanded = tagCharacters(render(cutToFit(branch, room)));
  }
  const tag = cutToFit(expanded, MAX_TAG_LENGTH);
  if (tag === '') throw new Error(`the template ${JSON.stringify(template)} expands to an empty tag`);
  if (tag === 'latest' && template !== 'latest' && !onDefaultBranch(ctx)) return 'branch-latest';
  return tag;
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The first of each tag (a default tag wins over a template giving the same name). */
export function uniqueTags(tags: readonly PlannedTag[]): PlannedTag[] {
  const seen = new Set<string>();
  return tags.filter((t) => !seen.has(t.tag) && seen.add(t.tag));
}
