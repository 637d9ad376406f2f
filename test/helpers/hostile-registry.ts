/**
 * A hostile (or broken) registry for tests: a small real HTTP server on 127.0.0.1 speaking enough
 * of the distribution API for a promotion, whose every answer a test can replace. It logs every
 * request and counts the bytes it is sent, so a test sees from outside what a client did.
 *
 * By default it serves what `manifest()` and `blob()` put in it, 404s the rest, and takes uploads
 * as a sink (POST 202 with a Location, PATCH 202, PUT 201, bytes counted and dropped). `route()`
 * puts a handler in front for any method and path. Endless and trickling bodies stop when the
 * client goes away or the registry is closed: closing leaves no timer or socket behind.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  readonly method: string;
  readonly url: string;
  /** Bytes of its body received. */
  bytes: number;
  /** When it arrived (performance.now()), and when its connection closed. */
  readonly at: number;
  closedAt?: number;
}

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse, path: string) => void;

export interface HostileRegistry {
  /** host:port, for references. */
  readonly host: string;
  readonly requests: LoggedRequest[];
  /** Bytes received in request bodies in all. */
  received(): number;
  /** Serves `bytes` as a manifest of `repository` under `references` (tags) and its digest. */
  manifest(repository: string, bytes: Buffer, references?: readonly string[], mediaType?: string): string;
  /** Serves a blob of `repository` under `digest`: bytes, or a handler writing its own answer. */
  blob(repository: string, digest: string, body: Buffer | Handler): void;
  /** A handler tried first for `method` on paths matching `path`; it answers, or returns false to pass. */
  route(method: string, path: RegExp, handler: (...args: Parameters<Handler>) => boolean | void): void;
  close(): Promise<void>;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

export const digestOf = (bytes: Buffer | string): string =>
  `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** An image manifest of the given config and layers (descriptors written as given: they may be hostile). */
export function imageManifest(
  config: unknown,
  layers: unknown[],
  extra: Record<string, unknown> = {},
): Buffer {
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers, ...extra }));
}

export function descriptor(
  bytes: Buffer,
  mediaType = OCI_LAYER,
): { mediaType: string; digest: string; size: number } {
  return { mediaType, digest: digestOf(bytes), size: bytes.length };
}

const live = new Set<() => void>();

/**
 * Writes `chunk` every `everyMs` until `total` bytes (Infinity: forever) or the client leaves.
 * Ends the response when the total is reached unless `hang` (a body shorter than promised).
 */
export function drip(
  res: http.ServerResponse,
  chunk: Buffer,
  everyMs: number,
  total = Infinity,
  options: { hang?: boolean } = {},
): void {
  let sent = 0;
  const stop = () => {
    clearInterval(timer);
    live.delete(stop);
  };
  const timer = setInterval(() => {
    if (res.destroyed || res.writableEnded) return stop();
    if (sent >= total) {
      stop();
      if (!options.hang) res.end();
      return;
    }
    const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
    sent += piece.length;
    res.write(piece);
  }, everyMs);
  live.add(stop);
  res.on('close', stop);
}

/** Writes `chunk` as fast as the client takes it, forever (until it leaves). */
export function flood(res: http.ServerResponse, chunk: Buffer): void {
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
  };
  res.on('drain', pump);
  pump();
}

export async function startHostileRegistry(): Promise<HostileRegistry> {
  const requests: LoggedRequest[] = [];
  const manifests = new Map<string, { bytes: Buffer; mediaType: string; digest: string }>();
  const blobs = new Map<string, Buffer | Handler>();
  const routes: Array<{
    method: string;
    path: RegExp;
    handler: (...args: Parameters<Handler>) => boolean | void;
  }> = [];
  let uploads = 0;
  let received = 0;

  const server = http.createServer((req, res) => {
    const logged: LoggedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      bytes: 0,
      at: performance.now(),
    };
    res.on('close', () => (logged.closedAt = performance.now()));
    requests.push(logged);
    req.on('data', (c: Buffer) => {
      logged.bytes += c.length;
      received += c.length;
    });
    res.on('error', () => {});
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    for (const route of routes) {
      if (route.method === req.method && route.path.test(path) && route.handler(req, res, path) !== false)
        return;
    }
    const manifestMatch = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(path);
    const blobMatch = /^\/v2\/(.+)\/blobs\/(sha256:[a-f0-9]{64})$/.exec(path);
    const uploadMatch = /^\/v2\/(.+)\/blobs\/uploads\/(.*)$/.exec(path);
    if (path === '/v2/') {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } else if (manifestMatch && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      const found = manifests.get(`${manifestMatch[1]}|${manifestMatch[2]}`);
      if (!found) return void res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': found.mediaType,
        'content-length': found.bytes.length,
        'docker-content-digest': found.digest,
      });
      res.end(req.method === 'HEAD' ? undefined : found.bytes);
    } else if (manifestMatch && req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const bytes = Buffer.concat(chunks);
        const repo = manifestMatch[1] as string;
        const digest = digestOf(bytes);
        const stored = { bytes, mediaType: req.headers['content-type'] ?? OCI_MANIFEST, digest };
        manifests.set(`${repo}|${manifestMatch[2]}`, stored);
        manifests.set(`${repo}|${digest}`, stored);
        res.writeHead(201, { 'docker-content-digest': digest }).end();
      });
    } else if (blobMatch && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      const body = blobs.get(`${blobMatch[1]}|${blobMatch[2]}`);
      if (body === undefined) return void res.writeHead(404).end();
      if (typeof body === 'function') return body(req, res, path);
      res.writeHead(200, { 'content-length': body.length, 'docker-content-digest': blobMatch[2] });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else if (uploadMatch && req.method === 'POST') {
      req.resume();
      res.writeHead(202, {
        location: `/v2/${uploadMatch[1]}/blobs/uploads/u${++uploads}`,
        'content-length': 0,
      });
      res.end();
    } else if (uploadMatch && (req.method === 'PATCH' || req.method === 'PUT')) {
      req.resume();
      req.on('end', () => {
        if (req.method === 'PATCH')
          res.writeHead(202, { location: `/v2/${uploadMatch[1]}/blobs/uploads/${uploadMatch[2]}` }).end();
        else res.writeHead(201).end();
      });
    } else if (uploadMatch && req.method === 'DELETE') {
      req.resume();
      res.writeHead(204).end();
    } else {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"NOT_FOUND"}]}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    received: () => received,
    manifest(repository, bytes, references = [], mediaType = OCI_MANIFEST) {
      const digest = digestOf(bytes);
      for (const ref of [digest, ...references])
        manifests.set(`${repository}|${ref}`, { bytes, mediaType, digest });
      return digest;
    },
    blob(repository, digest, body) {
      blobs.set(`${repository}|${digest}`, body);
    },
    route(method, path, handler) {
      routes.push({ method, path, handler });
    },
    async close() {
      for (const stop of [...live]) stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
