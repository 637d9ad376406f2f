/**
 * Vitest global setup of the integration project: the tools the tests run (act, actionlint; built
 * once with go install, see scripts/tools.mjs), then the lab, brought up once and shared, cleared
 * of what interrupted test runs left on its hosts, held by this run alone (test/lab/run-lock.ts),
 * and checked at the end for anything the run left there (a missed cleanup fails the run).
 */
import type { TestProject } from 'vitest/node';
import { ensureTools, JUDGES, TOOLS } from '../../scripts/tools.mjs';
import { reclaimLeftovers, watchForLeaks } from '../helpers/host-cleanup';
import { ensureLab, type LabInfo } from './lab';
import { type JudgesBuild, startJudges } from './judges';
import { guestSince, holdLab } from './run-lock';

declare module 'vitest' {
  export interface ProvidedContext {
    lab: LabInfo;
    /** Every tool's path; a judge's may not exist yet: await judges() (test/helpers/judges.ts). */
    tools: Record<string, string>;
    judges: JudgesBuild;
  }
}

/** What the integration tests cost on a fresh 2-core machine (measured: see CONTRIBUTING/README). */
const ESTIMATE =
  'the integration tests: the tools they lack (built once, below; the judges cosign v2 and v3 in the background while the files that do not need them run), the lab (about 2 min the first time, seconds after), then about 45 min of tests on 2 cores (more on a busy machine)';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  process.stderr.write(`[npm test] ${ESTIMATE}\n`);
  const say = (message: string) => process.stderr.write(`[lab] ${message}\n`);
  const tools = await ensureTools(
    undefined,
    TOOLS.map((t) => t.name).filter((name) => !JUDGES.includes(name)),
  );
  const judges = startJudges(say);
  project.provide('tools', { ...tools, ...judges.build.paths });
  project.provide('judges', judges.build);
  const release = await holdLab(say);
  const lab = await ensureLab();
  await reclaimLeftovers(lab, say);
  // Beside another run (SLIPWAY_LAB_SHARED=1) what appears on the hosts may be the other run's:
  // a guest never checks, and a holder that had one beside it only names what it found.
  const since = Date.now();
  const leaks = process.env.SLIPWAY_LAB_SHARED === '1' ? undefined : await watchForLeaks(lab);
  project.provide('lab', lab);
  return async () => {
    try {
      await leaks?.({ strict: () => !guestSince(since) });
    } finally {
      judges.stop();
      release();
    }
  };
}
