import { BaseSequencer } from 'vitest/node';

/** Vitest's order, the files that import test/helpers/judges.ts last. */
export default class JudgesLastSequencer extends BaseSequencer {}
