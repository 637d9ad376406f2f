/**
 * A bounded load generator for zero-downtime tests: `workers` loops per URL sending GETs on
 * loopback until stopped (or a hard cap of time and requests is reached), counting failures and
 * the answers seen, and each request's time.
 */
import http from 'node:http';
import https from 'node:https';

export interface LoadReport {
  readonly requests: number;
  readonly failures: number;
  readonly failureSamples: readonly string[];
  /** Body → count. */
  readonly answers: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly requestsPerSecond: number;
  /** Each request's time, answered or not (ms): percentiles, and the slowest with when they started. */
  readonly latency: LatencySummary;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** The slowest requests: [ms since the load started, ms taken]. */
  readonly slowest: ReadonlyArray<readonly [number, number]>;
}

/** Percentiles by the nearest-rank method (ms, 0.1 ms precision). */
export function summarizeLatency(samples: ReadonlyArray<readonly [number, number]>): LatencySummary {
  const sorted = samples.map(([, ms]) => ms).sort((a, b) => a - b);
  const at = (q: number) => {
    if (sorted.length === 0) return 0;
    const ms = sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
    return Math.round(ms * 10) / 10;
  };
  return {
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: at(1),
    slowest: [...samples]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([t, ms]) => [Math.round(t), Math.round(ms)] as const),
  };
}

export interface Load {
  stop(): Promise<LoadReport>;
}

const agent = new http.Agent({ keepAlive: false });
const tlsAgent = new https.Agent({ keepAlive: false });

/** HTTPS: the roots to trust, and where hostnames are sent (like curl --resolve). */
export interface TlsOptions {
  readonly ca?: string;
  readonly resolve?: Readonly<Record<string, string>>;
}

function get(url: string, tls: TlsOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const address = tls.resolve?.[target.hostname];
    const options = {
      timeout: 5000,
      ...(address && { hostname: address, servername: target.hostname, headers: { host: target.host } }),
    };
    const callback = (res: http.IncomingMessage) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
      res.on('error', reject);
    };
    const req =
      target.protocol === 'https:'
        ? https.get(url, { ...options, agent: tlsAgent, ...(tls.ca && { ca: tls.ca }) }, callback)
        : http.get(url, { ...options, agent }, callback);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export { get as getOnce };

export function startLoad(
  urls: readonly string[],
  options: { workers?: number; maxMs?: number; maxRequests?: number } & TlsOptions = {},
): Load {
  const workers = options.workers ?? 2;
  const maxMs = options.maxMs ?? 120_000;
  const maxRequests = options.maxRequests ?? 200_000;
  const started = performance.now();
  let stopped = false;
  let requests = 0;
  let failures = 0;
  const failureSamples: string[] = [];
  const answers: Record<string, number> = {};
  const samples: Array<readonly [number, number]> = [];
  const loop = async (url: string) => {
    while (!stopped && requests < maxRequests && performance.now() - started < maxMs) {
      requests += 1;
      const sent = performance.now();
      try {
        const { status, body } = await get(url, options);
        if (status !== 200) throw new Error(`HTTP ${status}: ${body.slice(0, 80)}`);
        answers[body] = (answers[body] ?? 0) + 1;
      } catch (error) {
        failures += 1;
        if (failureSamples.length < 10)
          failureSamples.push(
            `${Math.round(performance.now() - started)} ms ${url}: ${(error as Error).message}`,
          );
      }
      samples.push([sent - started, performance.now() - sent]);
    }
  };
  const running = Promise.all(urls.flatMap((url) => Array.from({ length: workers }, () => loop(url))));
  return {
    async stop() {
      stopped = true;
      await running;
      const durationMs = performance.now() - started;
      return {
        requests,
        failures,
        failureSamples,
        answers,
        durationMs,
        requestsPerSecond: (requests / durationMs) * 1000,
        latency: summarizeLatency(samples),
      };
    },
  };
}

/**
 * The bound a switch is held to (issue 32): no request slower than the idle p99 + 250 ms, p99.9
 * within 2× the idle p99.9 — held generously here, each with SWITCH_SLACK_MS more: a loaded 2-core
 * CI machine runs the deploy itself (pulls, containers, health checks) beside the load, while the
 * idle figures are taken without it (`npm run bench -- deploy` reports the strict bound). A request
 * stalled on a leaving or joining version waited 1–2 s before, on Docker 20.10 about 130 ms.
 */
export const SWITCH_SLACK_MS = 500;

/** Issue 32's limits on a switch against the idle figures, plus `slackMs` (0: the strict bound). */
export function switchLimits(
  idle: Pick<LatencySummary, 'p99' | 'p999'>,
  slackMs = 0,
): { maxMs: number; p999Ms: number } {
  return { maxMs: idle.p99 + 250 + slackMs, p999Ms: 2 * idle.p999 + slackMs };
}

/** What of the switch bound `during` missed against `idle` (empty: held), with SWITCH_SLACK_MS. */
export function switchBoundMisses(idle: LatencySummary, during: LatencySummary): string[] {
  const misses: string[] = [];
  const limits = switchLimits(idle, SWITCH_SLACK_MS);
  if (during.max > limits.maxMs)
    misses.push(`max ${during.max} ms > idle p99 ${idle.p99} + 250 + ${SWITCH_SLACK_MS}`);
  if (during.p999 > limits.p999Ms)
    misses.push(`p99.9 ${during.p999} ms > 2 × idle p99.9 ${idle.p999} + ${SWITCH_SLACK_MS}`);
  return misses;
}

/** The same load for `ms` with nothing changing: the latency a switch is compared with. */
export async function idleLatency(
  urls: readonly string[],
  options: { workers?: number } & TlsOptions = {},
  ms = 4000,
): Promise<LatencySummary> {
  const load = startLoad(urls, { ...options, maxMs: ms });
  await new Promise((resolve) => setTimeout(resolve, ms));
  return (await load.stop()).latency;
}
