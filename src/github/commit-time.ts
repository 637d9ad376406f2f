/**
 * When the built commit was made: the time a reproducible build stamps on its image (the `created`
 * label, BuildKit's SOURCE_DATE_EPOCH), so rebuilding an unchanged commit can give the same image.
 */
import { git } from './git-command';
import type { GitContext } from './context';

/**
 * SOURCE_DATE_EPOCH from the environment (the user's choice), else the built commit's time from
 * git, read in the build context's repository (a checkout made with `path:`) and else in the
 * workspace's; undefined when none of them knows it.
 */
export function commitTime(
  ctx: GitContext,
  env: NodeJS.ProcessEnv = process.env,
  context: string = ctx.workspace,
): Date | undefined {
  const given = env.SOURCE_DATE_EPOCH;
  if (given && /^\d{1,12}$/.test(given)) return new Date(Number(given) * 1000);
  if (!/^[0-9a-f]{7,64}$/.test(ctx.sha)) return undefined;
  for (const cwd of new Set([context, ctx.workspace])) {
    const seconds = commitSeconds(ctx.sha, cwd);
    if (seconds !== undefined) return new Date(seconds * 1000);
  }
  return undefined;
}

function commitSeconds(sha: string, cwd: string): number | undefined {
  // --no-show-signature: a repository's config never makes this read run a signature program.
  const out = git(['log', '-1', '--no-show-signature', '--format=%ct', sha, '--'], cwd, 10_000);
  return /^\d+$/.test(out) ? Number(out) : undefined;
}
