import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changelogSection, compareVersions, majorTagDecision, parseVersion } from '../../scripts/release.mjs';
import { REPO_ROOT } from '../helpers/run-bundle';

const CHANGELOG = `# Changelog

Intro text.

## Unreleased

- something new

## [1.2.0] - 2026-12-20

### Added
- rollback-to

## 1.1.0

- one
- two

## v1.0.0 (2026-12-01)

The first.
`;

describe('release: versions', () => {
  it('parses vX.Y.Z and pre-releases, and nothing else', () => {
    expect(parseVersion('v1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseVersion('1.2.3-rc.1')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: ['rc', '1'] });
    for (const bad of ['v1', 'v1.2', 'v01.2.3', 'v1.2.3.4', 'release-1.2.3', ''])
      expect(parseVersion(bad)).toBeNull();
  });

  it('orders versions by semver precedence, not as text', () => {
    const sorted = [
      'v1.10.0',
      'v1.2.0',
      'v1.2.0-rc.2',
      'v1.2.0-rc.10',
      'v1.2.0-alpha',
      'v1.9.9',
      'v2.0.0-beta.1',
    ].sort(compareVersions);
    expect(sorted).toEqual([
      'v1.2.0-alpha',
      'v1.2.0-rc.2',
      'v1.2.0-rc.10',
      'v1.2.0',
      'v1.9.9',
      'v1.10.0',
      'v2.0.0-beta.1',
    ]);
    expect(compareVersions('v1.2.3', '1.2.3')).toBe(0);
  });
});

describe('release: the changelog section is the notes', () => {
  it('takes the lines under the version heading up to the next version heading, ### kept', () => {
    expect(changelogSection(CHANGELOG, '1.2.0')).toBe('### Added\n- rollback-to\n');
    expect(changelogSection(CHANGELOG, 'v1.1.0')).toBe('- one\n- two\n');
    expect(changelogSection(CHANGELOG, '1.0.0')).toBe('The first.\n');
  });

  it('does not take 1.1.0 for 1.1 or 1.1.0 for 1.1.0-rc.1', () => {
    expect(() => changelogSection(CHANGELOG, '1.1')).toThrow(/no section for 1\.1/);
    expect(() => changelogSection(CHANGELOG, '1.1.0-rc.1')).toThrow(/no section for 1\.1\.0-rc\.1/);
    expect(() => changelogSection('## 11.1.0\n\nx\n', '1.1.0')).toThrow(/no section/);
    expect(changelogSection('## [1.1.0-rc.1]\n\nrc\n\n## 1.1.0 — 2026-12-20\n\nfinal\n', '1.1.0')).toBe(
      'final\n',
    );
  });

  it('refuses a missing or empty section, saying what to do', () => {
    expect(() => changelogSection(CHANGELOG, '3.0.0')).toThrow(
      /add a "## 3\.0\.0" heading \(rename "## Unreleased"\)/,
    );
    expect(() => changelogSection('## 2.0.0\n\n## 1.0.0\nx\n', '2.0.0')).toThrow(/empty/);
  });

  it("finds this repository's 1.0.0 section", () => {
    const text = readFileSync(join(REPO_ROOT, 'CHANGELOG.md'), 'utf8');
    expect(changelogSection(text, '1.0.0')).toContain('remote-deploy-ssh');
  });
});

describe('release: the major tag moves only forward', () => {
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);

  it('creates vX for the first release of a major', () => {
    expect(majorTagDecision({ release: 'v2.0.0', releaseCommit: B, current: null }).action).toBe('create');
  });

  it('moves vX from an older release to a newer one (semver, not text: 1.10.0 after 1.9.0)', () => {
    const d = majorTagDecision({
      release: 'v1.10.0',
      releaseCommit: B,
      current: { commit: A, versions: ['v1.9.0'] },
    });
    expect(d).toEqual({ action: 'move', reason: 'v1 moves forward from v1.9.0 to v1.10.0' });
  });

  it('keeps vX on a newer release when a back-port is released', () => {
    const d = majorTagDecision({
      release: 'v1.2.5',
      releaseCommit: B,
      current: { commit: A, versions: ['v1.3.0'] },
    });
    expect(d).toEqual({ action: 'keep', reason: 'v1 is at v1.3.0, newer than v1.2.5: not moved backwards' });
  });

  it('judges by the newest release tag on the commit vX points at, ignoring pre-releases and other majors', () => {
    const current = { commit: A, versions: ['v1.2.0-rc.1', 'v1.2.0', 'v1.1.9', 'v2.0.0'] };
    expect(majorTagDecision({ release: 'v1.2.1', releaseCommit: B, current }).action).toBe('move');
    expect(majorTagDecision({ release: 'v1.1.10', releaseCommit: B, current }).action).toBe('keep');
  });

  it('never moves vX for a pre-release', () => {
    const d = majorTagDecision({
      release: 'v1.4.0-rc.1',
      releaseCommit: B,
      current: { commit: A, versions: ['v1.3.0'] },
    });
    expect(d.action).toBe('keep');
    expect(majorTagDecision({ release: 'v3.0.0-rc.1', releaseCommit: B, current: null }).action).toBe('keep');
  });

  it('a rerun of the same release keeps vX; the same version on another commit is refused', () => {
    expect(
      majorTagDecision({ release: 'v1.3.0', releaseCommit: A, current: { commit: A, versions: ['v1.3.0'] } })
        .action,
    ).toBe('keep');
    const d = majorTagDecision({
      release: 'v1.3.0',
      releaseCommit: B,
      current: { commit: A, versions: ['v1.3.0'] },
    });
    expect(d.action).toBe('refuse');
    expect(d.reason).toMatch(/a version is released once/);
  });

  it('refuses when vX points at a commit no release tag names (nothing says which way is forward)', () => {
    const d = majorTagDecision({ release: 'v1.3.0', releaseCommit: B, current: { commit: A, versions: [] } });
    expect(d.action).toBe('refuse');
    expect(d.reason).toMatch(/no v1\.y\.z release tag names/);
  });
});
