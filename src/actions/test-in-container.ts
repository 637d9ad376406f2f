import * as core from '@actions/core';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { LocalRunner } from '../command/local-runner';
import { dockerBinary } from '../docker/commands';
import { Code, facts, formatDuration, heading, table, writeSummary } from '../summary';
import { cleanupSession, newSession, readTestRequest, runTests } from '../test/run-tests';
import { runAction } from './runtime';

const STATE_SESSION = 'test-session';

void runAction({
  async main({ inputs }) {
    const request = readTestRequest(inputs);
    const runner = new LocalRunner();
    const target = { docker: dockerBinary() };
    const session = newSession();
    core.saveState(STATE_SESSION, session.id);
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const reportDir = join(process.env.RUNNER_TEMP ?? tmpdir(), session.id);
    try {
      core.startGroup(`Services (${request.services.length})`);
      let outcome;
      try {
        outcome = await runTests(
          runner,
          target,
          request,
          session,
          { workspace, reportDir },
          {
            log: (line) => core.info(line),
            onOutput: (chunk) => process.stdout.write(chunk),
          },
        );
      } finally {
        core.endGroup();
      }
      const junit = outcome.junit;
      core.setOutput('exit-code', String(outcome.exitCode));
      core.setOutput('passed', String(junit?.passed ?? ''));
      core.setOutput('failed', String(junit?.failed ?? ''));
      core.setOutput('skipped', String(junit?.skipped ?? ''));
      core.setOutput('report', outcome.report ?? '');
      for (const failure of junit?.failures ?? []) {
        core.error(failure.details || failure.message, {
          title: `${failure.classname ? `${failure.classname} › ` : ''}${failure.name}`,
          ...(failure.file && { file: failure.file }),
          ...(failure.line !== undefined && { startLine: failure.line }),
        });
      }
      const counts = junit
        ? `${junit.passed} passed, ${junit.failed} failed, ${junit.skipped} skipped`
        : 'no report';
      writeSummary([
        heading(`Tests in ${request.image}: ${outcome.exitCode === 0 ? 'passed' : 'failed'}`),
        facts([
          [
            'Result',
            outcome.timedOut
              ? `timed out after ${formatDuration(request.timeoutMs)}`
              : `exit code ${outcome.exitCode}`,
          ],
          ['Tests', counts],
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
      ]);
      if (outcome.timedOut)
        throw new Error(`the tests timed out after ${formatDuration(request.timeoutMs)} and were killed`);
      if (outcome.exitCode !== 0)
        throw new Error(`the tests failed with exit code ${outcome.exitCode} (${counts})`);
      core.info(`Tests passed (${counts})`);
    } finally {
      const removed = await cleanupSession(runner, target, session.id);
      core.info(`Removed ${removed} container(s) and network ${session.network}`);
    }
  },
  async post() {
    const id = core.getState(STATE_SESSION);
    if (!id) return;
    const removed = await cleanupSession(new LocalRunner(), { docker: dockerBinary() }, id);
    if (removed > 0) core.info(`Removed ${removed} leftover container(s) of ${id}`);
  },
});
