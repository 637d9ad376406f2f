import { describe, expect, it } from 'vitest';
import { gitContext } from '../../helpers/git-context';
import {
  defaultTags,
  expandTemplate,
  defaultTagPlan,
  parseSemver,
  sanitizeTag,
  versionTag,
  rerunVersion,
  compareSemver,
  type Semver,
} from '../../../src/build-and-tag/tags';

const base = gitContext();
const ctx = gitContext;

describe('default tags', () => {
  it('default branch: version, sha and latest', () => {
    expect(defaultTags(base)).toEqual(['20150127-97', 'sha-0123456', 'latest']);
  });

  it('the version uses the UTC date', () => {
    expect(versionTag(ctx({ now: new Date('2015-01-28T00:30:00+02:00') }))).toBe('20150127-97');
  });

  it('another branch: its sanitised name, never latest', () => {
    expect(defaultTags(ctx({ ref: 'refs/heads/feature/Login #42' }))).toEqual([
      '20150127-97',
      'sha-0123456',
      'feature-Login--42',
    ]);
  });

  it('no default branch known: no latest', () => {
    expect(defaultTags(ctx({ defaultBranch: undefined }))).toEqual(['20150127-97', 'sha-0123456', 'main']);
  });

  it('pull request: pr-N', () => {
    expect(
      defaultTags(
        ctx({ eventName: 'pull_request', ref: 'refs/pull/7/merge', pullRequest: 7, headRef: 'fix' }),
      ),
    ).toEqual(['20150127-97', 'sha-0123456', 'pr-7']);
  });

  it('release tag: X.Y.Z, X.Y, X and no latest', () => {
    expect(defaultTags(ctx({ ref: 'refs/tags/v1.4.2' }))).toEqual([
      '20150127-97',
      'sha-0123456',
      '1.4.2',
      '1.4',
      '1',
    ]);
  });

  it('pre-release tag: only its full version', () => {
    expect(defaultTags(ctx({ ref: 'refs/tags/v2.0.0-rc.1' }))).toEqual([
      '20150127-97',
      'sha-0123456',
      '2.0.0-rc.1',
    ]);
  });

  it('other tag: sanitised', () => {
    expect(defaultTags(ctx({ ref: 'refs/tags/release/2015-01' }))).toEqual([
      '20150127-97',
      'sha-0123456',
      'release-2015-01',
    ]);
  });
});

describe('sanitizeTag', () => {
  it.each([
    ['feature/x', 'feature-x'],
    ['-lead', 'lead'],
    ['.hidden', 'hidden'],
    ['ok_1.2-3', 'ok_1.2-3'],
    ['ünï', 'n-'],
    ['a;b$(c)', 'a-b--c-'],
  ])('%s → %s', (input, output) => {
    expect(sanitizeTag(input)).toBe(output);
  });
});

describe('templates', () => {
  it('expands every placeholder', () => {
    expect(expandTemplate('{branch}-{sha7}', base)).toBe('main-0123456');
    expect(expandTemplate('{date}.{run}', base)).toBe('20150127.97');
    expect(expandTemplate('v-{version}', base)).toBe('v-20150127-97');
    expect(expandTemplate('{sha}', base)).toBe(base.sha);
  });

  it('rejects unknown placeholders and empty results', () => {
    expect(() => expandTemplate('{nope}', base)).toThrow('unknown placeholder {nope}');
    expect(() => expandTemplate('{branch}', ctx({ ref: 'refs/pull/1/merge' }))).toThrow('empty tag');
  });
});

describe('parseSemver', () => {
  it('parses releases and pre-releases, rejects the rest', () => {
    expect(parseSemver('v1.2.3')).toEqual({ major: '1', minor: '2', patch: '3' });
    expect(parseSemver('1.2.3-beta.1+build.5')).toEqual({
      major: '1',
      minor: '2',
      patch: '3',
      prerelease: 'beta.1',
    });
    expect(parseSemver('v1.2')).toBeUndefined();
    expect(parseSemver('v01.2.3')).toBeUndefined();
  });
});

describe('the version off CI (no build number)', () => {
  it('is the date and the commit, so two commits never share a version', () => {
    expect(versionTag(ctx({ runNumber: 0 }))).toBe('20150127-0123456');
    expect(versionTag(ctx({ runNumber: 0, sha: 'fedcba9876' }))).toBe('20150127-fedcba9');
  });

  it('carries a hash of the uncommitted changes when the work tree is dirty', () => {
    expect(versionTag(ctx({ runNumber: 0, localChanges: 'abcdef0123456789' }))).toBe(
      '20150127-0123456-dirty-abcdef0',
    );
  });

  it('outside a repository, the time of the build', () => {
    expect(versionTag(ctx({ runNumber: 0, sha: '', now: new Date('2015-01-27T10:11:12.345Z') }))).toBe(
      '20150127-t101112345',
    );
  });
});

describe('where each tag came from (immutability follows from it, never from a name)', () => {
  it("the version and a release's X.Y.Z are immutable; X.Y and X are release lines", () => {
    expect(defaultTagPlan(ctx({ ref: 'refs/tags/v1.4.2' }))).toEqual([
      { tag: '20150127-97', source: 'version' },
      { tag: 'sha-0123456', source: 'commit' },
      { tag: '1.4.2', source: 'release' },
      { tag: '1.4', source: 'release-line' },
      { tag: '1', source: 'release-line' },
    ]);
  });

  it.each(['20240115-hotfix', '1.2.3', 'v1.2.3-rc'])('a branch named %s is a branch', (branch) => {
    expect(defaultTagPlan(ctx({ ref: `refs/heads/${branch}` }))[2]).toEqual({
      tag: branch,
      source: 'branch',
    });
  });
});

describe('scheduled runs (the payload names no repository, so no default branch)', () => {
  const schedule = ctx({ eventName: 'schedule', defaultBranch: undefined });
  it('run on the default branch: latest moves', () => {
    expect(defaultTags(schedule)).toEqual(['20150127-97', 'sha-0123456', 'latest']);
  });
  it('another event without a default branch known still gets no latest', () => {
    expect(defaultTags(ctx({ eventName: 'workflow_dispatch', defaultBranch: undefined }))).toEqual([
      '20150127-97',
      'sha-0123456',
      'main',
    ]);
  });
  it('a create event on a branch is not the default branch', () => {
    expect(defaultTags(ctx({ eventName: 'create', ref: 'refs/heads/dev' }))).toEqual([
      '20150127-97',
      'sha-0123456',
      'dev',
    ]);
  });
});

describe('pull requests: the commit that was built', () => {
  const merge = 'f'.repeat(40);
  const pr = ctx({
    eventName: 'pull_request',
    ref: 'refs/pull/7/merge',
    pullRequest: 7,
    headRef: 'fix',
    sha: merge,
    headSha: '0123456789abcdef0123456789abcdef01234567',
  });
  it('sha-<7> names the merge commit, not the head', () => {
    expect(defaultTags(pr)).toEqual(['20150127-97', 'sha-fffffff', 'pr-7']);
  });
  it('the head commit is an opt-in template', () => {
    expect(expandTemplate('pr-{head_sha7}', pr)).toBe('pr-0123456');
    expect(expandTemplate('{head_sha}', pr)).toBe('0123456789abcdef0123456789abcdef01234567');
    expect(expandTemplate('{head_sha7}', base)).toBe('0123456');
  });
  it('pull_request_target builds the base branch: its commit, pr-N', () => {
    expect(
      defaultTags(
        ctx({
          eventName: 'pull_request_target',
          ref: 'refs/heads/main',
          pullRequest: 7,
          headRef: 'fix',
          sha: merge,
        }),
      ),
    ).toEqual(['20150127-97', 'sha-fffffff', 'pr-7']);
  });
});

describe('long names stay unique when cut to 128', () => {
  it('a long name keeps its start and ends with a hash of the whole', () => {
    const tag = sanitizeTag('x'.repeat(200));
    expect(tag).toHaveLength(128);
    expect(tag).toMatch(/^x{119}-[0-9a-f]{8}$/);
    expect(sanitizeTag('x'.repeat(201))).not.toBe(tag);
  });
  const long = (suffix: string) => ctx({ ref: `refs/heads/feature/${'x'.repeat(150)}${suffix}` });
  it('{branch}-{sha7} keeps its -{sha7} tail', () => {
    const tag = expandTemplate('{branch}-{sha7}', long('-a'));
    expect(tag).toHaveLength(128);
    expect(tag.endsWith('-0123456')).toBe(true);
    expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
  });
  it('two long branches with a shared start get different tags', () => {
    const [a, b] = [long('-a'), long('-b')];
    expect(expandTemplate('{branch}-{sha7}', a)).not.toBe(expandTemplate('{branch}-{sha7}', b));
    expect(defaultTags(a)[2]).not.toBe(defaultTags(b)[2]);
    expect(defaultTags(a)[2]).toHaveLength(128);
    expect(expandTemplate('{branch}', a)).toBe(defaultTags(a)[2]);
  });
  it('a name that fits is never touched', () => {
    expect(sanitizeTag('x'.repeat(128))).toBe('x'.repeat(128));
  });
});

describe('latest comes from the default branch only', () => {
  it('a branch named latest gets branch-latest', () => {
    expect(defaultTags(ctx({ ref: 'refs/heads/latest' }))).toEqual([
      '20150127-97',
      'sha-0123456',
      'branch-latest',
    ]);
    expect(expandTemplate('{branch}', ctx({ ref: 'refs/heads/latest' }))).toBe('branch-latest');
  });
  it('a git tag named latest gets tag-latest', () => {
    expect(defaultTags(ctx({ ref: 'refs/tags/latest' }))).toEqual([
      '20150127-97',
      'sha-0123456',
      'tag-latest',
    ]);
  });
  it("a template that says latest is the user's own choice", () => {
    expect(expandTemplate('latest', ctx({ ref: 'refs/heads/dev' }))).toBe('latest');
  });
});

describe('version prefix: two workflows of one repository never share a version', () => {
  it('goes before the date', () => {
    expect(versionTag(base, 'rebuild-')).toBe('rebuild-20150127-97');
    expect(defaultTags(base, 'rebuild-')[0]).toBe('rebuild-20150127-97');
    expect(expandTemplate('{version}', base, 'rebuild-')).toBe('rebuild-20150127-97');
  });
  it("a rerun's own version names its attempt", () => {
    expect(rerunVersion('20150127-97', 2)).toBe('20150127-97.2');
  });
});

describe('semver precedence', () => {
  it.each([
    ['1.1.1', '1.0.5', 1],
    ['1.0.5', '1.1.1', -1],
    ['1.10.0', '1.9.9', 1],
    ['1.1.1', '1.1.1-rc.1', 1],
    ['1.1.1-rc.2', '1.1.1-rc.10', -1],
    ['1.1.1-alpha', '1.1.1-alpha.1', -1],
    ['1.1.1-beta', '1.1.1-alpha.9', 1],
    ['2.0.0', '2.0.0', 0],
  ])('%s vs %s', (a, b, sign) => {
    expect(compareSemver(parseSemver(a) as Semver, parseSemver(b) as Semver)).toBe(sign);
  });
});
