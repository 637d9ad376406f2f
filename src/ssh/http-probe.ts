/**
 * HTTP health probes made from the deploy host itself: a TCP connection opened where the runner
 * runs (an SSH direct-tcpip channel to the container's address), and one GET over it. Nothing is
 * needed inside the app's or the proxy's image.
 */
import http from 'node:http';
import type { Runner } from '../command/command';

export async function httpProbe(
  runner: Runner,
  address: string,
  port: number,
  path: string,
  timeoutMs = 3000,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ ok: boolean; status: number; detail: string }> {
  let socket;
  try {
    socket = await runner.openTcp(address, port);
  } catch (error) {
    return {
      ok: false,
      status: 0,
      detail: `cannot connect: ${error instanceof Error ? error.message : error}`,
    };
  }
  const tcp = socket;
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: address,
        port,
        path,
        method: 'GET',
        createConnection: () => tcp as never,
        timeout: timeoutMs,
        headers: { ...headers, connection: 'close' },
      },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 400, status, detail: `HTTP ${status}` });
        tcp.destroy();
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => {
      tcp.destroy();
      resolve({ ok: false, status: 0, detail: error.message });
    });
    req.end();
  });
}
