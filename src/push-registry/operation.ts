/**
 * push-registry: log in with a private docker config (password on stdin), push every reference with
 * retries of transient failures, read the digest back from the registry, and log out (or keep the
 * login for the next steps, removed after the job).
 */
import { LocalRunner } from '../command/local-runner';
import { logout as logoutCommand, tag as tagCommand } from '../docker/images';
import { dockerBinary } from '../docker/target';
import { runChecked } from '../command/command';
import { formatReference } from '../common/reference';
import type { Inputs } from '../common/inputs';
import {
  createPrivateDockerConfig,
  login,
  pushAll,
  readPushRequest,
  planTagPush,
  removePrivateDockerConfig,
} from './push';
import { DEFAULT_RETRY } from '../common/retry';
import { Code, facts, formatBytes, heading, table } from '../common/summary';
import type { Outcome, Reporter } from '../common/reporter';
import { readSignatureFormat, readSigningKey, readTestReportInputs } from '../supply-chain/inputs';
import { maskSigningInputs, signPushed } from '../supply-chain/operation';

const PUSH_CONFIG_STATE = 'docker-config';
const PUSH_REGISTRY_STATE = 'registry';

async function logoutAndRemove(dir: string, registry: string): Promise<void> {
  await new LocalRunner().run(
    logoutCommand({ docker: dockerBinary(), env: { DOCKER_CONFIG: dir } }, registry),
  );
  removePrivateDockerConfig(dir);
}

export async function runPush(inputs: Inputs, report: Reporter): Promise<Outcome & { digest: string }> {
  report.mask(inputs.string('password'));
  maskSigningInputs(inputs, report);
  const request = readPushRequest(inputs);
  // The key is opened (and the report checked) before anything is pushed: a wrong password costs no push.
  const signKey = readSigningKey(inputs);
  const tests = signKey ? readTestReportInputs(inputs) : undefined;
  const signatureFormat = readSignatureFormat(inputs);
  const runner = new LocalRunner();
  const env: Record<string, string> = {};
  let privateConfig: string | undefined;
  if (request.username) {
    privateConfig = createPrivateDockerConfig();
    env.DOCKER_CONFIG = privateConfig;
    report.saveState(PUSH_CONFIG_STATE, privateConfig);
    report.saveState(PUSH_REGISTRY_STATE, request.registry);
  }
  const target = { docker: dockerBinary(), env };
  try {
    if (request.username)
      report.info(`Logging in to ${request.registry} as ${request.username} (private docker config)`);
    await login(runner, target, request);
    const plan = await planTagPush(runner, target, request);
    for (const r of plan.renamed) {
      report.warning(`${r.from} is not moved: ${r.reason}; this build is pushed as ${r.to}`);
      await runChecked(runner, tagCommand(target, r.from, r.to));
    }
    for (const k of plan.kept) report.info(`${k.reference} is not moved: ${k.reason}`);
    const result = await pushAll(
      runner,
      target,
      { ...request, references: plan.references },
      { ...DEFAULT_RETRY, retries: request.retries },
      {
        onOutput: (chunk) => report.stream(chunk),
        onRetry: (ref, attempt, delay, reason) =>
          report.warning(
            `push of ${ref} failed (${reason.split('\n').pop()}); retry ${attempt} of ${request.retries} in ${delay} ms`,
          ),
      },
    );
    report.info(`Pushed ${result.digest}: the registry serves the same digest for every tag`);
    const signed = signKey
      ? await signPushed(
          signKey,
          result.refs,
          tests,
          (registry) =>
            registry === request.registry && request.username && request.password
              ? { username: request.username, password: request.password }
              : undefined,
          report,
          signatureFormat,
        )
      : undefined;
    return {
      digest: result.digest,
      outputs: {
        digest: result.digest,
        refs: result.refs.join('\n'),
        tags: plan.references.map(formatReference).join('\n'),
        version: plan.version,
        ...signed?.outputs,
      },
      summary: [
        heading('Pushed'),
        table(
          ['Reference', 'Attempts'],
          result.pushed.map((p) => [new Code(p.reference), p.attempts]),
        ),
        facts([
          ['Digest', new Code(result.digest)],
          ['Pinned references', result.refs.join('\n')],
          ['Bytes pushed', formatBytes(result.bytesPushed)],
          ['Retries used', result.retriesUsed],
          ...plan.renamed.map((r): [string, string] => ['Rerun version', `${r.to}: ${r.reason}`]),
          ...plan.kept.map((k): [string, string] => ['Not moved', `${k.reference}: ${k.reason}`]),
        ]),
        ...(signed?.summary ?? []),
      ],
    };
  } finally {
    if (privateConfig) {
      if (request.logout) {
        await logoutAndRemove(privateConfig, request.registry);
        report.saveState(PUSH_CONFIG_STATE, '');
      } else {
        // Later steps of the job keep the login; the post step removes it at the end of the job.
        report.exportVariable('DOCKER_CONFIG', privateConfig);
      }
    }
  }
}

/** The post step: removes the private docker config a kept login (logout: false) left for the job. */
export async function afterPush(report: Reporter): Promise<void> {
  const dir = report.readState(PUSH_CONFIG_STATE);
  if (!dir) return;
  await logoutAndRemove(dir, report.readState(PUSH_REGISTRY_STATE));
  report.info('Removed the private docker config and its login');
}
