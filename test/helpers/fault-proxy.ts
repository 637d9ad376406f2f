/**
 * A loopback HTTP proxy in front of a real registry that injects faults: the first `failures`
 * requests (optionally only those matching `when`) get `status` (503 by default), the rest pass
 * through untouched. Bounded: it serves only loopback and stops when closed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  readonly faultsInjected: () => number;
  readonly requests: () => number;
  close(): Promise<void>;
}

export interface FaultOptions {
  readonly failures: number;
  readonly status?: number;
  readonly retryAfter?: string;
  readonly when?: (req: http.IncomingMessage) => boolean;
  /** Cut the connection after this many bytes of a response body (simulates a dying registry). */
  readonly cutAfterBytes?: number;
}

export async function startFaultProxy(
  upstream: { host: string; port: number },
  options: FaultOptions,
): Promise<FaultProxy> {
  let injected = 0;
  let total = 0;
  const server = http.createServer((req, res) => {
    total += 1;
    if (injected < options.failures && (options.when?.(req) ?? true)) {
      injected += 1;
      req.resume();
      res.writeHead(options.status ?? 503, {
        'content-type': 'application/json',
        ...(options.retryAfter && { 'retry-after': options.retryAfter }),
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'injected fault' }] }));
      return;
    }
    const forward = http.request(
      { host: upstream.host, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: '127.0.0.1',
    port,
    faultsInjected: () => injected,
    requests: () => total,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
