import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseStackImage } from '../../../src/deploy-stack/stack-inputs';
import { readAnyDeployRequest } from '../../../src/remote-deploy-ssh/request';
import { Inputs } from '../../../src/common/inputs';
import { COMPOSE } from '../../helpers/compose-fixture';
import { tempDir } from '../../helpers/temp';

describe('stack inputs', () => {
  let dir: string;
  const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----';
  const base = {
    hosts: '10.0.0.5',
    username: 'deploy',
    'private-key': KEY,
    'insecure-ignore-host-key': 'true',
    strategy: 'rolling',
  };
  const read = (over: Record<string, string>) =>
    readAnyDeployRequest(new Inputs((n) => ({ ...base, ...over })[n as keyof typeof base]));
  beforeEach(() => {
    dir = tempDir('stack');
    writeFileSync(join(dir, 'compose.yml'), COMPOSE);
    process.env.GITHUB_WORKSPACE = dir;
  });
  afterEach(() => {
    delete process.env.GITHUB_WORKSPACE;
  });

  it('chooses the mode: compose-file → compose, swarm → swarm, else one container', () => {
    expect(
      read({ 'compose-file': 'compose.yml', 'compose-project': 'shop', images: 'web=r.example.com/web:1' })
        .mode,
    ).toBe('compose');
    expect(read({ swarm: 'true', name: 'web', image: 'r.example.com/web:1' }).mode).toBe('swarm');
    expect(read({ name: 'web', image: 'r.example.com/web:1' }).mode).toBe('container');
  });

  it('reads a compose request: project, images, the file', () => {
    const request = read({
      'compose-file': 'compose.yml',
      'compose-project': 'shop',
      images: 'web=r.example.com/shop/web:7\ndb = r.example.com/shop/db:7',
      'secret-env': 'TOKEN=s3cr3t',
    });
    expect(request).toMatchObject({
      mode: 'compose',
      name: 'shop',
      composeFile: 'compose.yml',
      secretEnv: [['TOKEN', 's3cr3t']],
    });
    expect(request.mode === 'compose' && request.images.map((i) => i.service)).toEqual(['web', 'db']);
  });

  it('refuses bad stack input before anything connects, naming the input', () => {
    const compose = { 'compose-file': 'compose.yml', 'compose-project': 'shop' };
    expect(() => read({ ...compose, images: 'web=r.example.com/web:1\nweb=r.example.com/web:2' })).toThrow(
      'input "images": service web is given more than once',
    );
    expect(() => read({ ...compose, images: 'web' })).toThrow(
      /input "images": each line must be service=image/,
    );
    expect(() => read({ ...compose, images: 'web=r.example.com/web:1;rm -rf /' })).toThrow(/input "images"/);
    expect(() => read({ ...compose, images: 'nope=r.example.com/web:1' })).toThrow(
      /input "compose-file": compose.yml has no service "nope"/,
    );
    expect(() => read({ 'compose-file': 'missing.yml', name: 'shop' })).toThrow(
      /input "compose-file": cannot read missing.yml: ENOENT/,
    );
    expect(() => read({ ...compose, images: 'web=r.example.com/web:1', image: 'r.example.com/x:1' })).toThrow(
      'input "image": is not used in compose mode; remove it',
    );
    expect(() =>
      read({
        ...compose,
        images: 'web=r.example.com/web:1\ndb=r.example.com/db:2',
        'require-same-tag': 'true',
      }),
    ).toThrow('input "images": the images carry different tags (web: 1; db: 2)');
    expect(() =>
      read({ swarm: 'true', name: 'web', image: 'r.example.com/web:1', 'secret-env': 'A=b' }),
    ).toThrow(/input "secret-env": is not supported in swarm mode/);
    expect(() => read({ swarm: 'true', name: 'Web', image: 'r.example.com/web:1' })).toThrow(/input "name"/);
    expect(() => read({ swarm: 'true', name: 'web', image: 'r.example.com/web:1', replicas: '-1' })).toThrow(
      /input "replicas"/,
    );
    expect(() => read({ swarm: 'true', name: 'web', image: 'r.example.com/web:1', publish: '80' })).toThrow(
      'input "port": is required with publish (the port the app listens on)',
    );
    expect(() => read({ swarm: 'true', name: 'web' })).toThrow(
      'input "image": is required but was not given',
    );
    // Logging in on the hosts needs one registry: the images', or the input when they differ.
    const twoRegistries = { ...compose, images: 'web=a.example.com/web:1\ndb=b.example.com/db:1' };
    expect(() => read({ ...twoRegistries, 'registry-username': 'u', 'registry-password': 'p' })).toThrow(
      'input "registry": is required with registry-password: the images come from a.example.com, b.example.com',
    );
    expect(read({ ...compose, images: 'web=a.example.com/web:1' }).registry).toBe('a.example.com');
  });

  it('parses service=image lines', () => {
    expect(parseStackImage('web = r.example.com/web:1').service).toBe('web');
    expect(() => parseStackImage('=r.example.com/web:1')).toThrow(/service=image/);
  });
});
