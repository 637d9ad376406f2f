import { describe, expect, it } from 'vitest';
import { Inputs } from '../../../src/common/inputs';
import {
  classifyPushFailure,
  parsePushOutput,
  readPushRequest,
  tagMayMove,
} from '../../../src/push-registry/push';
import { retryDelayMs } from '../../../src/common/retry';

const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);

describe('push failures', () => {
  it.each([
    ['received unexpected HTTP status: 503 Service Unavailable', 'transient'],
    ['toomanyrequests: You have reached your pull rate limit', 'transient'],
    ['read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer', 'transient'],
    ['net/http: TLS handshake timeout', 'transient'],
    ['unauthorized: authentication required', 'auth'],
    ['no basic auth credentials', 'auth'],
    ['denied: requested access to the resource is denied', 'auth'],
    ['An image does not exist locally with the tag: x', 'permanent'],
  ])('%s → %s', (output, kind) => {
    expect(classifyPushFailure(output)).toBe(kind);
  });

  it('reads the digest and the uploaded layers from docker push output', () => {
    const output = [
      'The push refers to repository [r/app]',
      '47267b8d1f4c: Pushed',
      '56c8bbbe793b: Layer already exists',
      `1: digest: sha256:${'a'.repeat(64)} size: 1357`,
    ].join('\n');
    expect(parsePushOutput(output)).toEqual({
      digest: `sha256:${'a'.repeat(64)}`,
      pushedLayers: ['47267b8d1f4c'],
      existingLayers: ['56c8bbbe793b'],
    });
  });

  it('reads the containerd image store\'s output (Docker 29): an index digest, "Already exists"', () => {
    const output = [
      'The push refers to repository [127.0.0.1:5000/e29/app]',
      '44136fa355b3: Waiting',
      '5ff9b55f9db8: Already exists',
      '44136fa355b3: Pushed',
      `x1: digest: sha256:${'b'.repeat(64)} size: 856`,
    ].join('\n');
    expect(parsePushOutput(output)).toEqual({
      digest: `sha256:${'b'.repeat(64)}`,
      pushedLayers: ['44136fa355b3'],
      existingLayers: ['5ff9b55f9db8'],
    });
  });
});

describe('push request', () => {
  it('defaults the registry to the first tag and requires user and password together', () => {
    expect(readPushRequest(inputs({ tags: 'r.example.com/a:1, r.example.com/a:2' }))).toMatchObject({
      registry: 'r.example.com',
      retries: 3,
      logout: true,
    });
    expect(() => readPushRequest(inputs({ tags: 'a:1', username: 'u' }))).toThrow('input "password"');
    expect(() => readPushRequest(inputs({ tags: 'a:1', password: 'p' }))).toThrow('input "username"');
    expect(() => readPushRequest(inputs({ tags: 'r/a' }))).toThrow('has no tag');
    expect(() => readPushRequest(inputs({ tags: 'a:1', registry: 'bad host' }))).toThrow('input "registry"');
    expect(() => readPushRequest(inputs({ tags: 'a:1', retries: '-1' }))).toThrow('input "retries"');
  });
});

describe('retry delays', () => {
  const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000 };
  it('backs off exponentially, capped, and honours Retry-After', () => {
    expect([1, 2, 3, 5].map((a) => retryDelayMs(a, policy))).toEqual([100, 200, 400, 1000]);
    expect(retryDelayMs(1, policy, '0.5')).toBe(500);
    expect(retryDelayMs(1, policy, '30')).toBe(1000);
  });
});

describe('immutable tags are not moved by a push', () => {
  const existing = { digest: `sha256:${'1'.repeat(64)}`, configDigests: [`sha256:${'2'.repeat(64)}`] };
  const other = `sha256:${'3'.repeat(64)}`;

  it('refuses to move the version to another image, unless overwriting is allowed', () => {
    expect(tagMayMove('20261122-0', existing, other, false)).toBe(false);
    expect(tagMayMove('1.2.3', existing, other, false)).toBe(false);
    expect(tagMayMove('20261122-0', existing, other, true)).toBe(true);
  });

  it('pushes the same image again (its ID is the config digest, or the manifest digest), and new tags', () => {
    expect(tagMayMove('20261122-0', existing, existing.configDigests[0] as string, false)).toBe(true);
    expect(tagMayMove('20261122-0', existing, existing.digest, false)).toBe(true);
    expect(tagMayMove('20261122-0', undefined, other, false)).toBe(true);
  });

  it('moves latest, sha-<7> and branch tags', () => {
    expect(tagMayMove('latest', existing, other, false)).toBe(true);
    expect(tagMayMove('sha-0123456', existing, other, false)).toBe(true);
    expect(tagMayMove('main', existing, other, false)).toBe(true);
  });

  it('reads allow-overwrite, false by default', () => {
    expect(readPushRequest(inputs({ tags: 'r.example/app:1.0.0' })).allowOverwrite).toBe(false);
    expect(
      readPushRequest(inputs({ tags: 'r.example/app:1.0.0', 'allow-overwrite': 'true' })).allowOverwrite,
    ).toBe(true);
  });
});
