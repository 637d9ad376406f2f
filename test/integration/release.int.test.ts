/**
 * The release workflow's dry run on a real runner (act): a copy of this repository in a temporary
 * git repository with two release tags, vX.0.0 (where the major tag vX points) and a release tag
 * of package.json's version on the commit after it, released by hand (workflow_dispatch, dry-run).
 * The job installs, plans, rebuilds dist/ and compares it with the commit, runs the unit tests,
 * and says what it would do: create the release with CHANGELOG.md's section as notes and move v0
 * forward. Afterwards every tag is where it was. Needs no lab (no registry, no host).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { dotenvFile, runAct } from '../helpers/act';
import { REPO_ROOT } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';

const repo = tempDir('release-repo');
const event = join(tempDir('release-event'), 'dispatch.json');
const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const TAG = `v${version}`;
const [major, minor, patch] = version.split('.');
const MAJOR = `v${major}`;
// The release before this one, where the major tag points; none for an X.0.0 (v X is then created).
const PREVIOUS = minor === '0' && patch === '0' ? null : `v${major}.0.0`;
const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], {
    encoding: 'utf8',
  }).trim();
const tags = () => git('for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/tags');

beforeAll(() => {
  // The files git would commit here (tracked and new, not ignored), without the node_modules link.
  const files = execFileSync('git', ['-C', REPO_ROOT, 'ls-files', '-z', '-c', '-o', '--exclude-standard'], {
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && f !== 'node_modules' && !f.startsWith('node_modules/'));
  for (const file of new Set(files)) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    cpSync(join(REPO_ROOT, file), join(repo, file), { dereference: false });
  }
  git('init', '-q', '-b', 'main');
  // The previous release: any commit, tagged vX.0.0 with the major tag on it.
  writeFileSync(join(repo, 'previous.txt'), 'the previous release\n');
  git('add', 'previous.txt');
  git('commit', '-qm', 'previous release');
  if (PREVIOUS) {
    git('tag', PREVIOUS);
    git('tag', MAJOR);
  }
  // This release: the whole tree, CHANGELOG.md's Unreleased section named after its version.
  const changelog = readFileSync(join(repo, 'CHANGELOG.md'), 'utf8').replace(
    '## Unreleased',
    `## ${version} — the release under test\n\n- released by the act test`,
  );
  writeFileSync(join(repo, 'CHANGELOG.md'), changelog);
  git('add', '-A');
  git('commit', '-qm', 'this release');
  git('tag', '-a', TAG, '-m', TAG);
  writeFileSync(
    event,
    JSON.stringify({
      ref: 'refs/heads/main',
      inputs: { tag: TAG, 'dry-run': 'true' }, // GitHub's event payload has the inputs as strings
      repository: { default_branch: 'main', full_name: 'slipway-dev/slipway' },
    }),
  );
});

describe('the release workflow under act', () => {
  it('a dry run checks dist/ and the unit tests, says it would release with the changelog section and move the major tag forward, and changes nothing', async () => {
    const before = tags();
    // act's own cache (the job's copy of the repository and its node_modules) in a temp dir of this test.
    const cache = tempDir('release-act-cache');
    const argv = [
      'workflow_dispatch',
      '-W',
      '.github/workflows/release.yml',
      '-e',
      event,
      '--action-cache-path',
      cache,
    ];
    const run = await runAct(argv, {
      cwd: repo,
      secrets: dotenvFile('release-secrets', {}),
      vars: dotenvFile('release-vars', {}),
      timeoutMs: 900_000,
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(/🏁 {2}Job succeeded/);
    expect(run.log).toContain(`release ${TAG} of commit ${git('rev-parse', `${TAG}^{commit}`)}`);
    expect(run.log).toContain('| - released by the act test');
    expect(run.log).toContain(`[dry run] would create the GitHub release ${TAG} with the notes above`);
    expect(run.log).toContain(`[dry run] would point ${MAJOR} at`);
    expect(run.log).toContain(
      PREVIOUS
        ? `${MAJOR} moves forward from ${PREVIOUS} to ${TAG}`
        : `${MAJOR} does not exist yet: created at ${TAG}`,
    );
    expect(run.log).toContain('[dry run] nothing was changed');
    expect(run.log).toMatch(/tests: \d+ passed, 0 failed/);
    expect(tags()).toBe(before);
    if (PREVIOUS)
      expect(git('rev-parse', `${MAJOR}^{commit}`)).toBe(git('rev-parse', `${PREVIOUS}^{commit}`));
    console.log(`act release dry run: ${Math.round(run.durationMs / 1000)} s`);
  }, 960_000);
});
