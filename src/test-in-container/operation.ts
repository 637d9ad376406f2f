/**
 * test-in-container: for each platform tested, services on a private network, the tests in that
 * platform's image, JUnit read back, always cleaned up. The step fails when any platform fails.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChecked } from '../command/command';
import { LocalRunner } from '../command/local-runner';
import { serverPlatform } from '../docker/images';
import { dockerBinary } from '../docker/target';
import type { Inputs } from '../common/inputs';
import { Code, facts, formatDuration, heading, table } from '../common/summary';
import {
  checkRunnable,
  describeTested,
  ensurePulled,
  localEngine,
  type PlatformTarget,
  readBinfmt,
  resolveTestPlatforms,
  type TestPlatforms,
} from './platform';
import { cleanupSession, newSession, readTestRequest, runTests, type TestOutcome } from './run-tests';
import type { Outcome, Reporter } from '../common/reporter';

const TEST_SESSION_STATE = 'test-session';

/** One platform's run, as the `results` output lists it. */
export interface PlatformResult {
  readonly platform: string;
  readonly image: string;
  readonly digest?: string;
  readonly 'exit-code': number;
  readonly 'timed-out': boolean;
  readonly passed?: number;
  readonly failed?: number;
  readonly skipped?: number;
  readonly report?: string;
  readonly 'duration-ms': number;
}

export function platformResult(target: PlatformTarget, outcome: TestOutcome): PlatformResult {
  return {
    platform: target.platform,
    image: target.image,
    ...(target.digest && { digest: target.digest }),
    'exit-code': outcome.exitCode,
    'timed-out': outcome.timedOut,
    ...(outcome.junit && {
      passed: outcome.junit.passed,
      failed: outcome.junit.failed,
      skipped: outcome.junit.skipped,
    }),
    ...(outcome.report && { report: outcome.report }),
    'duration-ms': Math.round(outcome.durationMs),
  };
}

function counts(result: PlatformResult): string {
  return result.passed !== undefined
    ? `${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`
    : 'no report';
}

/** The step's error, or undefined when every platform passed (one platform: as it always read). */
export function testError(results: readonly PlatformResult[], timeoutMs: number): string | undefined {
  const failed = results.filter((r) => r['exit-code'] !== 0);
  if (failed.length === 0) return undefined;
  const why = (r: PlatformResult) =>
    r['timed-out']
      ? `the tests timed out after ${formatDuration(timeoutMs)} and were killed`
      : `the tests failed with exit code ${r['exit-code']} (${counts(r)})`;
  if (results.length === 1) return why(failed[0] as PlatformResult);
  const passed = results.filter((r) => r['exit-code'] === 0).map((r) => r.platform);
  return `${failed.map((r) => `on ${r.platform}: ${why(r)}`).join('; ')}${passed.length > 0 ? ` (passed on ${passed.join(', ')})` : ''}`;
}

/** A directory name for a platform's reports (linux/arm64/v8 → linux-arm64-v8). */
export function platformSlug(platform: string): string {
  return platform.replace(/[^A-Za-z0-9._-]+/g, '-');
}

/**
 * Runs the tests. `given`: the platforms and images to test, decided by the caller (the root
 * action, which loads each built platform from the builder), instead of reading them from `image`.
 */
export function runTest(inputs: Inputs, report: Reporter): Promise<Outcome> {
  return runTestOn(inputs, report, undefined);
}

export async function runTestOn(
  inputs: Inputs,
  report: Reporter,
  given: readonly PlatformTarget[] | undefined,
): Promise<Outcome> {
  const request = readTestRequest(inputs);
  const runner = new LocalRunner();
  const target = { docker: dockerBinary() };
  const session = newSession();
  report.saveState(TEST_SESSION_STATE, session.id);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const reportRoot = join(process.env.RUNNER_TEMP ?? tmpdir(), session.id);
  try {
    const tested: TestPlatforms = given
      ? {
          targets: given,
          runner: (await runChecked(runner, serverPlatform(target))).stdout.trim(),
          source: 'given',
        }
      : await resolveTestPlatforms(runner, target, request.image, request.platforms);
    // Before anything runs: every platform must be runnable here (natively or emulated).
    if (localEngine())
      checkRunnable(tested.targets, tested.runner, readBinfmt(), request.platforms.length > 0);
    report.info(describeTested(request.image, tested));
    const several = tested.targets.length > 1;
    const results: PlatformResult[] = [];
    const outcomes: TestOutcome[] = [];
    for (const platform of tested.targets) {
      if (await ensurePulled(runner, target, platform))
        report.info(`Pulled ${platform.image} (${platform.platform})`);
      const title = `${several ? `${platform.platform}: ` : ''}Services (${request.services.length})`;
      const outcome = await report.group(title, () =>
        runTests(
          runner,
          target,
          {
            ...request,
            image: platform.image,
            ...(platform.runPlatform && { runPlatform: platform.platform }),
          },
          session,
          { workspace, reportDir: several ? join(reportRoot, platformSlug(platform.platform)) : reportRoot },
          { log: (line) => report.info(line), onOutput: (chunk) => report.stream(chunk) },
        ),
      );
      // The next platform starts from nothing: its own services, network and test container.
      if (several) await cleanupSession(runner, target, session.id);
      for (const failure of outcome.junit?.failures ?? []) {
        report.annotate(failure.details || failure.message, {
          title: `${several ? `[${platform.platform}] ` : ''}${failure.classname ? `${failure.classname} › ` : ''}${failure.name}`,
          ...(failure.file && { file: failure.file }),
          ...(failure.line !== undefined && { line: failure.line }),
        });
      }
      const result = platformResult(platform, outcome);
      if (result['exit-code'] === 0)
        report.info(`Tests passed${several ? ` on ${platform.platform}` : ''} (${counts(result)})`);
      else if (several)
        report.info(
          `Tests failed on ${platform.platform} (exit code ${result['exit-code']}, ${counts(result)})`,
        );
      results.push(result);
      outcomes.push(outcome);
    }
    const error = testError(results, request.timeoutMs);
    const sum = (key: 'passed' | 'failed' | 'skipped') =>
      results.every((r) => r[key] === undefined)
        ? ''
        : String(results.reduce((n, r) => n + (r[key] ?? 0), 0));
    const own =
      results.find((r) => r.platform.split('/').slice(0, 2).join('/') === tested.runner) ?? results[0];
    const firstFailed = results.find((r) => r['exit-code'] !== 0);
    const single = outcomes[0] as TestOutcome;
    return {
      outputs: {
        'exit-code': String((firstFailed ?? results[0])?.['exit-code'] ?? ''),
        passed: sum('passed'),
        failed: sum('failed'),
        skipped: sum('skipped'),
        report: several ? (results.some((r) => r.report) ? reportRoot : '') : (single.report ?? ''),
        platform: own?.platform ?? '',
        platforms: results.map((r) => r.platform).join(','),
        results: JSON.stringify(results),
      },
      summary: [
        heading(`Tests in ${request.image}: ${error ? 'failed' : 'passed'}`),
        several
          ? table(
              ['Platform', 'Result', 'Tests', 'Duration', 'Report'],
              results.map((r) => [
                r.platform,
                r['timed-out']
                  ? 'timed out'
                  : r['exit-code'] === 0
                    ? 'passed'
                    : `failed (exit code ${r['exit-code']})`,
                counts(r),
                formatDuration(r['duration-ms']),
                r.report ? new Code(r.report) : '—',
              ]),
            )
          : facts([
              [
                'Result',
                single.timedOut
                  ? `timed out after ${formatDuration(request.timeoutMs)}`
                  : `exit code ${single.exitCode}`,
              ],
              ['Tests', counts(results[0] as PlatformResult)],
              ['Platform', (results[0] as PlatformResult).platform],
              ['Duration', formatDuration(single.durationMs)],
              ['Report', single.report ? new Code(single.report) : '—'],
            ]),
        ...(single.services.length > 0
          ? [
              table(
                ['Service', 'Ready after', 'Waited on'],
                single.services.map((s) => [s.name, formatDuration(s.readyMs), s.how]),
              ),
            ]
          : []),
        ...(outcomes.some((o) => (o.junit?.failures.length ?? 0) > 0)
          ? [
              table(
                [...(several ? ['Platform'] : []), 'Failed test', 'Where', 'Message'],
                outcomes.flatMap((o, i) =>
                  (o.junit?.failures ?? []).map((f) => [
                    ...(several ? [(results[i] as PlatformResult).platform] : []),
                    f.name,
                    f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '',
                    f.message,
                  ]),
                ),
              ),
            ]
          : []),
      ],
      ...(error && { error }),
    };
  } finally {
    const removed = await cleanupSession(runner, target, session.id);
    report.info(`Removed ${removed} container(s) and network ${session.network}`);
  }
}

/** The post step: removes the containers a cancelled run left behind. */
export async function afterTest(report: Reporter): Promise<void> {
  const id = report.readState(TEST_SESSION_STATE);
  if (!id) return;
  const removed = await cleanupSession(new LocalRunner(), { docker: dockerBinary() }, id);
  if (removed > 0) report.info(`Removed ${removed} leftover container(s) of ${id}`);
}
