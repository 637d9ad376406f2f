import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { answersPlainHttp, plainHttpFirst } from '../../../src/registry/client';

const servers: Server[] = [];
/** A local HTTP server answering every request with `status` (and `headers`), or never (`status` 0). */
async function serving(status: number, headers: Record<string, string> = {}): Promise<string> {
  const server = createServer((_req, res) => {
    if (status !== 0) res.writeHead(status, headers).end(); // 0: holds the request
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

describe('asking a registry on this machine over plain HTTP first', () => {
  it('only for a loopback registry with its port named (without one, 80 and 443 are different services)', () => {
    expect(plainHttpFirst('127.0.0.1:5000')).toBe(true);
    expect(plainHttpFirst('localhost:5000')).toBe(true);
    expect(plainHttpFirst('[::1]:5000')).toBe(true);
    expect(plainHttpFirst('localhost')).toBe(false);
    expect(plainHttpFirst('127.0.0.1')).toBe(false);
    expect(plainHttpFirst('registry.example:5000')).toBe(false);
    expect(plainHttpFirst('10.0.0.1:5000')).toBe(false);
  });

  it('takes 200 or 401 for a registry; a redirect, a 400 (a TLS port), a closed port or silence are not', async () => {
    expect(await answersPlainHttp(await serving(200))).toBe(true);
    expect(await answersPlainHttp(await serving(401, { 'www-authenticate': 'Basic realm="r"' }))).toBe(true);
    // not followed: a redirect to HTTPS is no plain-HTTP registry
    expect(await answersPlainHttp(await serving(301, { location: 'https://127.0.0.1/v2/' }))).toBe(false);
    expect(await answersPlainHttp(await serving(400))).toBe(false);
    expect(await answersPlainHttp(await serving(404))).toBe(false);
    const closed = await serving(200);
    await new Promise((resolve) => (servers.pop() as Server).close(resolve));
    expect(await answersPlainHttp(closed)).toBe(false);
    const started = performance.now();
    expect(await answersPlainHttp(await serving(0), 300)).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
