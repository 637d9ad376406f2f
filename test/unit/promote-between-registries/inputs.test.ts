import { describe, expect, it } from 'vitest';
import { Inputs } from '../../../src/common/inputs';
import { readPromoteRequest } from '../../../src/promote-between-registries/inputs';
const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);
const D = `sha256:${'b'.repeat(64)}`;

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
      mutableTags: ['latest'],
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
    [{ source: 'a:1', destination: 'b', 'mutable-tags': 'main/x' }, 'input "mutable-tags"'],
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
