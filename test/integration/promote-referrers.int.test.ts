/**
 * Signatures, attestations, SBOMs and OCI 1.1 referrers travel with a promoted image, between a
 * registry with the referrers API (test/lab/referrers-registry, go-containerregistry's registry)
 * and the lab's Debian docker-registry 2.8 (no API: the sha256-<hex> fallback tag), in all four
 * directions. Made with cosign and regctl at the source; judged only with cosign, regctl and crane
 * at the destination.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { clientsFor } from '../../src/promote-between-registries/inputs';
import { parseReference } from '../../src/common/reference';
import { type PromoteOptions, type PromoteResult, promote } from '../../src/promote-between-registries/copy';
import { pushIndex, unique } from '../helpers/oci';
import { RegistryClient, MEDIA_TYPES } from '../../src/registry/client';
import { type ReferrersRegistry, startReferrersRegistry } from '../helpers/referrers-registry';
import { tempDir } from '../helpers/temp';
import { PROMOTE_DEFAULTS } from '../helpers/promote-options';
import { runBundle } from '../helpers/run-bundle';
import { writePromotionRecord } from '../../src/promote-between-registries/record';
import { PROMOTION_ARTIFACT_TYPE, readPromotions } from '../../src/supply-chain/promotion';
import { awaitJudges } from '../helpers/judges';

const tools = inject('tools');
awaitJudges();
const lab = inject('lab');
const { staging, production } = lab.registries;
const prodCreds = { username: production.username as string, password: production.password as string };

const OPTIONS = PROMOTE_DEFAULTS;

const home = tempDir('referrers-home', { secret: true });
const env = {
  ...process.env,
  HOME: home,
  DOCKER_CONFIG: join(home, 'docker'),
  REGCTL_CONFIG: join(home, 'regctl.json'),
  COSIGN_PASSWORD: 'slipway-test-cosign',
};
const HTTP = ['--allow-insecure-registry', '--allow-http-registry'];

function run(tool: string, args: readonly string[], cwd = home) {
  const path = tools[tool] ?? tool;
  return spawnSync(path, args, { env, cwd, encoding: 'utf8', timeout: 120_000 });
}

function ok(tool: string, args: readonly string[], cwd = home): string {
  const res = run(tool, args, cwd);
  if (res.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  return res.stdout.trim();
}

const keyDir = (name: string) => join(home, `key-${name}`);
const sign = (key: string, ref: string) =>
  ok('cosign', [
    'sign',
    '--key',
    join(keyDir(key), 'cosign.key'),
    '--tlog-upload=false',
    '--yes',
    ...HTTP,
    ref,
  ]);
const verify = (key: string, ref: string) =>
  run('cosign', [
    'verify',
    '--key',
    join(keyDir(key), 'cosign.pub'),
    '--insecure-ignore-tlog=true',
    ...HTTP,
    ref,
  ]);
const verifyAttestation = (key: string, ref: string) =>
  run('cosign', [
    'verify-attestation',
    '--key',
    join(keyDir(key), 'cosign.pub'),
    '--type',
    'slsaprovenance',
    '--insecure-ignore-tlog=true',
    ...HTTP,
    ref,
  ]);
const craneDigest = (ref: string) => ok('crane', ['digest', '--insecure', ref]);
/**
 * The referrers regctl lists for ref: digest, and the promotion source annotation of Slipway's
 * promotion records (go-containerregistry's registry lists their artifactType as the config's).
 */
const listed = (ref: string) =>
  ok('regctl', [
    'artifact',
    'list',
    ref,
    '--format',
    '{{range .Descriptors}}{{println .Digest (index .Annotations "dev.slipway.promotion.source")}}{{end}}',
  ])
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [digest, source] = line.split(' ');
      return { digest: digest as string, promotion: Boolean(source) };
    });
/** The referrers regctl lists for ref (digests, sorted), promotion records apart (they stay where written). */
const artifactList = (ref: string) =>
  listed(ref)
    .filter((r) => !r.promotion)
    .map((r) => r.digest)
    .sort();
/** The promotion records regctl lists for ref (digests, sorted). */
const promotionList = (ref: string) =>
  listed(ref)
    .filter((r) => r.promotion)
    .map((r) => r.digest)
    .sort();
const hexOf = (digest: string) => digest.replace('sha256:', '');

interface SignedImage {
  host: string;
  repo: string;
  digest: string;
  /** The .att manifest (itself signed: a signature of an attestation). */
  attestation: string;
  /** The OCI 1.1 artifact regctl attached with --subject. */
  artifact: string;
}

/** A real (crane-built) image, signed, attested, the attestation signed, an OCI referrer and a cosign SBOM attached. */
async function signedImage(host: string, label: string): Promise<SignedImage> {
  const repo = `referrers/${label}-${unique()}`;
  const dir = tempDir('referrers-files');
  writeFileSync(join(dir, `file-${label}.txt`), `content ${label} ${unique()}\n`);
  const tar = join(dir, 'layer.tar');
  spawnSync('tar', ['cf', tar, '-C', dir, `file-${label}.txt`]);
  ok('crane', ['append', '--insecure', '-f', tar, '-t', `${host}/${repo}:v1`]);
  const digest = craneDigest(`${host}/${repo}:v1`);
  const ref = `${host}/${repo}@${digest}`;
  sign('a', ref);
  writeFileSync(
    join(dir, 'predicate.json'),
    JSON.stringify({ buildType: 'slipway-test', builder: { id: label } }),
  );
  ok('cosign', [
    'attest',
    '--key',
    join(keyDir('a'), 'cosign.key'),
    '--predicate',
    join(dir, 'predicate.json'),
    '--type',
    'slsaprovenance',
    '--tlog-upload=false',
    '--yes',
    ...HTTP,
    ref,
  ]);
  const attestation = craneDigest(`${host}/${repo}:sha256-${hexOf(digest)}.att`);
  sign('a', `${host}/${repo}@${attestation}`);
  writeFileSync(join(dir, 'sbom.json'), JSON.stringify({ spdxVersion: 'SPDX-2.3', name: label }));
  ok('regctl', [
    'artifact',
    'put',
    '--subject',
    ref,
    '--artifact-type',
    'application/vnd.example.sbom+json',
    '--file',
    join(dir, 'sbom.json'),
    '--file-media-type',
    'application/json',
  ]);
  const [artifact] = artifactList(ref);
  ok('cosign', ['attach', 'sbom', '--sbom', join(dir, 'sbom.json'), '--type', 'spdx', ...HTTP, ref]);
  return { host, repo, digest, attestation, artifact: artifact as string };
}

function clients(destination: string) {
  return clientsFor({
    pairs: [],
    options: OPTIONS,
    ...(destination === production.host && { destinationCredentials: prodCreds }),
    insecure: [],
  });
}

async function promoteTo(
  image: SignedImage,
  host: string,
  repo: string,
  options: Partial<PromoteOptions> = {},
  reference = `:v1`,
  tags = ['v1'],
): Promise<PromoteResult> {
  return promote(
    [
      {
        source: parseReference(`${image.host}/${image.repo}${reference}`),
        destination: parseReference(`${host}/${repo}`, { repositoryOnly: true }),
        tags,
      },
    ],
    clients(host),
    { ...OPTIONS, ...options },
  );
}

/** What every destination must show, judged by the outside tools only. */
function expectEverythingThere(image: SignedImage, host: string, repo: string): void {
  const ref = `${host}/${repo}@${image.digest}`;
  const verified = verify('a', ref);
  expect(verified.status, verified.stderr).toBe(0);
  const attested = verifyAttestation('a', ref);
  expect(attested.status, attested.stderr).toBe(0);
  const attSigned = verify('a', `${host}/${repo}@${image.attestation}`);
  expect(attSigned.status, attSigned.stderr).toBe(0);
  expect(artifactList(ref)).toEqual(artifactList(`${image.host}/${image.repo}@${image.digest}`));
  expect(artifactList(ref)).toContain(image.artifact);
  expect(craneDigest(`${host}/${repo}:sha256-${hexOf(image.digest)}.sbom`)).toBe(
    craneDigest(`${image.host}/${image.repo}:sha256-${hexOf(image.digest)}.sbom`),
  );
  const valid = run('crane', ['validate', '--insecure', '--remote', ref]);
  expect(valid.status, valid.stderr).toBe(0);
}

let api: ReferrersRegistry;
let api2: ReferrersRegistry;
const images: Record<string, SignedImage> = {};

beforeAll(async () => {
  [api, api2] = await Promise.all([startReferrersRegistry(), startReferrersRegistry()]);
  mkdirSync(join(home, 'docker'), { recursive: true });
  writeFileSync(
    join(home, 'docker', 'config.json'),
    JSON.stringify({
      auths: {
        [production.host]: {
          auth: Buffer.from(`${prodCreds.username}:${prodCreds.password}`).toString('base64'),
        },
      },
    }),
  );
  for (const host of [staging.host, production.host, api.host, api2.host])
    ok('regctl', ['registry', 'set', '--tls', 'disabled', host]);
  for (const key of ['a', 'b', 'c']) {
    mkdirSync(keyDir(key));
    ok('cosign', ['generate-key-pair'], keyDir(key));
  }
  images.api = await signedImage(api.host, 'api');
  images.fallback = await signedImage(staging.host, 'fallback');
}, 300_000);

afterAll(async () => {
  await Promise.all([api?.stop(), api2?.stop()]);
});

describe('the sources as the tools made them', () => {
  it('the referrers registry keeps the OCI referrer in its API, docker-registry 2.8 in the fallback tag', () => {
    const apiImage = images.api as SignedImage;
    const fallbackImage = images.fallback as SignedImage;
    expect(
      run('crane', [
        'digest',
        '--insecure',
        `${apiImage.host}/${apiImage.repo}:sha256-${hexOf(apiImage.digest)}`,
      ]).status,
    ).not.toBe(0);
    expect(
      craneDigest(`${fallbackImage.host}/${fallbackImage.repo}:sha256-${hexOf(fallbackImage.digest)}`),
    ).toMatch(/^sha256:/);
  });
});

describe.each([
  ['referrers API', 'referrers API', 'api', () => api2.host],
  ['referrers API', 'fallback tag (docker-registry 2.8)', 'api', () => production.host],
  ['fallback tag (docker-registry 2.8)', 'referrers API', 'fallback', () => api2.host],
  [
    'fallback tag (docker-registry 2.8)',
    'fallback tag (docker-registry 2.8)',
    'fallback',
    () => production.host,
  ],
])('%s → %s', (_from, _to, which, destinationHost) => {
  const repo = `referrers/promoted-${which}-${unique()}`;

  it('carries every signature, attestation, SBOM and OCI referrer; a rerun writes none', async () => {
    const image = images[which] as SignedImage;
    const host = destinationHost();
    const result = await promoteTo(image, host, repo);
    // .sig, .att, .sbom, the attestation's .sig, the OCI artifact
    expect(result.referrers.map((r) => r.type).sort()).toEqual(
      [
        'application/vnd.example.sbom+json',
        'cosign SBOM',
        'cosign attestation',
        'cosign signature',
        'cosign signature',
      ].sort(),
    );
    expect(result.referrersCopied).toBe(5);
    expectEverythingThere(image, host, repo);

    const again = await promoteTo(image, host, repo);
    expect(again.referrersCopied).toBe(0);
    expect(again.blobsCopied).toBe(0);
    expect(again.referrers.every((r) => r.action === 'present')).toBe(true);
    expectEverythingThere(image, host, repo);
  });
});

describe('plans, opting out, by digest, and signatures only the destination has', () => {
  it('a dry run lists the referrers and writes nothing', async () => {
    const image = images.api as SignedImage;
    const repo = `referrers/dry-${unique()}`;
    const result = await promoteTo(image, production.host, repo, { dryRun: true });
    expect(result.referrers).toHaveLength(5);
    expect(result.referrers.every((r) => r.action === 'copy')).toBe(true);
    expect(result.referrers.map((r) => r.digest)).toContain(image.artifact);
    expect(result.referrersCopied).toBe(0);
    expect(result.referrersToCopy).toBe(5);
    expect(run('crane', ['ls', '--insecure', `${production.host}/${repo}`]).stdout.trim()).toBe('');
  });

  it('referrers: false copies the image only', async () => {
    const image = images.fallback as SignedImage;
    const repo = `referrers/none-${unique()}`;
    const result = await promoteTo(image, api2.host, repo, { referrers: false });
    expect(result.referrers).toHaveLength(0);
    expect(result.referrersCopied).toBe(0);
    expect(verify('a', `${api2.host}/${repo}@${image.digest}`).status).not.toBe(0);
    expect(artifactList(`${api2.host}/${repo}@${image.digest}`)).toEqual([]);
  });

  it('an untagged OCI referrer promoted by its digest is listed for its subject at a fallback registry', async () => {
    const image = images.api as SignedImage;
    const repo = `referrers/by-digest-${unique()}`;
    const result = await promoteTo(image, production.host, repo, {}, `@${image.artifact}`, []);
    expect(result.images[0]?.digest).toBe(image.artifact);
    expect(artifactList(`${production.host}/${repo}@${image.digest}`)).toEqual([image.artifact]);
    // --fast: every layer there, config and manifest digests right. (The full check counts only tar
    // layers against diff_ids, so it refuses every cosign .sig, cosign's own included.)
    const valid = run('crane', [
      'validate',
      '--fast',
      '--insecure',
      '--remote',
      `${production.host}/${repo}@${image.artifact}`,
    ]);
    expect(valid.status, valid.stderr).toBe(0);
  });

  it('merges a .sig that differs at the destination: signatures made only there are kept', async () => {
    const image = await signedImage(api.host, 'merge');
    const repo = `referrers/merge-${unique()}`;
    await promoteTo(image, production.host, repo);
    const dst = `${production.host}/${repo}@${image.digest}`;
    sign('b', dst); // production's own approval signature, appended to its .sig
    sign('c', `${image.host}/${image.repo}@${image.digest}`); // a later signature at the source
    const result = await promoteTo(image, production.host, repo);
    const sig = result.referrers.find((r) => r.tag === `sha256-${hexOf(image.digest)}.sig`);
    expect(sig?.action).toBe('merge');
    expect(result.referrersCopied).toBe(1);
    for (const key of ['a', 'b', 'c']) {
      const verified = verify(key, dst);
      expect(verified.status, `key ${key}: ${verified.stderr}`).toBe(0);
    }
    // --fast: every layer there, config and manifest digests right. (The full check counts only tar
    // layers against diff_ids, so it refuses every cosign .sig, cosign's own included.)
    const valid = run('crane', [
      'validate',
      '--fast',
      '--insecure',
      '--remote',
      `${production.host}/${repo}:sha256-${hexOf(image.digest)}.sig`,
    ]);
    expect(valid.status, valid.stderr).toBe(0);
    const fullCheck = (host: string, repo: string) =>
      run('crane', [
        'validate',
        '--insecure',
        '--remote',
        `${host}/${repo}:sha256-${hexOf(image.digest)}.sig`,
      ]).status;
    expect(fullCheck(production.host, repo)).toBe(fullCheck(image.host, image.repo));
    // The destination now has every signature the source has: nothing more to write.
    expect((await promoteTo(image, production.host, repo)).referrersCopied).toBe(0);
  });

  it("keeps the referrers only the destination's fallback tag lists", async () => {
    const image = images.api as SignedImage;
    const repo = `referrers/keep-${unique()}`;
    await promoteTo(image, production.host, repo, { referrers: false });
    const dst = `${production.host}/${repo}@${image.digest}`;
    const dir = tempDir('referrers-files');
    writeFileSync(join(dir, 'note.json'), JSON.stringify({ approvedBy: 'production' }));
    ok('regctl', [
      'artifact',
      'put',
      '--subject',
      dst,
      '--artifact-type',
      'application/vnd.example.approval+json',
      '--file',
      join(dir, 'note.json'),
      '--file-media-type',
      'application/json',
    ]);
    const [theirs] = artifactList(dst);
    expect(theirs).toBeDefined();
    const result = await promoteTo(image, production.host, repo);
    expect(result.referrersCopied).toBe(5);
    expect(artifactList(dst)).toEqual([theirs, image.artifact].sort());
  });

  it('refuses a cosign tag at the destination that cannot be merged, naming it; no tag moves', async () => {
    const image = images.fallback as SignedImage;
    const repo = `referrers/conflict-${unique()}`;
    const sigTag = `sha256-${hexOf(image.digest)}.sig`;
    // Something that is not cosign's layout under the .sig tag: an image with a gzip tar layer.
    ok('crane', [
      'copy',
      '--insecure',
      `${image.host}/${image.repo}@${image.digest}`,
      `${production.host}/${repo}:${sigTag}`,
    ]);
    const before = craneDigest(`${production.host}/${repo}:${sigTag}`);
    await expect(promoteTo(image, production.host, repo)).rejects.toThrow(
      new RegExp(`${repo}:${sigTag} holds ${before}.*cannot be merged`),
    );
    expect(craneDigest(`${production.host}/${repo}:${sigTag}`)).toBe(before);
    expect(run('crane', ['digest', '--insecure', `${production.host}/${repo}:v1`]).status).not.toBe(0);
  });

  it('an index: the signatures of its platform images travel too', async () => {
    const image = images.fallback as SignedImage;
    const repo = `referrers/index-src-${unique()}`;
    const client = new RegistryClient(staging.host, { insecure: true, anonymous: true });
    // The signed image as the one child of an index, in a repository of its own.
    ok('crane', [
      'copy',
      '--insecure',
      `${image.host}/${image.repo}@${image.digest}`,
      `${staging.host}/${repo}:child`,
    ]);
    const manifest = await client.getManifest(repo, image.digest);
    await pushIndex(client, repo, 'v1', [
      {
        mediaType: MEDIA_TYPES.ociManifest,
        digest: image.digest,
        size: manifest.size,
        platform: { os: 'linux', architecture: 'amd64' },
      },
    ]);
    sign('a', `${staging.host}/${repo}@${image.digest}`);
    const indexImage = { ...image, repo };
    const dstRepo = `referrers/index-dst-${unique()}`;
    const result = await promoteTo(indexImage, api2.host, dstRepo);
    expect(result.referrers.map((r) => r.subject)).toContain(image.digest);
    const verified = verify('a', `${api2.host}/${dstRepo}@${image.digest}`);
    expect(verified.status, verified.stderr).toBe(0);
  });
});

describe('promotion records', () => {
  const RUN = (n: number) => `https://github.com/acme/shop/actions/runs/${n}`;
  const record = (n: number) => ({
    runUrl: RUN(n),
    actor: 'release-bot',
    now: () => new Date(Date.UTC(2026, 11, 1, n)),
  });
  /** Clients reading production (as a source too) with its credentials. */
  const allClients = () =>
    clientsFor({
      pairs: [],
      options: OPTIONS,
      sourceCredentials: prodCreds,
      destinationCredentials: prodCreds,
      insecure: [],
    });
  const hop = (from: string, to: string, n: number) =>
    promote(
      [
        {
          source: parseReference(`${from}:v1`),
          destination: parseReference(to, { repositoryOnly: true }),
          tags: ['v1'],
        },
      ],
      allClients(),
      { ...OPTIONS, record: record(n) },
    );

  it('each promotion leaves its record at its destination (API, then fallback tag, then API); none travels onward or counts as a referrer; a rerun adds none', async () => {
    const image = images.fallback as SignedImage;
    const at = (host: string, repo: string) => `${host}/${repo}@${image.digest}`;
    const source = `${image.host}/${image.repo}`;
    const one = `${api2.host}/referrers/record-1-${unique()}`;
    const two = `${production.host}/referrers/record-2-${unique()}`;
    const three = `${api.host}/referrers/record-3-${unique()}`;

    // 1. fallback-tag staging → referrers-API registry
    const first = await hop(source, one, 1);
    expect(first.referrersCopied).toBe(5);
    expect(first.promotionRecords).toEqual([
      { destination: one, subject: image.digest, digest: expect.stringMatching(/^sha256:/), written: true },
    ]);
    const recordOne = first.promotionRecords[0]?.digest as string;
    expect(promotionList(`${one}@${image.digest}`)).toEqual([recordOne]);
    const manifest = JSON.parse(ok('crane', ['manifest', '--insecure', `${one}@${recordOne}`]));
    expect(manifest).toMatchObject({
      artifactType: PROMOTION_ARTIFACT_TYPE,
      subject: { digest: image.digest },
      annotations: {
        'dev.slipway.promotion.source': `${source}:v1`,
        'dev.slipway.promotion.destination': one,
        'dev.slipway.promotion.tags': 'v1',
        'dev.slipway.promotion.run-url': RUN(1),
        'dev.slipway.promotion.actor': 'release-bot',
        'org.opencontainers.image.created': '2026-12-01T01:00:00.000Z',
      },
    });
    // The API registry keeps the list: no fallback tag was written.
    expect(run('crane', ['digest', '--insecure', `${one}:sha256-${hexOf(image.digest)}`]).status).not.toBe(0);
    // A rerun finds the image complete: no record; one interrupted after its record finds it, later.
    const rerun = await hop(source, one, 1);
    expect(rerun.promotionRecords).toEqual([]);
    const repoOne = one.slice(api2.host.length + 1);
    const again = await writePromotionRecord(
      allClients().destination(api2.host),
      repoOne,
      { digest: image.digest, mediaType: manifest.subject.mediaType, size: manifest.subject.size },
      {
        source: `${source}:v1`,
        destination: one,
        tags: ['v1'],
        runUrl: RUN(1),
        actor: 'release-bot',
        time: '2026-12-01T05:00:00.000Z',
      },
    );
    expect(again).toEqual({ digest: recordOne, written: false });
    expect(promotionList(`${one}@${image.digest}`)).toEqual([recordOne]);
    // Tags in place but no record (what a run killed between its tags and its record leaves, made
    // here by crane): the rerun finds the image complete and writes the missing record.
    const healed = `${api2.host}/referrers/record-4-${unique()}`;
    ok('crane', ['copy', '--insecure', `${source}:v1`, `${healed}:v1`]);
    expect(promotionList(`${healed}@${image.digest}`)).toEqual([]);
    const heal = await hop(source, healed, 4);
    expect(heal.blobsCopied).toBe(0);
    expect(heal.promotionRecords).toEqual([
      {
        destination: healed,
        subject: image.digest,
        digest: expect.stringMatching(/^sha256:/),
        written: true,
      },
    ]);
    expect(promotionList(`${healed}@${image.digest}`)).toEqual([heal.promotionRecords[0]?.digest]);
    expect((await hop(source, healed, 5)).promotionRecords).toEqual([]); // and only once

    // 2. referrers API → fallback-tag production: the first record stays behind.
    const second = await hop(one, two, 2);
    expect(second.referrers.map((r) => r.type)).not.toContain(PROMOTION_ARTIFACT_TYPE);
    expect(second.referrersCopied).toBe(5);
    const recordTwo = second.promotionRecords[0]?.digest as string;
    expect(recordTwo).not.toBe(recordOne);
    expect(promotionList(at(production.host, two.slice(production.host.length + 1)))).toEqual([recordTwo]);
    const index = JSON.parse(ok('crane', ['manifest', '--insecure', `${two}:sha256-${hexOf(image.digest)}`]));
    expect(
      index.manifests.filter((m: { artifactType?: string }) => m.artifactType === PROMOTION_ARTIFACT_TYPE),
    ).toEqual([expect.objectContaining({ digest: recordTwo })]);
    expectEverythingThere(image, production.host, two.slice(production.host.length + 1));

    // 3. fallback-tag production → referrers API: again only its own.
    const third = await hop(two, three, 3);
    expect(third.referrersCopied).toBe(5);
    const repoThree = three.slice(api.host.length + 1);
    const read = await readPromotions(allClients().destination(api.host), repoThree, image.digest);
    expect(read).toEqual([
      expect.objectContaining({ source: `${two}:v1`, runUrl: RUN(3), time: '2026-12-01T03:00:00.000Z' }),
    ]);
    expect(promotionList(`${three}@${image.digest}`)).toEqual([third.promotionRecords[0]?.digest]);
  });
});

describe('the bundled action', () => {
  it('outputs referrers-copied; the summary and the dry-run plan list the referrers', async () => {
    const image = images.fallback as SignedImage;
    const repo = `referrers/bundle-${unique()}`;
    const inputs = {
      source: `${image.host}/${image.repo}:v1`,
      destination: `${production.host}/${repo}`,
      'destination-username': prodCreds.username,
      'destination-password': prodCreds.password,
    };
    const plan = await runBundle('promote-between-registries', { ...inputs, 'dry-run': 'true' });
    expect(plan.exitCode, plan.log).toBe(0);
    expect(plan.outputs).toMatchObject({ 'referrers-copied': '0', 'referrers-to-copy': '5' });
    expect(plan.summary).toContain('Referrers (plan)');
    expect(plan.summary).toContain(image.artifact);
    expect(plan.log).toContain('would be copied cosign signature');
    expect(run('crane', ['ls', '--insecure', `${production.host}/${repo}`]).stdout.trim()).toBe('');

    const result = await runBundle('promote-between-registries', inputs);
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({ 'referrers-copied': '5', 'referrers-to-copy': '5' });
    expect(result.summary).toContain('| Referrers written | 5 |');
    // Its own promotion record, beside the referrers and not among them.
    expect(result.log).toMatch(/wrote promotion record sha256:[0-9a-f]{64} of /);
    expect(result.summary).toContain('| Promotion record |');
    expect(promotionList(`${production.host}/${repo}@${image.digest}`)).toHaveLength(1);
    expect(result.summary).toContain(`sha256-${hexOf(image.digest)}.att`);
    expect(result.log).not.toContain(prodCreds.password);
    expectEverythingThere(image, production.host, repo);
  });
});
