/** Opening SSH sessions to every deploy host, in parallel and bounded, before anything runs. */
import { runPool } from '../common/pool';
import { HostKeyError, type SshEndpoint, SshRunner } from '../ssh/ssh-runner';
import type { Connection } from './inputs';
import { SwarmManager } from '../deploy-swarm/swarm-manager';

function warnInsecure(request: Connection, log: (line: string) => void): void {
  if (request.insecureIgnoreHostKey) {
    log(
      'WARNING: insecure-ignore-host-key is set: host keys are not verified, a man in the middle would not be noticed',
    );
  }
}

function connectOne(request: Connection, endpoint: SshEndpoint): Promise<SshRunner> {
  return SshRunner.connect(endpoint, {
    username: request.username,
    privateKey: request.privateKey,
    ...(request.passphrase && { passphrase: request.passphrase }),
    ...(request.knownHosts && { knownHosts: request.knownHosts }),
    insecureIgnoreHostKey: request.insecureIgnoreHostKey,
    ...(request.jump && { jump: request.jump }),
  });
}

export async function connectAll(request: Connection, log: (line: string) => void): Promise<SshRunner[]> {
  warnInsecure(request, log);
  const runners: SshRunner[] = [];
  try {
    await runPool(
      request.hosts.map((endpoint) => async () => {
        const runner = await connectOne(request, endpoint);
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

/**
 * Swarm: the first host in the list that answers and is a manager able to take orders. Host keys
 * are checked as for every host; why each one was passed over is said.
 */
export async function connectManager(
  request: Connection,
  log: (line: string) => void,
  env: Readonly<Record<string, string>> = {},
): Promise<SwarmManager> {
  warnInsecure(request, log);
  const reasons: string[] = [];
  for (const endpoint of request.hosts) {
    let runner: SshRunner | undefined;
    try {
      runner = await connectOne(request, endpoint);
      const manager = new SwarmManager(runner, env);
      if (await manager.isManager()) {
        log(`using the Swarm manager ${runner.where}`);
        return manager;
      }
      reasons.push(`${runner.where}: not an active Swarm manager`);
      await runner.close();
    } catch (error) {
      await runner?.close();
      // A wrong host key is an alarm, not an unavailable host: never go on to the next one.
      if (error instanceof HostKeyError) throw error;
      reasons.push(`${endpoint.host}:${endpoint.port}: ${error instanceof Error ? error.message : error}`);
    }
    log(reasons.at(-1) as string);
  }
  throw new Error(`no Swarm manager answered:\n${reasons.join('\n')}`);
}
