import { describe, expect, it } from 'vitest';
import { baseImages } from '../../../src/build-and-tag/dockerfile';
import { buildArgsOf, planBuild, readBuildRequest } from '../../../src/build-and-tag/plan';
import { Inputs } from '../../../src/common/inputs';
import { gitContext } from '../../helpers/git-context';

const ctx = gitContext({
  sha: 'abcdef0123456789',
  runNumber: 7,
  runId: '99',
  now: new Date('2026-03-01T10:00:00Z'),
});
const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);

describe('build request and plan', () => {
  it('tags every repository with every tag, lowercased', () => {
    const request = readBuildRequest(
      inputs({ image: 'Registry.Example.com:5000/Team/Shop\nghcr.io/acme/shop', tags: '{branch}-{run}' }),
    );
    const plan = planBuild(request, ctx);
    expect(plan.version).toBe('20260301-7');
    expect(plan.tags).toEqual(['20260301-7', 'sha-abcdef0', 'latest', 'main-7']);
    expect(plan.references).toEqual([
      'Registry.Example.com:5000/team/shop:20260301-7',
      'Registry.Example.com:5000/team/shop:sha-abcdef0',
      'Registry.Example.com:5000/team/shop:latest',
      'Registry.Example.com:5000/team/shop:main-7',
      'ghcr.io/acme/shop:20260301-7',
      'ghcr.io/acme/shop:sha-abcdef0',
      'ghcr.io/acme/shop:latest',
      'ghcr.io/acme/shop:main-7',
    ]);
  });

  it('computes OCI labels; user labels override them', () => {
    const plan = planBuild(
      readBuildRequest(
        inputs({ image: 'shop', labels: 'org.opencontainers.image.title=Shop\nteam=payments' }),
      ),
      ctx,
    );
    const labels = Object.fromEntries(plan.labels);
    expect(labels).toMatchObject({
      'org.opencontainers.image.source': 'https://github.com/acme/shop',
      'org.opencontainers.image.url': 'https://github.com/acme/shop',
      'org.opencontainers.image.revision': 'abcdef0123456789',
      'org.opencontainers.image.created': '2026-03-01T10:00:00.000Z',
      'org.opencontainers.image.version': '20260301-7',
      'org.opencontainers.image.title': 'Shop',
      team: 'payments',
    });
    expect(plan.labels.filter(([k]) => k === 'org.opencontainers.image.title')).toHaveLength(1);
  });

  it("labels a release with its version, the build's version apart, and the repository's description and licence", () => {
    const release = gitContext({ ref: 'refs/tags/v1.1.1', description: 'The shop', license: 'MIT' });
    const plan = planBuild(readBuildRequest(inputs({ image: 'shop' })), release);
    expect(Object.fromEntries(plan.labels)).toMatchObject({
      'org.opencontainers.image.version': '1.1.1',
      'dev.slipway.version': '20150127-97',
      'org.opencontainers.image.description': 'The shop',
      'org.opencontainers.image.licenses': 'MIT',
    });
    expect(plan.immutableTags).toEqual(['20150127-97', '1.1.1']);
  });

  it("stamps the commit's time (created label, SOURCE_DATE_EPOCH) so an unchanged rebuild can be the same image", () => {
    const request = readBuildRequest(inputs({ image: 'shop', 'build-args': 'A=1' }));
    const committed = new Date('2026-02-01T08:00:00Z');
    const plan = planBuild(request, ctx, committed);
    expect(Object.fromEntries(plan.labels)['org.opencontainers.image.created']).toBe(
      '2026-02-01T08:00:00.000Z',
    );
    expect(buildArgsOf(request, plan)).toEqual([
      ['A', '1'],
      ['SOURCE_DATE_EPOCH', '1769932800'],
    ]);
    const own = readBuildRequest(inputs({ image: 'shop', 'build-args': 'SOURCE_DATE_EPOCH=0' }));
    expect(buildArgsOf(own, planBuild(own, ctx, committed))).toEqual([['SOURCE_DATE_EPOCH', '0']]);
    expect(buildArgsOf(request, planBuild(request, ctx))).toEqual([['A', '1']]);
  });

  it('puts version-prefix before the date', () => {
    const plan = planBuild(readBuildRequest(inputs({ image: 'shop', 'version-prefix': 'rebuild-' })), ctx);
    expect(plan.version).toBe('rebuild-20260301-7');
    expect(plan.tags[0]).toBe('rebuild-20260301-7');
    expect(Object.fromEntries(plan.labels)['dev.slipway.version']).toBe('rebuild-20260301-7');
  });

  it.each([
    [{ image: 'shop', 'version-prefix': '-x' }, 'input "version-prefix"'],
    [{ image: 'shop', 'version-prefix': 'a b' }, 'input "version-prefix"'],
    [{ image: 'shop:1' }, 'input "image": invalid image reference "shop:1": a repository is expected'],
    [{ image: 'shop;rm -rf /' }, 'input "image"'],
    [{ image: 'shop', 'build-args': 'A B=1' }, 'input "build-args"'],
    [{ image: 'shop', secrets: 'bad id=x' }, 'input "secrets"'],
    [{ image: 'shop', target: 'a;b' }, 'input "target"'],
    [{ image: 'shop', context: '.\nrm' }, 'input "context"'],
    [{ image: 'shop', context: '--help' }, 'input "context": "--help" starts with "-"'],
    [{ image: 'shop', context: 'no/such/dir' }, 'input "context": "no/such/dir" is not a directory'],
    [{ image: 'shop', secrets: 'npm token hunter22' }, 'input "secrets"'],
    [{ image: 'shop', pull: 'maybe' }, 'input "pull"'],
    [{ image: 'shop', 'cache-from': 'a b' }, 'input "cache-from"'],
  ])('rejects %j before anything runs', (values, message) => {
    expect(() => readBuildRequest(inputs(values))).toThrow(message);
  });

  it('names the tags input for an unknown placeholder', () => {
    expect(() => planBuild(readBuildRequest(inputs({ image: 'shop', tags: '{nope}' })), ctx)).toThrow(
      'input "tags"',
    );
  });
});

describe('base images of a Dockerfile', () => {
  it('substitutes global ARGs and build args, skips stages and scratch', () => {
    const dockerfile = [
      '# syntax=docker/dockerfile:1',
      'ARG BASE=debian:12',
      'ARG TOOLS',
      'FROM --platform=$BUILDPLATFORM ${BASE} AS build',
      'RUN make',
      'FROM ${TOOLS:-golang:1.22} AS tools',
      'FROM build AS test',
      'FROM scratch',
      'COPY --from=build /out /',
      'FROM \\',
      '  registry.example.com/base/runtime:3 AS final',
    ].join('\n');
    expect(baseImages(dockerfile).map((b) => b.reference)).toEqual([
      'debian:12',
      'golang:1.22',
      'registry.example.com/base/runtime:3',
    ]);
    expect(baseImages(dockerfile, [['BASE', 'alpine:3']]).map((b) => b.reference)[0]).toBe('alpine:3');
  });
});
