import { describe, expect, it } from 'vitest';
import { parseChallenge } from '../../../src/registry/challenge';
import { isRetryableStatus } from '../../../src/common/retry';

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
