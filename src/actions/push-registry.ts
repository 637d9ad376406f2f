import * as core from '@actions/core';
import { LocalRunner } from '../command/local-runner';
import { dockerBinary, logout as logoutCommand } from '../docker/commands';
import {
  createPrivateDockerConfig,
  login,
  pushAll,
  readPushRequest,
  removePrivateDockerConfig,
} from '../push/push';
import { DEFAULT_RETRY } from '../registry/retry';
import { maskSecret } from '../secrets';
import { Code, facts, formatBytes, heading, table, writeSummary } from '../summary';
import { runAction } from './runtime';

const STATE_CONFIG = 'docker-config';
const STATE_REGISTRY = 'registry';

async function logoutAndRemove(dir: string, registry: string): Promise<void> {
  await new LocalRunner().run(
    logoutCommand({ docker: dockerBinary(), env: { DOCKER_CONFIG: dir } }, registry),
  );
  removePrivateDockerConfig(dir);
}

void runAction({
  async main({ inputs }) {
    const password = inputs.string('password');
    maskSecret(password);
    const request = readPushRequest(inputs);
    const runner = new LocalRunner();
    const env: Record<string, string> = {};
    let privateConfig: string | undefined;
    if (request.username) {
      privateConfig = createPrivateDockerConfig();
      env.DOCKER_CONFIG = privateConfig;
      core.saveState(STATE_CONFIG, privateConfig);
      core.saveState(STATE_REGISTRY, request.registry);
    }
    const target = { docker: dockerBinary(), env };
    try {
      if (request.username)
        core.info(`Logging in to ${request.registry} as ${request.username} (private docker config)`);
      await login(runner, target, request);
      const policy = { ...DEFAULT_RETRY, retries: request.retries };
      const result = await pushAll(runner, target, request, policy, {
        onOutput: (chunk) => process.stdout.write(chunk),
        onRetry: (ref, attempt, delay, reason) =>
          core.warning(
            `push of ${ref} failed (${reason.split('\n').pop()}); retry ${attempt} of ${request.retries} in ${delay} ms`,
          ),
      });
      core.setOutput('digest', result.digest);
      core.setOutput('refs', result.refs.join('\n'));
      core.info(`Pushed ${result.digest}: the registry serves the same digest for every tag`);
      writeSummary([
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
        ]),
      ]);
    } finally {
      if (privateConfig) {
        if (request.logout) {
          await logoutAndRemove(privateConfig, request.registry);
        } else {
          // Later steps of the job keep the login; the post step removes it at the end of the job.
          core.exportVariable('DOCKER_CONFIG', privateConfig);
        }
      }
    }
  },
  async post() {
    const dir = core.getState(STATE_CONFIG);
    if (!dir) return;
    await logoutAndRemove(dir, core.getState(STATE_REGISTRY));
    core.info('Removed the private docker config and its login');
  },
});
