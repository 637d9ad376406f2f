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
import { type Credentials, credentialsFromDockerConfig } from './credentials';
import { discard, header, type HttpResponse, readBody, request } from './http';
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
  constructor(message: string, status: number, code?: string) {
    super(message);
    this.name = 'RegistryError';
    this.status = status;
    if (code !== undefined) this.code = code;
  }
}

export interface RegistryOptions {
  /** Explicit credentials; otherwise docker's config.json is consulted (unless anonymous). */
  readonly credentials?: Credentials;
  readonly anonymous?: boolean;
  /** Allow plain HTTP (tried after HTTPS fails), like docker's insecure registries. */
  readonly insecure?: boolean;
  readonly ca?: string | Buffer;
  readonly retry?: RetryPolicy;
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
  private credentials?: Promise<Credentials | undefined>;
  private scheme?: 'basic' | 'bearer' | 'none';
  private realm?: string;
  private service?: string;
  private readonly tokens = new Map<string, Promise<Token>>();

  constructor(registry: string, options: RegistryOptions = {}) {
    this.registry = registry;
    this.options = options;
  }

  /** https://host, or http://host for an insecure registry that does not speak TLS. */
  base(): Promise<string> {
    this.baseUrl ??= (async () => {
      const host = registryApiHost(this.registry);
      if (!this.options.insecure) return `https://${host}`;
      try {
        const res = await request({
          method: 'GET',
          url: `https://${host}/v2/`,
          timeoutMs: 5000,
          ca: this.options.ca,
        });
        discard(res);
        return `https://${host}`;
      } catch {
        return `http://${host}`;
      }
    })();
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
    if (!this.realm) throw new RegistryError(`${this.registry}: bearer challenge without a realm`, 401);
    const url = new URL(this.realm);
    if (this.service) url.searchParams.set('service', this.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const c = await this.creds();
    const headers: Record<string, string> = {};
    if (c) headers.authorization = `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
    const res = await request({
      method: 'GET',
      url: url.toString(),
      headers,
      ca: this.options.ca,
      timeoutMs: 30_000,
    });
    const body = await readBody(res, 1024 * 1024);
    if (res.status !== 200) {
      throw new RegistryError(
        `${this.registry}: the token server ${url.host} refused ${scopes.join(' ')} (${res.status})${c ? '' : ' — no credentials were found for this registry'}`,
        res.status === 401 || res.status === 403 ? res.status : 401,
      );
    }
    const json = JSON.parse(body.toString('utf8')) as {
      token?: string;
      access_token?: string;
      expires_in?: number;
    };
    const value = json.token ?? json.access_token;
    if (!value) throw new RegistryError(`${this.registry}: the token server returned no token`, 401);
    return { value, expiresAt: Date.now() + (json.expires_in ?? 60) * 1000 };
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
      try {
        const authorization = await this.authorization(req.scopes);
        res = await request({
          method: req.method,
          url: url.toString(),
          headers: { ...req.headers, ...(authorization && { authorization }) },
          ...(req.body !== undefined && { body: req.body }),
          ca: this.options.ca,
          timeoutMs: req.timeoutMs ?? 120_000,
        });
      } catch (error) {
        if (replayable && attempt < policy.retries && isTransientNetworkError(error)) {
          const delay = retryDelayMs(attempt + 1, policy);
          this.options.onRetry?.(
            `${req.method} ${url.pathname}`,
            attempt + 1,
            delay,
            (error as Error).message,
          );
          await sleep(delay);
          continue;
        }
        throw error;
      }
      if (res.status === 401 && !reauthenticated && replayable) {
        discard(res);
        reauthenticated = true;
        const before = this.scheme;
        this.learnChallenge(res);
        if (this.scheme === 'bearer') await this.token(req.scopes, true);
        if (this.scheme === 'basic' && !(await this.creds())) {
          throw new RegistryError(
            `${this.registry}: authentication required and no credentials were given or found`,
            401,
          );
        }
        if (before === this.scheme && this.scheme === 'basic') {
          throw new RegistryError(`${this.registry}: the credentials were refused (401)`, 401);
        }
        attempt -= 1;
        continue;
      }
      if (replayable && isRetryableStatus(res.status) && attempt < policy.retries) {
        const delay = retryDelayMs(attempt + 1, policy, header(res, 'retry-after'));
        discard(res);
        this.options.onRetry?.(`${req.method} ${url.pathname}`, attempt + 1, delay, `HTTP ${res.status}`);
        await sleep(delay);
        continue;
      }
      return res;
    }
  }

  /** Throws a RegistryError with the registry's own error text unless the status is expected. */
  async expect(res: HttpResponse, statuses: readonly number[], what: string): Promise<HttpResponse> {
    if (statuses.includes(res.status)) return res;
    const body = await readBody(res, 64 * 1024).catch(() => Buffer.alloc(0));
    let detail = body.toString('utf8').trim().slice(0, 500);
    let code: string | undefined;
    try {
      const parsed = JSON.parse(detail) as { errors?: Array<{ code?: string; message?: string }> };
      if (parsed.errors?.length) {
        code = parsed.errors[0]?.code;
        detail = parsed.errors.map((e) => `${e.code}: ${e.message}`).join('; ');
      }
    } catch {
      // not JSON: keep the text
    }
    throw new RegistryError(
      `${this.registry}: ${what} failed (${res.status})${detail ? `: ${detail}` : ''}`,
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
    return {
      digest,
      mediaType: header(res, 'content-type') ?? '',
      size: Number(header(res, 'content-length') ?? 0),
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
    const bytes = await readBody(res, 4 * 1024 * 1024);
    const digest = sha256(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new RegistryError(
        `${this.registry}/${repository}: manifest ${reference} has digest ${digest}`,
        502,
      );
    }
    const mediaType = (header(res, 'content-type') ?? '').split(';')[0]?.trim() || mediaTypeOf(bytes);
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
    return header(res, 'docker-content-digest') ?? sha256(manifest.bytes);
  }
}

function mediaTypeOf(bytes: Buffer): string {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown };
    return parsed.mediaType ?? (parsed.manifests ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
  } catch {
    return MEDIA_TYPES.ociManifest;
  }
}
