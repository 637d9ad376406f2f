/**
 * A small HTTP client for the registry API on node:http/https: streaming bodies both ways (a
 * layer is never buffered whole), a custom CA, and redirects that never carry Authorization to
 * another host.
 */
import http from 'node:http';
import type https from 'node:https';
import type { Readable } from 'node:stream';
import type tls from 'node:tls';
import { STALL_WINDOW_MS, stallWindowText, watchStall } from './stall';

/** A body not read (an error answer drained for keep-alive) is destroyed past this size or time. */
export const DRAIN_LIMIT_BYTES = 64 * 1024;
export const DRAIN_LIMIT_MS = 5_000;
/** Silence on a socket (no byte either way) that fails a request by default. */
export const IDLE_TIMEOUT_MS = 2 * STALL_WINDOW_MS;

// node:https and node:tls (about 8 ms to load) are loaded when the first HTTPS request is made:
// a process that talks only to plain-HTTP registries on this machine never needs them.
const httpsModule = (): typeof https => process.getBuiltinModule('node:https');
const tlsModule = (): typeof tls => process.getBuiltinModule('node:tls');

export interface HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A buffer, or a stream (sent chunked unless content-length is given). */
  readonly body?: Buffer | Readable;
  /** Extra CA certificates (PEM), trusted in addition to Node's default roots. */
  readonly ca?: string | Buffer;
  /** HTTPS without certificate verification (a registry listed as insecure). */
  readonly skipTlsVerify?: boolean;
  readonly timeoutMs?: number;
  readonly maxRedirects?: number;
  /** Aborts the request (and its response body) with the signal's reason. */
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly url: string;
  /** The request's method (a HEAD answer has no body, whatever its Content-Length says). */
  readonly method?: string;
  /** The body stream: read it (text/json/buffer helpers) or consume/discard it. */
  readonly body: http.IncomingMessage;
}

const agents = new Map<string, http.Agent>();
let agentCas = 0;
const caIds = new Map<string, number>();

/** Node's default trust (bundled roots, NODE_EXTRA_CA_CERTS, the system store when enabled). */
function defaultCas(): string[] {
  const { getCACertificates, rootCertificates } = tlsModule();
  return typeof getCACertificates === 'function' ? getCACertificates('default') : [...rootCertificates];
}

/**
 * The TLS context of one trust setting, made once and shared by its connections (Node would make
 * one per connection). Without verification no CA is loaded at all: parsing Node's ~150 roots costs
 * about 15 ms of CPU, paid by every process that probes an HTTP-only registry over HTTPS first.
 */
function secureContext(caText: string | undefined, skipTlsVerify: boolean): tls.SecureContext {
  const { createSecureContext } = tlsModule();
  if (skipTlsVerify) return createSecureContext({ ca: [] });
  return createSecureContext(caText === undefined ? {} : { ca: [...defaultCas(), caText] });
}

/** One keep-alive agent per protocol and trust setting; a custom CA adds to the default roots. */
function agentFor(url: URL, ca?: string | Buffer, skipTlsVerify = false): http.Agent {
  const caText = ca === undefined ? undefined : ca.toString();
  let caId = 0;
  if (caText !== undefined) {
    caId = caIds.get(caText) ?? ++agentCas;
    caIds.set(caText, caId);
  }
  const key = `${url.protocol}|${caId}|${skipTlsVerify ? 'noverify' : 'verify'}`;
  let agent = agents.get(key);
  if (!agent) {
    agent =
      url.protocol === 'https:'
        ? new (httpsModule().Agent)({
            keepAlive: true,
            maxSockets: 32,
            secureContext: secureContext(caText, skipTlsVerify),
            ...(skipTlsVerify && { rejectUnauthorized: false }),
          })
        : new http.Agent({ keepAlive: true, maxSockets: 32 });
    agents.set(key, agent);
  }
  return agent;
}

export function request(req: HttpRequest): Promise<HttpResponse> {
  return send(req, req.maxRedirects ?? 5);
}

function send(req: HttpRequest, redirectsLeft: number): Promise<HttpResponse> {
  const url = new URL(req.url);
  const mod = url.protocol === 'https:' ? httpsModule() : http;
  return new Promise((resolve, reject) => {
    const outgoing = mod.request(
      url,
      {
        method: req.method,
        headers: { ...req.headers },
        agent: agentFor(url, req.ca, req.skipTlsVerify),
        timeout: req.timeoutMs ?? IDLE_TIMEOUT_MS,
        ...(req.signal && { signal: req.signal }),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && location && redirectsLeft > 0) {
          drain(res, req.method);
          const next = new URL(location, url);
          const headers = { ...req.headers };
          // Credentials belong to the registry: a redirect to storage on another host never gets
          // them, nor does a redirect from HTTPS down to plain HTTP.
          if (next.host !== url.host || (url.protocol === 'https:' && next.protocol !== 'https:')) {
            for (const name of Object.keys(headers))
              if (name.toLowerCase() === 'authorization') delete headers[name];
          }
          const method = status === 303 ? 'GET' : req.method;
          if (req.body && typeof (req.body as Readable).pipe === 'function' && status !== 303) {
            reject(new Error(`${req.method} ${url.host}${url.pathname}: redirected while streaming a body`));
            return;
          }
          send({ ...req, url: next.toString(), headers, method }, redirectsLeft - 1).then(resolve, reject);
          return;
        }
        resolve({ status, headers: res.headers, url: url.toString(), method: req.method, body: res });
      },
    );
    outgoing.on('timeout', () =>
      outgoing.destroy(new Error(`${req.method} ${url.host}${url.pathname}: timed out`)),
    );
    outgoing.on('error', reject);
    if (req.body === undefined) outgoing.end();
    else if (Buffer.isBuffer(req.body)) outgoing.end(req.body);
    else {
      const body = req.body;
      body.on('error', (error) => outgoing.destroy(error));
      // A body stopped before its end (the answer came first, or the copy was given up): the
      // request can never complete, and its open socket would keep the process alive.
      body.on('close', () => {
        if (!body.readableEnded) outgoing.destroy();
      });
      body.pipe(outgoing);
    }
  });
}

/**
 * A whole (small) body: at most `limit` bytes, and one that stalls fails (see stall.ts). Errors
 * name `what` (who asked for what); the caller adds the registry.
 */
export async function readBody(res: HttpResponse, limit = 16 * 1024 * 1024, what?: string): Promise<Buffer> {
  const name = what ?? `response from ${res.url}`;
  const chunks: Buffer[] = [];
  let size = 0;
  const watch = watchStall(() =>
    res.body.destroy(new StallError(`${name}: the answer stalled (${stallWindowText()})`)),
  );
  try {
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      watch.progress((chunk as Buffer).length);
      if (size > limit) {
        res.body.destroy();
        throw new Error(`${name}: the answer is larger than ${limit} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
  } finally {
    watch.stop();
  }
  return Buffer.concat(chunks);
}

/** A transfer that stopped moving (stall.ts); worth another attempt. */
export class StallError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(message: string) {
    super(message);
    this.name = 'StallError';
  }
}

/** Lets a body we do not read go: drained for keep-alive when small, destroyed otherwise. */
function drain(res: http.IncomingMessage, method?: string): void {
  if (
    res.complete ||
    res.destroyed ||
    method === 'HEAD' ||
    res.statusCode === 204 ||
    res.statusCode === 304
  ) {
    res.resume();
    return;
  }
  const length = Number(res.headers['content-length']);
  if (!(length <= DRAIN_LIMIT_BYTES)) {
    res.destroy();
    return;
  }
  let seen = 0;
  const timer = setTimeout(() => res.destroy(), DRAIN_LIMIT_MS);
  timer.unref();
  res.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > DRAIN_LIMIT_BYTES) res.destroy();
  });
  res.once('close', () => clearTimeout(timer));
  res.on('error', () => {});
  res.resume();
}

/**
 * A response whose body is not wanted: a small one is drained (the connection is reused), an
 * endless or slow one destroyed, so it never keeps the process alive.
 */
export function discard(res: HttpResponse): void {
  drain(res.body, res.method);
}

export function header(res: HttpResponse, name: string): string | undefined {
  const value = res.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
