/**
 * Vitest's order (slowest or largest files first), except that the files awaiting the judges
 * (they import test/helpers/judges.ts) run last: on a fresh machine the judges are still being
 * built while the others run (test/lab/judges.ts). Plain JavaScript: vitest.config.mts loads it.
 */
import { readFileSync } from 'node:fs';
import { BaseSequencer } from 'vitest/node';

/** @param {string} file */
const awaitsJudges = (file) => {
  try {
    return readFileSync(file, 'utf8').includes("from '../helpers/judges'");
  } catch {
    return false;
  }
};

export default class JudgesLastSequencer extends BaseSequencer {
  /** @param {import('vitest/node').TestSpecification[]} files */
  async sort(files) {
    const sorted = await super.sort(files);
    const last = new Set(sorted.filter((spec) => awaitsJudges(spec.moduleId)));
    return [...sorted.filter((spec) => !last.has(spec)), ...sorted.filter((spec) => last.has(spec))];
  }
}
