/**
 * Blob operations of the distribution API on a RegistryClient: existence, cross-repository
 * mount, and uploads streamed from a source (monolithic PUT, or chunked PATCH for registries
 * that need it), hashed on the fly and never buffered whole.
 */
import { createHash } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type RegistryClient, pullScope, pushScope, RegistryError } from './client';
import { discard, header, type HttpResponse } from './http';
import { streamed } from './memory';

export const CHUNK_SIZE = 16 * 1024 * 1024;

export async function blobExists(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<boolean> {
  const res = await client.send({
    method: 'HEAD',
    path: `${repository}/blobs/${digest}`,
    scopes: [pullScope(repository)],
  });
  discard(res);
  if (res.status === 404) return false;
  await client.expect(res, [200], `HEAD blob ${repository}@${digest}`);
  return true;
}

export async function openBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
): Promise<HttpResponse> {
  const res = await client.send({
    method: 'GET',
    path: `${repository}/blobs/${digest}`,
    scopes: [pullScope(repository)],
  });
  return client.expect(res, [200], `GET blob ${repository}@${digest}`);
}

function uploadUrl(res: HttpResponse, base: string): string {
  const location = header(res, 'location');
  if (!location) throw new RegistryError(`upload answered ${res.status} without a Location`, res.status);
  return new URL(location, base).toString();
}

export type MountResult = { mounted: true } | { mounted: false; uploadUrl: string };

/**
 * Mounts a blob from another repository of the same registry. A 202 means the registry started
 * an upload instead (distribution answers so when it cannot mount): that upload is returned for use.
 */
export async function mountBlob(
  client: RegistryClient,
  repository: string,
  digest: string,
  from: string,
): Promise<MountResult> {
  const res = await client.send({
    method: 'POST',
    path: `${repository}/blobs/uploads/`,
    query: { mount: digest, from },
    scopes: [pushScope(repository), pullScope(from)],
  });
  discard(res);
  if (res.status === 201) return { mounted: true };
  await client.expect(res, [202], `mount ${digest} from ${from} into ${repository}`);
  return { mounted: false, uploadUrl: uploadUrl(res, await client.base()) };
}

export async function startUpload(client: RegistryClient, repository: string): Promise<string> {
  const res = await client.send({
    method: 'POST',
    path: `${repository}/blobs/uploads/`,
    scopes: [pushScope(repository)],
  });
  discard(res);
  await client.expect(res, [202], `start upload to ${repository}`);
  return uploadUrl(res, await client.base());
}

/** A pass-through that hashes what flows and counts bytes. */
export class Sha256Meter extends Transform {
  private readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    streamed(chunk.length);
    callback(null, chunk);
  }
  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

function withDigest(url: string, digest: string): string {
  const u = new URL(url);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/** Monolithic upload: one PUT carrying the whole blob as a stream. */
export async function putBlobStream(
  client: RegistryClient,
  repository: string,
  upload: string,
  digest: string,
  size: number,
  body: Readable,
): Promise<HttpResponse> {
  return client.send({
    method: 'PUT',
    path: withDigest(upload, digest),
    scopes: [pushScope(repository)],
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body,
    timeoutMs: 600_000,
  });
}

/** Chunked upload: PATCH chunks of CHUNK_SIZE with Content-Range, then PUT to close. */
export async function putBlobChunked(
  client: RegistryClient,
  repository: string,
  upload: string,
  digest: string,
  body: Readable,
  chunkSize = CHUNK_SIZE,
): Promise<HttpResponse> {
  let url = upload;
  let offset = 0;
  let pending: Buffer[] = [];
  let pendingSize = 0;
  const flush = async () => {
    if (pendingSize === 0) return;
    const chunk = Buffer.concat(pending, pendingSize);
    pending = [];
    pendingSize = 0;
    const res = await client.send({
      method: 'PATCH',
      path: url,
      scopes: [pushScope(repository)],
      headers: {
        'content-type': 'application/octet-stream',
        'content-range': `${offset}-${offset + chunk.length - 1}`,
        'content-length': String(chunk.length),
      },
      body: chunk,
    });
    discard(res);
    await client.expect(res, [202], `PATCH upload chunk at ${offset}`);
    url = uploadUrl(res, await client.base());
    offset += chunk.length;
  };
  for await (const data of body) {
    pending.push(data as Buffer);
    pendingSize += (data as Buffer).length;
    if (pendingSize >= chunkSize) await flush();
  }
  await flush();
  return client.send({
    method: 'PUT',
    path: withDigest(url, digest),
    scopes: [pushScope(repository)],
    headers: { 'content-length': '0' },
    body: Buffer.alloc(0),
  });
}

export interface StreamCopyResult {
  readonly bytes: number;
  readonly chunked: boolean;
}

/**
 * Streams a blob from one registry into an upload at another, verifying its digest on the fly.
 * Falls back to a chunked upload when the registry refuses a monolithic PUT.
 */
export async function streamBlob(
  source: { client: RegistryClient; repository: string },
  destination: { client: RegistryClient; repository: string; upload?: string },
  digest: string,
  size: number,
): Promise<StreamCopyResult> {
  const attempt = async (
    chunked: boolean,
    starting: Promise<string>,
  ): Promise<{ res: HttpResponse; bytes: number }> => {
    // The source GET and the destination's upload session start together: one round trip less.
    const [opened, started] = await Promise.allSettled([
      openBlob(source.client, source.repository, digest),
      starting,
    ]);
    if (opened.status === 'rejected') {
      // Nothing was sent into an upload session that did start: the registry purges it.
      throw opened.reason;
    }
    const res = opened.value;
    if (started.status === 'rejected') {
      res.body.destroy();
      throw started.reason;
    }
    const upload = started.value;
    // Monolithic: the source response streams straight into the PUT, and a 'data' listener hashes
    // what flows (paused first, so nothing flows before the request takes the stream). Chunked:
    // the chunker reads through a hashing transform.
    const body = res.body;
    const stop = () => body.destroy();
    let read: () => { digest: string; bytes: number };
    let putting: Promise<HttpResponse>;
    if (chunked) {
      const meter = body.pipe(new Sha256Meter());
      body.on('error', (error) => meter.destroy(error));
      read = () => ({ digest: meter.digest(), bytes: meter.bytes });
      putting = putBlobChunked(destination.client, destination.repository, upload, digest, meter);
    } else {
      const hash = createHash('sha256');
      let bytes = 0;
      body.pause();
      body.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
        streamed(chunk.length);
      });
      read = () => ({ digest: `sha256:${hash.digest('hex')}`, bytes });
      putting = putBlobStream(destination.client, destination.repository, upload, digest, size, body);
    }
    const piping = finished(body);
    // If the destination answers (or fails) before taking the whole body, stop reading the source.
    putting = putting.then(
      (put) => {
        if (put.status !== 201 && put.status !== 202) stop();
        return put;
      },
      (error: unknown) => {
        stop();
        throw error;
      },
    );
    const [piped, put] = await Promise.allSettled([piping, putting]);
    if (put.status === 'rejected') throw put.reason;
    // A body read to its end that does not hash to its digest: the source is at fault, whatever
    // the destination answered (a registry that checks refuses it with 400, not to be mistaken
    // for one that refuses monolithic uploads).
    const { digest: actual, bytes } = piped.status === 'fulfilled' ? read() : { digest: '', bytes: 0 };
    if (piped.status === 'fulfilled' && actual !== digest) {
      discard(put.value);
      throw new RegistryError(
        `blob ${digest} from ${source.client.registry}/${source.repository} hashed to ${actual}`,
        502,
      );
    }
    if (put.value.status !== 201) return { res: put.value, bytes: 0 };
    if (piped.status === 'rejected') throw piped.reason;
    return { res: put.value, bytes };
  };
  const first = destination.upload
    ? Promise.resolve(destination.upload)
    : startUpload(destination.client, destination.repository);
  const monolithic = await attempt(false, first);
  if (monolithic.res.status === 201) {
    discard(monolithic.res);
    return { bytes: monolithic.bytes, chunked: false };
  }
  if (![400, 405, 413, 415, 416].includes(monolithic.res.status)) {
    await destination.client.expect(monolithic.res, [201], `PUT blob ${digest} to ${destination.repository}`);
  }
  discard(monolithic.res);
  const chunked = await attempt(true, startUpload(destination.client, destination.repository));
  await destination.client.expect(
    chunked.res,
    [201],
    `chunked upload of ${digest} to ${destination.repository}`,
  );
  discard(chunked.res);
  return { bytes: chunked.bytes, chunked: true };
}

/** Uploads a small blob held in memory (monolithic POST + PUT), unless the repository has it already. */
export async function putBlobBytes(
  client: RegistryClient,
  repository: string,
  bytes: Buffer,
): Promise<{ digest: string; size: number }> {
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (await blobExists(client, repository, digest)) return { digest, size: bytes.length };
  const upload = await startUpload(client, repository);
  const res = await client.send({
    method: 'PUT',
    path: withDigest(upload, digest),
    scopes: [pushScope(repository)],
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
    body: bytes,
  });
  await client.expect(res, [201], `PUT blob ${digest} to ${repository}`);
  discard(res);
  return { digest, size: bytes.length };
}
