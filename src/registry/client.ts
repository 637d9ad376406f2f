/**
 * A client for the OCI distribution API: token and basic auth negotiated from the registry's
 * challenge (tokens cached per scope set, re-challenged on 401), retries with backoff on
 * transient failures (honouring Retry-After; never on 401/403/404), manifests as exact bytes,
 * blobs as streams.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { registryApiHost } from '../common/reference';
import { parseChallenge } from './challenge';
import { classifyNetworkError, registryLabel, type RegistryRole } from './diagnose';
import { type Credentials, credentialsFromDockerConfig } from './credentials';
import { discard, header, type HttpResponse, readBody, request } from './http';
import { printable } from '../common/text';
import { isDigest, isMediaType, parseJsonObject, shown } from './descriptor';
import {
  DEFAULT_RETRY,
  isRetryableStatus,
  isTransientNetworkError,
  type RetryPolicy,
  retryDelayMs,
  sleep,
} from '../common/retry';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

/** Everything we can copy, so a registry never falls back to (or rewrites into) schema 1. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
].join(', ');

export class RegistryError extends Error {
  readonly status: number;
  readonly code?: string;
  /** Set for failures without an HTTP answer: whether a later attempt may succeed. */
  readonly transient?: boolean;
  constructor(message: string, status: number, code?: string, transient?: boolean) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
    if (code !== undefined) this.code = code;
    if (transient !== undefined) this.transient = transient;
  }
}

/** Worth retrying: a transient network failure or a retryable HTTP status. */
export function isRetryableError(error: unknown): boolean {
  if (error instanceof RegistryError) return error.transient ?? isRetryableStatus(error.status);
  return isTransientNetworkError(error);
}

/** Loopback registries are reachable over plain HTTP, as docker treats them (127.0.0.0/8, ::1, localhost). */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]';
}

/**
 * Whether a registry is asked over plain HTTP before HTTPS: one on this machine with its port
 * named (a CI service container, a test registry), which speaks one protocol on that port. Without
 * a port, HTTP (80) and HTTPS (443) are different services: HTTPS goes first, as docker does.
 */
export function plainHttpFirst(registry: string): boolean {
  return isLoopbackRegistry(registry) && /:\d+$/.test(registry);
}

/**
 * Whether `host` answers GET /v2/ over plain HTTP as a registry does: 200, or 401 asking for
 * credentials. No credentials are sent and no redirect is followed; a TLS port answers 400.
 */
export async function answersPlainHttp(host: string, timeoutMs = 3000): Promise<boolean> {
  try {
    const res = await request({ method: 'GET', url: `http://${host}/v2/`, timeoutMs, maxRedirects: 0 });
    discard(res);
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

export interface RegistryOptions {
  /** Explicit credentials; otherwise docker's config.json is consulted (unless anonymous). */
  readonly credentials?: Credentials;
  readonly anonymous?: boolean;
  /**
   * A registry listed as insecure, like docker's insecure registries: HTTPS without certificate
   * verification, then plain HTTP when it does not speak TLS. Credentials go over plain HTTP only
   * to such a registry, or to one on this machine (loopback, which may also answer plain HTTP).
   */
  readonly insecure?: boolean;
  /** Extra CA certificates (PEM), trusted in addition to Node's default roots. */
  readonly ca?: string | Buffer;
  /** Which side of an operation the registry is on, named in every error. */
  readonly role?: RegistryRole;
  readonly retry?: RetryPolicy;
  /** Aborts every request of this client (and the waits between retries) with its reason. */
  readonly signal?: AbortSignal;
  readonly onRetry?: (what: string, attempt: number, delayMs: number, reason: string) => void;
}

export interface RegistryRequest {
  readonly method: string;
  /** Path below /v2/ (e.g. "team/app/manifests/latest"), or an absolute upload URL. */
  readonly path: string;
  readonly scopes: readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | Readable;
  readonly query?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  /** Instead of the client's signal (a cleanup that must still run once the client is aborted). */
  readonly signal?: AbortSignal;
}

export interface ManifestDescriptor {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface Manifest extends ManifestDescriptor {
  readonly bytes: Buffer;
}

interface Token {
  readonly value: string;
  readonly expiresAt: number;
}

export const pullScope = (repository: string) => `repository:${repository}:pull`;
export const pushScope = (repository: string) => `repository:${repository}:pull,push`;

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

export class RegistryClient {
  readonly registry: string;
  private readonly options: RegistryOptions;
  private baseUrl?: Promise<string>;
  /** "source registry host:port": what every error starts with. */
  readonly label: string;
  private credentials?: Promise<Credentials | undefined>;
  private scheme?: 'basic' | 'bearer' | 'none';
  private realm?: string;
  private service?: string;
  private readonly tokens = new Map<string, Promise<Token>>();

  constructor(registry: string, options: RegistryOptions = {}) {
    this.registry = registry;
    this.options = options;
    this.label = registryLabel(registry, options.role);
  }

  /** An error for a request that got no HTTP answer, naming the registry, its role and the cause. */
  networkError(error: unknown, what?: string): RegistryError {
    if (error instanceof RegistryError) return error;
    const cause = classifyNetworkError(error);
    return new RegistryError(
      `${this.label}: ${cause.text}${what ? ` (${what})` : ''}`,
      0,
      undefined,
      cause.transient,
    );
  }

  /**
   * Credentials may travel over `url`: HTTPS; plain HTTP only to the registry itself when it is
   * insecure-listed or on loopback, or to another loopback host (a token server) of a loopback registry.
   */
  private credentialsMayGoTo(url: URL): boolean {
    if (url.protocol === 'https:') return true;
    const registryHost = registryApiHost(this.registry);
    if (url.host === registryHost) return this.options.insecure === true || isLoopbackRegistry(url.host);
    return isLoopbackRegistry(url.host) && isLoopbackRegistry(registryHost);
  }

  private get signalOption(): { signal?: AbortSignal } {
    return this.options.signal ? { signal: this.options.signal } : {};
  }

  /** The signal this client's requests are aborted with, for callers that wait on their own. */
  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /** Throws the abort's reason once the client's signal is aborted. */
  checkAborted(): void {
    this.options.signal?.throwIfAborted();
  }

  /**
   * A whole small body, errors naming this registry and `what`: too large, stalled, cut. An abort
   * passes through as it is.
   */
  async read(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
    try {
      return await readBody(res, limit, `${this.label}: ${what}`);
    } catch (error) {
      this.checkAborted();
      if (error instanceof Error && error.message.startsWith(this.label)) throw error;
      throw this.networkError(error, what);
    }
  }

  private get tlsOptions(): { ca?: string | Buffer; skipTlsVerify: boolean } {
    return {
      ...(this.options.ca !== undefined && { ca: this.options.ca }),
      skipTlsVerify: this.options.insecure === true,
    };
  }

  /** GET /v2/ once: how to reach the registry, or why it cannot be reached (no retry when nothing listens). */
  private async probe(): Promise<string> {
    const host = registryApiHost(this.registry);
    const plainAllowed = this.options.insecure === true || isLoopbackRegistry(this.registry);
    const policy = this.options.retry ?? DEFAULT_RETRY;
    // Most registries on this machine with a port speak plain HTTP: asked that way first, they
    // need no TLS set up at all (node:tls and its CA roots are about 20 ms of a short run).
    if (plainHttpFirst(this.registry) && (await answersPlainHttp(host))) return `http://${host}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await request({
          method: 'GET',
          url: `https://${host}/v2/`,
          timeoutMs: 15_000,
          ...this.tlsOptions,
          ...this.signalOption,
        });
        discard(res);
        return `https://${host}`;
      } catch (error) {
        const cause = classifyNetworkError(error);
        if (plainAllowed && (cause.kind === 'not-tls' || cause.kind === 'reset')) {
          try {
            const res = await request({
              method: 'GET',
              url: `http://${host}/v2/`,
              timeoutMs: 15_000,
              ...this.signalOption,
            });
            discard(res);
            return `http://${host}`;
          } catch (plainError) {
            throw this.networkError(plainError, 'over HTTPS and plain HTTP');
          }
        }
        // A refused connection or a certificate is not worth waiting for; a dropped one may be.
        if (
          (cause.kind === 'reset' || (cause.kind === 'dns' && cause.transient)) &&
          attempt < policy.retries
        ) {
          await sleep(retryDelayMs(attempt + 1, policy), this.options.signal);
          continue;
        }
        throw this.networkError(error);
      }
    }
  }

  /** https://host, or http://host for an insecure (or loopback) registry that does not speak TLS. */
  base(): Promise<string> {
    if (!this.baseUrl) {
      const probing = this.probe();
      this.baseUrl = probing;
      // A failed probe is not remembered: the next call tries again.
      probing.catch(() => {
        if (this.baseUrl === probing) this.baseUrl = undefined;
      });
    }
    return this.baseUrl;
  }

  private creds(): Promise<Credentials | undefined> {
    this.credentials ??=
      this.options.credentials !== undefined || this.options.anonymous
        ? Promise.resolve(this.options.credentials)
        : credentialsFromDockerConfig(this.registry);
    return this.credentials;
  }

  private async authorization(scopes: readonly string[]): Promise<string | undefined> {
    if (this.scheme === 'basic') {
      const c = await this.creds();
      return c ? `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` : undefined;
    }
    if (this.scheme === 'bearer') return `Bearer ${(await this.token(scopes)).value}`;
    return undefined;
  }

  private token(scopes: readonly string[], refresh = false): Promise<Token> {
    const key = [...scopes].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && !refresh) {
      return cached.then((t) => (t.expiresAt > Date.now() + 10_000 ? t : this.token(scopes, true)));
    }
    const fresh = this.fetchToken(scopes);
    this.tokens.set(key, fresh);
    fresh.catch(() => this.tokens.delete(key));
    return fresh;
  }

  private async fetchToken(scopes: readonly string[]): Promise<Token> {
    if (!this.realm) throw new RegistryError(`${this.label}: bearer challenge without a realm`, 401);
    const url = new URL(this.realm);
    if (this.service) url.searchParams.set('service', this.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const c = await this.creds();
    const headers: Record<string, string> = {};
    if (c) {
      if (!this.credentialsMayGoTo(url))
        throw new RegistryError(
          `${this.label}: refusing to send credentials over plain HTTP to the token server ${url.host} (list the registry in insecure to allow it)`,
          401,
        );
      headers.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
    }
    let res: HttpResponse;
    try {
      res = await request({
        method: 'GET',
        url: url.toString(),
        headers,
        ...this.tlsOptions,
        ...this.signalOption,
        timeoutMs: 30_000,
      });
    } catch (error) {
      throw this.networkError(error, `token server ${url.host}`);
    }
    const body = await this.read(res, 1024 * 1024, `token from ${url.host}`);
    if (res.status !== 200) {
      const refused = res.status === 401 || res.status === 403;
      throw new RegistryError(
        refused && c
          ? `${this.label}: credentials refused by the token server ${url.host} (${res.status})`
          : `${this.label}: the token server ${url.host} refused ${scopes.join(' ')} (${res.status})${c ? '' : ' — no credentials were given or found for this registry'}`,
        refused ? res.status : 401,
      );
    }
    let json: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      json = parseJsonObject(body, `${this.label}: the answer of the token server ${url.host}`);
    } catch (error) {
      throw new RegistryError((error as Error).message, 401, undefined, false);
    }
    const value = typeof json.token === 'string' ? json.token : json.access_token;
    // A token goes into a header: Node refuses one with control characters, with a bare TypeError.
    if (typeof value !== 'string' || value === '' || !/^[\x21-\x7e]+$/.test(value))
      throw new RegistryError(`${this.label}: the token server ${url.host} returned no usable token`, 401);
    const expiresIn = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 60;
    return { value, expiresAt: Date.now() + expiresIn * 1000 };
  }

  private learnChallenge(res: HttpResponse): void {
    const challenge = parseChallenge(header(res, 'www-authenticate') ?? '');
    if (challenge?.scheme === 'bearer') {
      this.scheme = 'bearer';
      this.realm = challenge.params.realm;
      this.service = challenge.params.service;
    } else if (challenge?.scheme === 'basic') {
      this.scheme = 'basic';
    }
  }

  /** One API call: auth negotiated, transient failures retried while the body can be replayed. */
  async send(req: RegistryRequest): Promise<HttpResponse> {
    const base = await this.base();
    const url = new URL(/^https?:\/\//.test(req.path) ? req.path : `${base}/v2/${req.path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const replayable = req.body === undefined || Buffer.isBuffer(req.body);
    const policy = this.options.retry ?? DEFAULT_RETRY;
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      let res: HttpResponse;
      // The registry's credentials go to the registry only: an upload Location naming another host
      // (storage behind the registry, or a hostile answer) gets none.
      const authorization =
        url.host === new URL(base).host ? await this.authorization(req.scopes) : undefined;
      if (authorization && !this.credentialsMayGoTo(url))
        throw new RegistryError(
          `${this.label}: refusing to send credentials over plain HTTP to ${url.host} (not listed in insecure)`,
          401,
        );
      try {
        res = await request({
          method: req.method,
          url: url.toString(),
          headers: { ...req.headers, ...(authorization && { authorization }) },
          ...(req.body !== undefined && { body: req.body }),
          ...this.tlsOptions,
          ...(req.signal ? { signal: req.signal } : this.signalOption),
          ...(req.timeoutMs !== undefined && { timeoutMs: req.timeoutMs }),
        });
      } catch (error) {
        if (!req.signal) this.checkAborted();
        const cause = classifyNetworkError(error);
        // A refused connection after the registry answered once (a restart): a few quick tries only.
        const retries = cause.kind === 'refused' ? Math.min(2, policy.retries) : policy.retries;
        if (replayable && attempt < retries && cause.transient) {
          const delay = retryDelayMs(attempt + 1, policy);
          this.options.onRetry?.(`${req.method} ${url.pathname}`, attempt + 1, delay, cause.text);
          await sleep(delay, this.options.signal);
          continue;
        }
        throw this.networkError(error, `${req.method} ${url.pathname}`);
      }
      if (res.status === 401 && !reauthenticated && replayable) {
        discard(res);
        reauthenticated = true;
        const before = this.scheme;
        this.learnChallenge(res);
        if (this.scheme === 'bearer') await this.token(req.scopes, true);
        if (this.scheme === 'basic' && !(await this.creds())) {
          throw new RegistryError(
            `${this.label}: authentication required and no credentials were given or found`,
            401,
          );
        }
        // Refused only when this request carried the credentials: requests sent at once before
        // the first challenge was learnt all meet it, and each is sent again with them.
        if (before === this.scheme && this.scheme === 'basic' && authorization) {
          throw new RegistryError(`${this.label}: credentials refused (401)`, 401);
        }
        attempt -= 1;
        continue;
      }
      if (res.status === 401 && authorization) {
        discard(res);
        throw new RegistryError(
          this.scheme === 'basic'
            ? `${this.label}: credentials refused (401)`
            : `${this.label}: access refused (401) for ${req.method} ${url.pathname}: the token does not grant ${req.scopes.join(' ')}`,
          401,
        );
      }
      if (replayable && isRetryableStatus(res.status) && attempt < policy.retries) {
        const delay = retryDelayMs(attempt + 1, policy, header(res, 'retry-after'));
        discard(res);
        this.options.onRetry?.(`${req.method} ${url.pathname}`, attempt + 1, delay, `HTTP ${res.status}`);
        await sleep(delay, this.options.signal);
        continue;
      }
      return res;
    }
  }

  /** Throws a RegistryError with the registry's own error text unless the status is expected. */
  async expect(res: HttpResponse, statuses: readonly number[], what: string): Promise<HttpResponse> {
    if (statuses.includes(res.status)) return res;
    const body = await readBody(res, 64 * 1024).catch(() => {
      this.checkAborted();
      return Buffer.alloc(0);
    });
    let detail = body.toString('utf8').trim().slice(0, 500);
    let code: string | undefined;
    try {
      const parsed = JSON.parse(detail) as { errors?: Array<{ code?: string; message?: string }> };
      if (parsed.errors?.length) {
        code = parsed.errors[0]?.code;
        detail = parsed.errors.map((e) => `${e?.code}: ${e?.message}`).join('; ');
      }
    } catch {
      // not JSON: keep the text
    }
    // The registry's own words, made one printable line.
    detail = printable(detail, 500);
    if (typeof code !== 'string') code = undefined;
    throw new RegistryError(
      `${this.label}: ${what} failed (${res.status})${res.status === 401 ? ' — authentication required and no credentials were given or found' : ''}${detail ? `: ${detail}` : ''}`,
      res.status,
      code,
    );
  }

  async headManifest(repository: string, reference: string): Promise<ManifestDescriptor | undefined> {
    const res = await this.send({
      method: 'HEAD',
      path: `${repository}/manifests/${reference}`,
      scopes: [pullScope(repository)],
      headers: { accept: MANIFEST_ACCEPT },
    });
    discard(res);
    if (res.status === 404) return undefined;
    await this.expect(res, [200], `HEAD manifest ${repository}:${reference}`);
    const digest = header(res, 'docker-content-digest');
    if (!digest) {
      // Some registries omit the digest on HEAD: fall back to GET and hash.
      const manifest = await this.getManifest(repository, reference);
      return { digest: manifest.digest, mediaType: manifest.mediaType, size: manifest.size };
    }
    if (!isDigest(digest))
      throw new RegistryError(
        `${this.label}: HEAD manifest ${repository}:${reference}: Docker-Content-Digest ${shown(digest)} is not a digest`,
        502,
        undefined,
        false,
      );
    const mediaType = contentType(res);
    const size = Number(header(res, 'content-length') ?? 0);
    return {
      digest,
      mediaType: isMediaType(mediaType) ? mediaType : '',
      size: Number.isSafeInteger(size) && size >= 0 ? size : 0,
    };
  }

  /** The manifest's exact bytes; a digest reference is verified against the bytes. */
  async getManifest(
    repository: string,
    reference: string,
    scopes = [pullScope(repository)],
  ): Promise<Manifest> {
    const res = await this.send({
      method: 'GET',
      path: `${repository}/manifests/${reference}`,
      scopes,
      headers: { accept: MANIFEST_ACCEPT },
    });
    await this.expect(res, [200], `GET manifest ${repository}:${reference}`);
    const bytes = await this.read(res, MAX_MANIFEST_BYTES, `GET manifest ${repository}:${reference}`);
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new RegistryError(
        `${this.label}: ${repository}: manifest ${reference} has digest ${digest}`,
        502,
      );
    }
    const type = contentType(res);
    const mediaType = isMediaType(type) ? type : mediaTypeOf(bytes);
    return { bytes, digest, mediaType, size: bytes.length };
  }

  /** Puts exact manifest bytes under a tag or digest; returns the digest the registry reports. */
  async putManifest(
    repository: string,
    reference: string,
    manifest: Pick<Manifest, 'bytes' | 'mediaType'>,
  ): Promise<string> {
    const res = await this.send({
      method: 'PUT',
      path: `${repository}/manifests/${reference}`,
      scopes: [pushScope(repository)],
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
    });
    await this.expect(res, [200, 201], `PUT manifest ${repository}:${reference}`);
    discard(res);
    const stored = header(res, 'docker-content-digest');
    if (stored === undefined) return sha256(manifest.bytes);
    if (!isDigest(stored))
      throw new RegistryError(
        `${this.label}: PUT manifest ${repository}:${reference}: Docker-Content-Digest ${shown(stored)} is not a digest`,
        502,
        undefined,
        false,
      );
    return stored;
  }
}

/** The largest manifest read (distribution's own limit is 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The Content-Type's media type, parameters dropped ('' when none). */
function contentType(res: HttpResponse): string {
  return (header(res, 'content-type') ?? '').split(';')[0]?.trim() ?? '';
}

function mediaTypeOf(bytes: Buffer): string {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; manifests?: unknown };
    if (isMediaType(parsed.mediaType)) return parsed.mediaType;
    return parsed.manifests ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  } catch {
    return MEDIA_TYPES.ociManifest;
  }
}
