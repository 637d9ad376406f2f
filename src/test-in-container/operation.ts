/** test-in-container: services on a private network, the tests in the image, JUnit read back, always cleaned up. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalRunner } from '../command/local-runner';
import { dockerBinary } from '../docker/target';
import type { Inputs } from '../common/inputs';
import { Code, facts, formatDuration, heading, table } from '../common/summary';
import { describeTested, testedPlatform } from './platform';
import { cleanupSession, newSession, readTestRequest, runTests } from './run-tests';
import type { Outcome, Reporter } from '../common/reporter';

const TEST_SESSION_STATE = 'test-session';

export async function runTest(inputs: Inputs, report: Reporter): Promise<Outcome> {
  const request = readTestRequest(inputs);
  const runner = new LocalRunner();
  const target = { docker: dockerBinary() };
  const session = newSession();
  report.saveState(TEST_SESSION_STATE, session.id);
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const reportDir = join(process.env.RUNNER_TEMP ?? tmpdir(), session.id);
  try {
    const tested = await testedPlatform(runner, target, request.image);
    report.info(describeTested(request.image, tested));
    const outcome = await report.group(`Services (${request.services.length})`, () =>
      runTests(
        runner,
        target,
        request,
        session,
        { workspace, reportDir },
        { log: (line) => report.info(line), onOutput: (chunk) => report.stream(chunk) },
      ),
    );
    const junit = outcome.junit;
    for (const failure of junit?.failures ?? []) {
      report.annotate(failure.details || failure.message, {
        title: `${failure.classname ? `${failure.classname} › ` : ''}${failure.name}`,
        ...(failure.file && { file: failure.file }),
        ...(failure.line !== undefined && { line: failure.line }),
      });
    }
    const counts = junit
      ? `${junit.passed} passed, ${junit.failed} failed, ${junit.skipped} skipped`
      : 'no report';
    const error = outcome.timedOut
      ? `the tests timed out after ${formatDuration(request.timeoutMs)} and were killed`
      : outcome.exitCode !== 0
        ? `the tests failed with exit code ${outcome.exitCode} (${counts})`
        : undefined;
    if (!error) report.info(`Tests passed (${counts})`);
    return {
      outputs: {
        'exit-code': String(outcome.exitCode),
        passed: String(junit?.passed ?? ''),
        failed: String(junit?.failed ?? ''),
        skipped: String(junit?.skipped ?? ''),
        report: outcome.report ?? '',
        platform: tested.platform,
      },
      summary: [
        heading(`Tests in ${request.image}: ${outcome.exitCode === 0 ? 'passed' : 'failed'}`),
        facts([
          [
            'Result',
            outcome.timedOut
              ? `timed out after ${formatDuration(request.timeoutMs)}`
              : `exit code ${outcome.exitCode}`,
          ],
          ['Tests', counts],
          ['Platform', tested.platform],
          ['Duration', formatDuration(outcome.durationMs)],
          ['Report', outcome.report ? new Code(outcome.report) : '—'],
        ]),
        ...(outcome.services.length > 0
          ? [
              table(
                ['Service', 'Ready after', 'Waited on'],
                outcome.services.map((s) => [s.name, formatDuration(s.readyMs), s.how]),
              ),
            ]
          : []),
        ...(junit && junit.failures.length > 0
          ? [
              table(
                ['Failed test', 'Where', 'Message'],
                junit.failures.map((f) => [
                  f.name,
                  f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '',
                  f.message,
                ]),
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
