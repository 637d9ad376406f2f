import { describe, expect, it } from 'vitest';
import { parseVolume, readDeployRequest } from '../../../src/deploy-container/request';
import { Inputs } from '../../../src/common/inputs';
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----';
const KNOWN =
  '[10.0.0.5]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBlR0nvKCeU\nweb2.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBlR0nvKCeU';
const base = {
  hosts: '10.0.0.5:2222\nweb2.example.com',
  username: 'deploy',
  'private-key': KEY,
  'known-hosts': KNOWN,
  image: 'registry.example.com/shop/web:20260101-7',
  name: 'web',
};
const read = (over: Record<string, string> = {}) =>
  readDeployRequest(new Inputs((n) => ({ ...base, ...over })[n as keyof typeof base]));

describe('deploy inputs', () => {
  it('accepts a jump host whose key is pinned, and any with insecure-ignore-host-key', () => {
    const known = `${KNOWN}\njump.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBlR0nvKCeU`;
    expect(read({ 'jump-host': 'bastion@jump.example.com', 'known-hosts': known }).jump).toEqual({
      host: 'jump.example.com',
      port: 22,
      username: 'bastion',
    });
    expect(read({ 'jump-host': 'jump.example.com:2200', 'insecure-ignore-host-key': 'true' }).jump).toEqual({
      host: 'jump.example.com',
      port: 2200,
    });
  });

  it('never shows a secret input in its error', () => {
    const secret = 'hunter2-very-secret';
    for (const over of <Array<Record<string, string>>>[
      { 'secret-env': `DATABASE_PASSWORD ${secret}` },
      { 'secret-env': `DATABASE PASSWORD=${secret}` },
      { 'secret-env': `${secret}` },
      { 'private-key': secret },
    ]) {
      let message = '';
      try {
        read(over);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^input "(secret-env|private-key)"/);
      expect(message).not.toContain('hunter2');
    }
  });

  it('reads hosts, defaults and the image', () => {
    const request = read({ port: '8080', publish: '80', 'health-path': '/health' });
    expect(request.hosts).toEqual([
      { host: '10.0.0.5', port: 2222 },
      { host: 'web2.example.com', port: 22 },
    ]);
    expect(request).toMatchObject({
      name: 'web',
      strategy: 'rolling',
      keep: 3,
      maxParallel: 2,
      healthTimeoutMs: 120_000,
      lockTimeoutMs: 900_000,
      registry: 'registry.example.com',
      port: 8080,
      publish: 80,
    });
    expect(request.proxyImage).toEqual({ registry: 'docker.io', repository: 'library/caddy', tag: '2' });
  });

  it.each([
    [
      { hosts: '10.0.0.5:2222\nweb2.example.com\nWEB2.example.com:22' },
      'input "hosts": "WEB2.example.com:22" is the same host as "web2.example.com"',
    ],
    [{ hosts: 'web2.example.com\nweb2.example.com.' }, 'input "hosts": "web2.example.com." is the same host'],
    [
      { 'jump-host': 'bastion@jump.example.com' },
      'input "known-hosts": has no key for the jump-host jump.example.com:22',
    ],
    [{ 'lock-timeout': '0' }, 'input "lock-timeout": must be at least 1 s'],
    [{ 'health-timeout': '0' }, 'input "health-timeout": must be at least 1 s'],
    [{ 'health-timeout': '500ms' }, 'input "health-timeout": must be at least 1 s'],
    [{ 'pre-deploy': '-x' }, 'input "pre-deploy"'],
    [{ 'known-hosts': '' }, 'input "known-hosts": is required'],
    [{ 'known-hosts': KNOWN.split('\n')[0] as string }, 'has no key for web2.example.com:22'],
    [{ 'private-key': 'hunter2' }, 'input "private-key"'],
    [{ image: '' }, 'input "image": is required'],
    [{ name: 'Web App' }, 'input "name"'],
    [{ publish: '80' }, 'input "port": is required with publish'],
    [{ port: '8080', 'health-path': 'health' }, 'input "health-path"'],
    [{ port: '8080', 'health-path': '/h x' }, 'input "health-path"'],
    [{ strategy: 'yolo' }, 'input "strategy"'],
    [{ volumes: 'data:/data:rw:extra' }, 'input "volumes"'],
    [{ volumes: '../etc:/etc' }, 'input "volumes"'],
    [{ 'secret-env': 'A=line1\u0007' }, 'input "secret-env"'],
    [{ keep: '-1' }, 'input "keep"'],
    [{ 'registry-password': 'p' }, 'input "registry-username"'],
  ])('rejects %j', (over, message) => {
    expect(() => read(over)).toThrow(message);
  });

  it('allows a rollback without an image, and no known-hosts only with the explicit opt-out', () => {
    expect(read({ image: '', rollback: 'true' }).image).toBeUndefined();
    expect(read({ 'known-hosts': '', 'insecure-ignore-host-key': 'true' }).insecureIgnoreHostKey).toBe(true);
  });

  it('accepts named volumes and bind mounts only', () => {
    expect(parseVolume('data:/var/lib/data')).toBe('data:/var/lib/data');
    expect(parseVolume('/srv/uploads:/app/uploads:ro')).toBe('/srv/uploads:/app/uploads:ro');
    expect(() => parseVolume('data')).toThrow();
    expect(() => parseVolume('data:relative')).toThrow();
  });
});

describe('hostnames (the shared proxy)', () => {
  const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
  it('reads hostnames, tls and the ACME settings, with ports 80/443 by default', () => {
    const r = read({ hostnames: 'Shop.example.com\nexample.com/api', port: '8080' });
    expect(r.shared).toEqual({
      routes: [
        { host: 'shop.example.com', path: '' },
        { host: 'example.com', path: '/api' },
      ],
      tls: 'auto',
      ports: { http: 80, https: 443 },
    });
    const s = read({
      hostnames: 'a.test',
      port: '8080',
      'acme-email': 'ops@example.com',
      'acme-ca': 'https://10.0.0.1:14000/dir',
      'acme-ca-root': PEM,
      'http-port': '8088',
      'https-port': '8089',
    }).shared;
    expect(s).toMatchObject({
      acmeCa: 'https://10.0.0.1:14000/dir',
      acmeCaRoot: `${PEM}\n`,
      ports: { http: 8088, https: 8089 },
    });
  });

  it('refuses bad combinations, naming the input', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ hostnames: '*', port: '80' }, /input "hostnames".*wildcard/],
      [{ hostnames: 'a.test', port: '80', publish: '8080' }, /input "publish"/],
      [{ hostnames: 'a.test' }, /input "port"/],
      [{ tls: 'internal' }, /input "tls": is used with hostnames/],
      [{ 'https-port': '443' }, /input "https-port": is used with hostnames/],
      [{ hostnames: 'a.test', port: '80', tls: 'sometimes' }, /input "tls"/],
      [
        { hostnames: 'a.test', port: '80', tls: 'off', 'acme-email': 'a@b.c' },
        /input "acme-email": is not used with tls: off/,
      ],
      [{ hostnames: 'a.test', port: '80', 'acme-ca': 'http://ca/dir' }, /input "acme-ca"/],
      [
        { hostnames: 'a.test', port: '80', 'acme-ca': 'https://ca/dir', 'acme-ca-root': 'nope' },
        /input "acme-ca-root"/,
      ],
      [{ hostnames: 'a.test', port: '80', 'acme-email': 'x y@z' }, /input "acme-email"/],
      // Characters that start a comment or a quoted token in the Caddyfile.
      [{ hostnames: 'a.test', port: '80', 'acme-email': '#ops@example.com' }, /input "acme-email"/],
      [{ hostnames: 'a.test', port: '80', 'acme-email': '`x@a.com' }, /input "acme-email"/],
      [{ hostnames: 'a.test', port: '80', 'http-port': '8080', 'https-port': '8080' }, /input "https-port"/],
    ];
    for (const [over, message] of cases) expect(() => read(over), JSON.stringify(over)).toThrow(message);
  });
});
