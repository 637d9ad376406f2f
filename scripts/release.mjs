#!/usr/bin/env node
// The release of a vX.Y.Z tag (.github/workflows/release.yml runs it after checking dist/ and the
// unit tests):
//   node scripts/release.mjs plan    --tag vX.Y.Z [--notes FILE]   checks and says what would happen
//   node scripts/release.mjs publish --tag vX.Y.Z [--dry-run]      does it (the dry run only prints)
// It checks that package.json has version X.Y.Z, takes the release notes from CHANGELOG.md's
// "## X.Y.Z" section, creates (or, on a rerun, updates) the GitHub release with `gh`, and moves the
// major tag vX to the release's commit only forward: vX moves when X.Y.Z is newer than the newest
// vX.y.z tag on the commit vX points at. A back-port (v1.2.5 after v1.3.0) is released and leaves
// v1 where it is; a pre-release (v1.3.0-rc.1) never moves it.
// The pure parts (parsing, comparing, the changelog section, the major tag decision) are exported
// and unit-tested (test/unit/release.test.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SEMVER = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** { major, minor, patch, prerelease: string[] } of "vX.Y.Z[-pre]" or "X.Y.Z[-pre]", or null. */
export function parseVersion(text) {
  const m = SEMVER.exec(String(text).trim());
  if (!m) return null;
  return { major: +m[1], minor: +m[2], patch: +m[3], prerelease: m[4] ? m[4].split('.') : [] };
}

function parsed(version) {
  const v = typeof version === 'string' ? parseVersion(version) : version;
  if (!v) throw new Error(`not a version: ${JSON.stringify(version)} (expected vX.Y.Z)`);
  return v;
}

/** Semantic Versioning 2.0 precedence: negative, 0 or positive, like a sort comparator. */
export function compareVersions(a, b) {
  const x = parsed(a);
  const y = parsed(b);
  for (const key of ['major', 'minor', 'patch']) if (x[key] !== y[key]) return x[key] - y[key];
  if (x.prerelease.length === 0 || y.prerelease.length === 0)
    return y.prerelease.length - x.prerelease.length; // a release is newer than its pre-releases
  for (let i = 0; i < Math.max(x.prerelease.length, y.prerelease.length); i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn && +p !== +q) return +p - +q;
    if (pn !== qn) return pn ? -1 : 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The body of CHANGELOG.md's section for a version: the lines after its "## X.Y.Z" heading ("## [X.Y.Z]",
 * "## vX.Y.Z", with anything after it such as " - 2026-12-07") up to the next "## " heading,
 * trimmed. Throws when there is no such section or it is empty: a release needs notes.
 */
export function changelogSection(changelog, version) {
  const v = String(version).replace(/^v/, '');
  const heading = new RegExp(`^##\\s+\\[?v?${escape(v)}\\]?(?=$|[\\s(])`);
  const lines = String(changelog).split(/\r?\n/);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0)
    throw new Error(
      `CHANGELOG.md has no section for ${v}: add a "## ${v}" heading (rename "## Unreleased") before tagging v${v}`,
    );
  let end = lines.findIndex((line, i) => i > start && /^##\s/.test(line));
  if (end < 0) end = lines.length;
  const body = lines
    .slice(start + 1, end)
    .join('\n')
    .trim();
  if (!body) throw new Error(`CHANGELOG.md's section for ${v} is empty: say what changed`);
  return `${body}\n`;
}

/**
 * Whether the major tag vX moves to a release. `release` is its version (vX.Y.Z), `releaseCommit`
 * its commit; `current` is where vX points now: null when vX does not exist, else { commit,
 * versions } with the vX.y.z tags on that commit. Returns { action, reason }: action "create"
 * or "move" (vX goes to the release's commit), "keep" (vX stays: it is already there, points at a
 * newer release, or this is a pre-release), or "refuse" (the release must stop: vX points at a
 * commit no vX.y.z tag names, so nothing says whether moving it is forward, or the same version
 * was tagged on another commit).
 */
export function majorTagDecision({ release, releaseCommit, current }) {
  const v = parsed(release);
  const major = `v${v.major}`;
  const name = `v${v.major}.${v.minor}.${v.patch}${v.prerelease.length ? `-${v.prerelease.join('.')}` : ''}`;
  if (v.prerelease.length > 0)
    return { action: 'keep', reason: `${name} is a pre-release: ${major} is not moved` };
  if (!current) return { action: 'create', reason: `${major} does not exist yet: created at ${name}` };
  const versions = (current.versions ?? [])
    .filter((t) => {
      const p = parseVersion(t);
      return p && p.major === v.major && p.prerelease.length === 0;
    })
    .sort(compareVersions);
  const newest = versions.at(-1);
  const at = current.commit.slice(0, 12);
  if (!newest)
    return {
      action: 'refuse',
      reason: `${major} points at ${at}, which no ${major}.y.z release tag names: cannot tell whether ${name} is newer; point ${major} at a release tag by hand first`,
    };
  const order = compareVersions(name, newest);
  if (order < 0)
    return { action: 'keep', reason: `${major} is at ${newest}, newer than ${name}: not moved backwards` };
  if (order === 0) {
    if (current.commit === releaseCommit) return { action: 'keep', reason: `${major} is already at ${name}` };
    return {
      action: 'refuse',
      reason: `${major} is at ${newest} on ${at}, but ${name} is tagged on ${releaseCommit.slice(0, 12)}: a version is released once`,
    };
  }
  return { action: 'move', reason: `${major} moves forward from ${newest} to ${name}` };
}

// ---- what touches git, files and GitHub (the workflow's steps) ----

function git(...args) {
  return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function gitMaybe(...args) {
  try {
    return git(...args);
  } catch {
    return null;
  }
}

/** Everything the release would do, checked; throws with a message saying what to fix. */
export function plan(tag, root = '.') {
  const v = parseVersion(tag);
  if (!v || !tag.startsWith('v')) throw new Error(`${tag} is not a release tag: expected vX.Y.Z`);
  const version = tag.slice(1);
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  if (pkg.version !== version)
    throw new Error(
      `package.json says version ${pkg.version}, the tag ${tag}: set "version": "${version}" (then node scripts/action-docs.mjs and npm run build) before tagging`,
    );
  const notes = changelogSection(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version);
  const releaseCommit = gitMaybe('rev-parse', '--verify', '-q', `refs/tags/${tag}^{commit}`);
  if (!releaseCommit) throw new Error(`there is no tag ${tag} in this repository`);
  const major = `v${v.major}`;
  const majorCommit = gitMaybe('rev-parse', '--verify', '-q', `refs/tags/${major}^{commit}`);
  const current = majorCommit
    ? {
        commit: majorCommit,
        versions: git('tag', '--points-at', majorCommit, '--list', `${major}.*`).split('\n').filter(Boolean),
      }
    : null;
  const decision = majorTagDecision({ release: tag, releaseCommit, current });
  if (decision.action === 'refuse') throw new Error(decision.reason);
  return { tag, version, major, prerelease: v.prerelease.length > 0, releaseCommit, notes, decision };
}

function describe(p) {
  return [
    `release ${p.tag} of commit ${p.releaseCommit}${p.prerelease ? ' (a pre-release)' : ''}`,
    `major tag: ${p.decision.reason}`,
    'notes (CHANGELOG.md):',
    ...p.notes
      .trimEnd()
      .split('\n')
      .map((line) => `  | ${line}`),
  ].join('\n');
}

function publish(p, dryRun) {
  const say = (line) => console.log(dryRun ? `[dry run] would ${line}` : line);
  const notesFile = join(process.env.RUNNER_TEMP ?? '.', `release-notes-${p.version}.md`);
  const exists =
    !dryRun &&
    (() => {
      try {
        execFileSync('gh', ['release', 'view', p.tag], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    })();
  if (exists) {
    say(`update the notes of the existing GitHub release ${p.tag}`);
  } else {
    say(`create the GitHub release ${p.tag}${p.prerelease ? ' as a pre-release' : ''} with the notes above`);
  }
  if (!dryRun) {
    writeFileSync(notesFile, p.notes);
    if (exists)
      execFileSync('gh', ['release', 'edit', p.tag, '--notes-file', notesFile], { stdio: 'inherit' });
    else
      execFileSync(
        'gh',
        [
          'release',
          'create',
          p.tag,
          '--verify-tag',
          '--title',
          p.tag,
          '--notes-file',
          notesFile,
          ...(p.prerelease ? ['--prerelease'] : ['--latest']),
        ],
        { stdio: 'inherit' },
      );
  }
  if (p.decision.action === 'create' || p.decision.action === 'move') {
    say(`point ${p.major} at ${p.releaseCommit} (${p.decision.reason}) and push it`);
    if (!dryRun) {
      git('tag', '--force', p.major, p.releaseCommit);
      execFileSync('git', ['push', '--force', 'origin', `refs/tags/${p.major}`], { stdio: 'inherit' });
    }
  } else {
    console.log(`${dryRun ? '[dry run] ' : ''}${p.major} stays: ${p.decision.reason}`);
  }
  if (dryRun) console.log('[dry run] nothing was changed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [command, ...rest] = process.argv.slice(2);
  const option = (name) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const tag = option('tag');
  try {
    if (!['plan', 'publish'].includes(command) || !tag)
      throw new Error('usage: node scripts/release.mjs plan|publish --tag vX.Y.Z [--notes FILE] [--dry-run]');
    const p = plan(tag);
    if (command === 'plan') {
      console.log(describe(p));
      if (option('notes')) writeFileSync(option('notes'), p.notes);
    } else {
      publish(p, rest.includes('--dry-run'));
    }
  } catch (error) {
    console.error(`release: ${error.message}`);
    if (process.env.GITHUB_ACTIONS) console.log(`::error title=release::${error.message}`);
    process.exit(1);
  }
}
