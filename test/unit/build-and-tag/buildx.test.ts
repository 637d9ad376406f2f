import { describe, expect, it } from 'vitest';
import {
  builderFromInstance,
  builderInstancePath,
  builderRefusal,
  containerdStore,
  describeBuildx,
  enginePlatform,
  formatCacheEntry,
  parseAnnotation,
  parseBuilderInspect,
  parseCacheEntry,
  parsePlatforms,
} from '../../../src/build-and-tag/buildx';
import { buildxSteps, ghaCacheProblem, parseMetadata } from '../../../src/build-and-tag/buildx-build';
import { readBuildRequest, readBuildxRequest } from '../../../src/build-and-tag/plan';
import { Inputs } from '../../../src/common/inputs';
import { buildxBuild, pushByDigestOutput } from '../../../src/docker/builds';

const inputs = (values: Record<string, string>) => new Inputs((n) => values[n]);

describe('buildx inputs', () => {
  it('reads platforms comma- or line-separated, without duplicates, and refuses a malformed one', () => {
    expect(parsePlatforms('linux/amd64, linux/arm64\nlinux/arm/v7,linux/amd64')).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
    ]);
    expect(() => parsePlatforms('linux/amd64,arm64')).toThrow(/input "platforms".*"arm64"/);
  });

  it('refuses credentials in cache attributes, naming the key and never echoing the value', () => {
    for (const line of [
      'type=gha,token=s3cr3t-value',
      'type=s3,region=eu,bucket=b,secret_access_key=s3cr3t-value',
      'type=s3,region=eu,bucket=b,session_token=s3cr3t-value',
    ]) {
      let message = '';
      try {
        parseCacheEntry('cache-to', line);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/input "cache-to".*would put a credential on the buildx command line/);
      expect(message).not.toContain('s3cr3t-value');
    }
  });

  it('takes cache entries in buildx syntax and a bare reference as a registry cache', () => {
    expect(formatCacheEntry(parseCacheEntry('cache-from', 'registry.example.com/app:cache'))).toBe(
      'type=registry,ref=registry.example.com/app:cache',
    );
    expect(formatCacheEntry(parseCacheEntry('cache-to', 'type=registry,ref=r.io/a:c,mode=max'))).toBe(
      'type=registry,ref=r.io/a:c,mode=max',
    );
    expect(formatCacheEntry(parseCacheEntry('cache-to', 'type=gha,mode=max,scope=web'))).toBe(
      'type=gha,mode=max,scope=web',
    );
    expect(formatCacheEntry(parseCacheEntry('cache-to', 'type=local,"dest=/tmp/a,b"'))).toBe(
      'type=local,"dest=/tmp/a,b"',
    );
    expect(parseCacheEntry('cache-to', 'type=inline').type).toBe('inline');
  });

  it('refuses a cache entry buildx would refuse, naming the input', () => {
    expect(() => parseCacheEntry('cache-to', 'type=registry,mode=max')).toThrow(
      /input "cache-to".*needs ref=/,
    );
    expect(() => parseCacheEntry('cache-from', 'type=local,dest=/x')).toThrow(
      /input "cache-from".*needs src=/,
    );
    expect(() => parseCacheEntry('cache-to', 'type=floppy')).toThrow(/input "cache-to".*type=floppy/);
    expect(() => parseCacheEntry('cache-to', 'mode=max')).toThrow(/no type=/);
    expect(() => parseCacheEntry('cache-from', 'type=inline')).toThrow(/cache-to type/);
    expect(() => parseCacheEntry('cache-from', 'Not A Ref!')).toThrow(/input "cache-from"/);
  });

  it('reads annotations with their levels', () => {
    expect(parseAnnotation('index:org.opencontainers.image.description=a b')).toBe(
      'index:org.opencontainers.image.description=a b',
    );
    expect(parseAnnotation('manifest[linux/amd64]:team=web')).toBe('manifest[linux/amd64]:team=web');
    expect(() => parseAnnotation('layer:a=b')).toThrow(/input "annotations"/);
    expect(() => parseAnnotation('no-value')).toThrow(/input "annotations"/);
  });

  it('keeps the classic docker build when no buildx input is given', () => {
    expect(readBuildxRequest(inputs({ image: 'app', 'cache-from': 'r.io/app:latest' }))).toBeUndefined();
    const request = readBuildRequest(inputs({ image: 'app', 'cache-from': 'r.io/app:latest' }));
    expect(request.buildx).toBeUndefined();
    expect(request.cacheFrom).toEqual(['r.io/app:latest']);
  });

  it('reads every buildx input', () => {
    const buildx = readBuildxRequest(
      inputs({
        image: 'app',
        platforms: 'linux/amd64,linux/arm64',
        builder: 'ci-builder',
        'cache-from': 'r.io/app:cache\ntype=gha',
        'cache-to': 'type=gha,mode=max',
        push: 'true',
        provenance: 'mode=max',
        sbom: 'false',
        annotations: 'index:a=b',
      }),
    );
    expect(buildx).toMatchObject({
      builder: 'ci-builder',
      platforms: ['linux/amd64', 'linux/arm64'],
      push: true,
      provenance: 'mode=max',
      sbom: 'false',
      annotations: ['index:a=b'],
    });
    expect(buildx?.cacheFrom.map(formatCacheEntry)).toEqual(['type=registry,ref=r.io/app:cache', 'type=gha']);
    expect(() => readBuildxRequest(inputs({ builder: '-rm' }))).toThrow(/input "builder"/);
    expect(() => readBuildxRequest(inputs({ provenance: 'true; rm -rf /' }))).toThrow(/input "provenance"/);
  });
});

describe('builder checks', () => {
  const dockerDriver = parseBuilderInspect(
    'Name:   default\nDriver: docker\n\nNodes:\nName:      default\nEndpoint:  default\nStatus:    running\nPlatforms: linux/amd64, linux/386\n',
  );
  const remote = parseBuilderInspect(
    'Name:          lab\nDriver:        remote\nLast Activity: 2026\n\nNodes:\nName: lab0\nPlatforms: linux/amd64*, linux/arm64\n',
  );

  it('reads the driver and platforms of docker buildx inspect', () => {
    expect(dockerDriver).toEqual({
      name: 'default',
      driver: 'docker',
      platforms: ['linux/amd64', 'linux/386'],
    });
    expect(remote).toEqual({ name: 'lab', driver: 'remote', platforms: ['linux/amd64', 'linux/arm64'] });
    expect(containerdStore('[["driver-type","io.containerd.snapshotter.v1"]]')).toBe(true);
    expect(containerdStore('[["Backing Filesystem","extfs"]]')).toBe(false);
  });

  const needs = { platforms: [] as string[], cacheTo: [], annotations: [] as string[] };
  it('refuses two platforms, a cache export, attestations and annotations on the docker driver with the classic store', () => {
    expect(
      builderRefusal(dockerDriver, true, { ...needs, platforms: ['linux/amd64', 'linux/arm64'] })?.message,
    ).toMatch(/input "platforms".*docker-container or remote builder/);
    expect(
      builderRefusal(dockerDriver, true, { ...needs, cacheTo: [parseCacheEntry('cache-to', 'type=gha')] })
        ?.message,
    ).toMatch(/input "cache-to": type=gha/);
    expect(builderRefusal(dockerDriver, true, { ...needs, provenance: 'mode=max' })?.message).toMatch(
      /input "provenance"/,
    );
    expect(builderRefusal(dockerDriver, true, { ...needs, sbom: 'true' })?.message).toMatch(/input "sbom"/);
    expect(builderRefusal(dockerDriver, true, { ...needs, annotations: ['a=b'] })?.message).toMatch(
      /input "annotations"/,
    );
  });

  it('lets the docker driver do one platform, an inline cache, attestations off; and any other driver everything', () => {
    expect(
      builderRefusal(dockerDriver, true, {
        ...needs,
        platforms: ['linux/amd64'],
        cacheTo: [parseCacheEntry('cache-to', 'type=inline')],
        provenance: 'false',
      }),
    ).toBeUndefined();
    expect(
      builderRefusal(dockerDriver, false, { ...needs, platforms: ['linux/amd64', 'linux/arm64'] }),
    ).toBeUndefined();
    expect(
      builderRefusal(remote, false, {
        ...needs,
        platforms: ['linux/amd64', 'linux/arm64'],
        cacheTo: [parseCacheEntry('cache-to', 'type=gha')],
        provenance: 'true',
      }),
    ).toBeUndefined();
  });

  it('says where an unpushed multi-platform build goes: whole into a containerd store, else only the runner platform', () => {
    const two = { platforms: ['linux/arm64', 'linux/amd64'], push: false };
    expect(
      describeBuildx(two, { builder: dockerDriver, classicStore: false, runnerPlatform: 'linux/amd64' }),
    ).toBe(
      "Builder default (docker driver) builds linux/arm64, linux/amd64, loaded into the engine's containerd image store as one index",
    );
    expect(describeBuildx(two, { builder: remote, classicStore: false, runnerPlatform: 'linux/amd64' })).toBe(
      "Builder lab (remote driver) builds linux/arm64, linux/amd64, kept in the builder; linux/amd64 (this runner's platform) loaded into the engine when built",
    );
    expect(
      describeBuildx(
        { ...two, push: true },
        { builder: dockerDriver, classicStore: false, runnerPlatform: 'linux/amd64' },
      ),
    ).toMatch(/pushed from the builder$/);
    expect(
      describeBuildx(
        { platforms: [], push: false },
        { builder: dockerDriver, classicStore: true, runnerPlatform: 'linux/amd64' },
      ),
    ).toBe('Builder default (docker driver) builds linux/amd64, loaded into the engine');
  });

  it('finds a builder instance file where buildx keeps it', () => {
    expect(builderInstancePath('lab', {}, '/home/u')).toBe('/home/u/.docker/buildx/instances/lab');
    expect(builderInstancePath('lab', { DOCKER_CONFIG: '/cfg' }, '/home/u')).toBe(
      '/cfg/buildx/instances/lab',
    );
    expect(builderInstancePath('lab', { DOCKER_CONFIG: '/cfg', BUILDX_CONFIG: '/bx' }, '/h')).toBe(
      '/bx/instances/lab',
    );
    for (const name of ['../current', 'a/b', '.hidden', ''])
      expect(builderInstancePath(name, {}, '/h')).toBeUndefined();
  });

  it('skips inspecting only a builder whose instance file names a driver with its own BuildKit', () => {
    const instance = (driver: string, name = 'lab', platforms: unknown = null) =>
      JSON.stringify({
        Name: name,
        Driver: driver,
        Nodes: [{ Name: `${name}0`, Endpoint: 'unix:///run/buildkitd.sock', Platforms: platforms }],
        Dynamic: false,
      });
    expect(builderFromInstance(instance('remote'), 'lab')).toEqual({
      name: 'lab',
      driver: 'remote',
      platforms: [],
    });
    expect(
      builderFromInstance(
        instance('docker-container', 'lab', [
          { architecture: 'amd64', os: 'linux' },
          { architecture: 'arm', os: 'linux', variant: 'v7' },
        ]),
        'lab',
      ),
    ).toEqual({ name: 'lab', driver: 'docker-container', platforms: ['linux/amd64', 'linux/arm/v7'] });
    // The docker driver needs the engine's image store checked; another name or broken JSON: ask buildx.
    expect(builderFromInstance(instance('docker'), 'lab')).toBeUndefined();
    expect(builderFromInstance(instance('remote', 'other'), 'lab')).toBeUndefined();
    expect(builderFromInstance('{"Name":', 'lab')).toBeUndefined();
    expect(builderFromInstance('{"Name":"lab"}', 'lab')).toBeUndefined();
  });

  it('normalises the engine platform', () => {
    expect(enginePlatform('linux/amd64\n')).toBe('linux/amd64');
    expect(enginePlatform('linux/aarch64')).toBe('linux/arm64');
  });

  it('asks for the Actions cache URL and token for type=gha outside GitHub', () => {
    const request = readBuildxRequest(inputs({ 'cache-to': 'type=gha,mode=max' }));
    if (!request) throw new Error('expected a buildx request');
    expect(ghaCacheProblem(request, {})?.message).toMatch(
      /input "cache-to".*ACTIONS_CACHE_URL, ACTIONS_RUNTIME_TOKEN/,
    );
    expect(
      ghaCacheProblem(request, { ACTIONS_CACHE_URL: 'https://x', ACTIONS_RUNTIME_TOKEN: 't' }),
    ).toBeUndefined();
  });
});

describe('buildx steps', () => {
  const common = {
    context: '.',
    tags: ['r.io/app:1'],
    buildArgs: [],
    labels: [],
    secrets: [['npm', 's3cret']] as Array<[string, string]>,
    pull: false,
    noCache: false,
  };
  const files = { metadata: '/t/m.json', loadMetadata: '/t/l.json', iid: '/t/iid' };
  const remote = {
    builder: { name: 'lab', driver: 'remote', platforms: [] },
    classicStore: false,
    runnerPlatform: 'linux/amd64',
  };
  const request = (values: Record<string, string>) => {
    const r = readBuildxRequest(inputs(values));
    if (!r) throw new Error('expected a buildx request');
    return r;
  };

  it('pushes every platform from the builder with every option, secrets off argv', () => {
    const steps = buildxSteps(
      request({
        platforms: 'linux/amd64,linux/arm64',
        builder: 'lab',
        push: 'true',
        'cache-from': 'r.io/app:cache',
        'cache-to': 'type=registry,ref=r.io/app:cache,mode=max',
        provenance: 'mode=max',
        sbom: 'true',
        annotations: 'index:a=b',
      }),
      common,
      remote,
      files,
    );
    expect(steps.load).toBeUndefined();
    const command = buildxBuild({ docker: 'docker' }, steps.main);
    expect(command.argv).toEqual([
      'docker', 'buildx', 'build', '--progress', 'plain', '--metadata-file', '/t/m.json', '--builder', 'lab',
      '--platform', 'linux/amd64,linux/arm64', '--tag', 'r.io/app:1', '--annotation', 'index:a=b',
      '--secret', 'id=npm,env=SLIPWAY_BUILD_SECRET_0',
      '--cache-from', 'type=registry,ref=r.io/app:cache', '--cache-to', 'type=registry,ref=r.io/app:cache,mode=max',
      '--provenance', 'mode=max', '--sbom', 'true', '--push', '.',
    ]); // prettier-ignore
    expect(command.argv.join(' ')).not.toContain('s3cret');
    expect(command.env?.SLIPWAY_BUILD_SECRET_0).toBe('s3cret');
    // The plugin run standalone: the same arguments after its own name, the same environment.
    const standalone = buildxBuild({ docker: 'docker', buildx: '/p/docker-buildx' }, steps.main);
    expect(standalone.argv).toEqual(['/p/docker-buildx', ...command.argv.slice(2)]);
    expect(standalone.env).toEqual(command.env);
  });

  it('pushes one platform by digest: no tag set, the repositories named in one --output', () => {
    const steps = buildxSteps(
      request({ platforms: 'linux/arm64', builder: 'lab', push: 'true', 'push-by-digest': 'true' }),
      { ...common, tags: ['r.io/app:1', 'r.io/app:latest', 'q.io/app:1'] },
      remote,
      files,
    );
    const argv = buildxBuild({ docker: 'docker' }, steps.main).argv;
    expect(argv).not.toContain('--tag');
    expect(argv).not.toContain('--push');
    expect(argv.slice(-3)).toEqual([
      '--output',
      'type=image,"name=r.io/app,q.io/app",push-by-digest=true,name-canonical=true,push=true',
      '.',
    ]);
    expect(pushByDigestOutput(['r.io:5000/app:1'])).toBe(
      'type=image,name=r.io:5000/app,push-by-digest=true,name-canonical=true,push=true',
    );
    expect(() => request({ platforms: 'linux/arm64', 'push-by-digest': 'true' })).toThrow(
      /input "push-by-digest": needs push: true/,
    );
  });

  it('keeps an unpushed multi-platform build in the builder and loads the runner platform from its cache', () => {
    const steps = buildxSteps(
      request({ platforms: 'linux/arm64,linux/amd64', 'cache-to': 'type=local,dest=/c' }),
      common,
      remote,
      files,
    );
    expect(steps.main.output).toBe('none');
    expect(steps.main.cacheTo).toEqual(['type=local,dest=/c']);
    expect(steps.loadedPlatform).toBe('linux/amd64');
    expect(steps.load).toMatchObject({
      platforms: ['linux/amd64'],
      output: 'load',
      cacheTo: [],
      iidFile: '/t/iid',
    });
  });

  it('loads nothing when the runner platform is not built, and loads a one-platform build directly', () => {
    const foreign = buildxSteps(request({ platforms: 'linux/arm64,linux/s390x' }), common, remote, files);
    expect(foreign.load).toBeUndefined();
    expect(foreign.loadedPlatform).toBeUndefined();
    const one = buildxSteps(request({ builder: 'lab' }), common, remote, files);
    expect(one.main.output).toBe('load');
    expect(one.loadedPlatform).toBe('linux/amd64');
    const containerd = { ...remote, builder: { ...remote.builder, driver: 'docker' } };
    expect(
      buildxSteps(request({ platforms: 'linux/amd64,linux/arm64' }), common, containerd, files).main.output,
    ).toBe('load');
  });

  it('reads the pushed digest from buildx metadata', () => {
    expect(
      parseMetadata(
        '{"containerimage.digest":"sha256:aa","containerimage.config.digest":"sha256:bb","image.name":"x"}',
      ),
    ).toEqual({ digest: 'sha256:aa', configDigest: 'sha256:bb' });
    expect(parseMetadata('')).toEqual({});
  });
});
