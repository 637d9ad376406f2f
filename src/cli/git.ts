/**
 * Outside GitHub Actions the commit, branch and build number come from GitLab CI's variables or
 * from the repository itself, so tags and labels follow the same rules everywhere.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, gitBytes } from '../github/git-command';

/**
 * A hash of the work tree's uncommitted changes (tracked changes and untracked files, ignored
 * files left out), or '' when it is clean: two builds of one commit with different edits differ.
 */
export function localChanges(cwd: string): string {
  if (git(['status', '--porcelain'], cwd) === '') return '';
  const hash = createHash('sha256').update(gitBytes(['diff', 'HEAD', '--binary'], cwd));
  const top = git(['rev-parse', '--show-toplevel'], cwd);
  const untracked = gitBytes(['ls-files', '--others', '--exclude-standard', '-z', '--full-name'], cwd)
    .toString('utf8')
    .split('\0')
    .filter(Boolean);
  for (const file of untracked) {
    hash.update(`\0${file}\0`);
    try {
      hash.update(readFileSync(join(top, file)));
    } catch {
      // A file that vanished or cannot be read: its name still counts.
    }
  }
  return hash.digest('hex');
}

/** GITHUB_* variables a run outside GitHub Actions lacks, from GitLab CI or git. */
export function ciEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): Record<string, string> {
  if (env.GITHUB_ACTIONS === 'true') return {};
  const sha = env.CI_COMMIT_SHA || git(['rev-parse', 'HEAD'], cwd);
  const tag = env.CI_COMMIT_TAG || '';
  const branch =
    env.CI_COMMIT_BRANCH || env.CI_COMMIT_REF_NAME || git(['rev-parse', '--abbrev-ref', 'HEAD'], cwd);
  const ref = tag ? `refs/tags/${tag}` : branch && branch !== 'HEAD' ? `refs/heads/${branch}` : '';
  const values: Record<string, string> = {};
  if (!env.GITHUB_SHA && sha) values.GITHUB_SHA = sha;
  if (!env.GITHUB_REF && ref) values.GITHUB_REF = ref;
  if (!env.GITHUB_RUN_NUMBER && (env.CI_PIPELINE_IID || env.SLIPWAY_BUILD_NUMBER))
    values.GITHUB_RUN_NUMBER = (env.CI_PIPELINE_IID || env.SLIPWAY_BUILD_NUMBER) as string;
  // No build number: the version is made of the commit, and of the uncommitted changes if any.
  // A commit given from outside (GITHUB_SHA, CI_COMMIT_SHA) is taken as it is.
  if (!env.GITHUB_RUN_NUMBER && !values.GITHUB_RUN_NUMBER && !env.GITHUB_SHA && !env.CI_COMMIT_SHA) {
    const changes = localChanges(cwd);
    if (changes) values.SLIPWAY_LOCAL_CHANGES = changes;
  }
  if (!env.GITHUB_REPOSITORY && env.CI_PROJECT_PATH) values.GITHUB_REPOSITORY = env.CI_PROJECT_PATH;
  if (!env.GITHUB_WORKSPACE) values.GITHUB_WORKSPACE = cwd;
  if (!env.GITHUB_ACTOR && (env.GITLAB_USER_LOGIN || env.USER))
    values.GITHUB_ACTOR = (env.GITLAB_USER_LOGIN || env.USER) as string;
  return values;
}
