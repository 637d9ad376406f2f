import { describe, expect, it } from 'vitest';
import { gitContext } from '../../helpers/git-context';
import {
  defaultTags,
  expandTemplate,
  isImmutableTag,
  parseSemver,
  sanitizeTag,
  versionTag,
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
    ['x'.repeat(200), 'x'.repeat(128)],
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

  it('the version and X.Y.Z are immutable tags; latest, sha-<7>, branches, pr-N, X.Y and X move', () => {
    for (const tag of ['20150127-97', '20150127-0123456-dirty-abcdef0', '1.2.3', '1.2.3-rc.1'])
      expect(isImmutableTag(tag), tag).toBe(true);
    for (const tag of ['latest', 'sha-0123456', 'main', 'feature-Login--42', 'pr-7', '1.2', '1'])
      expect(isImmutableTag(tag), tag).toBe(false);
  });
});
