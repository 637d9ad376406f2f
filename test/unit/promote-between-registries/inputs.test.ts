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
    [{ source: 'a', destination: 'b' }, 'input "tags"'],
    [{ source: 'a:1', destination: 'b', platform: 'arm64' }, 'input "platform"'],
    [{ source: 'a:1', destination: 'b', platform: 'linux/arm64/v8/x' }, 'input "platform"'],
    [{ source: 'a:1', destination: 'b', insecure: 'https://r.example.com' }, 'input "insecure"'],
    [{ source: 'a:1', destination: 'b', insecure: 'r.example.com/path' }, 'input "insecure"'],
    [{ source: 'a:1', destination: 'b', insecure: 'yes' }, 'input "insecure"'],
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

  it('copies a source given by digest only: with the tags given, or tagging nothing', () => {
    const tagged = readPromoteRequest(
      inputs({ source: `s.example.com/app@${D}`, destination: 'p.example.com/app', tags: 'v1' }),
    );
    expect(tagged.pairs[0]?.tags).toEqual(['v1']);
    const untagged = readPromoteRequest(
      inputs({ source: `s.example.com/app@${D}`, destination: 'p.example.com/app' }),
    );
    expect(untagged.pairs[0]?.tags).toEqual([]);
    expect(untagged.pairs[0]?.source.digest).toBe(D);
  });

  it('reads insecure as true (every registry named), false, or a list of registries', () => {
    const base = { source: 's.example.com:5000/app:1', destination: 'p.example.com/app' };
    expect(readPromoteRequest(inputs({ ...base, insecure: 'true' })).insecure).toEqual([
      's.example.com:5000',
      'p.example.com',
    ]);
    expect(readPromoteRequest(inputs({ ...base, insecure: 'false' })).insecure).toEqual([]);
    expect(readPromoteRequest(inputs(base)).insecure).toEqual([]);
    expect(
      readPromoteRequest(inputs({ ...base, insecure: 's.example.com:5000\n[::1]:5001\n10.0.0.7' })).insecure,
    ).toEqual(['s.example.com:5000', '[::1]:5001', '10.0.0.7']);
  });

  it('picks linux/amd64 unless platform says another os/arch[/variant]', () => {
    const base = {
      source: 's.example.com/app:1',
      destination: 'p.example.com/app',
      'all-platforms': 'false',
    };
    expect(readPromoteRequest(inputs(base)).options.platform).toBe('linux/amd64');
    expect(readPromoteRequest(inputs({ ...base, platform: 'linux/arm/v7' })).options.platform).toBe(
      'linux/arm/v7',
    );
  });
});
