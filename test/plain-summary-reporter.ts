/**
 * Prints the run's summary on one line (tests, failures, duration), then one closing line any CI
 * can read: "tests: N passed, N failed, N skipped". (Vitest's own summary is printed too; the last
 * line is for tools that read plain counts.)
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class PlainSummaryReporter implements Reporter {
  private readonly started = performance.now();

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    // A file that failed outside its tests (a beforeAll, an import) leaves them skipped: it counts as
    // one failure, so a run that failed never reads "0 failed".
    let outside = 0;
    for (const module of testModules) {
      let failedHere = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed += 1;
        else if (state === 'failed') failedHere += 1;
        else skipped += 1;
      }
      if (module.state() === 'failed' && failedHere === 0) outside += 1;
      failed += failedHere;
    }
    failed += outside;
    const seconds = Math.round((performance.now() - this.started) / 1000);
    const took = seconds >= 60 ? `${Math.floor(seconds / 60)} min ${seconds % 60} s` : `${seconds} s`;
    const failing = [...testModules].filter((m) => m.state() === 'failed').map((m) => m.moduleId);
    process.stdout.write(
      `\nsummary: ${passed + failed - outside + skipped} tests in ${testModules.length} files, ${failed} failed${outside ? ` (${outside} of them a file's setup)` : ''}${failing.length ? ` (${failing.map((f) => f.replace(/^.*\/test\//, 'test/')).join(', ')})` : ''}, ${skipped} skipped, in ${took}\n`,
    );
    process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
