import { describe, expect, it } from 'vitest';
import * as builds from '../../../src/docker/builds';
import * as docker from '../../../src/docker/containers';
import * as envFile from '../../../src/docker/env-file';
import * as images from '../../../src/docker/images';
import { dockerBinary } from '../../../src/docker/target';

const target = { docker: 'docker' };

describe('docker commands as data', () => {
  it('builds with BuildKit; secret values travel in the environment only', () => {
    const command = builds.build(target, {
      context: '.',
      file: 'Dockerfile',
      tags: ['r/app:1', 'r/app:latest'],
      buildArgs: [['A', '1']],
      labels: [['l', 'v w']],
      secrets: [['npm', 'hunter22']],
      cacheFrom: ['r/app:latest'],
      pull: true,
      noCache: false,
      iidFile: '/tmp/iid',
    });
    expect(command.argv).toEqual([
      'docker',
      'build',
      '--progress',
      'plain',
      '--iidfile',
      '/tmp/iid',
      '--file',
      'Dockerfile',
      '--tag',
      'r/app:1',
      '--tag',
      'r/app:latest',
      '--build-arg',
      'A=1',
      '--label',
      'l=v w',
      '--secret',
      'id=npm,env=SLIPWAY_BUILD_SECRET_0',
      '--cache-from',
      'r/app:latest',
      '--pull',
      '.',
    ]);
    expect(command.env).toEqual({ DOCKER_BUILDKIT: '1', SLIPWAY_BUILD_SECRET_0: 'hunter22' });
    expect(command.argv.join(' ')).not.toContain('hunter22');
  });

  it('creates a container with kernel settings of its own namespaces', () => {
    const command = docker.create(target, {
      name: 'slipway-proxy',
      image: 'caddy@sha256:1',
      publish: ['80:80'],
      sysctls: { 'net.ipv4.tcp_migrate_req': '1' },
    });
    expect(command.argv.slice(0, 2)).toEqual(['docker', 'create']);
    expect(command.argv.join(' ')).toContain('--publish 80:80 --sysctl net.ipv4.tcp_migrate_req=1');
    expect(command.label).toBe('docker create slipway-proxy');
    // The same options as run, after its own verb.
    const run = docker.run(target, { name: 'slipway-proxy', image: 'caddy@sha256:1', publish: ['80:80'] });
    expect(
      docker.create(target, { name: 'slipway-proxy', image: 'caddy@sha256:1', publish: ['80:80'] }).argv,
    ).toEqual(run.argv.map((a) => (a === 'run' ? 'create' : a)));
  });

  it('logs in with the password on stdin', () => {
    const command = images.login(
      { docker: 'docker', env: { DOCKER_CONFIG: '/tmp/c' } },
      'r.example.com',
      'u',
      'pw',
    );
    expect(command.argv).toEqual(['docker', 'login', '--username', 'u', '--password-stdin', 'r.example.com']);
    expect(command.stdin).toBe('pw');
    expect(command.env).toEqual({ DOCKER_CONFIG: '/tmp/c' });
  });

  it('runs containers with environment values in an env file, off the command line and the client environment', () => {
    const command = docker.run(target, {
      name: 'n',
      image: 'img',
      detach: true,
      network: 'net',
      networkAliases: ['db'],
      envFile: '/tmp/x/env',
      labels: { 'dev.slipway.run': '1' },
      healthCmd: 'pg_isready',
      command: ['sh', '-c', 'echo hi'],
    });
    expect(command.argv).toEqual([
      'docker',
      'run',
      '--detach',
      '--name',
      'n',
      '--network',
      'net',
      '--network-alias',
      'db',
      '--env-file',
      '/tmp/x/env',
      '--label',
      'dev.slipway.run=1',
      '--health-cmd',
      'pg_isready',
      '--health-interval',
      '1s',
      '--health-retries',
      '3',
      '--health-timeout',
      '5s',
      'img',
      'sh',
      '-c',
      'echo hi',
    ]);
    expect(command.env).toEqual({});
  });

  it('writes env files docker reads literally, and says which values one cannot carry', () => {
    const env: Array<[string, string]> = [
      ['DOCKER_HOST', 'tcp://127.0.0.1:9'],
      ['P', `pa$word1 #x 'q' "d" \\ \${HOME}  `],
      ['E', ''],
    ];
    expect(envFile.envFileContent(env)).toBe(
      `DOCKER_HOST=tcp://127.0.0.1:9\nP=pa$word1 #x 'q' "d" \\ \${HOME}  \nE=\n`,
    );
    expect(envFile.envFileProblem('A', 'one\ntwo')).toMatch(/A holds a line break/);
    expect(envFile.envFileProblem('A', 'cr\r')).toMatch(/line break/);
    expect(envFile.envFileProblem('A', 'x'.repeat(70_000))).toMatch(/longer than/);
    expect(envFile.envFileProblem('A', '\ud800')).toMatch(/UTF-8/);
    expect(() => envFile.envFileContent([['A', 'a\nb']])).toThrow('line break');
  });

  it('removes containers keeping their volumes, unless told to delete the anonymous ones', () => {
    expect(docker.removeContainers(target, ['a', 'b']).argv).toEqual(['docker', 'rm', '--force', 'a', 'b']);
    expect(docker.removeContainersAndVolumes(target, ['a', 'b']).argv).toEqual([
      'docker',
      'rm',
      '--force',
      '--volumes',
      'a',
      'b',
    ]);
  });

  it('picks the docker client from SLIPWAY_DOCKER', () => {
    expect(dockerBinary({ SLIPWAY_DOCKER: '/usr/bin/docker' })).toBe('/usr/bin/docker');
    expect(dockerBinary({})).toBe('docker');
  });
});

describe('docker logs as data', () => {
  it('takes the tail, since and follow as separate arguments', () => {
    expect(docker.logs(target, 'web').argv).toEqual(['docker', 'logs', '--tail', '50', 'web']);
    expect(docker.logs(target, 'web', { follow: true }).argv).toEqual(['docker', 'logs', '--follow', 'web']);
    expect(docker.logs(target, 'web', { follow: true, tail: 10, since: '10m' }).argv).toEqual([
      'docker',
      'logs',
      '--follow',
      '--tail',
      '10',
      '--since',
      '10m',
      'web',
    ]);
  });
});

describe('files inside containers, image digests', () => {
  const target = { docker: 'docker' };
  it('reads and removes a file in a running container', () => {
    expect(docker.readFileIn(target, 'p', '/etc/caddy/Caddyfile').argv).toEqual([
      'docker',
      'exec',
      'p',
      'cat',
      '/etc/caddy/Caddyfile',
    ]);
    expect(docker.removeFileIn(target, 'p', '/x').argv).toEqual(['docker', 'exec', 'p', 'rm', '-f', '/x']);
  });

  it('asks the engine for an image’s repository digests', () => {
    expect(images.repoDigests(target, 'caddy:2').argv).toEqual([
      'docker',
      'image',
      'inspect',
      '--format',
      '{{json .RepoDigests}}',
      'caddy:2',
    ]);
  });
});
