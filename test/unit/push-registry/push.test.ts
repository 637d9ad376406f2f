import { describe, expect, it } from 'vitest';
import { Inputs } from '../../../src/common/inputs';
import { classifyPushFailure, parsePushOutput, readPushRequest } from '../../../src/push-registry/push';
import { decideTag, tagRules } from '../../../src/push-registry/tag-rules';
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

  const served = (labels: Record<string, string> = {}) => ({ ...existing, labels });
  const built = (labels: Record<string, string>, attempt = 1, allowOverwrite = false, extra: string[] = []) =>
    tagRules(labels, extra, attempt, allowOverwrite);
  const main = built({
    'dev.slipway.version': '20261122-7',
    'org.opencontainers.image.version': '20261122-7',
  });

  it("refuses to move the build's version to another image, unless overwriting is allowed", () => {
    expect(decideTag('20261122-7', main, served(), other)).toEqual({
      action: 'refuse',
      current: existing.digest,
    });
    const release = built({
      'dev.slipway.version': '20261122-7',
      'org.opencontainers.image.version': '1.2.3',
    });
    expect(decideTag('1.2.3', release, served(), other).action).toBe('refuse');
    expect(
      decideTag('20261122-7', built({ 'dev.slipway.version': '20261122-7' }, 1, true), served(), other)
        .action,
    ).toBe('push');
  });

  it('pushes the same image again (its ID is the config digest, or the manifest digest), and new tags', () => {
    expect(decideTag('20261122-7', main, served(), existing.configDigests[0] as string).action).toBe('push');
    expect(decideTag('20261122-7', main, served(), existing.digest).action).toBe('push');
    expect(decideTag('20261122-7', main, undefined, other).action).toBe('push');
  });

  it('moves latest, sha-<7>, branch tags — and a branch named like a version or a release', () => {
    for (const tag of [
      'latest',
      'sha-0123456',
      'main',
      '20240115-hotfix',
      '1.2.3',
      'v1.2.3-rc',
      '20261122-8',
    ])
      expect(decideTag(tag, main, served(), other).action, tag).toBe('push');
  });

  it('an immutable-tags input adds tags that never move', () => {
    expect(decideTag('stable-1', built({}, 1, false, ['stable-1']), served(), other).action).toBe('refuse');
  });

  const RUN = 'https://github.com/acme/shop/actions/runs/555';
  it("a rerun whose rebuild is another image gets its own version; the first attempt's stays", () => {
    const rerun = built({ 'dev.slipway.version': '20261122-7', 'dev.slipway.run': RUN }, 2);
    const first = served({ 'dev.slipway.version': '20261122-7', 'dev.slipway.run': RUN });
    expect(decideTag('20261122-7', rerun, first, other)).toMatchObject({
      action: 'rename',
      to: '20261122-7.2',
    });
    // The same image again is a no-op, not a new version.
    expect(decideTag('20261122-7', rerun, first, existing.digest).action).toBe('push');
    // A release's X.Y.Z an earlier attempt pushed stays where it is (the rebuild has its own version).
    const release = built(
      {
        'dev.slipway.version': '20261122-7',
        'org.opencontainers.image.version': '1.2.3',
        'dev.slipway.run': RUN,
      },
      2,
    );
    expect(
      decideTag(
        '1.2.3',
        release,
        served({ 'org.opencontainers.image.version': '1.2.3', 'dev.slipway.run': RUN }),
        other,
      ).action,
    ).toBe('keep');
  });

  it('a version another run built (a second workflow, same run number) is refused even on an attempt 2, saying why', () => {
    const rerun = built({ 'dev.slipway.version': '20261122-7', 'dev.slipway.run': RUN }, 2);
    const theirs = served({ 'dev.slipway.version': '20261122-7', 'dev.slipway.run': `${RUN}0` });
    expect(decideTag('20261122-7', rerun, theirs, other)).toMatchObject({
      action: 'refuse',
      hint: expect.stringContaining('version-prefix'),
    });
  });

  it('a branch named like a version or a release never moves the build or the release of that name', () => {
    const branch = built({ 'dev.slipway.version': '20261207-50', 'dev.slipway.run': RUN });
    expect(
      decideTag('20261207-42', branch, served({ 'dev.slipway.version': '20261207-42' }), other).action,
    ).toBe('refuse');
    const release = served({
      'dev.slipway.version': '20261101-3',
      'org.opencontainers.image.version': '1.2.3',
    });
    expect(decideTag('1.2.3', branch, release, other).action).toBe('refuse');
    // …nor a release line: a branch called 1 leaves 1 on its release.
    expect(decideTag('1', branch, release, other)).toMatchObject({
      action: 'keep',
      reason: '1 stays on 1.2.3: only a newer release of its line moves it',
    });
    // A branch tag of that name pushed before (no release, another version) moves as a branch.
    expect(decideTag('1.2.3', branch, served({ 'dev.slipway.version': '20261201-9' }), other).action).toBe(
      'push',
    );
  });

  it("a served release that is not of the tag's line says nothing about it", () => {
    const release = built({
      'dev.slipway.version': '20261122-9',
      'org.opencontainers.image.version': '1.2.0',
    });
    expect(
      decideTag(
        '1',
        release,
        served({ 'dev.slipway.version': 'x', 'org.opencontainers.image.version': '999.0.0' }),
        other,
      ).action,
    ).toBe('push');
  });

  it('a rerun version that would not fit in a tag is refused, not cut', () => {
    const long = `2026${'9'.repeat(123)}`;
    const rerun = built({ 'dev.slipway.version': long, 'dev.slipway.run': RUN }, 2);
    expect(
      decideTag(long, rerun, served({ 'dev.slipway.version': long, 'dev.slipway.run': RUN }), other).action,
    ).toBe('refuse');
  });

  it('release lines move forward only: a back-port keeps 1 and 1.1 on the newer release', () => {
    const backport = built({
      'dev.slipway.version': '20261122-9',
      'org.opencontainers.image.version': '1.0.5',
    });
    expect([...backport.releaseLines]).toEqual(['1.0', '1']);
    expect(
      decideTag('1', backport, served({ 'org.opencontainers.image.version': '1.1.1' }), other),
    ).toMatchObject({
      action: 'keep',
      reason: '1 stays on 1.1.1, newer than 1.0.5 (release lines only move forward)',
    });
    expect(
      decideTag('1.0', backport, served({ 'org.opencontainers.image.version': '1.0.4' }), other).action,
    ).toBe('push');
    // What the line points at says nothing of its release (an older Slipway's date version): it moves.
    expect(
      decideTag('1', backport, served({ 'org.opencontainers.image.version': '20261001-3' }), other).action,
    ).toBe('push');
    const newer = built({ 'dev.slipway.version': '20261122-9', 'org.opencontainers.image.version': '1.2.0' });
    expect(decideTag('1', newer, served({ 'org.opencontainers.image.version': '1.1.1' }), other).action).toBe(
      'push',
    );
    // 1.1.1 is newer than its own release candidate.
    const rc = built({ 'org.opencontainers.image.version': '1.1.1' });
    expect(
      decideTag('1', rc, served({ 'org.opencontainers.image.version': '1.1.1-rc.1' }), other).action,
    ).toBe('push');
  });

  it('reads allow-overwrite, false by default', () => {
    expect(readPushRequest(inputs({ tags: 'r.example/app:1.0.0' })).allowOverwrite).toBe(false);
    expect(
      readPushRequest(inputs({ tags: 'r.example/app:1.0.0', 'allow-overwrite': 'true' })).allowOverwrite,
    ).toBe(true);
  });
});
