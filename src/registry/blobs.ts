/**
 * Blob operations of the distribution API on a RegistryClient: existence, cross-repository
 * mount, and uploads streamed from a source (monolithic PUT, or chunked PATCH for registries
 * that need it), hashed on the fly and never buffered whole.
 */
import { createHash, type Hash } from 'node:crypto';
import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type RegistryClient, pullScope, pushScope, RegistryError } from './client';
import { discard, header, type HttpResponse } from './http';
import { streamed } from './memory';
import { stallWindowText, type StallWatch, watchStall } from './stall';

export const CHUNK_SIZE = 16 * 1024 * 1024;
/**
 * Silence allowed on an upload's connection (the body itself is watched for stalls): a registry
 * may take minutes to answer once it has the whole blob (committing it to object storage).
 */
export const UPLOAD_ANSWER_TIMEOUT_MS = 600_000;
/** How long a cancelled copy waits for the destination to drop its upload session. */
export const CANCEL_UPLOAD_TIMEOUT_MS = 500;

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

function uploadUrl(res: HttpResponse, base: string, label = 'registry'): string {
  const location = header(res, 'location');
  if (!location)
    throw new RegistryError(`${label}: upload answered ${res.status} without a Location`, res.status);
  try {
    return new URL(location, base).toString();
  } catch {
    throw new RegistryError(`${label}: upload answered ${res.status} with an unusable Location`, 502);
  }
}

/**
 * Drops an upload session a cancelled copy leaves (best effort, briefly: the run is ending), so
 * the destination does not keep its partial data until its own purge.
 */
export async function cancelUpload(
  client: RegistryClient,
  repository: string,
  upload: string,
): Promise<void> {
  try {
    const res = await client.send({
      method: 'DELETE',
      path: upload,
      scopes: [pushScope(repository)],
      signal: AbortSignal.timeout(CANCEL_UPLOAD_TIMEOUT_MS),
    });
    discard(res);
  } catch {
    // the registry purges abandoned uploads itself
  }
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
  return { mounted: false, uploadUrl: uploadUrl(res, await client.base(), client.label) };
}

export async function startUpload(client: RegistryClient, repository: string): Promise<string> {
  const res = await client.send({
    method: 'POST',
    path: `${repository}/blobs/uploads/`,
    scopes: [pushScope(repository)],
  });
  discard(res);
  await client.expect(res, [202], `start upload to ${repository}`);
  return uploadUrl(res, await client.base(), client.label);
}

/** A blob's bytes as they stream past, checked against its descriptor. */
export interface BlobCheck {
  readonly digest: string;
  readonly size: number;
  /** "source registry r:5000: blob sha256:… of team/app": what errors about the content start with. */
  readonly what: string;
  /** Who a stall is blamed on: the destination when it stopped taking bytes, else the source. */
  readonly stalled: (destinationBlocked: boolean) => string;
}

/**
 * A pass-through that hashes and counts a blob: more bytes than its size fail at once (before
 * they are passed on), fewer at the end fail, a digest that does not match fails, and a transfer
 * that stops moving fails (stall.ts), blaming the side that stopped.
 */
export class VerifiedBlob extends Transform {
  private readonly hash: Hash;
  private readonly watch: StallWatch;
  bytes = 0;
  /** Why the blob was refused (set before the stream errors). */
  failure?: RegistryError;
  constructor(private readonly check: BlobCheck) {
    super();
    this.hash = createHash(check.digest.slice(0, check.digest.indexOf(':')));
    this.watch = watchStall(() => {
      const blocked = this.readableLength >= this.readableHighWaterMark;
      this.fail(new RegistryError(`${check.stalled(blocked)} (${stallWindowText()})`, 0, 'ETIMEDOUT', true));
    });
  }
  /**
   * The source's body failed (cut, reset): that is the failure, even though it reaches the upload
   * too (which would otherwise report it as the destination's).
   */
  sourceFailed(error: RegistryError): void {
    this.failure ??= error;
  }
  private fail(error: RegistryError): RegistryError {
    this.failure ??= error;
    this.watch.stop();
    this.destroy(this.failure);
    return this.failure;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.check.size) {
      callback(
        this.fail(
          new RegistryError(
            `${this.check.what} is longer than its descriptor's ${this.check.size} bytes; nothing past them was sent`,
            502,
            undefined,
            false,
          ),
        ),
      );
      return;
    }
    this.hash.update(chunk);
    this.watch.progress(chunk.length);
    streamed(chunk.length);
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    this.watch.stop();
    if (this.bytes < this.check.size) {
      callback(
        this.fail(
          new RegistryError(
            `${this.check.what} ended after ${this.bytes} of its ${this.check.size} bytes`,
            502,
            undefined,
            false,
          ),
        ),
      );
      return;
    }
    const actual = `${this.check.digest.slice(0, this.check.digest.indexOf(':'))}:${this.hash.digest('hex')}`;
    if (actual !== this.check.digest) {
      callback(this.fail(new RegistryError(`${this.check.what} hashed to ${actual}`, 502)));
      return;
    }
    callback();
  }
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.watch.stop();
    callback(error);
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
    timeoutMs: UPLOAD_ANSWER_TIMEOUT_MS,
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
    url = uploadUrl(res, await client.base(), client.label);
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
 * Streams a blob from one registry into an upload at another through a VerifiedBlob: never more
 * than its size is sent, and what was sent is verified. Falls back to a chunked upload when the
 * registry refuses a monolithic PUT. A cancelled copy drops the destination's upload session.
 */
export async function streamBlob(
  source: { client: RegistryClient; repository: string },
  destination: { client: RegistryClient; repository: string; upload?: string },
  digest: string,
  size: number,
): Promise<StreamCopyResult> {
  const what = `${source.client.label}: blob ${digest} of ${source.repository}`;
  const check: BlobCheck = {
    digest,
    size,
    what,
    stalled: (destinationBlocked) =>
      destinationBlocked
        ? `${destination.client.label}: the upload of blob ${digest} to ${destination.repository} stalled (it stopped taking bytes)`
        : `${what} stalled (it stopped sending) while copying to ${destination.client.label}`,
  };
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
      if (started.status === 'fulfilled' && destination.client.signal?.aborted)
        await cancelUpload(destination.client, destination.repository, started.value);
      throw opened.reason;
    }
    const res = opened.value;
    if (started.status === 'rejected') {
      res.body.destroy();
      throw started.reason;
    }
    const upload = started.value;
    const length = header(res, 'content-length');
    if (length !== undefined && Number(length) !== size) {
      res.body.destroy();
      throw new RegistryError(
        `${what}: its Content-Length is ${Number(length)}, its descriptor says ${size} bytes`,
        502,
        undefined,
        false,
      );
    }
    // The source response streams through the verifier into the PUT (or the chunker).
    const verified = new VerifiedBlob(check);
    // Before the pipeline's own listener: the source's error is recorded as the source's first.
    res.body.once('error', (error) => {
      if (!source.client.signal?.aborted)
        verified.sourceFailed(
          source.client.networkError(error, `GET blob ${digest} of ${source.repository}`),
        );
    });
    pipeline(res.body, verified, () => {});
    let putting = chunked
      ? putBlobChunked(destination.client, destination.repository, upload, digest, verified)
      : putBlobStream(destination.client, destination.repository, upload, digest, size, verified);
    const piping = finished(verified);
    // If the destination answers (or fails) before taking the whole body, stop reading the source.
    putting = putting.then(
      (put) => {
        if (put.status !== 201 && put.status !== 202) verified.destroy();
        return put;
      },
      (error: unknown) => {
        verified.destroy();
        throw error;
      },
    );
    const [piped, put] = await Promise.allSettled([piping, putting]);
    if (destination.client.signal?.aborted) {
      await cancelUpload(destination.client, destination.repository, upload);
      destination.client.checkAborted();
    }
    // What the source sent is judged first: a body too long, too short or corrupt is the source's
    // fault whatever the destination answered (a registry that checks refuses it with 400, not to
    // be mistaken for one that refuses monolithic uploads); a stall names the side that stalled.
    if (verified.failure) {
      if (put.status === 'fulfilled') discard(put.value);
      throw verified.failure;
    }
    if (put.status === 'rejected') throw put.reason;
    if (put.value.status !== 201) return { res: put.value, bytes: 0 };
    if (piped.status === 'rejected') throw piped.reason;
    return { res: put.value, bytes: verified.bytes };
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
