/** Retry policy for registry and docker operations: transient failures only, with backoff. */

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: Number(process.env.SLIPWAY_RETRY_BASE_MS ?? 500),
  maxDelayMs: 20_000,
};

/** HTTP statuses worth retrying: timeouts, rate limits, server errors. Never 401/403/404. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

export function isTransientNetworkError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return (
    error instanceof Error && /socket hang up|timed out|ECONNRESET|other side closed/i.test(error.message)
  );
}

/** Delay before retry `attempt` (1-based): Retry-After when the server gave one, else exponential. */
export function retryDelayMs(attempt: number, policy: RetryPolicy, retryAfter?: string): number {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, policy.maxDelayMs);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.min(Math.max(0, date - Date.now()), policy.maxDelayMs);
  }
  return Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
}

/** Waits `ms`; rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * Runs `fn` until it succeeds, retrying the failures `retryable` accepts with backoff (at most
 * `policy.retries` retries); the last error gets `what` in front. An abort of `signal` ends the
 * waits and is never retried.
 */
export async function retry<T>(
  what: string,
  fn: () => Promise<T>,
  options: { retryable: (error: unknown) => boolean; policy?: RetryPolicy; signal?: AbortSignal },
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY;
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!options.retryable(error) || attempt > policy.retries) {
        if (error instanceof Error && !error.message.startsWith(`${what}: `))
          error.message = `${what}: ${error.message}`;
        throw error;
      }
      await sleep(retryDelayMs(attempt, policy), options.signal);
    }
  }
}
