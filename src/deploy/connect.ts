/** Opening SSH sessions to every deploy host, in parallel and bounded, before anything runs. */
import { runPool } from '../registry/pool';
import { SshRunner } from '../ssh/ssh-runner';
import type { DeployRequest } from './inputs';

export async function connectAll(request: DeployRequest, log: (line: string) => void): Promise<SshRunner[]> {
  if (request.insecureIgnoreHostKey) {
    log(
      'WARNING: insecure-ignore-host-key is set: host keys are not verified, a man in the middle would not be noticed',
    );
  }
  const runners: SshRunner[] = [];
  try {
    await runPool(
      request.hosts.map((endpoint) => async () => {
        const runner = await SshRunner.connect(endpoint, {
          username: request.username,
          privateKey: request.privateKey,
          ...(request.passphrase && { passphrase: request.passphrase }),
          ...(request.knownHosts && { knownHosts: request.knownHosts }),
          insecureIgnoreHostKey: request.insecureIgnoreHostKey,
          ...(request.jump && { jump: request.jump }),
        });
        runners.push(runner);
        log(`connected to ${runner.where}`);
        return runner;
      }),
      Math.max(request.maxParallel, 4),
    );
  } catch (error) {
    await Promise.all(runners.map((r) => r.close()));
    throw error;
  }
  // Keep the order of the hosts input.
  return request.hosts.map(
    (h) =>
      runners.find((r) =>
        r.where.endsWith(`@${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`),
      ) as SshRunner,
  );
}
