import { describe, expect, it } from 'vitest';
import { Inputs } from '../../src/inputs';
import { readPromoteRequest } from '../../src/promote/inputs';
import { parseChallenge } from '../../src/registry/challenge';
import { isRetryableStatus } from '../../src/registry/retry';
import { runPool } from '../../src/registry/pool';

const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);
const D = `sha256:${'b'.repeat(64)}`;

describe('WWW-Authenticate challenges', () => {
  it('parses bearer and basic challenges', () => {
    expect(
      parseChallenge(
        'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"',
      ),
    ).toEqual({
      scheme: 'bearer',
      params: {
        realm: 'https://auth.docker.io/token',
        service: 'registry.docker.io',
        scope: 'repository:library/nginx:pull',
      },
    });
    expect(parseChallenge('Basic realm="slipway-lab"')).toEqual({
      scheme: 'basic',
      params: { realm: 'slipway-lab' },
    });
    expect(parseChallenge('Bearer realm="a\\"b", error=insufficient_scope')?.params).toEqual({
      realm: 'a"b',
      error: 'insufficient_scope',
    });
  });

  it('retries only what is worth retrying', () => {
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 403, 404, 409].some(isRetryableStatus)).toBe(false);
  });
});

describe('promote inputs', () => {
  it('pairs one source with every destination, carrying the source tag', () => {
    const request = readPromoteRequest(
      inputs({
        source: 'staging.example.com/app:20260101-7',
        destination: 'prod-eu.example.com/app\nprod-us.example.com/app',
      }),
    );
    expect(request.pairs.map((p) => [p.destination.registry, p.tags])).toEqual([
      ['prod-eu.example.com', ['20260101-7']],
      ['prod-us.example.com', ['20260101-7']],
    ]);
    expect(request.options).toMatchObject({
      allowOverwrite: false,
      allPlatforms: true,
      concurrency: 4,
      dryRun: false,
    });
  });

  it('pairs a set in order, with one expected digest each', () => {
    const request = readPromoteRequest(
      inputs({
        source: 's.example.com/app:7\ns.example.com/db:7',
        destination: 'p.example.com/app\np.example.com/db',
        'expected-digest': `${D}\n${D}`,
      }),
    );
    expect(
      request.pairs.map((p) => [p.source.repository, p.destination.repository, p.expectedDigest]),
    ).toEqual([
      ['app', 'app', D],
      ['db', 'db', D],
    ]);
  });

  it.each([
    [{ source: 'a:1' }, 'input "destination": is required'],
    [{ source: 'a:1', destination: 'b:2' }, 'input "destination"'],
    [{ source: `a@${D}`, destination: 'b' }, 'input "tags"'],
    [{ source: 'a:1', destination: 'b', tags: 'ok\n-bad' }, 'input "tags"'],
    [{ source: 'a:1', destination: 'b', 'expected-digest': 'sha256:1' }, 'input "expected-digest"'],
    [{ source: 'a:1\nc:1', destination: 'b', 'expected-digest': D }, 'input "expected-digest"'],
    [{ source: 'a:1\nc:1', destination: 'b' }, 'input "destination"'],
    [{ source: 'a:1', destination: 'b', concurrency: '0' }, 'input "concurrency"'],
    [{ source: 'a:1', destination: 'b', 'source-username': 'u' }, 'input "source-password"'],
    [{ source: 'a:1', destination: 'b', 'ca-file': '/nonexistent.pem' }, 'input "ca-file"'],
  ])('rejects %j', (values, message) => {
    expect(() => readPromoteRequest(inputs(values))).toThrow(message);
  });
});

describe('runPool', () => {
  it('keeps at most `limit` tasks in flight and returns results in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const tasks = Array.from({ length: 10 }, (_, i) => async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return i;
    });
    expect(await runPool(tasks, 3)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('rejects with the first error and starts no new task after it', async () => {
    let started = 0;
    const tasks = Array.from({ length: 10 }, (_, i) => async () => {
      started += 1;
      if (i === 1) throw new Error('boom');
      await new Promise((r) => setTimeout(r, 5));
    });
    await expect(runPool(tasks, 2)).rejects.toThrow('boom');
    expect(started).toBeLessThan(10);
  });
});
