/**
 * A loopback HTTP proxy in front of a real registry that injects faults: the first `failures`
 * requests (optionally only those matching `when`) get `status` (503 by default), the rest pass
 * through untouched; or holds the requests `hold` matches. Bounded: it serves only loopback and
 * stops when closed.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  readonly faultsInjected: () => number;
  readonly requests: () => number;
  /** Resolves when the first request `hold` matches has arrived (and is being held). */
  readonly held: Promise<void>;
  close(): Promise<void>;
}

export interface FaultOptions {
  readonly failures: number;
  readonly status?: number;
  readonly retryAfter?: string;
  readonly when?: (req: http.IncomingMessage) => boolean;
  /**
   * Instead of answering with `status`, forward the faulted request and damage the response body:
   * cut the connection after this many bytes (a dying registry, the length header promising more)…
   */
  readonly cutAfterBytes?: number;
  /** …or flip the bits of the byte at this offset (a corrupt blob of the right length). */
  readonly flipByteAt?: number;
  /**
   * Requests to hold: never forwarded nor answered until the proxy closes, so a client is caught at
   * that exact moment (e.g. between two writes it makes) whatever the machine's load.
   */
  readonly hold?: (req: http.IncomingMessage) => boolean;
}

/** Passes a body through, cut after `cutAfter` bytes or with the byte at `flipAt` flipped. */
function damage(
  up: http.IncomingMessage,
  res: http.ServerResponse,
  options: { cutAfter?: number; flipAt?: number },
): void {
  let offset = 0;
  up.on('data', (chunk: Buffer) => {
    let out = chunk;
    const { cutAfter, flipAt } = options;
    if (flipAt !== undefined && flipAt >= offset && flipAt < offset + chunk.length) {
      out = Buffer.from(chunk);
      out[flipAt - offset] = (out[flipAt - offset] as number) ^ 0xff;
    }
    if (cutAfter !== undefined && offset + chunk.length >= cutAfter) {
      res.write(out.subarray(0, cutAfter - offset));
      up.destroy();
      res.socket?.destroy();
      return;
    }
    offset += chunk.length;
    if (!res.write(out)) up.pause();
  });
  res.on('drain', () => up.resume());
  up.on('end', () => res.end());
}

export async function startFaultProxy(
  upstream: { host: string; port: number },
  options: FaultOptions,
): Promise<FaultProxy> {
  let injected = 0;
  let total = 0;
  let onHeld = () => {};
  const held = new Promise<void>((resolve) => (onHeld = resolve));
  const server = http.createServer((req, res) => {
    total += 1;
    if (options.hold?.(req)) {
      req.resume();
      onHeld();
      return;
    }
    const faulted = injected < options.failures && (options.when?.(req) ?? true);
    if (faulted) injected += 1;
    const damaging = options.cutAfterBytes !== undefined || options.flipByteAt !== undefined;
    if (faulted && !damaging) {
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
        if (faulted)
          damage(up, res, {
            ...(options.cutAfterBytes !== undefined && { cutAfter: options.cutAfterBytes }),
            ...(options.flipByteAt !== undefined && { flipAt: options.flipByteAt }),
          });
        else up.pipe(res);
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
    held,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
