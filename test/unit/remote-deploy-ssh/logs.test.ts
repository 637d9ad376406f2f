import { describe, expect, it } from 'vitest';
import type { Command, CommandResult, Runner, RunOptions } from '../../../src/command/command';
import { hostLogs, type LogLine } from '../../../src/remote-deploy-ssh/logs';

const done = (stdout = '', exitCode = 0): CommandResult => ({
  exitCode,
  stdout,
  stderr: '',
  durationMs: 1,
  timedOut: false,
});

/** A host with one running and one exited container of service web; docker logs answers in odd chunks. */
function fakeHost(commands: Command[]): Runner {
  const container = (id: string, name: string, running: boolean) => ({
    Id: id,
    Name: `/${name}`,
    Config: { Image: 'app', Labels: { 'dev.slipway.service': 'web' } },
    State: { Status: running ? 'running' : 'exited', Running: running, StartedAt: '', FinishedAt: '' },
  });
  return {
    where: 'deploy@h1:22',
    async run(command: Command, options?: RunOptions) {
      commands.push(command);
      const [, verb] = command.argv;
      if (verb === 'ps')
        return done(command.argv.some((a) => a.includes('dev.slipway.service')) ? 'a\nb\n' : '');
      if (verb === 'container')
        return done(JSON.stringify([container('a', 'web-2', true), container('b', 'web-1', false)]));
      if (verb === 'logs') {
        for (const chunk of ['GET /hea', 'lth 200\nGET /', 'version 200\npartial'])
          options?.onOutput?.(chunk, 'stdout');
        options?.onOutput?.('warn\n', 'stderr');
        return done();
      }
      throw new Error(`unexpected ${command.argv.join(' ')}`);
    },
    openTcp: () => Promise.reject(new Error('no')),
    close: async () => {},
  };
}

describe('slipway logs on a host', () => {
  it('reads the running containers of the service only, whole lines, with the options as docker arguments', async () => {
    const commands: Command[] = [];
    const lines: LogLine[] = [];
    const result = await hostLogs(fakeHost(commands), 'web', { follow: false, tail: 5, since: '10m' }, (l) =>
      lines.push(l),
    );
    expect(result).toEqual({ host: 'deploy@h1:22', containers: ['web-2'] });
    expect(commands.find((c) => c.argv[1] === 'logs')?.argv).toEqual([
      'docker',
      'logs',
      '--tail',
      '5',
      '--since',
      '10m',
      'web-2',
    ]);
    expect(lines.map((l) => `${l.container} ${l.stream} ${l.line}`)).toEqual([
      'web-2 stdout GET /health 200',
      'web-2 stdout GET /version 200',
      'web-2 stderr warn',
      'web-2 stdout partial',
    ]);
  });

  it('says when no container of the service runs on a host', async () => {
    // Not a Swarm manager either: `docker service inspect` fails.
    const empty: Runner = {
      ...fakeHost([]),
      run: async (command) => done('', command.argv[1] === 'service' ? 1 : 0),
    };
    expect(await hostLogs(empty, 'web', { follow: false }, () => {})).toEqual({
      host: 'deploy@h1:22',
      containers: [],
      error: 'no container of web runs here',
    });
  });

  it('on a Swarm manager, reads a service and its proxy through docker service logs, named by task', async () => {
    const commands: Command[] = [];
    const manager: Runner = {
      ...fakeHost([]),
      async run(command: Command, options?: RunOptions) {
        commands.push(command);
        const [, verb, sub] = command.argv;
        if (verb === 'ps') return done('');
        if (verb === 'service' && sub === 'inspect') return done('', command.argv.at(-1) === 'web' ? 0 : 1);
        if (verb === 'service' && sub === 'logs') {
          options?.onOutput?.('web.1@node-a    | GET /health 200\nweb.2@no', 'stdout');
          options?.onOutput?.('de-b    | GET /version 200\n', 'stdout');
          return done();
        }
        throw new Error(`unexpected ${command.argv.join(' ')}`);
      },
    };
    const lines: LogLine[] = [];
    const result = await hostLogs(manager, 'web', { follow: false, tail: 5 }, (l) => lines.push(l));
    expect(result).toEqual({ host: 'deploy@h1:22', containers: ['web'] });
    expect(commands.find((c) => c.argv[2] === 'logs')?.argv).toEqual([
      'docker',
      'service',
      'logs',
      '--no-task-ids',
      '--tail',
      '5',
      'web',
    ]);
    expect(lines.map((l) => `${l.container} ${l.line}`)).toEqual([
      'web.1@node-a GET /health 200',
      'web.2@node-b GET /version 200',
    ]);
  });
});
