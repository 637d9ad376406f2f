/**
 * The outside judges (cosign v2 and v3) for the files that use them: built in the background by
 * the test run (test/lab/judges.ts) when the machine lacks them. A file that needs one calls
 * `awaitJudges()` at its top, before its other hooks; it runs last (test/lab/sequencer.mjs finds the
 * import), so on a fresh machine the other files have run while the judges were built.
 */
import { existsSync, readFileSync } from 'node:fs';
import { beforeAll, inject } from 'vitest';

const LIMIT_MS = 40 * 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the judges are built (at most 40 min: cold, they take about 12); name → path. */
export async function judges(): Promise<Record<string, string>> {
  const build = inject('judges');
  for (let waited = 0; !existsSync(build.status); waited += 2000) {
    if (waited > LIMIT_MS)
      throw new Error(`the judges' build has not ended after 40 min (log: ${build.log})`);
    await sleep(2000);
  }
  const { code } = JSON.parse(readFileSync(build.status, 'utf8')) as { code: number | string };
  if (code !== 0) {
    const tail = existsSync(build.log) ? readFileSync(build.log, 'utf8').slice(-3000) : '';
    throw new Error(`building the judges (cosign) failed (${code}); the end of ${build.log}:\n${tail}`);
  }
  return build.paths;
}

/** The file's first hook: its tests and other hooks run once the judges are there. */
export function awaitJudges(): void {
  beforeAll(judges, LIMIT_MS + 60_000);
}
