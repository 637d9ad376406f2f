/**
 * When the built commit was made: the time a reproducible build stamps on its image (the `created`
 * label, BuildKit's SOURCE_DATE_EPOCH), so rebuilding an unchanged commit can give the same image.
 */
import { execFileSync } from 'node:child_process';
import type { GitContext } from './context';

/** SOURCE_DATE_EPOCH from the environment (the user's choice), else the commit's time from git; undefined when neither is known. */
export function commitTime(
  ctx: GitContext,
  env: NodeJS.ProcessEnv = process.env,
  /** Where the checkout is: the build context (a checkout with `path:` is not the workspace itself). */
  cwd: string = ctx.workspace,
): Date | undefined {
  const given = env.SOURCE_DATE_EPOCH;
  if (given && /^\d{1,12}$/.test(given)) return new Date(Number(given) * 1000);
  if (!/^[0-9a-f]{7,64}$/.test(ctx.sha)) return undefined;
  try {
    // --no-show-signature: a repository's config never makes this read run a signature program.
    const out = execFileSync('git', ['log', '-1', '--no-show-signature', '--format=%ct', ctx.sha, '--'], {
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    })
      .toString('utf8')
      .trim();
    return /^\d+$/.test(out) ? new Date(Number(out) * 1000) : undefined;
  } catch {
    return undefined;
  }
}
