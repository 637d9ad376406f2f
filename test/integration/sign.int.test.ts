/**
 * Signing and verification in the legacy format (cosign v1/v2's .sig/.att tags, signature-format:
 * legacy) with cosign v2.6.5 as the outside judge, both ways: cosign verifies what Slipway signs
 * and attests, Slipway verifies what cosign signs and attests (keys, no transparency log: the lab
 * is offline). The bundle format (cosign v3) is sign-bundle.int.test.ts's. Then the refusals of promote-between-registries and remote-deploy-ssh,
 * run as the runner runs them: each names the digest and what is missing, and changes nothing.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { blobExists, putBlobBytes } from '../../src/registry/blobs';
import { MEDIA_TYPES, RegistryClient } from '../../src/registry/client';
import { parsePrivateKey, parsePublicKeys, type SigningKey } from '../../src/supply-chain/keys';
import { signAndAttest } from '../../src/supply-chain/operation';
import { artifactTag, readLayers } from '../../src/supply-chain/store';
import { TEST_RESULT_PREDICATE } from '../../src/supply-chain/formats';
import { verifyDigest } from '../../src/supply-chain/verify';
import type { Reporter } from '../../src/common/reporter';
import { runCosign, statementOf, verifyArgs, verifyTestResultArgs } from '../helpers/cosign';
import { onHost, psOnHost } from '../helpers/lab-host';
import { pushImage, unique } from '../helpers/oci';
import { startFaultProxy } from '../helpers/fault-proxy';
import { runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { buildFixtureApp } from '../lab/lab';
import { awaitJudges } from '../helpers/judges';

const lab = inject('lab');
const tools = inject('tools');
awaitJudges();
const { staging, production } = lab.registries;
const prodCreds = { username: production.username as string, password: production.password as string };
const stagingClient = new RegistryClient(staging.host, { anonymous: true });
const prodClient = new RegistryClient(production.host, { credentials: prodCreds });
const PASSWORD = `pw-${unique()}`;
const RUN = 'https://github.com/shop/web/actions/runs/4242';
const LEGACY = 'legacy' as const;

const lines: string[] = [];
const report = {
  info: (l: string) => lines.push(l),
  warning: (l: string) => lines.push(l),
} as unknown as Reporter;

let keyDir = '';
let dockerConfig = '';

const cosign = (args: readonly string[], env: Record<string, string> = {}) =>
  runCosign(tools.cosign as string, keyDir, args, { DOCKER_CONFIG: dockerConfig, ...env });

const keyFile = (name: string) => join(keyDir, name);
let cosignKey: SigningKey; // cosign generate-key-pair: encrypted, with PASSWORD
let otherKey: SigningKey; // a second cosign key (another signer)
let pemKey: SigningKey; // a plain PEM PKCS#8 key
const pub = (name: string) => readFileSync(keyFile(name), 'utf8');

const passed = {
  exitCode: 0,
  passedTests: ['shop.cart', 'shop.checkout'],
  failedTests: [],
  command: './run-tests.sh',
  url: RUN,
};
const failed = {
  exitCode: 1,
  passedTests: ['shop.cart'],
  failedTests: ['shop.checkout'],
  command: './run-tests.sh',
  url: RUN,
};

async function image(repo: string, tag = 'v1', seed = repo) {
  return (await pushImage(stagingClient, repo, { seed, layers: 2, layerSize: 50_000, tag })).digest;
}

beforeAll(async () => {
  keyDir = tempDir('sign-keys', { secret: true });
  dockerConfig = tempDir('sign-docker-config', { secret: true });
  writeFileSync(
    join(dockerConfig, 'config.json'),
    JSON.stringify({
      auths: {
        [production.host]: {
          auth: Buffer.from(`${prodCreds.username}:${prodCreds.password}`).toString('base64'),
        },
      },
    }),
  );
  for (const prefix of ['cosign', 'other']) {
    const made = await cosign(['generate-key-pair', '--output-key-prefix', prefix], {
      COSIGN_PASSWORD: PASSWORD,
    });
    expect(made.code, made.stderr).toBe(0);
  }
  cosignKey = parsePrivateKey(readFileSync(keyFile('cosign.key'), 'utf8'), PASSWORD);
  otherKey = parsePrivateKey(readFileSync(keyFile('other.key'), 'utf8'), PASSWORD);
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(keyFile('pem.key'), pair.privateKey.export({ format: 'pem', type: 'pkcs8' }));
  writeFileSync(keyFile('pem.pub'), pair.publicKey.export({ format: 'pem', type: 'spki' }));
  pemKey = parsePrivateKey(readFileSync(keyFile('pem.key'), 'utf8'));
}, 120_000);

describe('cosign judges what Slipway signs', () => {
  it("accepts the signature and the test-result attestation made with cosign's encrypted key", async () => {
    const repo = `test-sign/judge-${unique()}`;
    const digest = await image(repo);
    const ref = `${staging.host}/${repo}@${digest}`;
    const signed = await signAndAttest(stagingClient, repo, digest, cosignKey, passed, report, LEGACY);
    expect(signed.signature).toBe(`${staging.host}/${repo}:${artifactTag(digest, 'sig')}`);

    const verified = await cosign(verifyArgs(ref));
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest);

    const attested = await cosign(verifyTestResultArgs(ref));
    expect(attested.code, attested.stderr).toBe(0);
    const statement = statementOf(attested.stdout);
    expect(statement.subject[0].digest.sha256).toBe(digest.slice(7));
    expect(statement.predicate).toMatchObject({
      result: 'PASSED',
      url: RUN,
      passedTests: passed.passedTests,
      failedTests: [],
    });

    // The judge can say no: another key is refused.
    const wrong = await cosign(['verify', '--key', 'other.pub', '--insecure-ignore-tlog=true', ref]);
    expect(wrong.code).not.toBe(0);

    // A rerun converges: nothing is added twice.
    await signAndAttest(stagingClient, repo, digest, cosignKey, passed, report, LEGACY);
    expect(await readLayers(stagingClient, repo, digest, 'sig')).toHaveLength(1);
    expect(await readLayers(stagingClient, repo, digest, 'att')).toHaveLength(1);
  }, 120_000);

  it('accepts a signature made with a plain PEM PKCS#8 key', async () => {
    const repo = `test-sign/pem-${unique()}`;
    const digest = await image(repo);
    await signAndAttest(stagingClient, repo, digest, pemKey, undefined, report, LEGACY);
    const verified = await cosign([
      'verify',
      '--key',
      'pem.pub',
      '--insecure-ignore-tlog=true',
      `${staging.host}/${repo}@${digest}`,
    ]);
    expect(verified.code, verified.stderr).toBe(0);
  }, 60_000);
});

describe('Slipway judges what cosign signs', () => {
  it('verifies cosign sign and cosign attest, and adds its own signature beside them', async () => {
    const repo = `test-sign/cosign-${unique()}`;
    const digest = await image(repo);
    const ref = `${staging.host}/${repo}@${digest}`;
    writeFileSync(
      keyFile('predicate.json'),
      JSON.stringify({ result: 'PASSED', url: RUN, passedTests: ['a'], failedTests: [] }),
    );
    const env = { COSIGN_PASSWORD: PASSWORD };
    const sign = await cosign(['sign', '--key', 'other.key', '--tlog-upload=false', '-y', ref], env);
    expect(sign.code, sign.stderr).toBe(0);
    const attest = await cosign(
      [
        'attest',
        '--key',
        'other.key',
        '--tlog-upload=false',
        '-y',
        '--type',
        TEST_RESULT_PREDICATE,
        '--predicate',
        'predicate.json',
        ref,
      ],
      env,
    );
    expect(attest.code, attest.stderr).toBe(0);

    const policy = { keys: parsePublicKeys(pub('other.pub')), attestations: [TEST_RESULT_PREDICATE] };
    const v = await verifyDigest(stagingClient, repo, digest, policy);
    expect(v.problems).toEqual([]);
    expect(v.ok).toBe(true);
    expect(v.tests).toMatchObject({ result: 'PASSED', passed: 1, failed: 0, url: RUN });
    // Not by our key.
    const ours = await verifyDigest(stagingClient, repo, digest, {
      keys: parsePublicKeys(pub('cosign.pub')),
      attestations: [],
    });
    expect(ours.ok).toBe(false);

    await signAndAttest(stagingClient, repo, digest, cosignKey, passed, report, LEGACY);
    expect(await readLayers(stagingClient, repo, digest, 'sig')).toHaveLength(2);
    const both = parsePublicKeys(`${pub('cosign.pub')}\n${pub('other.pub')}`);
    const again = await verifyDigest(stagingClient, repo, digest, {
      keys: both,
      attestations: [TEST_RESULT_PREDICATE],
    });
    expect(again.signatures).toHaveLength(2);
    for (const key of ['cosign.pub', 'other.pub']) {
      const judged = await cosign(['verify', '--key', key, '--insecure-ignore-tlog=true', ref]);
      expect(judged.code, `${key}: ${judged.stderr}`).toBe(0);
    }
  }, 120_000);
});

/** Replaces the .att of `digest` by one layer: the envelope given (a forged or copied one). */
async function putAttestation(
  repo: string,
  digest: string,
  envelope: Buffer,
  predicateType = TEST_RESULT_PREDICATE,
) {
  const layer = await putBlobBytes(stagingClient, repo, envelope);
  const config = await putBlobBytes(stagingClient, repo, Buffer.from('{}'));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [
      {
        mediaType: 'application/vnd.dsse.envelope.v1+json',
        ...layer,
        annotations: { 'dev.cosignproject.cosign/signature': '', predicateType },
      },
    ],
  };
  await stagingClient.putManifest(repo, artifactTag(digest, 'att'), {
    bytes: Buffer.from(JSON.stringify(manifest)),
    mediaType: MEDIA_TYPES.ociManifest,
  });
}

async function attestationEnvelope(repo: string, digest: string): Promise<Buffer> {
  const [layer] = await readLayers(stagingClient, repo, digest, 'att');
  const res = await stagingClient.send({
    method: 'GET',
    path: `${repo}/blobs/${layer?.digest}`,
    scopes: [`repository:${repo}:pull`],
  });
  const chunks: Buffer[] = [];
  for await (const c of res.body as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

function promote(repo: string, extra: Record<string, string> = {}) {
  return runBundle('promote-between-registries', {
    source: `${staging.host}/${repo}:v1`,
    destination: `${production.host}/${repo}`,
    'destination-username': prodCreds.username,
    'destination-password': prodCreds.password,
    'verify-key': pub('cosign.pub'),
    'require-attestations': 'test-result',
    ...extra,
  });
}

/** Nothing of `repo` reached production: no tag, no manifest, no blob. */
async function expectNothingPromoted(repo: string, digest: string) {
  expect(await prodClient.headManifest(repo, 'v1')).toBeUndefined();
  expect(await prodClient.headManifest(repo, digest)).toBeUndefined();
  const manifest = JSON.parse((await stagingClient.getManifest(repo, digest)).bytes.toString()) as {
    config: { digest: string };
    layers: Array<{ digest: string }>;
  };
  for (const blob of [manifest.config, ...manifest.layers])
    expect(await blobExists(prodClient, repo, blob.digest), blob.digest).toBe(false);
}

/** What verification must refuse: how each case is made, and what the refusal says. */
const REFUSALS: Array<[string, (repo: string, digest: string) => Promise<string | void>, RegExp]> = [
  [
    'an unsigned image',
    async () => {},
    /no signature \(nothing at sha256-[0-9a-f]{64}\.sig, no Sigstore bundle in the fallback tag sha256-[0-9a-f]{64}\)/,
  ],
  [
    'a signature by another key',
    async (repo, digest) =>
      void (await signAndAttest(stagingClient, repo, digest, otherKey, passed, report, LEGACY)),
    /no valid signature by verify-key sha256:[0-9a-f]{12} \(found a signature by another key/,
  ],
  [
    'a tampered attestation',
    async (repo, digest) => {
      await signAndAttest(stagingClient, repo, digest, cosignKey, failed, report, LEGACY);
      const envelope = JSON.parse((await attestationEnvelope(repo, digest)).toString());
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
      statement.predicate.result = 'PASSED';
      statement.predicate.failedTests = [];
      envelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
      await putAttestation(repo, digest, Buffer.from(JSON.stringify(envelope)));
    },
    /no valid test-result attestation by verify-key .*not signed by the key \(another key, or altered after signing\)/,
  ],
  [
    "a failed test run's attestation",
    async (repo, digest) =>
      void (await signAndAttest(stagingClient, repo, digest, cosignKey, failed, report, LEGACY)),
    /no passing test-result attestation: the signed one says FAILED \(1 passed, 1 failed, https:\/\/github.com\/shop\/web\/actions\/runs\/4242\)/,
  ],
  [
    'an attestation for another digest',
    async (repo, digest) => {
      await signAndAttest(stagingClient, repo, digest, cosignKey, undefined, report, LEGACY);
      const other = await image(repo, 'other', `${repo}-other`);
      await signAndAttest(stagingClient, repo, other, cosignKey, passed, report, LEGACY);
      await putAttestation(repo, digest, await attestationEnvelope(repo, other));
      return other;
    },
    /test-result attestation.* for another digest \(sha256:/,
  ],
  [
    'a tag moved after signing',
    async (repo, digest) => {
      await signAndAttest(stagingClient, repo, digest, cosignKey, passed, report, LEGACY);
      // Someone pushes another image under the signed tag.
      return `moved:${await image(repo, 'v1', `${repo}-moved`)}`;
    },
    /no signature \(nothing at/,
  ],
];

describe('promote-between-registries refuses what is not signed and tested, changing nothing', () => {
  for (const [name, prepare, message] of REFUSALS) {
    it(`refuses ${name}`, async () => {
      const repo = `test-sign/refuse-${unique()}`;
      let digest = await image(repo);
      const note = await prepare(repo, digest);
      if (typeof note === 'string' && note.startsWith('moved:')) digest = note.slice('moved:'.length);
      const run = await promote(repo);
      expect(run.exitCode, run.log).not.toBe(0);
      expect(run.log).toContain(`${staging.host}/${repo}@${digest} is not verified`);
      expect(run.log).toMatch(message);
      expect(run.log).toContain('nothing was changed');
      expect(run.summary).toContain('Verified before any change');
      await expectNothingPromoted(repo, digest);
    }, 120_000);
  }

  it('promotes a signed image with a passing test-result attestation, showing what was verified', async () => {
    const repo = `test-sign/promote-${unique()}`;
    const digest = await image(repo);
    await signAndAttest(stagingClient, repo, digest, cosignKey, passed, report, LEGACY);
    const run = await promote(repo);
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs.digest).toBe(digest);
    expect(run.outputs.verified).toBe('true');
    expect(run.summary).toContain(cosignKey.fingerprint);
    expect(run.summary).toContain('PASSED: 2 passed, 0 failed');
    expect(run.summary).toContain(RUN);
    expect(run.summary).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/); // signed at
    expect((await prodClient.headManifest(repo, 'v1'))?.digest).toBe(digest);
  }, 120_000);
});

describe('remote-deploy-ssh refuses before touching a host', () => {
  for (const [name, prepare, message] of REFUSALS) {
    it(`${name}: no connection, no container, no state on the host`, async () => {
      const repo = `test-sign/deploy-${unique()}`;
      let digest = await image(repo);
      const note = await prepare(repo, digest);
      if (typeof note === 'string' && note.startsWith('moved:')) digest = note.slice('moved:'.length);
      const host = lab.hosts[0] as (typeof lab.hosts)[number];
      const service = `test-sign-${unique()}`;
      const run = await runBundle('remote-deploy-ssh', {
        hosts: `${host.address}:${host.sshPort}`,
        username: lab.ssh.user,
        'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
        'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
        name: service,
        image: `${staging.host}/${repo}:v1`,
        port: '8080',
        'verify-key': pub('cosign.pub'),
        'require-attestations': 'test-result',
      });
      expect(run.exitCode, run.log).not.toBe(0);
      expect(run.log).toContain(`${staging.host}/${repo}@${digest} is not verified`);
      expect(run.log).toMatch(message);
      expect(run.log).not.toMatch(/Connecting to/);
      expect(
        await psOnHost(lab, host, [`dev.slipway.service=${service}`], '{{.Names}}', { all: true }),
      ).toEqual([]);
      expect(
        await onHost(
          lab,
          host,
          'sh',
          '-c',
          `test -e /home/deploy/.slipway/${service} && echo exists || true`,
        ),
      ).toBe('');
    }, 120_000);
  }
});

describe('push-registry interrupted while it signs', () => {
  it.each(['cancel', 'SIGKILL'] as const)(
    '%s the moment the signature is stored: the post step and a rerun end with one signature and the attestation, cosign verifies',
    async (how) => {
      const repo = `test-sign/cut-${how.toLowerCase()}-${unique()}`;
      const ref = `${staging.host}/${repo}:v1`;
      await buildFixtureApp(`cut-${how.toLowerCase()}`, { tag: ref });
      const reports = tempDir('sign-cut-report');
      writeFileSync(
        join(reports, 'junit.xml'),
        '<testsuites><testsuite name="shop" tests="1" failures="0"><testcase classname="shop" name="cart"/></testsuite></testsuites>\n',
      );
      const inputs = {
        tags: ref,
        'sign-key': readFileSync(keyFile('cosign.key'), 'utf8'),
        'sign-key-password': PASSWORD,
        'test-report': join(reports, 'junit.xml'),
        'test-command': './run-tests.sh',
        'signature-format': LEGACY,
      };
      const env = {
        SLIPWAY_DOCKER: lab.docker,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'shop/web',
        GITHUB_RUN_ID: '4242',
      };
      // Caught between its signature and its attestation whatever the machine's load: the
      // attestation's manifest is held by a proxy in front of the registry, and the step is
      // interrupted once it is (its signature stored before, as the registry says).
      const proxy = await startFaultProxy(
        { host: '127.0.0.1', port: Number(staging.host.split(':')[1]) },
        {
          failures: 0,
          hold: (req) => req.method === 'PUT' && /\/manifests\/sha256-[0-9a-f]{64}\.att$/.test(req.url ?? ''),
        },
      );
      const viaProxy = `${proxy.host}:${proxy.port}/${repo}:v1`;
      execFileSync(lab.docker, ['tag', ref, viaProxy]);
      let state: Record<string, string> = {};
      try {
        const interrupted = await runBundle(
          'push-registry',
          { ...inputs, tags: viaProxy },
          { env, interrupt: proxy.held.then(() => how) },
        );
        // push-registry is not a cancellable step: SIGINT ends it at once, like SIGKILL.
        expect(interrupted.exitCode).not.toBe(0);
        expect(interrupted.log).toMatch(/Signed .*\.sig/);
        expect(interrupted.log).not.toMatch(/Attested/);
        const signedDigest = /Pushed (sha256:[0-9a-f]{64})/.exec(interrupted.log)?.[1] as string;
        expect(await readLayers(stagingClient, repo, signedDigest, 'sig')).toHaveLength(1);
        expect(await readLayers(stagingClient, repo, signedDigest, 'att').catch(() => [])).toHaveLength(0);
        state = interrupted.state;
      } finally {
        await proxy.close();
        execFileSync(lab.docker, ['rmi', viaProxy]);
      }
      const post = await runBundle('push-registry', inputs, { env, state });
      expect(post.exitCode, post.log).toBe(0);
      const rerun = await runBundle('push-registry', inputs, { env });
      expect(rerun.exitCode, rerun.log).toBe(0);
      for (const run of [post, rerun]) expect(run.log).not.toContain(PASSWORD);
      const digest = rerun.outputs.digest as string;
      expect(await readLayers(stagingClient, repo, digest, 'sig')).toHaveLength(1);
      expect(await readLayers(stagingClient, repo, digest, 'att')).toHaveLength(1);
      const at = `${staging.host}/${repo}@${digest}`;
      const verified = await cosign(verifyArgs(at));
      expect(verified.code, verified.stderr).toBe(0);
      const attested = await cosign(verifyTestResultArgs(at));
      expect(attested.code, attested.stderr).toBe(0);
    },
    300_000,
  );
});
