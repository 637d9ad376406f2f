import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/registry/client';

const AUTH = `Basic ${Buffer.from('u:p').toString('base64')}`;
let server: Server;
afterAll(() => {
  server?.closeAllConnections();
  server?.close();
});

/** A registry with basic auth that answers only after `hold` requests are waiting (they race). */
async function basicRegistry(hold: number): Promise<string> {
  let waiting: Array<() => void> = [];
  server = createServer((req, res) => {
    const answer = () => {
      if (req.headers.authorization !== AUTH) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' }).end();
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[]}');
    };
    // The client's plain-HTTP probe (GET /v2/) and requests with credentials are answered at once.
    if (req.headers.authorization || req.url === '/v2/') return answer();
    waiting.push(answer);
    if (waiting.length >= hold) {
      for (const w of waiting) w();
      waiting = [];
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('a fresh client with basic credentials', () => {
  it('sends requests made at once again with the credentials, none refused for having met the challenge second', async () => {
    const host = await basicRegistry(3);
    const client = new RegistryClient(host, { credentials: { username: 'u', password: 'p' } });
    // Three requests before any challenge was learnt: all meet the 401, all succeed (404 = not there).
    const answers = await Promise.all(['a', 'b', 'c'].map((tag) => client.headManifest('team/app', tag)));
    expect(answers).toEqual([undefined, undefined, undefined]);
  });

  it('still refuses wrong credentials', async () => {
    const host = await basicRegistry(1);
    const client = new RegistryClient(host, { credentials: { username: 'u', password: 'wrong' } });
    await expect(client.headManifest('team/app', 'a')).rejects.toThrow(/credentials refused \(401\)/);
  });
});
