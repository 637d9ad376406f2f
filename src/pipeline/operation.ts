/**
 * The root action: build-and-tag → test-in-container → push-registry in one process, each step fed
 * the previous one's results. The same operations as the three actions, so the behaviour is theirs.
 */
import { planBuild, readBuildRequest } from '../build-and-tag/plan';
import { readGitContext } from '../github/context';
import type { Inputs } from '../common/inputs';
import { readPushRequest } from '../push-registry/push';
import { readTestRequest } from '../test-in-container/run-tests';
import { runBuild } from '../build-and-tag/operation';
import { runPush } from '../push-registry/operation';
import type { Outcome, Reporter } from '../common/reporter';
import { runTest } from '../test-in-container/operation';
import { readSigningKey } from '../supply-chain/inputs';
import { maskSigningInputs } from '../supply-chain/operation';

export async function runPipeline(inputs: Inputs, report: Reporter): Promise<Outcome> {
  // Every input is checked before the build starts: a typo in a push input must not cost a build.
  const push = inputs.boolean('push', true);
  maskSigningInputs(inputs, report);
  if (push) readSigningKey(inputs);
  const planned = planBuild(readBuildRequest(inputs), readGitContext()).references.join('\n');
  if (inputs.string('run')) readTestRequest(inputs.with({ image: planned.split('\n')[0] as string }));
  if (push) readPushRequest(inputs.with({ tags: planned }));
  const built = await runBuild(inputs, report);
  const outputs: Record<string, string> = { ...built.outputs };
  const summary = [...built.summary];
  const image = built.references[0] ?? built.imageId;
  if (inputs.string('run')) {
    const tested = await report.group(`Testing ${image}`, () => runTest(inputs.with({ image }), report));
    Object.assign(outputs, tested.outputs);
    summary.push(...tested.summary);
    if (tested.error) return { outputs, summary, error: tested.error };
  } else {
    report.info('No run input: the tests are skipped');
  }
  if (!push) {
    report.info('push: false — built and tested, not pushed');
    return { outputs, summary };
  }
  // With sign-key, the tests just run are attested: their report, exit code and command.
  const tested: Record<string, string> = inputs.string('run')
    ? {
        'test-report': outputs.report ?? '',
        'test-exit-code': outputs['exit-code'] ?? '',
        'test-command': inputs.string('run'),
      }
    : {};
  const pushed = await runPush(inputs.with({ tags: built.references.join('\n'), ...tested }), report);
  Object.assign(outputs, pushed.outputs);
  summary.push(...pushed.summary);
  return { outputs, summary };
}
