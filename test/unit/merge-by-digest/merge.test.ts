import { describe, expect, it } from 'vitest';
import { Inputs } from '../../../src/common/inputs';
import { planIndex } from '../../../src/merge-by-digest/merge';
import { readMergeRequest } from '../../../src/merge-by-digest/operation';
import { MEDIA_TYPES } from '../../../src/registry/client';

const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);
const d = (c: string) => `sha256:${c.repeat(64)}`;
const image = (digest: string, architecture: string, mediaType: string = MEDIA_TYPES.dockerManifest) => ({
  digest,
  entries: [{ mediaType, digest, size: 500, platform: { os: 'linux', architecture } }],
});

describe('merge by digest', () => {
  it('lists every digest unchanged, in order; a manifest list when all are Docker v2 manifests', () => {
    const plan = planIndex([image(d('a'), 'amd64'), image(d('b'), 'arm64')]);
    const json = JSON.parse(plan.bytes.toString()) as {
      mediaType: string;
      manifests: Array<{ digest: string }>;
    };
    expect(plan.mediaType).toBe(MEDIA_TYPES.dockerManifestList);
    expect(json.mediaType).toBe(MEDIA_TYPES.dockerManifestList);
    expect(json.manifests.map((m) => m.digest)).toEqual([d('a'), d('b')]);
    expect(plan.platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('keeps the entries of a one-platform index (image and attestation) and makes an OCI index', () => {
    const withProvenance = {
      digest: d('c'),
      entries: [
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: d('e'),
          size: 1,
          platform: { os: 'linux', architecture: 'arm64' },
        },
        {
          mediaType: MEDIA_TYPES.ociManifest,
          digest: d('f'),
          size: 1,
          platform: { os: 'unknown', architecture: 'unknown' },
          annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
        },
      ],
    };
    const plan = planIndex([image(d('a'), 'amd64', MEDIA_TYPES.ociManifest), withProvenance]);
    expect(plan.mediaType).toBe(MEDIA_TYPES.ociIndex);
    expect((JSON.parse(plan.bytes.toString()) as { manifests: unknown[] }).manifests).toHaveLength(3);
    expect(plan.platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('refuses two images of one platform, naming both digests', () => {
    expect(() => planIndex([image(d('a'), 'amd64'), image(d('b'), 'amd64')])).toThrow(
      `input "digests": ${d('a')} and ${d('b')} are both linux/amd64 images`,
    );
  });

  it('reads the repository, digests (bare or repository@digest) and tags, naming the bad input', () => {
    expect(
      readMergeRequest(
        inputs({
          image: 'r.example:5000/team/app',
          digests: `${d('a')}\nr.example:5000/team/app@${d('b')}`,
          tags: 'v1\nr.example:5000/team/app:latest',
        }),
      ),
    ).toEqual({
      registry: 'r.example:5000',
      repository: 'team/app',
      digests: [d('a'), d('b')],
      tags: ['v1', 'latest'],
    });
    expect(() => readMergeRequest(inputs({ image: 'r.example/app:1', digests: d('a') }))).toThrow(
      'input "image"',
    );
    expect(() => readMergeRequest(inputs({ image: 'r.example/app', digests: 'sha256:abc' }))).toThrow(
      'input "digests": "sha256:abc" is not a sha256 digest',
    );
    expect(() =>
      readMergeRequest(inputs({ image: 'r.example/app', digests: `r.example/other@${d('a')}` })),
    ).toThrow('is not in r.example/app');
    expect(() => readMergeRequest(inputs({ image: 'r.example/app', digests: '' }))).toThrow(
      'input "digests"',
    );
    expect(() =>
      readMergeRequest(inputs({ image: 'r.example/app', digests: d('a'), tags: 'bad tag!' })),
    ).toThrow('input "tags"');
  });

  it('takes digests one a line, comma- or space-separated', () => {
    expect(
      readMergeRequest(inputs({ image: 'r.example/app', digests: `${d('a')}, ${d('b')} ${d('c')}` })).digests,
    ).toEqual([d('a'), d('b'), d('c')]);
  });
});
