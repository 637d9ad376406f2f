import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGitContext } from '../../../src/github/context';
import { commitTime } from '../../../src/github/commit-time';
import { defaultTags } from '../../../src/build-and-tag/tags';
import { tempDir } from '../../helpers/temp';

/** An event payload on disk, as the runner gives it (GITHUB_EVENT_PATH). */
function event(payload: unknown): string {
  const file = join(tempDir('event'), 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return file;
}

const now = new Date('2020-01-10T00:30:00Z');

describe('the context of the events metadata-action tests with', () => {
  it('pull_request: the merge commit that was built, the head kept apart', () => {
    const ctx = readGitContext(
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REF: 'refs/pull/15/merge',
        GITHUB_SHA: '5f3331d7f7044c18ca9f12c77d961c4d7cf3276a',
        GITHUB_HEAD_REF: 'feature1',
        GITHUB_RUN_NUMBER: '15',
        GITHUB_EVENT_PATH: event({
          number: 15,
          pull_request: {
            number: 15,
            head: { ref: 'feature1', sha: '743d2f0bbc5dcc14ddf9b1c1e0dd6ed4e4dae5b2' },
          },
          repository: {
            default_branch: 'master',
            description: 'Docker actions',
            license: { spdx_id: 'Apache-2.0' },
          },
        }),
      },
      now,
    );
    expect(ctx.sha).toBe('5f3331d7f7044c18ca9f12c77d961c4d7cf3276a');
    expect(ctx.headSha).toBe('743d2f0bbc5dcc14ddf9b1c1e0dd6ed4e4dae5b2');
    expect(ctx).toMatchObject({ description: 'Docker actions', license: 'Apache-2.0', pullRequest: 15 });
    expect(defaultTags(ctx)).toEqual(['20200110-15', 'sha-5f3331d', 'pr-15']);
  });

  it('schedule: no repository in the payload, and latest all the same', () => {
    const ctx = readGitContext(
      {
        GITHUB_EVENT_NAME: 'schedule',
        GITHUB_REF: 'refs/heads/master',
        GITHUB_SHA: '860c1904a1ce19322e91ac35af1ab07466440c37',
        GITHUB_RUN_NUMBER: '3',
        GITHUB_EVENT_PATH: event({ schedule: '*/15 * * * *' }),
      },
      now,
    );
    expect(ctx.defaultBranch).toBeUndefined();
    expect(defaultTags(ctx)).toEqual(['20200110-3', 'sha-860c190', 'latest']);
  });

  it('a licence GitHub could not name (NOASSERTION) is no licence', () => {
    const ctx = readGitContext(
      {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REF: 'refs/heads/master',
        GITHUB_EVENT_PATH: event({
          repository: { default_branch: 'master', license: { spdx_id: 'NOASSERTION' } },
        }),
      },
      now,
    );
    expect(ctx.license).toBeUndefined();
    expect(ctx.description).toBeUndefined();
  });
});

describe('the commit time a build stamps', () => {
  it('comes from the repository of the build context, else the workspace, else nothing', () => {
    const repo = tempDir('commit-time');
    const git = (...args: string[]) =>
      execFileSync('git', ['-C', repo, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], {
        encoding: 'utf8',
        env: { ...process.env, GIT_COMMITTER_DATE: '2026-11-01T10:00:00Z' },
      }).trim();
    git('init', '-q');
    writeFileSync(join(repo, 'f'), 'x');
    git('add', '-A');
    git('commit', '-qm', 'x');
    const sha = git('rev-parse', 'HEAD');
    const elsewhere = tempDir('not-a-repo');
    const at = (workspace: string, context: string, env = {}) =>
      commitTime(
        readGitContext({ GITHUB_SHA: sha, GITHUB_WORKSPACE: workspace }, now),
        env,
        context,
      )?.toISOString();
    expect(at(elsewhere, repo)).toBe('2026-11-01T10:00:00.000Z');
    expect(at(repo, elsewhere)).toBe('2026-11-01T10:00:00.000Z');
    expect(at(elsewhere, elsewhere)).toBeUndefined();
    expect(at(elsewhere, elsewhere, { SOURCE_DATE_EPOCH: '1700000000' })).toBe('2023-11-14T22:13:20.000Z');
  });
});
