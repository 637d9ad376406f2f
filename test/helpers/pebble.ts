/**
 * Pebble, Let's Encrypt's ACME test server, as a process of this machine listening on an address
 * the lab hosts reach (the lab network's gateway): its directory served over HTTPS with a
 * certificate of a throwaway CA made here, every challenge taken as valid
 * (PEBBLE_VA_ALWAYS_VALID), and its log kept to count the certificates it issued.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { join } from 'node:path';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { tempDir } from './temp';

export interface Pebble {
  /** The ACME directory URL. */
  readonly directory: string;
  /** PEM of the CA the directory's HTTPS certificate is signed by (acme-ca-root). */
  readonly tlsRoot: string;
  /** PEM of the root Pebble signs the certificates it issues with (what clients trust). */
  readonly issuingRoot: string;
  /** Certificates issued so far. */
  issued(): number;
  /** ACME orders placed so far. */
  orders(): number;
  log(): string;
  stop(): Promise<void>;
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function getText(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, timeout: 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export async function startPebble(binary: string, address: string): Promise<Pebble> {
  const dir = tempDir('pebble');
  const local = new LocalRunner();
  const at = (name: string) => join(dir, name);
  const openssl = (...argv: string[]) => runChecked(local, { argv: ['openssl', ...argv] });
  await openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=slipway test ACME TLS root',
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
  );
  await openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=pebble',
    '-keyout',
    at('tls.key'),
    '-out',
    at('tls.csr'),
  );
  writeFileSync(at('ext.cnf'), `subjectAltName=IP:${address},DNS:localhost\n`);
  await openssl(
    'x509',
    '-req',
    '-in',
    at('tls.csr'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('ext.cnf'),
    '-out',
    at('tls.pem'),
  );
  const port = await freePort(address);
  const management = await freePort(address);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `${address}:${port}`,
        managementListenAddress: `${address}:${management}`,
        certificate: at('tls.pem'),
        privateKey: at('tls.key'),
        httpPort: 5002,
        tlsPort: 5001,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  let log = '';
  const child: ChildProcess = spawn(binary, ['-config', join(dir, 'config.json')], {
    env: {
      ...process.env,
      PEBBLE_VA_ALWAYS_VALID: '1',
      PEBBLE_VA_NOSLEEP: '1',
      PEBBLE_WFE_NONCEREJECT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c) => (log += c));
  child.stderr?.on('data', (c) => (log += c));
  const tlsRoot = readFileSync(at('ca.pem'), 'utf8');
  const directory = `https://${address}:${port}/dir`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const answer = await getText(directory, tlsRoot).catch(() => undefined);
    if (answer?.status === 200) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`pebble did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const issuingRoot = (await getText(`https://${address}:${management}/roots/0`, tlsRoot)).body;
  return {
    directory,
    tlsRoot,
    issuingRoot,
    issued: () => (log.match(/Issued certificate serial/g) ?? []).length,
    orders: () => (log.match(/POST \/order-plz/g) ?? []).length,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
