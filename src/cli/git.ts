/**
 * Outside GitHub Actions the commit, branch and build number come from GitLab CI's variables or
 * from the repository itself, so tags and labels follow the same rules everywhere.
 */
import { execFileSync } from 'node:child_process';

function git(args: string[], cwd: string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
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
  if (!env.GITHUB_REPOSITORY && env.CI_PROJECT_PATH) values.GITHUB_REPOSITORY = env.CI_PROJECT_PATH;
  if (!env.GITHUB_WORKSPACE) values.GITHUB_WORKSPACE = cwd;
  if (!env.GITHUB_ACTOR && (env.GITLAB_USER_LOGIN || env.USER))
    values.GITHUB_ACTOR = (env.GITLAB_USER_LOGIN || env.USER) as string;
  return values;
}
