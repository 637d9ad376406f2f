/**
 * Throwaway registries for tests that need one of their own (to kill it mid-copy, or to put it
 * behind token auth): Debian's docker-registry in a temp directory on a free loopback port.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestRegistry {
  readonly host: string;
  readonly dataDir: string;
  /** SIGKILL: the registry dies mid-request, like a crashed host. */
  kill(): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface TokenAuth {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certPath: string;
}

/** A certificate and key for a test registry on 127.0.0.1, and the CA that signed it (if any). */
export interface TestCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  /** The private CA's certificate (PEM file): what ca-file points to. Absent for a self-signed one. */
  readonly caPath?: string;
}

function openssl(args: readonly string[]): void {
  const made = spawnSync('openssl', args, { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl ${args[0]}: ${made.stderr}`);
}

const SAN = 'subjectAltName=IP:127.0.0.1,DNS:localhost';

/** A self-signed certificate (RSA 2048, valid a day) and its unencrypted key. */
function selfSigned(keyPath: string, certPath: string, subject: string, ...extra: string[]): void {
  openssl([
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-subj',
    subject,
    ...extra,
  ]);
}

/**
 * A server certificate for 127.0.0.1 made with openssl in a secret temp dir (removed with the
 * test's temp dirs, secrets first): self-signed, or signed by a throwaway private CA.
 */
export function makeCertificate(kind: 'self-signed' | 'private-ca'): TestCertificate {
  const dir = tempDir('tls', { secret: true });
  const keyPath = join(dir, 'server.key');
  const certPath = join(dir, 'server.pem');
  if (kind === 'self-signed') {
    selfSigned(keyPath, certPath, '/CN=127.0.0.1', '-addext', SAN);
    return { certPath, keyPath };
  }
  const caKey = join(dir, 'ca.key');
  const caPath = join(dir, 'ca.pem');
  selfSigned(caKey, caPath, '/CN=slipway-test-ca');
  const csr = join(dir, 'server.csr');
  openssl([
    'req',
    '-new',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    csr,
    '-subj',
    '/CN=127.0.0.1',
  ]);
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, `${SAN}\n`);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    caPath,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    certPath,
    '-days',
    '1',
    '-extfile',
    ext,
  ]);
  return { certPath, keyPath, caPath };
}

/** Any HTTP answer from /v2/ (0 when none): HTTPS without verification for a TLS registry. */
function v2Status(host: string, tls: boolean): Promise<number> {
  return new Promise((resolve) => {
    const req = (tls ? https : http).request(
      `${tls ? 'https' : 'http'}://${host}/v2/`,
      { rejectUnauthorized: false, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function startRegistry(
  options: {
    token?: TokenAuth;
    dataDir?: string;
    tls?: TestCertificate;
    /** The address it listens on (default 127.0.0.1); another one is not loopback to the client. */
    address?: string;
  } = {},
): Promise<TestRegistry> {
  const address = options.address ?? '127.0.0.1';
  const port = await freePort();
  const dir = tempDir('registry');
  const dataDir = options.dataDir ?? join(dir, 'data');
  const config = [
    'version: 0.1',
    'log: { level: error }',
    `storage: { filesystem: { rootdirectory: ${dataDir} }, delete: { enabled: true } }`,
    options.tls
      ? `http: { addr: ${address}:${port}, tls: { certificate: ${options.tls.certPath}, key: ${options.tls.keyPath} } }`
      : `http: { addr: ${address}:${port} }`,
    ...(options.token
      ? [
          'auth:',
          '  token:',
          `    realm: ${options.token.realm}`,
          `    service: ${options.token.service}`,
          `    issuer: ${options.token.issuer}`,
          `    rootcertbundle: ${options.token.certPath}`,
        ]
      : []),
    '',
  ].join('\n');
  writeFileSync(join(dir, 'config.yml'), config);
  let child: ChildProcess | undefined;
  const host = `${address}:${port}`;
  const registry: TestRegistry = {
    host,
    dataDir,
    kill() {
      child?.kill('SIGKILL');
      child = undefined;
    },
    async start() {
      child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const status = await v2Status(host, options.tls !== undefined);
        if (status === 200 || status === 401) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`test registry on ${host} did not start`);
    },
    async stop() {
      const exiting = child;
      child = undefined;
      if (!exiting) return;
      await new Promise<void>((resolve) => {
        exiting.once('exit', () => resolve());
        exiting.kill('SIGTERM');
      });
    },
  };
  await registry.start();
  return registry;
}

export interface TokenServer {
  readonly auth: TokenAuth;
  /** Every scope the token server was asked for. */
  readonly scopes: string[];
  close(): Promise<void>;
}

/**
 * A small token server for the registry's token auth: checks basic credentials and grants the
 * requested repository scopes in an RS256 JWT signed by a throwaway key whose certificate the
 * registry trusts (x5c header).
 */
export async function startTokenServer(user: { username: string; password: string }): Promise<TokenServer> {
  const dir = tempDir('token', { secret: true });
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  selfSigned(keyPath, certPath, '/CN=slipway-token');
  const key = readFileSync(keyPath, 'utf8');
  const certDer = readFileSync(certPath, 'utf8')
    .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
    .replace(/\s+/g, '');
  const service = 'slipway-test-registry';
  const issuer = 'slipway-test-issuer';
  const scopes: string[] = [];
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const expected = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ details: 'bad credentials' }));
      return;
    }
    const requested = url.searchParams.getAll('scope');
    scopes.push(...requested);
    const access = requested.map((scope) => {
      const [type, name, actions] = scope.split(':');
      return { type, name, actions: (actions ?? '').split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64({ typ: 'JWT', alg: 'RS256', x5c: [certDer] });
    const claims = b64({
      iss: issuer,
      sub: user.username,
      aud: url.searchParams.get('service') ?? service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    });
    const signature = createSign('RSA-SHA256').update(`${header}.${claims}`).sign(key).toString('base64url');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `${header}.${claims}.${signature}`, expires_in: 300 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    auth: { realm: `http://127.0.0.1:${port}/token`, service, issuer, certPath },
    scopes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
