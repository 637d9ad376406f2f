/**
 * What was tested is what runs, end to end on the lab: the root action builds, tests, pushes, signs
 * and attests with cosign's encrypted key, in Sigstore bundles (the default, as cosign v3 does);
 * promotion verifies and carries the signature and the attestation to production, where cosign v3
 * verifies them; the production deploy verifies before it
 * touches a host; `slipway status` says which tested build is serving. The key and its password
 * never appear in a log, an output, the summary or a file left behind.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { labConnectionOptions, runCli } from '../helpers/cli';
import { runCosign, statementOf, verifyArgs, verifyTestResultArgs } from '../helpers/cosign';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { unique } from '../helpers/oci';
import { runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { LAB_SRC } from '../lab/config';
import type { LabHost } from '../lab/lab';
import { awaitJudges } from '../helpers/judges';

const lab = inject('lab');
const tools = inject('tools');
awaitJudges();
const { staging, production } = lab.registries;
const ID = unique();
const SERVICE = `test-signed-${ID}`;
const PUBLISH = '8086';
const PASSWORD = `sign-pw-${unique()}`;
const RUN = 'https://github.com/acme/shop/actions/runs/777001';
const IMAGE = `${staging.host}/signed/shop-${ID}`;
const PROD = `${production.host}/signed/shop-${ID}`;
const env = {
  SLIPWAY_DOCKER: lab.docker,
  GITHUB_SHA: 'c0ffee00112233445566778899aabbccddeeff00',
  GITHUB_REPOSITORY: 'acme/shop',
  GITHUB_RUN_ID: '777001',
  GITHUB_RUN_NUMBER: '41',
  GITHUB_SERVER_URL: 'https://github.com',
};
/** The promotion runs in a later workflow run, by someone else: the ledger names that run. */
const PROMOTE_RUN = 'https://github.com/acme/shop/actions/runs/777002';
const promoteEnv = { ...env, GITHUB_RUN_ID: '777002', GITHUB_ACTOR: 'release-bot' };
const PROMOTION_TYPE = 'application/vnd.slipway.promotion.v1+json';
const host = lab.hosts[0] as LabHost;
const started = Date.now();
let keyDir = '';
let dockerConfig = '';
let signKey = '';
let publicKey = '';
let digest = '';
let version = '';

afterAll(hostCleanup(lab, SERVICE, serviceCleanup(SERVICE, [`${SERVICE}-data`])));

function crane(args: readonly string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      tools.crane as string,
      args,
      { env: { PATH: process.env.PATH ?? '', HOME: keyDir, DOCKER_CONFIG: dockerConfig }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The promotion records production's fallback tag lists for the digest, judged by crane. */
async function promotionRecords(): Promise<Array<{ digest: string; annotations: Record<string, string> }>> {
  const index = await crane(['manifest', '--insecure', `${PROD}:${digest.replace(':', '-')}`]);
  expect(index.code, index.stderr).toBe(0);
  return (
    JSON.parse(index.stdout) as {
      manifests: Array<{ digest: string; artifactType?: string; annotations: Record<string, string> }>;
    }
  ).manifests.filter((m) => m.artifactType === PROMOTION_TYPE);
}

/** cosign v3: the judge of the bundles the root action makes by default. */
const cosign = (args: readonly string[], extra: Record<string, string> = {}) =>
  runCosign(tools['cosign-v3'] as string, keyDir, args, { DOCKER_CONFIG: dockerConfig, ...extra });

/** The key's secret lines (its base64 body) and the password: none may appear anywhere. */
function secretsIn(text: string): string[] {
  const lines = signKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));
  return [PASSWORD, ...lines].filter((s) => text.includes(s));
}

/** Files in the temp directory written since the test started that hold a secret. */
function filesHoldingSecrets(dir = tmpdir(), depth = 0): string[] {
  const found: string[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of entries) {
    const path = join(dir, name);
    if (path === keyDir) continue; // the test's own cosign.key
    try {
      const st = statSync(path);
      if (st.isDirectory() && depth < 6) found.push(...filesHoldingSecrets(path, depth + 1));
      else if (st.isFile() && st.mtimeMs >= started && st.size < 4 * 1024 * 1024) {
        const text = readFileSync(path, 'latin1');
        if (text.includes(PASSWORD) || secretsIn(text).length > 0) found.push(path);
      }
    } catch {
      // gone or unreadable (another user's): not ours
    }
  }
  return found;
}

const deployInputs = (image: string) => ({
  hosts: `${host.address}:${host.sshPort}`,
  username: lab.ssh.user,
  'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  image,
  name: SERVICE,
  port: '8080',
  publish: PUBLISH,
  'health-path': '/health',
  'health-timeout': '30s',
  'proxy-image': lab.images.proxy,
  volumes: `${SERVICE}-data:/data`,
  'registry-username': production.username as string,
  'registry-password': production.password as string,
  'verify-key': publicKey,
  'require-attestations': 'test-result',
});

beforeAll(async () => {
  keyDir = tempDir('sign-e2e-keys', { secret: true });
  dockerConfig = tempDir('sign-e2e-docker', { secret: true });
  const auth = Buffer.from(`${production.username}:${production.password}`).toString('base64');
  writeFileSync(
    join(dockerConfig, 'config.json'),
    JSON.stringify({ auths: { [production.host]: { auth } } }),
  );
  const made = await cosign(['generate-key-pair'], { COSIGN_PASSWORD: PASSWORD });
  expect(made.code, made.stderr).toBe(0);
  signKey = readFileSync(join(keyDir, 'cosign.key'), 'utf8');
  publicKey = readFileSync(join(keyDir, 'cosign.pub'), 'utf8');
}, 120_000);

describe('signed and attested from build to production', () => {
  const build = (password: string) =>
    runBundle(
      'pipeline',
      {
        image: IMAGE,
        context: join(LAB_SRC, 'fixtures', 'app'),
        'build-args': `BASE=${lab.images.busyboxInRegistry}\nVERSION=signed-${ID}`,
        run: '/app/test.sh',
        reports: '/tmp/junit.xml',
        'sign-key': signKey,
        'sign-key-password': password,
      },
      { env },
    );

  it('a wrong sign-key-password fails before the build, naming the input and not the key', async () => {
    const run = await build(`${PASSWORD}-wrong`);
    expect(run.exitCode).toBe(1);
    expect(run.log).toContain('input "sign-key-password": wrong password');
    expect(run.log).not.toMatch(/docker build|Building/);
    expect(secretsIn(run.log)).toEqual([]);
  }, 120_000);

  it('the root action builds, tests, pushes, signs and attests; cosign verifies both at staging', async () => {
    const run = await build(PASSWORD);
    expect(run.exitCode, run.log).toBe(0);
    digest = run.outputs.digest as string;
    version = run.outputs.version as string;
    // Bundles, each an OCI referrer of the digest (by its own digest).
    const referrer = new RegExp(`^${IMAGE.replaceAll('.', '\\.')}@sha256:[0-9a-f]{64}$`);
    expect(run.outputs.signature).toMatch(referrer);
    expect(run.outputs.attestation).toMatch(referrer);
    expect(run.outputs.attestation).not.toBe(run.outputs.signature);
    expect(run.summary).toMatch(/Tests in[\s\S]*Pushed[\s\S]*Signed/);
    // Secrets: masked, and nowhere else.
    expect(run.masked).toContain(PASSWORD);
    for (const line of signKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))
      expect(run.masked).toContain(line);
    expect(secretsIn(run.log)).toEqual([]);
    expect(secretsIn(run.summary)).toEqual([]);
    expect(secretsIn(JSON.stringify(run.outputs))).toEqual([]);
    expect(filesHoldingSecrets()).toEqual([]);

    const ref = `${IMAGE}@${digest}`;
    const verified = await cosign(verifyArgs(ref));
    expect(verified.code, verified.stderr).toBe(0);
    const attested = await cosign(verifyTestResultArgs(ref));
    expect(attested.code, attested.stderr).toBe(0);
    const statement = statementOf(attested.stdout);
    expect(statement.predicate).toMatchObject({
      result: 'PASSED',
      url: RUN,
      passedTests: ['app.version_endpoint'],
      failedTests: [],
      configuration: [{ name: 'test-command', annotations: { command: '/app/test.sh', exitCode: 0 } }],
    });
  }, 600_000);

  it('promotes with verify-key; cosign verifies the signature and the attestation at production', async () => {
    const run = await runBundle(
      'promote-between-registries',
      {
        source: `${IMAGE}:${version}`,
        destination: PROD,
        'destination-username': production.username as string,
        'destination-password': production.password as string,
        'verify-key': publicKey,
        'require-attestations': 'test-result',
      },
      { env: promoteEnv },
    );
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs.digest).toBe(digest);
    expect(run.outputs.verified).toBe('true');
    // The record of this promotion, not counted among the referrers carried (signature, attestation).
    expect(run.outputs['referrers-copied']).toBe('2');
    expect(run.log).toMatch(/wrote promotion record sha256:[0-9a-f]{64} of /);
    const records = await promotionRecords();
    expect(records).toHaveLength(1);
    expect(records[0]?.annotations).toMatchObject({
      'dev.slipway.promotion.source': `${IMAGE}:${version}`,
      'dev.slipway.promotion.destination': PROD,
      'dev.slipway.promotion.run-url': PROMOTE_RUN,
      'dev.slipway.promotion.actor': 'release-bot',
    });
    const record = await crane(['manifest', '--insecure', `${PROD}@${records[0]?.digest}`]);
    expect(record.code, record.stderr).toBe(0);
    expect(JSON.parse(record.stdout)).toMatchObject({
      artifactType: PROMOTION_TYPE,
      subject: { digest },
      config: { mediaType: 'application/vnd.oci.empty.v1+json' },
    });
    // A rerun in the same run adds no second record.
    const rerun = await runBundle(
      'promote-between-registries',
      {
        source: `${IMAGE}:${version}`,
        destination: PROD,
        'destination-username': production.username as string,
        'destination-password': production.password as string,
      },
      { env: promoteEnv },
    );
    expect(rerun.exitCode, rerun.log).toBe(0);
    expect(rerun.outputs['referrers-copied']).toBe('0');
    expect((await promotionRecords()).map((r) => r.digest)).toEqual(records.map((r) => r.digest));
    const ref = `${PROD}@${digest}`;
    const verified = await cosign(verifyArgs(ref));
    expect(verified.code, verified.stderr).toBe(0);
    const attested = await cosign(verifyTestResultArgs(ref));
    expect(attested.code, attested.stderr).toBe(0);
  }, 300_000);

  it('deploys to production with verify-key and require-attestations: test-result, showing what was verified', async () => {
    const run = await runBundle('remote-deploy-ssh', deployInputs(`${PROD}:${version}`), { env });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs.digest).toBe(digest);
    expect(run.outputs.verified).toBe('true');
    expect(run.summary).toContain('Verified before any change');
    expect(run.summary).toContain('PASSED: 1 passed, 0 failed');
    expect(run.summary).toContain(RUN);
    expect(run.summary).toContain(`promoted from ${IMAGE}:${version} by ${PROMOTE_RUN} at `);
    expect((await (await fetch(`http://${host.address}:${PUBLISH}/version`)).text()).trim()).toBe(
      `signed-${ID}`,
    );
  }, 300_000);

  it('slipway status says which tested build is serving', async () => {
    const dir = tempDir('sign-e2e-status', { secret: true });
    writeFileSync(join(dir, 'pub'), publicKey);
    writeFileSync(join(dir, 'registry-password'), production.password as string);
    const status = await runCli([
      'status',
      ...labConnectionOptions(lab, host, SERVICE),
      '--verify-key-file',
      join(dir, 'pub'),
      '--require-attestations',
      'test-result',
      '--registry',
      production.host,
      '--registry-username',
      production.username as string,
      '--registry-password-file',
      join(dir, 'registry-password'),
    ]);
    expect(status.code, status.stderr).toBe(0);
    const text = status.stdout + status.stderr;
    expect(text).toContain(`${PROD}@${digest}`);
    expect(text).toContain(`verified: PASSED (1 passed, 0 failed) ${RUN}`);
    expect(text).toMatch(
      new RegExp(
        `promoted from ${IMAGE.replaceAll('.', '\\.')}:${version} by ${PROMOTE_RUN} at \\d{4}-\\d\\d-\\d\\dT`,
      ),
    );
    expect(text).toContain('deployed by https://github.com/acme/shop/actions/runs/777001');
    // Another key: the same build does not verify, and status says so (and fails).
    const other = await cosign(['generate-key-pair', '--output-key-prefix', 'other'], {
      COSIGN_PASSWORD: 'x',
    });
    expect(other.code).toBe(0);
    const refused = await runCli([
      'status',
      ...labConnectionOptions(lab, host, SERVICE),
      '--verify-key-file',
      join(keyDir, 'other.pub'),
      '--registry',
      production.host,
      '--registry-username',
      production.username as string,
      '--registry-password-file',
      join(dir, 'registry-password'),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('NOT VERIFIED: no valid signature by verify-key');
  }, 120_000);
});

// Keep the local tag space clean: the root action tagged the image in the lab's engine.
afterAll(async () => {
  const local = new LocalRunner();
  const listed = await local.run({
    argv: [lab.docker, 'images', '--format', '{{.Repository}}:{{.Tag}}', IMAGE],
  });
  for (const ref of listed.stdout.split('\n').filter(Boolean))
    await runChecked(local, { argv: [lab.docker, 'rmi', ref] }).catch(() => {});
});
