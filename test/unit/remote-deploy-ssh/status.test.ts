import { describe, expect, it } from 'vitest';
import type { Command, CommandResult, Runner } from '../../../src/command/command';
import { hostStatus } from '../../../src/remote-deploy-ssh/status';

const result = (stdout: string, exitCode = 0): CommandResult => ({
  exitCode,
  stdout,
  stderr: '',
  durationMs: 1,
  timedOut: false,
});

const container = (id: string, running: boolean, health: string) => ({
  Id: id,
  Name: `/web-${id}`,
  Config: { Image: 'app', Labels: { 'dev.slipway.service': 'web', 'dev.slipway.version': id } },
  State: {
    Status: running ? 'running' : 'exited',
    Running: running,
    StartedAt: '2026-11-22T10:00:00Z',
    FinishedAt: '2026-11-22T11:00:00Z',
    Health: { Status: health },
  },
});

describe('status of a host', () => {
  it('shows the health of running containers only: an old version that exited is not "unhealthy"', async () => {
    const runner: Runner = {
      where: 'deploy@h1:22',
      async run(command: Command) {
        const [, verb] = command.argv;
        if (verb === 'ps')
          return result(command.argv.some((a) => a.includes('dev.slipway.service')) ? '2\n1\n' : '');
        if (verb === 'container')
          return result(
            JSON.stringify([container('2', true, 'healthy'), container('1', false, 'unhealthy')]),
          );
        if (command.argv[3] === 'slipway-freeze') return result('', 4); // not frozen
        return result('', 1); // no swarm, no audit log
      },
      openTcp: () => Promise.reject(new Error('no')),
      close: async () => {},
    };
    const status = await hostStatus(runner, 'web', 5);
    expect(status.containers.map((c) => [c.name, c.state, c.health])).toEqual([
      ['web-2', 'running', 'healthy'],
      ['web-1', 'exited', undefined],
    ]);
  });
});
