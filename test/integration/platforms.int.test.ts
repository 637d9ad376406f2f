/**
 * Every platform tested: a two-platform image (the arch fixture, built on the lab's builder with a
 * RUN step per platform, linux/arm64 under QEMU) tested by test-in-container on each platform; a
 * failure on arm64 only fails the step naming arm64; a platform this runner cannot run is refused
 * before anything runs; the root action tests every platform it built before pushing; a deploy with
 * require-attestations: test-result checks the platform image the host runs, and status shows it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LocalRunner } from '../../src/command/local-runner';
import { clientFor } from '../../src/registry/resolve';
import { LAB_SRC } from '../lab/config';
import { pushIndex } from '../helpers/oci';
import { runBundle } from '../helpers/run-bundle';
import { labConnectionOptions, runCli } from '../helpers/cli';
import { hostCleanup } from '../helpers/host-cleanup';
import { psOnHost } from '../helpers/lab-host';
import { runCosign, statementOf, verifyArgs, verifyTestResultArgs } from '../helpers/cosign';
import { tempDir } from '../helpers/temp';
import { parsePrivateKey } from '../../src/supply-chain/keys';
import { signAndAttest } from '../../src/supply-chain/operation';
import { awaitJudges } from '../helpers/judges';

const lab = inject('lab');
const tools = inject('tools');
awaitJudges();
const PASSWORD = `platforms-${randomBytes(6).toString('hex')}`;
const local = new LocalRunner();
const env = { SLIPWAY_DOCKER: lab.docker };
const staging = lab.registries.staging.host;
const id = randomBytes(3).toString('hex');
const repo = `${staging}/platforms/arch-${id}`;
const fixture = `${LAB_SRC}fixtures/arch`;

interface Result {
  platform: string;
  digest?: string;
  'exit-code': number;
  passed?: number;
  failed?: number;
}

/** The index's platform → manifest digest, as the registry serves it. */
async function platformDigests(ref: string): Promise<Record<string, string>> {
  const [name, tag] = ref.split(/:(?=[^:/]+$)/) as [string, string];
  const repository = name.slice(staging.length + 1);
  const index = await clientFor(staging).getManifest(repository, tag);
  const json = JSON.parse(index.bytes.toString()) as {
    manifests: Array<{ digest: string; platform: { os: string; architecture: string } }>;
  };
  return Object.fromEntries(
    json.manifests
      .filter((m) => m.platform.os !== 'unknown')
      .map((m) => [`${m.platform.os}/${m.platform.architecture}`, m.digest]),
  );
}

/** Images this file pulled or loaded into the runner's engine: removed by exact reference. */
async function removeLocal(refs: readonly string[]): Promise<void> {
  if (refs.length > 0) await local.run({ argv: [lab.docker, 'image', 'rm', '--force', ...refs] });
}

const pulled: string[] = [];
afterAll(() => removeLocal(pulled));

describe('test-in-container on every platform of an index', () => {
  const ref = `${repo}:1`;
  let digests: Record<string, string> = {};

  beforeAll(async () => {
    const built = await local.run({
      argv: [
        lab.docker, 'buildx', 'build', '--builder', lab.builder, '--platform', 'linux/amd64,linux/arm64',
        '--provenance', 'false', '--push', '--quiet', '--tag', ref, fixture,
      ],
    }); // prettier-ignore
    expect(built.exitCode, built.stderr).toBe(0);
    digests = await platformDigests(ref);
    pulled.push(...Object.values(digests).map((d) => `${repo}@${d}`));
  }, 180_000);

  it('tests both platforms, each in its own image, and reports both', async () => {
    const result = await runBundle('test-in-container', { image: ref, reports: '/tmp/junit.xml' }, { env });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs.platforms).toBe('linux/amd64,linux/arm64');
    expect(result.log).toContain(
      `Testing ${ref} for linux/amd64 (this runner's platform), linux/arm64 (emulated), each platform's image pulled by digest`,
    );
    // the tests ran on each machine, in the image built for it (its RUN step ran there)
    expect(result.log).toMatch(/^machine: x86_64$/m);
    expect(result.log).toMatch(/^machine: aarch64$/m);
    const results = JSON.parse(result.outputs.results as string) as Result[];
    expect(results.map((r) => [r.platform, r.digest, r['exit-code'], r.passed, r.failed])).toEqual([
      ['linux/amd64', digests['linux/amd64'], 0, 2, 0],
      ['linux/arm64', digests['linux/arm64'], 0, 2, 0],
    ]);
    expect(result.outputs.passed).toBe('4');
    expect(result.summary).toMatch(/\| linux\/arm64 \| passed \|/);
  }, 180_000);

  it('fails the step when only arm64 fails, naming arm64, with the failure annotated for that platform', async () => {
    const result = await runBundle(
      'test-in-container',
      { image: ref, env: 'FAIL_ON=aarch64', reports: '/tmp/junit.xml' },
      { env },
    );
    expect(result.exitCode).not.toBe(0);
    expect(result.log).toContain(
      'on linux/arm64: the tests failed with exit code 1 (1 passed, 1 failed, 0 skipped) (passed on linux/amd64)',
    );
    expect(result.log).toContain(
      '::error title=[linux/arm64] arch › works_on_aarch64,file=test.sh,line=15::test.sh:15: deliberately failing on aarch64',
    );
    const results = JSON.parse(result.outputs.results as string) as Result[];
    expect(results.map((r) => [r.platform, r['exit-code']])).toEqual([
      ['linux/amd64', 0],
      ['linux/arm64', 1],
    ]);
    expect(result.outputs['exit-code']).toBe('1');
  }, 180_000);

  it('refuses, before running anything, a platform this runner cannot run; platforms narrows to what it can', async () => {
    // An index listing a windows/amd64 image besides linux/amd64 (the registry does not look inside).
    const client = clientFor(staging);
    const repository = `platforms/arch-${id}`;
    const amd64 = await client.getManifest(repository, digests['linux/amd64'] as string);
    const mixed = `${repo}:mixed`;
    await pushIndex(client, repository, 'mixed', [
      { mediaType: amd64.mediaType, digest: amd64.digest, size: amd64.size, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: amd64.mediaType, digest: amd64.digest, size: amd64.size, platform: { os: 'windows', architecture: 'amd64' } },
    ]); // prettier-ignore
    const refused = await runBundle('test-in-container', { image: mixed }, { env });
    expect(refused.exitCode).not.toBe(0);
    expect(refused.log).toContain(
      'input "platforms": windows/amd64 cannot run on this runner (linux/amd64): windows/amd64: windows/amd64 images do not run on a linux/amd64 engine. Nothing was run: set platforms to only the platforms this runner runs (linux/amd64).',
    );
    expect(refused.log).not.toContain('Network slipway-test-');
    const narrowed = await runBundle(
      'test-in-container',
      { image: mixed, platforms: 'linux/amd64' },
      { env },
    );
    expect(narrowed.exitCode, narrowed.log).toBe(0);
    expect(narrowed.outputs.platforms).toBe('linux/amd64');
    const unknown = await runBundle('test-in-container', { image: ref, platforms: 'linux/s390x' }, { env });
    expect(unknown.log).toContain(
      `input "platforms": ${ref} has no linux/s390x image (it has linux/amd64, linux/arm64)`,
    );
  }, 180_000);
});

describe('the root action on a two-platform build', () => {
  const pipelineRepo = `${staging}/platforms/pipeline-${id}`;
  const loaded: string[] = [];
  afterAll(() => removeLocal(loaded));

  it('tests every platform it built before pushing, and pushes nothing when arm64 fails', async () => {
    const inputs = {
      image: pipelineRepo,
      context: fixture,
      platforms: 'linux/amd64,linux/arm64',
      builder: lab.builder,
      run: '/app/test.sh',
      reports: '/tmp/junit.xml',
    };
    const failing = await runBundle(
      'pipeline',
      { ...inputs, tags: 'failing', env: 'FAIL_ON=aarch64' },
      { env },
    );
    loaded.push(...(failing.outputs.tags?.split('\n').filter(Boolean) ?? []));
    expect(failing.exitCode).not.toBe(0);
    expect(failing.log).toContain('on linux/arm64: the tests failed with exit code 1');
    expect(failing.log).not.toContain('Pushing every platform');
    expect(
      await fetch(`${lab.registries.staging.url}/v2/platforms/pipeline-${id}/manifests/failing`),
    ).toHaveProperty('status', 404);
    // the other platform was loaded by image id for its tests and removed after them
    const armId = /Loaded linux\/arm64 as (sha256:[0-9a-f]{64})/.exec(failing.log)?.[1];
    expect(armId).toBeDefined();
    expect((await local.run({ argv: [lab.docker, 'image', 'inspect', armId as string] })).exitCode).not.toBe(
      0,
    );

    const passing = await runBundle('pipeline', { ...inputs, tags: 'passing' }, { env });
    loaded.push(...(passing.outputs.tags?.split('\n').filter(Boolean) ?? []));
    expect(passing.exitCode, passing.log).toBe(0);
    expect(passing.outputs.platforms).toBe('linux/amd64,linux/arm64');
    expect(passing.log).toMatch(/^machine: x86_64$/m);
    expect(passing.log).toMatch(/^machine: aarch64$/m);
    expect(passing.log.indexOf('Tests passed on linux/arm64')).toBeLessThan(
      passing.log.indexOf('Pushing every platform'),
    );
    // what was tested is what was pushed: each platform's loaded image is the pushed manifest's config
    const pushed = await platformDigests(`${pipelineRepo}:passing`);
    expect(Object.keys(pushed).sort()).toEqual(['linux/amd64', 'linux/arm64']);
    const client = clientFor(staging);
    const configs: Record<string, string> = {};
    for (const [platform, digest] of Object.entries(pushed)) {
      const manifest = await client.getManifest(`platforms/pipeline-${id}`, digest);
      configs[platform] = (
        JSON.parse(manifest.bytes.toString()) as { config: { digest: string } }
      ).config.digest;
    }
    const tested = JSON.parse(passing.outputs.results as string) as Array<{
      platform: string;
      image: string;
    }>;
    expect(Object.fromEntries(tested.map((r) => [r.platform, r.image]))).toEqual(configs);
  }, 300_000);
});

describe('the root action refuses before building', () => {
  it('a platform to test that this runner cannot run, naming it', async () => {
    const run = await runBundle(
      'pipeline',
      {
        image: `${staging}/platforms/refused-${id}`,
        context: fixture,
        platforms: 'linux/amd64,windows/amd64',
        builder: lab.builder,
        run: '/app/test.sh',
        push: 'false',
      },
      { env },
    );
    expect(run.exitCode).not.toBe(0);
    expect(run.log).toContain('input "platforms": windows/amd64 cannot run on this runner (linux/amd64)');
    expect(run.log).not.toContain('docker buildx build');
  }, 60_000);
});

describe('attestations per platform', () => {
  const signedRepo = `${staging}/platforms/signed-${id}`;
  const loaded: string[] = [];
  let keyDir = '';
  afterAll(() => removeLocal(loaded));
  // A compose stack of the arch image kept running (its own CMD exits: a long sleep instead).
  const project = `platforms-${id}`;
  const workspace = tempDir('platforms-workspace');
  writeFileSync(
    join(workspace, 'compose.yml'),
    'services:\n  app:\n    image: set-by-slipway\n    command: ["sleep", "3600"]\n',
  );
  afterAll(
    hostCleanup(lab, project, [
      `docker ps -aq --filter label=com.docker.compose.project=${project} | xargs -r docker rm -f >/dev/null`,
      `docker network rm ${project}_default >/dev/null 2>&1`,
      `rm -rf /home/deploy/.slipway/${project}`,
    ]),
  );

  beforeAll(async () => {
    keyDir = tempDir('platforms-keys', { secret: true });
    const made = await runCosign(tools['cosign-v3'] as string, keyDir, ['generate-key-pair'], {
      COSIGN_PASSWORD: PASSWORD,
    });
    expect(made.code, made.stderr).toBe(0);
  }, 120_000);

  it("signs the index and attests each platform manifest with its own run; cosign verifies arm64's", async () => {
    const run = await runBundle(
      'pipeline',
      {
        image: signedRepo,
        context: fixture,
        platforms: 'linux/amd64,linux/arm64',
        builder: lab.builder,
        run: '/app/test.sh',
        reports: '/tmp/junit.xml',
        tags: 'signed',
        'sign-key': readFileSync(join(keyDir, 'cosign.key'), 'utf8'),
        'sign-key-password': PASSWORD,
      },
      { env },
    );
    loaded.push(...(run.outputs.tags?.split('\n').filter(Boolean) ?? []));
    expect(run.exitCode, run.log).toBe(0);
    const pushed = await platformDigests(`${signedRepo}:signed`);
    const cosign = (args: string[]) => runCosign(tools['cosign-v3'] as string, keyDir, args);
    // the index: signed as before
    expect((await cosign(verifyArgs(`${signedRepo}@${run.outputs.digest}`))).code).toBe(0);
    // each platform manifest: its own test-result attestation, whose subject is that manifest
    for (const [platform, machine] of [
      ['linux/arm64', 'aarch64'],
      ['linux/amd64', 'x86_64'],
    ] as const) {
      const digest = pushed[platform] as string;
      const attested = await cosign(verifyTestResultArgs(`${signedRepo}@${digest}`));
      expect(attested.code, attested.stderr).toBe(0);
      const statement = statementOf(attested.stdout);
      expect(statement.subject[0]?.digest.sha256).toBe(digest.replace('sha256:', ''));
      expect(statement.predicate).toMatchObject({ result: 'PASSED' });
      expect(JSON.stringify(statement.predicate)).toContain(`works_on_${machine}`);
    }
  }, 300_000);

  it('deploy with require-attestations: test-result checks the image each host runs: refuses an index whose amd64 image has no PASSED result, deploys one whose arm64 image failed; status says which image runs and that it was tested', async () => {
    // The arch index, pushed to two repositories in one build: the index signed and attested
    // PASSED in both; in one, amd64 (the lab hosts' platform) FAILED and arm64 PASSED, in the other
    // the reverse.
    const badAmd = `platforms/bad-amd64-${id}`;
    const badArm = `platforms/bad-arm64-${id}`;
    const built = await local.run({
      argv: [
        lab.docker, 'buildx', 'build', '--builder', lab.builder, '--platform', 'linux/amd64,linux/arm64',
        '--provenance', 'false', '--push', '--quiet',
        '--tag', `${staging}/${badAmd}:1`, '--tag', `${staging}/${badArm}:1`, fixture,
      ],
    }); // prettier-ignore
    expect(built.exitCode, built.stderr).toBe(0);
    const key = parsePrivateKey(readFileSync(join(keyDir, 'cosign.key'), 'utf8'), PASSWORD);
    const client = clientFor(staging);
    const index = (await client.getManifest(badAmd, '1')).digest;
    const digests = await platformDigests(`${staging}/${badAmd}:1`);
    const amd64 = digests['linux/amd64'] as string;
    const arm64 = digests['linux/arm64'] as string;
    const passed = { exitCode: 0, passedTests: ['arch.works'], failedTests: [] };
    const failed = { exitCode: 1, passedTests: [], failedTests: ['arch.works'] };
    const quiet = { info: () => undefined } as unknown as Parameters<typeof signAndAttest>[5];
    for (const [repository, amd, arm] of [
      [badAmd, failed, passed],
      [badArm, passed, failed],
    ] as const) {
      await signAndAttest(client, repository, index, key, passed, quiet);
      await signAndAttest(client, repository, amd64, key, amd, quiet);
      await signAndAttest(client, repository, arm64, key, arm, quiet);
    }
    const host = lab.hosts[0] as (typeof lab.hosts)[number];
    const where = `${lab.ssh.user}@${host.address}:${host.sshPort}`;
    const deploy = (repository: string) =>
      runBundle(
        'remote-deploy-ssh',
        {
          hosts: `${host.address}:${host.sshPort}`,
          username: lab.ssh.user,
          'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
          'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
          'compose-file': 'compose.yml',
          'compose-project': project,
          images: `app=${staging}/${repository}@${index}`,
          'verify-key': readFileSync(join(keyDir, 'cosign.pub'), 'utf8'),
          'require-attestations': 'test-result',
        },
        { env: { ...env, GITHUB_WORKSPACE: workspace } },
      );

    const refused = await deploy(badAmd);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.log).toContain(`Verified ${staging}/${badAmd}@${index}`);
    expect(refused.log).toContain(
      `${badAmd}@${amd64} (the linux/amd64 image, run by ${where}) is not verified: no passing test-result attestation: the signed one says FAILED (0 passed, 1 failed)`,
    );
    // refused before anything changed on the host
    expect(
      await psOnHost(lab, host, [`com.docker.compose.project=${project}`], '{{.ID}}', { all: true }),
    ).toEqual([]);

    // arm64 failed, but no host of this deploy runs it: reported, not required
    const deployed = await deploy(badArm);
    expect(deployed.exitCode, deployed.log).toBe(0);
    expect(deployed.log).toMatch(
      new RegExp(
        `Verified ${staging}/${badArm}@${amd64}: signed by .*; tests PASSED .*\\(the linux/amd64 image, run by ${where}\\)`,
      ),
    );
    expect(deployed.log).toContain(
      `Not required: ${staging}/${badArm}@${arm64} (the linux/arm64 image, which no host of this deploy runs) is not verified`,
    );

    const status = await runCli([
      'status', ...labConnectionOptions(lab, host, project),
      '--verify-key-file', join(keyDir, 'cosign.pub'), '--require-attestations', 'test-result',
    ]); // prettier-ignore
    expect(status.code, status.stderr).toBe(0);
    const shown = status.stdout + status.stderr;
    expect(shown).toContain(`${where} (linux/amd64)`);
    expect(shown).toContain(`runs the linux/amd64 image ${amd64}: tested: PASSED (1 passed, 0 failed)`);
    // without verify-key the attestations are not checked: unknown
    const unknown = await runCli(['status', ...labConnectionOptions(lab, host, project)]);
    expect(unknown.stdout + unknown.stderr).toContain(
      `runs the linux/amd64 image ${amd64}: unknown: no verify-key`,
    );
  }, 400_000);
});

describe('merge by digest', () => {
  it('assembles the index from per-platform pushes, each digest unchanged; the CLI converges on the same index', async () => {
    const repository = `platforms/merged-${id}`;
    const name = `${staging}/${repository}`;
    // One push per platform, as each matrix job does: amd64 a plain manifest, arm64 with its
    // provenance (an index of the image and its attestation manifest).
    const pushes: Record<string, string> = {};
    for (const [platform, provenance] of [
      ['linux/amd64', 'false'],
      ['linux/arm64', 'mode=min'],
    ] as const) {
      const tag = platform.replace('/', '-');
      const built = await local.run({
        argv: [
          lab.docker, 'buildx', 'build', '--builder', lab.builder, '--platform', platform,
          '--provenance', provenance, '--push', '--quiet', '--tag', `${name}:${tag}`, fixture,
        ],
      }); // prettier-ignore
      expect(built.exitCode, built.stderr).toBe(0);
      pushes[platform] = (await clientFor(staging).headManifest(repository, tag))?.digest as string;
    }
    const digests = `${pushes['linux/amd64']}\n${name}@${pushes['linux/arm64']}`;
    const merged = await runBundle('merge-by-digest', { image: name, digests, tags: 'v1\nlatest' }, { env });
    expect(merged.exitCode, merged.log).toBe(0);
    expect(merged.outputs.platforms).toBe('linux/amd64,linux/arm64');
    const client = clientFor(staging);
    const index = await client.getManifest(repository, 'v1');
    expect(index.digest).toBe(merged.outputs.digest);
    expect((await client.headManifest(repository, 'latest'))?.digest).toBe(merged.outputs.digest);
    const arm64Index = JSON.parse(
      (await client.getManifest(repository, pushes['linux/arm64'] as string)).bytes.toString(),
    ) as {
      manifests: Array<{ digest: string }>;
    };
    const listed = (
      JSON.parse(index.bytes.toString()) as { manifests: Array<{ digest: string }> }
    ).manifests.map((m) => m.digest);
    // amd64's manifest itself, then arm64's entries (image and attestation) as they were pushed
    expect(listed).toEqual([pushes['linux/amd64'], ...arm64Index.manifests.map((m) => m.digest)]);
    // and what runs: the arm64 image tested through the merged index is the one pushed by its job
    const tested = await runBundle('test-in-container', { image: `${name}:v1` }, { env });
    pulled.push(
      ...(JSON.parse(tested.outputs.results ?? '[]') as Array<{ image: string }>).map((r) => r.image),
    );
    expect(tested.exitCode, tested.log).toBe(0);
    expect(tested.log).toMatch(/^machine: aarch64$/m);

    const again = await runCli(['merge', '--image', name, '--digests', digests, '--tags', 'v1']);
    expect(again.code, again.stderr).toBe(0);
    expect(`${again.stdout}${again.stderr}`).toContain(`${name}@${merged.outputs.digest}`);
  }, 300_000);
});
