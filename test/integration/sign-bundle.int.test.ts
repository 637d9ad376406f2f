/**
 * Sigstore bundles, the format cosign v3 signs and attests in (issue 27), judged by cosign v3.1.3
 * and v2.6.5 on the lab: docker-registry 2.8 (no referrers API: the fallback tag sha256-<hex>) and
 * the referrers registry (the OCI 1.1 referrers API). Slipway verifies what cosign v3 signs, and
 * promotes and deploys it with verify-key; cosign v3 verifies what Slipway signs (bundles by
 * default); the legacy .sig/.att format still works both ways; a bundle by another key, or one
 * naming another digest, is refused, reported, and nothing is copied or deployed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { blobExists } from '../../src/registry/blobs';
import { RegistryClient, sha256 } from '../../src/registry/client';
import { fallbackTag, findReferrers } from '../../src/registry/referrers';
import { putManifestKeepingSubject } from '../../src/promote-between-registries/referrers';
import { COSIGN_SIGN_PREDICATE } from '../../src/supply-chain/bundle';
import { TEST_RESULT_PREDICATE } from '../../src/supply-chain/formats';
import { parsePrivateKey, parsePublicKeys, type SigningKey } from '../../src/supply-chain/keys';
import { signAndAttest } from '../../src/supply-chain/operation';
import { artifactTag, readBundles, readLayers } from '../../src/supply-chain/store';
import { verifyDigest } from '../../src/supply-chain/verify';
import { readVerifyPolicy } from '../../src/supply-chain/inputs';
import { Inputs } from '../../src/common/inputs';
import type { Reporter } from '../../src/common/reporter';
import { LocalRunner } from '../../src/command/local-runner';
import { labConnectionOptions, runCli } from '../helpers/cli';
import { runCosign, statementOf, verifyArgs, verifyTestResultArgs } from '../helpers/cosign';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { psOnHost } from '../helpers/lab-host';
import { pushImage, unique } from '../helpers/oci';
import { type ReferrersRegistry, startReferrersRegistry } from '../helpers/referrers-registry';
import { runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { buildFixtureApp, publishFixtureApp, type LabHost } from '../lab/lab';
import { logLine, registryLog } from '../helpers/registry-log';
import { awaitJudges } from '../helpers/judges';

const lab = inject('lab');
const tools = inject('tools');
awaitJudges();
const { staging, production } = lab.registries;
const prodCreds = { username: production.username as string, password: production.password as string };
const stagingClient = new RegistryClient(staging.host, { anonymous: true });
const prodClient = new RegistryClient(production.host, { credentials: prodCreds });
const PASSWORD = `pw-${unique()}`;
const RUN = 'https://github.com/shop/web/actions/runs/2727';
const ID = unique();
const SERVICE = `test-bundle-${ID}`;
const host = lab.hosts[0] as LabHost;

const lines: string[] = [];
const report = {
  info: (l: string) => lines.push(l),
  warning: (l: string) => lines.push(l),
} as unknown as Reporter;

let keyDir = '';
let dockerConfig = '';
let api: ReferrersRegistry;
let apiClient: RegistryClient;
let slipwayKey: SigningKey; // cosign.key, made by cosign v3
const pub = (name: string) => readFileSync(join(keyDir, name), 'utf8');
const passed = { exitCode: 0, passedTests: ['shop.cart'], failedTests: [], command: './t.sh', url: RUN };

const cosign3 = (args: readonly string[], env: Record<string, string> = {}) =>
  runCosign(tools['cosign-v3'] as string, keyDir, args, { DOCKER_CONFIG: dockerConfig, ...env });
const cosign2 = (args: readonly string[], env: Record<string, string> = {}) =>
  runCosign(tools.cosign as string, keyDir, args, { DOCKER_CONFIG: dockerConfig, ...env });

/** cosign v3 signs `ref` with `key` (offline: a signing config without a log). */
async function cosignSign(ref: string, key = 'cosign.key') {
  const run = await cosign3(['sign', '--key', key, '--signing-config', 'sc.json', '-y', ref], {
    COSIGN_PASSWORD: PASSWORD,
  });
  expect(run.code, run.stderr).toBe(0);
}

/** cosign v3 attests a test result (PASSED unless said) for `ref`. */
async function cosignAttest(ref: string, result = 'PASSED', key = 'cosign.key') {
  const file = `predicate-${unique()}.json`;
  writeFileSync(
    join(keyDir, file),
    JSON.stringify({
      result,
      url: RUN,
      passedTests: ['a', 'b'],
      failedTests: result === 'PASSED' ? [] : ['c'],
    }),
  );
  const run = await cosign3(
    [
      'attest',
      '--key',
      key,
      '--signing-config',
      'sc.json',
      '-y',
      '--type',
      TEST_RESULT_PREDICATE,
      '--predicate',
      file,
      ref,
    ],
    { COSIGN_PASSWORD: PASSWORD },
  );
  expect(run.code, run.stderr).toBe(0);
}

async function image(client: RegistryClient, repo: string, tag = 'v1', seed = `${repo}-${tag}`) {
  return (await pushImage(client, repo, { seed, layers: 1, layerSize: 20_000, tag })).digest;
}

const policy = (key = 'cosign.pub', attestations: string[] = [TEST_RESULT_PREDICATE]) => ({
  keys: parsePublicKeys(pub(key)),
  attestations,
});

beforeAll(async () => {
  keyDir = tempDir('bundle-keys', { secret: true });
  dockerConfig = tempDir('bundle-docker-config', { secret: true });
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
  api = await startReferrersRegistry();
  apiClient = new RegistryClient(api.host, { anonymous: true });
  for (const prefix of ['cosign', 'other']) {
    const made = await cosign3(['generate-key-pair', '--output-key-prefix', prefix], {
      COSIGN_PASSWORD: PASSWORD,
    });
    expect(made.code, made.stderr).toBe(0);
  }
  const config = await cosign3(['signing-config', 'create', '--out', 'sc.json']);
  expect(config.code, config.stderr).toBe(0);
  slipwayKey = parsePrivateKey(pub('cosign.key'), PASSWORD);
}, 120_000);

afterAll(async () => {
  await api?.stop();
});

const REGISTRIES = [
  ['docker-registry 2.8 (fallback tag)', () => ({ client: stagingClient, host: staging.host })],
  ['the referrers API', () => ({ client: apiClient, host: api.host })],
] as const;

describe('Slipway verifies what cosign v3 signs and attests', () => {
  for (const [name, where] of REGISTRIES) {
    it(`${name}: the bundles count, in the same policy as legacy; another key does not`, async () => {
      const { client, host: registry } = where();
      const repo = `test-bundle/v3-${unique()}`;
      const digest = await image(client, repo);
      const ref = `${registry}/${repo}@${digest}`;
      await cosignSign(ref);
      await cosignAttest(ref);
      // cosign v3 wrote bundles as referrers, no legacy tag.
      expect(await client.headManifest(repo, artifactTag(digest, 'sig'))).toBeUndefined();
      const found = await readBundles(client, repo, digest);
      expect(found.through).toBe(client === stagingClient ? 'fallback-tag' : 'referrers-api');
      expect(found.bundles.map((b) => b.predicateType).sort()).toEqual(
        [COSIGN_SIGN_PREDICATE, TEST_RESULT_PREDICATE].sort(),
      );
      if (client === stagingClient)
        expect(await client.headManifest(repo, fallbackTag(digest))).toBeDefined();

      const v = await verifyDigest(client, repo, digest, policy());
      expect(v.problems).toEqual([]);
      expect(v.ok).toBe(true);
      expect(v.signatures).toMatchObject([{ format: 'bundle', fingerprint: slipwayKey.fingerprint }]);
      expect(v.tests).toMatchObject({ result: 'PASSED', passed: 2, failed: 0, url: RUN });
      expect(v.ignored).toEqual([]);

      const wrong = await verifyDigest(client, repo, digest, policy('other.pub'));
      expect(wrong.ok).toBe(false);
      expect(wrong.problems.join('\n')).toMatch(
        /no valid signature by verify-key sha256:[0-9a-f]{12} \(found a bundle by another key \(key hint [A-Za-z0-9+/=]+, or altered after signing\) at sha256:[0-9a-f]{64}/,
      );
    }, 120_000);
  }

  it('a FAILED test result attested by cosign v3 is refused, saying what it says', async () => {
    const repo = `test-bundle/failed-${unique()}`;
    const digest = await image(stagingClient, repo);
    const ref = `${staging.host}/${repo}@${digest}`;
    await cosignSign(ref);
    await cosignAttest(ref, 'FAILED');
    const v = await verifyDigest(stagingClient, repo, digest, policy());
    expect(v.ok).toBe(false);
    expect(v.problems).toEqual([
      `no passing test-result attestation: the signed one says FAILED (2 passed, 1 failed, ${RUN})`,
    ]);
  }, 120_000);
});

describe('cosign v3 verifies what Slipway signs (bundles, the default)', () => {
  for (const [name, where] of REGISTRIES) {
    it(`${name}: verify and verify-attestation accept it, another key is refused, a rerun adds nothing`, async () => {
      const { client, host: registry } = where();
      const repo = `test-bundle/slipway-${unique()}`;
      const digest = await image(client, repo);
      const ref = `${registry}/${repo}@${digest}`;
      const signed = await signAndAttest(client, repo, digest, slipwayKey, passed, report);
      expect(signed.signature).toMatch(new RegExp(`^${registry}/${repo}@sha256:[0-9a-f]{64}$`));
      expect(await client.headManifest(repo, artifactTag(digest, 'sig'))).toBeUndefined();
      expect(await client.headManifest(repo, artifactTag(digest, 'att'))).toBeUndefined();

      const verified = await cosign3(verifyArgs(ref));
      expect(verified.code, verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout)[0].critical.image['docker-manifest-digest']).toBe(digest);
      const attested = await cosign3(verifyTestResultArgs(ref));
      expect(attested.code, attested.stderr).toBe(0);
      const statement = statementOf(attested.stdout);
      expect(statement.subject[0]?.digest.sha256).toBe(digest.slice(7));
      expect(statement.predicate).toMatchObject({ result: 'PASSED', url: RUN, failedTests: [] });
      // The judge can say no.
      const wrong = await cosign3(verifyArgs(ref, 'other.pub'));
      expect(wrong.code).not.toBe(0);

      // Two referrers (the registry's list says bundle, or the empty config's type for the API's).
      const before = await findReferrers(client, repo, digest);
      expect(before.entries).toHaveLength(2);
      expect((await readBundles(client, repo, digest)).bundles).toHaveLength(2);
      const again = await signAndAttest(client, repo, digest, slipwayKey, passed, report);
      expect(again).toEqual(signed);
      // The same referrers (the API's list comes in no set order).
      const digests = (entries: ReadonlyArray<{ digest: string }>) => entries.map((e) => e.digest).sort();
      expect(digests((await findReferrers(client, repo, digest)).entries)).toEqual(digests(before.entries));
    }, 180_000);
  }

  it("on the fallback tag, cosign v3's own bundles are kept: Slipway's are merged after them, both verify", async () => {
    const repo = `test-bundle/merge-${unique()}`;
    const digest = await image(stagingClient, repo);
    const ref = `${staging.host}/${repo}@${digest}`;
    await cosignSign(ref, 'other.key');
    const theirs = (await findReferrers(stagingClient, repo, digest)).entries;
    expect(theirs).toHaveLength(1);
    await signAndAttest(stagingClient, repo, digest, slipwayKey, passed, report);
    const merged = (await findReferrers(stagingClient, repo, digest)).entries;
    expect(merged).toHaveLength(3);
    expect(merged[0]).toEqual(theirs[0]);
    for (const key of ['cosign.pub', 'other.pub']) {
      const judged = await cosign3(verifyArgs(ref, key));
      expect(judged.code, `${key}: ${judged.stderr}`).toBe(0);
    }
    const both = await verifyDigest(stagingClient, repo, digest, {
      keys: parsePublicKeys(`${pub('cosign.pub')}\n${pub('other.pub')}`),
      attestations: [TEST_RESULT_PREDICATE],
    });
    expect(both.ok).toBe(true);
    expect(both.signatures).toHaveLength(2);
  }, 180_000);
});

describe('the legacy format still works both ways', () => {
  it('signature-format legacy: .sig/.att tags, no referrer; cosign v2 and cosign v3 verify them', async () => {
    const repo = `test-bundle/legacy-${unique()}`;
    const digest = await image(stagingClient, repo);
    const ref = `${staging.host}/${repo}@${digest}`;
    const signed = await signAndAttest(stagingClient, repo, digest, slipwayKey, passed, report, 'legacy');
    expect(signed.signature).toBe(`${staging.host}/${repo}:${artifactTag(digest, 'sig')}`);
    expect(await readLayers(stagingClient, repo, digest, 'att')).toHaveLength(1);
    expect((await findReferrers(stagingClient, repo, digest)).entries).toEqual([]);
    for (const [judge, run] of [
      ['cosign v2', cosign2],
      ['cosign v3', cosign3],
    ] as const) {
      const verified = await run(verifyArgs(ref));
      expect(verified.code, `${judge}: ${verified.stderr}`).toBe(0);
      const attested = await run(verifyTestResultArgs(ref));
      expect(attested.code, `${judge}: ${attested.stderr}`).toBe(0);
    }
    const v = await verifyDigest(stagingClient, repo, digest, policy());
    expect(v.ok).toBe(true);
    expect(v.signatures).toMatchObject([{ format: 'legacy' }]);
  }, 180_000);

  it('what cosign v2 signs and attests (legacy tags) verifies as before', async () => {
    const repo = `test-bundle/v2-${unique()}`;
    const digest = await image(stagingClient, repo);
    const ref = `${staging.host}/${repo}@${digest}`;
    const env = { COSIGN_PASSWORD: PASSWORD };
    writeFileSync(join(keyDir, 'v2-predicate.json'), JSON.stringify({ result: 'PASSED', failedTests: [] }));
    const sign = await cosign2(['sign', '--key', 'cosign.key', '--tlog-upload=false', '-y', ref], env);
    expect(sign.code, sign.stderr).toBe(0);
    const attest = await cosign2(
      [
        'attest',
        '--key',
        'cosign.key',
        '--tlog-upload=false',
        '-y',
        '--type',
        TEST_RESULT_PREDICATE,
        '--predicate',
        'v2-predicate.json',
        ref,
      ],
      env,
    );
    expect(attest.code, attest.stderr).toBe(0);
    const v = await verifyDigest(stagingClient, repo, digest, policy());
    expect(v.problems).toEqual([]);
    expect(v.signatures).toMatchObject([{ format: 'legacy' }]);
    expect(v.attestations).toMatchObject([{ format: 'legacy', predicateType: TEST_RESULT_PREDICATE }]);
  }, 120_000);
});

/** Adds to `target`'s referrers the test-result bundle referrer of `source`, re-pointed at `target`. */
async function copyAttestation(client: RegistryClient, repo: string, source: string, target: string) {
  // The fallback index cosign writes lists no annotations: each referrer manifest is read.
  const { entries } = await findReferrers(client, repo, source);
  const manifests = await Promise.all(entries.map((e) => client.getManifest(repo, e.digest)));
  const json = manifests
    .map((m) => JSON.parse(m.bytes.toString()))
    .find((m) => m.annotations?.['dev.sigstore.bundle.predicateType'] === TEST_RESULT_PREDICATE);
  expect(json).toBeDefined();
  const subject = await client.getManifest(repo, target);
  json.subject = { mediaType: subject.mediaType, digest: subject.digest, size: subject.size };
  const bytes = Buffer.from(JSON.stringify(json));
  await putManifestKeepingSubject(client, repo, {
    bytes,
    digest: sha256(bytes),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    size: bytes.length,
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

const promote = (repo: string, extra: Record<string, string> = {}) =>
  runBundle('promote-between-registries', {
    source: `${staging.host}/${repo}:v1`,
    destination: `${production.host}/${repo}`,
    'destination-username': prodCreds.username,
    'destination-password': prodCreds.password,
    'verify-key': pub('cosign.pub'),
    'require-attestations': 'test-result',
    ...extra,
  });

const deployInputs = (image: string, service = SERVICE) => ({
  hosts: `${host.address}:${host.sshPort}`,
  username: lab.ssh.user,
  'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  image,
  name: service,
  port: '8080',
  'health-path': '/health',
  'health-timeout': '30s',
  'registry-username': prodCreds.username,
  'registry-password': prodCreds.password,
  'verify-key': pub('cosign.pub'),
  'require-attestations': 'test-result',
});

/** What verification must refuse in bundles: how each case is made, and what the refusal says. */
const REFUSALS: Array<[string, (repo: string, digest: string) => Promise<void>, RegExp, RegExp?]> = [
  [
    'a cosign v3 bundle signed by another key',
    async (repo, digest) => {
      const ref = `${staging.host}/${repo}@${digest}`;
      await cosignSign(ref, 'other.key');
      await cosignAttest(ref, 'PASSED', 'other.key');
    },
    /no valid signature by verify-key sha256:[0-9a-f]{12} \(found a bundle by another key \(key hint /,
  ],
  [
    'a test-result bundle copied from another digest',
    async (repo, digest) => {
      await cosignSign(`${staging.host}/${repo}@${digest}`);
      const other = await image(stagingClient, repo, 'other');
      await cosignAttest(`${staging.host}/${repo}@${other}`);
      await copyAttestation(stagingClient, repo, other, digest);
    },
    /no valid test-result attestation by verify-key sha256:[0-9a-f]{12} \(found a bundle \(https:\/\/in-toto.io\/attestation\/test-result\/v0.1\) by sha256:[0-9a-f]{12} for another digest \(sha256:[0-9a-f]{64}\)/,
    /Ignored \(names another digest\) .*@sha256:[0-9a-f]{64}: a bundle \(https:\/\/in-toto.io\/attestation\/test-result\/v0.1\) by sha256:[0-9a-f]{12} for another digest/,
  ],
  [
    'an unsigned image',
    async () => {},
    /no signature \(nothing at sha256-[0-9a-f]{64}\.sig, no Sigstore bundle in the fallback tag sha256-[0-9a-f]{64}\)/,
  ],
];

describe('refusals: promote and deploy change nothing', () => {
  for (const [name, prepare, message, ignored] of REFUSALS) {
    it(`${name}: promotion refused, nothing copied; deploy refused before connecting`, async () => {
      const repo = `test-bundle/refuse-${unique()}`;
      const digest = await image(stagingClient, repo);
      await prepare(repo, digest);
      const run = await promote(repo);
      expect(run.exitCode, run.log).not.toBe(0);
      expect(run.log).toContain(`${staging.host}/${repo}@${digest} is not verified`);
      expect(run.log).toMatch(message);
      if (ignored) expect(run.log).toMatch(ignored);
      expect(run.log).toContain('nothing was changed');
      await expectNothingPromoted(repo, digest);

      const service = `test-bundle-refused-${unique()}`;
      const deploy = await runBundle('remote-deploy-ssh', {
        ...deployInputs(`${staging.host}/${repo}:v1`, service),
        'registry-username': '',
        'registry-password': '',
      });
      expect(deploy.exitCode, deploy.log).not.toBe(0);
      expect(deploy.log).toContain(`${staging.host}/${repo}@${digest} is not verified`);
      expect(deploy.log).toMatch(message);
      expect(deploy.log).not.toMatch(/Connecting to/);
      expect(
        await psOnHost(lab, host, [`dev.slipway.service=${service}`], '{{.Names}}', { all: true }),
      ).toEqual([]);
    }, 180_000);
  }

  it('a fallback-tag entry whose bundle names another digest is ignored and reported', async () => {
    const repo = `test-bundle/elsewhere-${unique()}`;
    const digest = await image(stagingClient, repo);
    const other = await image(stagingClient, repo, 'other');
    await cosignSign(`${staging.host}/${repo}@${other}`);
    // The other digest's index, copied under this digest's fallback tag.
    const index = await stagingClient.getManifest(repo, fallbackTag(other));
    await stagingClient.putManifest(repo, fallbackTag(digest), index);
    const v = await verifyDigest(stagingClient, repo, digest, policy('cosign.pub', []));
    expect(v.ok).toBe(false);
    expect(v.signatures).toEqual([]);
    expect(v.ignored).toEqual([
      expect.stringMatching(
        new RegExp(`@sha256:[0-9a-f]{64} \\(subject ${other}\\): a bundle referrer of another digest$`),
      ),
    ]);
  }, 120_000);
});

describe('what cosign v3 signed goes to production', () => {
  const afterLocalImage: string[] = [];
  afterAll(hostCleanup(lab, SERVICE, serviceCleanup(SERVICE)));
  // The fixture app was built in the lab's engine: its local tag goes.
  afterAll(async () => {
    for (const ref of afterLocalImage)
      await new LocalRunner().run({ argv: [lab.docker, 'rmi', ref] }).catch(() => {});
  });

  it('promote and deploy verify it (verify-key, require-attestations: test-result); cosign v3 verifies the copy; slipway verify and status say so', async () => {
    const repo = `test-bundle/shop-${ID}`;
    const ref = await publishFixtureApp(staging, repo, `bundle-${ID}`);
    afterLocalImage.push(ref);
    const built = await stagingClient.getManifest(repo, `bundle-${ID}`);
    await stagingClient.putManifest(repo, 'v1', built);
    const digest = built.digest;
    const at = `${staging.host}/${repo}@${digest}`;
    await cosignSign(at);
    await cosignAttest(at);

    const promoted = await promote(repo);
    expect(promoted.exitCode, promoted.log).toBe(0);
    expect(promoted.outputs.verified).toBe('true');
    expect(promoted.log).toMatch(/Verified .*signed by sha256:[0-9a-f]{12} \(Sigstore bundle /);
    expect(Number(promoted.outputs['referrers-copied'])).toBeGreaterThanOrEqual(2);
    const prodRef = `${production.host}/${repo}@${digest}`;
    const judged = await cosign3(verifyArgs(prodRef));
    expect(judged.code, judged.stderr).toBe(0);
    const judgedAttestation = await cosign3(verifyTestResultArgs(prodRef));
    expect(judgedAttestation.code, judgedAttestation.stderr).toBe(0);

    const dir = tempDir('bundle-cli', { secret: true });
    writeFileSync(join(dir, 'pub'), pub('cosign.pub'));
    writeFileSync(join(dir, 'other.pub'), pub('other.pub'));
    writeFileSync(join(dir, 'registry-password'), prodCreds.password);
    const verified = await runCli([
      'verify',
      `${production.host}/${repo}:v1`,
      '--verify-key-file',
      join(dir, 'pub'),
      '--require-attestations',
      'test-result',
      '--username',
      prodCreds.username,
      '--password-file',
      join(dir, 'registry-password'),
    ]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout + verified.stderr).toMatch(/Verified .*Sigstore bundle/);

    const deployed = await runBundle('remote-deploy-ssh', deployInputs(`${production.host}/${repo}:v1`));
    expect(deployed.exitCode, deployed.log).toBe(0);
    expect(deployed.outputs.digest).toBe(digest);
    expect(deployed.outputs.verified).toBe('true');
    expect(deployed.summary).toContain('PASSED: 2 passed, 0 failed');

    const statusArgs = (key: string) => [
      'status',
      ...labConnectionOptions(lab, host, SERVICE),
      '--verify-key-file',
      join(dir, key),
      '--require-attestations',
      'test-result',
      '--registry',
      production.host,
      '--registry-username',
      prodCreds.username,
      '--registry-password-file',
      join(dir, 'registry-password'),
    ];
    const status = await runCli(statusArgs('pub'));
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout + status.stderr).toContain(`verified: PASSED (2 passed, 0 failed) ${RUN}`);
    const refused = await runCli(statusArgs('other.pub'));
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('NOT VERIFIED: no valid signature by verify-key');
  }, 400_000);
});

describe('push-registry interrupted while it signs in bundles', () => {
  const afterLocalImage: string[] = [];
  afterAll(async () => {
    for (const ref of afterLocalImage)
      await new LocalRunner().run({ argv: [lab.docker, 'rmi', ref] }).catch(() => {});
  });

  it.each(['cancel', 'SIGKILL'] as const)(
    '%s the moment the signature is listed in the fallback tag: the post step and a rerun end with one signature and the attestation, cosign v3 verifies',
    async (how) => {
      const repo = `test-bundle/cut-${how.toLowerCase()}-${unique()}`;
      const ref = `${staging.host}/${repo}:v1`;
      await buildFixtureApp(`bundle-cut-${how.toLowerCase()}`, { tag: ref });
      afterLocalImage.push(ref);
      const reports = tempDir('bundle-cut-report');
      writeFileSync(
        join(reports, 'junit.xml'),
        '<testsuites><testsuite name="shop" tests="1" failures="0"><testcase classname="shop" name="cart"/></testsuite></testsuites>\n',
      );
      const inputs = {
        tags: ref,
        'sign-key': pub('cosign.key'),
        'sign-key-password': PASSWORD,
        'test-report': join(reports, 'junit.xml'),
        'test-command': './run-tests.sh',
      };
      const env = {
        SLIPWAY_DOCKER: lab.docker,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: 'shop/web',
        GITHUB_RUN_ID: '2727',
      };
      // Seen from the registry: the fallback tag written once (the signature listed, no attestation yet).
      const stored = logLine(
        registryLog('staging'),
        new RegExp(`"PUT /v2/${repo}/manifests/sha256-[0-9a-f]{64} HTTP/1\\.1" 201`),
      );
      const interrupted = await runBundle('push-registry', inputs, {
        env,
        interrupt: stored.then(() => how),
      });
      await stored;
      expect(interrupted.exitCode).not.toBe(0);
      expect(interrupted.log).toMatch(/Signed .*@sha256:/);
      expect(interrupted.log).not.toMatch(/Attested/);
      const post = await runBundle('push-registry', inputs, { env, state: interrupted.state });
      expect(post.exitCode, post.log).toBe(0);
      const rerun = await runBundle('push-registry', inputs, { env });
      expect(rerun.exitCode, rerun.log).toBe(0);
      expect(rerun.log).toMatch(/Already signed by this key/);
      for (const run of [interrupted, post, rerun]) expect(run.log).not.toContain(PASSWORD);
      const digest = rerun.outputs.digest as string;
      const found = await readBundles(stagingClient, repo, digest);
      expect(found.bundles.map((b) => b.predicateType).sort()).toEqual(
        [COSIGN_SIGN_PREDICATE, TEST_RESULT_PREDICATE].sort(),
      );
      const at = `${staging.host}/${repo}@${digest}`;
      const verified = await cosign3(verifyArgs(at));
      expect(verified.code, verified.stderr).toBe(0);
      const attested = await cosign3(verifyTestResultArgs(at));
      expect(attested.code, attested.stderr).toBe(0);
    },
    300_000,
  );
});

/**
 * A Fulcio-like certificate authority made here with openssl (no public service): a CA, and a leaf
 * certificate for `identity` with the Sigstore OID extensions naming `issuer`, its key imported into
 * cosign's format; the trust root made by cosign trusted-root create.
 */
function testCertificateAuthority(dir: string, identity: string, issuer: string) {
  const hex = Buffer.from(issuer).toString('hex');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      'O = slipway-test',
      'CN = slipway test fulcio',
      '[ca_ext]',
      'basicConstraints = critical, CA:TRUE',
      'keyUsage = critical, keyCertSign, cRLSign',
      'subjectKeyIdentifier = hash',
      '[leaf_ext]',
      'basicConstraints = critical, CA:FALSE',
      'keyUsage = critical, digitalSignature',
      'extendedKeyUsage = codeSigning',
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
      `subjectAltName = critical, URI:${identity}`,
      `1.3.6.1.4.1.57264.1.1 = DER:${hex}`,
      `1.3.6.1.4.1.57264.1.8 = ASN1:UTF8String:${issuer}`,
      '',
    ].join('\n'),
  );
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.ec');
  openssl(
    'req',
    '-new',
    '-x509',
    '-key',
    'ca.ec',
    '-out',
    'ca.pem',
    '-days',
    '30',
    '-config',
    'ca.cnf',
    '-extensions',
    'ca_ext',
  );
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'leaf.ec');
  openssl('pkcs8', '-topk8', '-nocrypt', '-in', 'leaf.ec', '-out', 'leaf.p8');
  openssl('req', '-new', '-key', 'leaf.p8', '-subj', '/O=slipway-test', '-out', 'leaf.csr');
  openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.ec',
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    'ca.cnf',
    '-extensions',
    'leaf_ext',
    '-out',
    'leaf.pem',
  );
}

describe('keyless: a certificate from a trust root, an identity policy (offline, a test CA)', () => {
  const IDENTITY = 'https://github.com/shop/web/.github/workflows/release.yml@refs/heads/main';
  const ISSUER = 'https://token.actions.githubusercontent.com';
  const keyless = (over: Record<string, string> = {}) => ({
    'trusted-root': pub('trusted-root.json'),
    'certificate-identity': IDENTITY,
    'certificate-oidc-issuer': ISSUER,
    'require-transparency-log': 'false',
    ...over,
  });

  beforeAll(async () => {
    testCertificateAuthority(keyDir, IDENTITY, ISSUER);
    const imported = await cosign3(['import-key-pair', '--key', 'leaf.p8', '--output-key-prefix', 'leaf'], {
      COSIGN_PASSWORD: PASSWORD,
    });
    expect(imported.code, imported.stderr).toBe(0);
    const root = await cosign3([
      'trusted-root',
      'create',
      '--fulcio',
      'url=https://fulcio.test,certificate-chain=ca.pem',
      '--out',
      'trusted-root.json',
    ]);
    expect(root.code, root.stderr).toBe(0);
  }, 120_000);

  /** cosign v3 signs and attests `ref` with the leaf key and its certificate. */
  async function signKeyless(ref: string) {
    const env = { COSIGN_PASSWORD: PASSWORD };
    const cert = ['--key', 'leaf.key', '--certificate', 'leaf.pem', '--signing-config', 'sc.json', '-y'];
    const sign = await cosign3(['sign', ...cert, ref], env);
    expect(sign.code, sign.stderr).toBe(0);
    writeFileSync(
      join(keyDir, 'keyless-predicate.json'),
      JSON.stringify({ result: 'PASSED', url: RUN, passedTests: ['a'], failedTests: [] }),
    );
    const attest = await cosign3(
      ['attest', ...cert, '--type', TEST_RESULT_PREDICATE, '--predicate', 'keyless-predicate.json', ref],
      env,
    );
    expect(attest.code, attest.stderr).toBe(0);
  }

  const judge = (ref: string, identity = IDENTITY) =>
    cosign3([
      'verify',
      '--trusted-root',
      'trusted-root.json',
      '--certificate-identity',
      identity,
      '--certificate-oidc-issuer',
      ISSUER,
      '--insecure-ignore-tlog=true',
      '--insecure-ignore-sct=true',
      ref,
    ]);

  it('promotes what the identity signed and attested (cosign v3 agrees), refuses another identity, copying nothing', async () => {
    const repo = `test-bundle/keyless-${unique()}`;
    const digest = await image(stagingClient, repo);
    await signKeyless(`${staging.host}/${repo}@${digest}`);
    const accepted = await judge(`${staging.host}/${repo}@${digest}`);
    expect(accepted.code, accepted.stderr).toBe(0);
    const other = 'https://github.com/shop/web/.github/workflows/pr.yml@refs/pull/1/merge';
    expect((await judge(`${staging.host}/${repo}@${digest}`, other)).code).not.toBe(0);

    const refused = await promote(repo, { 'verify-key': '', ...keyless({ 'certificate-identity': other }) });
    expect(refused.exitCode, refused.log).not.toBe(0);
    expect(refused.log).toContain(`${staging.host}/${repo}@${digest} is not verified`);
    expect(refused.log).toContain(`no valid signature by certificate-identity ${other} (issuer ${ISSUER})`);
    expect(refused.log).toContain(
      `a keyless bundle (certificate for ${IDENTITY}, issuer ${ISSUER}) refused: certificate identity error - expected ${other}, got ${IDENTITY}`,
    );
    await expectNothingPromoted(repo, digest);
    const noLog = await promote(repo, {
      'verify-key': '',
      ...keyless({ 'require-transparency-log': 'true' }),
    });
    expect(noLog.exitCode, noLog.log).not.toBe(0);
    expect(noLog.log).toContain(
      'refused: it has no transparency-log entry (require-transparency-log is true)',
    );
    await expectNothingPromoted(repo, digest);

    const promoted = await promote(repo, { 'verify-key': '', ...keyless() });
    expect(promoted.exitCode, promoted.log).toBe(0);
    expect(promoted.outputs.verified).toBe('true');
    expect(promoted.summary).toContain(`${IDENTITY} (${ISSUER})`);
    expect(promoted.summary).toContain('PASSED: 1 passed, 0 failed');
    const atProduction = await judge(`${production.host}/${repo}@${digest}`);
    expect(atProduction.code, atProduction.stderr).toBe(0);
  }, 180_000);

  it('on the referrers API too; a key policy beside it still accepts the key-signed image', async () => {
    const repo = `test-bundle/keyless-api-${unique()}`;
    const digest = await image(apiClient, repo);
    await signKeyless(`${api.host}/${repo}@${digest}`);
    const policyOf = (over: Record<string, string> = {}) => {
      const values: Record<string, string> = {
        'verify-key': pub('cosign.pub'),
        'require-attestations': 'test-result',
        ...keyless(over),
      };
      return readVerifyPolicy(new Inputs((n) => values[n])) as NonNullable<
        ReturnType<typeof readVerifyPolicy>
      >;
    };
    const v = await verifyDigest(apiClient, repo, digest, policyOf());
    expect(v.problems).toEqual([]);
    expect(v.signatures).toMatchObject([{ format: 'bundle', fingerprint: `${IDENTITY} (${ISSUER})` }]);
    const wrong = await verifyDigest(
      apiClient,
      repo,
      digest,
      policyOf({ 'certificate-oidc-issuer': 'https://accounts.google.com' }),
    );
    expect(wrong.ok).toBe(false);
    expect(wrong.problems[0]).toMatch(
      /no valid signature by verify-key sha256:[0-9a-f]{12} or certificate-identity .* \(issuer https:\/\/accounts.google.com\) \(found a keyless bundle \(certificate for .*\) refused: invalid certificate extension/,
    );
  }, 120_000);
});
