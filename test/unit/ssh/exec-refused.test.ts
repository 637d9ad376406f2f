/**
 * A server that refuses to start a command on a live connection (sshd answered an exec request with
 * failure once on a lab host under heavy load): the runner asks again, and gives up after a few.
 * The server is a real SSH server (the ssh2 library's) on loopback whose answers the test sets.
 */
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import ssh2 from 'ssh2';
import { KnownHosts } from '../../../src/ssh/known-hosts';
import { SshRunner } from '../../../src/ssh/ssh-runner';

const { Server, utils } = ssh2;
const servers: Array<InstanceType<typeof Server>> = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** An SSH server on loopback that refuses the first `refusals` exec requests, then runs any as `echo ok`. */
async function refusingServer(
  refusals: number,
): Promise<{ port: number; hostKey: string; execs: () => number }> {
  const host = utils.generateKeyPairSync('ed25519');
  let execs = 0;
  const server = new Server({ hostKeys: [host.private] }, (client) => {
    client.on('authentication', (ctx) => ctx.accept());
    client.on('session', (accept) => {
      accept().on('exec', (acceptExec, reject) => {
        execs += 1;
        if (execs <= refusals) return reject();
        const stream = acceptExec();
        stream.write('ok\n');
        stream.exit(0);
        stream.end();
      });
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, hostKey: host.public, execs: () => execs };
}

async function connect(port: number, hostKey: string): Promise<SshRunner> {
  const user = utils.generateKeyPairSync('ed25519');
  return SshRunner.connect(
    { host: '127.0.0.1', port },
    {
      username: 'deploy',
      privateKey: user.private,
      knownHosts: KnownHosts.parse(`[127.0.0.1]:${port} ${hostKey}`),
    },
  );
}

describe('a command the server refuses to start', () => {
  it('is asked for again, and runs once the server takes it', async () => {
    const server = await refusingServer(2);
    const runner = await connect(server.port, server.hostKey);
    try {
      const result = await runner.run({ argv: ['echo', 'ok'] });
      expect(result).toMatchObject({ exitCode: 0, stdout: 'ok\n' });
      expect(server.execs()).toBe(3);
    } finally {
      await runner.close();
    }
  });

  it('fails, naming the host, when the server keeps refusing', async () => {
    const server = await refusingServer(10);
    const runner = await connect(server.port, server.hostKey);
    try {
      await expect(runner.run({ argv: ['true'] })).rejects.toThrow(
        /127\.0\.0\.1:\d+: cannot start command: Unable to exec/,
      );
      expect(server.execs()).toBe(3);
    } finally {
      await runner.close();
    }
  });
});
