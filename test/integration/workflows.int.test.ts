/**
 * The reusable workflows on a real runner (act), against the lab: a push runs pipeline.yml
 * (build, test in a container, push to staging, deploy to staging); a workflow_dispatch runs
 * promote.yml (resolve the staging tag to a digest, promote exactly that digest to the production
 * registry, deploy it to production). The assertions read the registries and the hosts directly.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import type { LabHost } from '../lab/lab';
import { onHost as onLabHost } from '../helpers/lab-host';
import { clientFor, resolveReferenceDigest } from '../../src/registry/resolve';
import { dotenvFile, runAct } from '../helpers/act';
import { runCosign, statementOf, verifyArgs, verifyTestResultArgs } from '../helpers/cosign';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { REPO_ROOT, runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { awaitJudges } from '../helpers/judges';

const lab = inject('lab');
const tools = inject('tools');
awaitJudges();
const SIGN_PASSWORD = `act-sign-${randomBytes(6).toString('hex')}`;
const local = new LocalRunner();
const ID = randomBytes(3).toString('hex');
const STAGING = `${lab.registries.staging.host}/act/shop-${ID}`;
const PRODUCTION = `${lab.registries.production.host}/act/shop-${ID}`;
const SERVICE = `test-act-${ID}`;
const app = tempDir('act-app');
const event = join(tempDir('act-event'), 'push.json');
type Host = (typeof lab.hosts)[number];

const SHIP = `name: ship
on: push
jobs:
  ship:
    uses: slipway-dev/slipway/.github/workflows/pipeline.yml@v1
    with:
      image: ${STAGING}
      builder: ${lab.builder}
      build-args: BASE=${lab.images.busyboxInRegistry}
      test-command: /app/test.sh
      name: ${SERVICE}-staging
      production: false
    secrets: inherit
`;

// act does not pass the outputs of a reusable workflow that itself calls reusable workflows on to
// the caller (pipeline.yml's outputs are empty there): the outputs of one level are checked here.
const DIRECT = `name: direct
on: push
jobs:
  btp:
    uses: slipway-dev/slipway/.github/workflows/build-test-push.yml@v1
    with:
      image: ${STAGING}-direct
      builder: ${lab.builder}
      build-args: BASE=${lab.images.busyboxInRegistry}
      test-command: /app/test.sh
      reports: /tmp/junit.xml
    secrets: inherit
  check:
    needs: btp
    runs-on: ubuntu-latest
    steps:
      - run: echo "outputs digest=\${{ needs.btp.outputs.digest }} version=\${{ needs.btp.outputs.version }}"
      - run: echo "signed signature=\${{ needs.btp.outputs.signature }} attestation=\${{ needs.btp.outputs.attestation }}"
`;

// A runner per platform: two platform jobs on this machine (act maps ubuntu-latest to it), the
// arm64 one emulated, each pushing by digest; the last job merges exactly those digests.
const NATIVE = `name: native
on: push
jobs:
  btp:
    uses: slipway-dev/slipway/.github/workflows/build-test-push.yml@v1
    with:
      image: ${STAGING}-native
      context: arch
      builder: ${lab.builder}
      provenance: "false"
      test-command: /app/test.sh
      reports: /tmp/junit.xml
      runners: '{"linux/amd64": "ubuntu-latest", "linux/arm64": "ubuntu-latest"}'
    secrets: inherit
  check:
    needs: btp
    runs-on: ubuntu-latest
    steps:
      - run: echo "merged digest=\${{ needs.btp.outputs.digest }} version=\${{ needs.btp.outputs.version }}"
`;

const common = {
  SLIPWAY_KNOWN_HOSTS: readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  SLIPWAY_HOSTS: lab.hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n'),
  SLIPWAY_DEPLOY_USER: lab.ssh.user,
  SLIPWAY_PORT: '8080',
  SLIPWAY_HEALTH_PATH: '/health',
  SLIPWAY_PROXY_IMAGE: lab.images.proxy,
};
const secrets = dotenvFile(`secrets-${ID}`, {
  SLIPWAY_SSH_PRIVATE_KEY: readFileSync(lab.ssh.privateKeyPath, 'utf8'),
});
const productionSecrets = dotenvFile(`secrets-prod-${ID}`, {
  SLIPWAY_SSH_PRIVATE_KEY: readFileSync(lab.ssh.privateKeyPath, 'utf8'),
  SLIPWAY_REGISTRY_USERNAME: lab.registries.production.username as string,
  SLIPWAY_REGISTRY_PASSWORD: lab.registries.production.password as string,
  // The hosts pull with a credential of their own (the lab's registry has one user: the same values).
  SLIPWAY_PULL_USERNAME: lab.registries.production.username as string,
  SLIPWAY_PULL_PASSWORD: lab.registries.production.password as string,
});

const onHost = (host: LabHost, ...argv: string[]) => onLabHost(lab, host, ...argv);

/** The digest the service's running container was deployed from, read on the host. */
async function runningDigest(host: Host, service: string): Promise<string> {
  return onHost(
    host,
    'docker',
    'ps',
    '--filter',
    `label=dev.slipway.service=${service}`,
    '--filter',
    'label=dev.slipway.role=app',
    '--format',
    '{{.Label "dev.slipway.digest"}}',
  );
}

async function stagingTags(): Promise<string[]> {
  const repo = STAGING.slice(STAGING.indexOf('/') + 1);
  const res = await fetch(`http://${lab.registries.staging.host}/v2/${repo}/tags/list`);
  return ((await res.json()) as { tags: string[] }).tags;
}

let version = '';
let stagingDigest = '';

beforeAll(async () => {
  cpSync(join(REPO_ROOT, 'test', 'lab', 'fixtures', 'app'), app, { recursive: true });
  mkdirSync(join(app, '.github', 'workflows'), { recursive: true });
  writeFileSync(join(app, '.github', 'workflows', 'ship.yml'), SHIP);
  writeFileSync(join(app, '.github', 'workflows', 'direct.yml'), DIRECT);
  writeFileSync(join(app, '.github', 'workflows', 'native.yml'), NATIVE);
  cpSync(join(REPO_ROOT, 'test', 'lab', 'fixtures', 'arch'), join(app, 'arch'), { recursive: true });
  const git = (...args: string[]) =>
    runChecked(local, {
      argv: ['git', '-C', app, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args],
    });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-qm', 'the shop');
  writeFileSync(
    event,
    JSON.stringify({ ref: 'refs/heads/main', repository: { default_branch: 'main', full_name: 'shop/web' } }),
  );
});

/** The two services these tests deploy, by exact name (an interrupted run's: see reclaimLeftovers). */
afterAll(hostCleanup(lab, SERVICE, serviceCleanup([`${SERVICE}-staging`, SERVICE])));

describe('reusable workflows on act, against the lab', () => {
  it('a push runs pipeline.yml: build, test, push to staging, deploy the pushed digest to staging', async () => {
    const run = await runAct(['push', '-W', '.github/workflows/ship.yml', '-e', event], {
      cwd: app,
      secrets,
      vars: dotenvFile(`vars-${ID}`, { ...common, SLIPWAY_PUBLISH: '8088' }),
    });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(/build-test-push\] 🏁 {2}Job succeeded/);
    expect(run.log).toMatch(/slipway deploy\/deploy\] 🏁 {2}Job succeeded/);
    expect(run.log).toContain('Tests passed');
    version = (await stagingTags()).find((t) => /^\d{8}-\d+$/.test(t)) as string;
    expect(version).toBeDefined();
    stagingDigest = (await resolveReferenceDigest(`${STAGING}:${version}`)) as string;
    // The digest build-test-push produced is what the deploy job received and the hosts run.
    expect(run.log).toContain(`Deploying ${STAGING}@${stagingDigest}`);
    for (const host of lab.hosts) expect(await runningDigest(host, `${SERVICE}-staging`)).toBe(stagingDigest);
    expect((await (await fetch(`http://${lab.hosts[0]?.address}:8088/version`)).text()).trim()).toBe('dev');
    console.log(`act push → pipeline.yml: ${Math.round(run.durationMs)} ms`);
  });

  it('a reusable workflow passes its outputs to the caller’s next job; with SLIPWAY_SIGN_KEY it signs and attests the tests (cosign v3 verifies)', async () => {
    const keys = tempDir('act-sign-keys', { secret: true });
    // Signed as cosign v3 signs by default (Sigstore bundles as referrers): cosign v3 judges.
    const cosign = (args: readonly string[]) =>
      runCosign(tools['cosign-v3'] as string, keys, args, { COSIGN_PASSWORD: SIGN_PASSWORD });
    const made = await cosign(['generate-key-pair']);
    expect(made.code, made.stderr).toBe(0);
    const signKey = readFileSync(join(keys, 'cosign.key'), 'utf8');
    const run = await runAct(['push', '-W', '.github/workflows/direct.yml', '-e', event], {
      cwd: app,
      secrets: dotenvFile(`secrets-sign-${ID}`, {
        SLIPWAY_SSH_PRIVATE_KEY: readFileSync(lab.ssh.privateKeyPath, 'utf8'),
        SLIPWAY_SIGN_KEY: signKey,
        SLIPWAY_SIGN_KEY_PASSWORD: SIGN_PASSWORD,
      }),
      vars: dotenvFile(`vars-direct-${ID}`, common),
    });
    expect(run.exitCode, run.log).toBe(0);
    const match = /outputs digest=(sha256:[0-9a-f]{64}) version=(\d{8}-\d+)/.exec(run.log);
    expect(match, run.log).not.toBeNull();
    const digest = match?.[1] as string;
    expect(digest).toBe(await resolveReferenceDigest(`${STAGING}-direct:${match?.[2]}`));
    // Each a bundle, an OCI referrer of the digest, named by its own digest.
    const referrer = `${STAGING}-direct@sha256:[0-9a-f]{64}`.replaceAll('.', '\\.');
    expect(run.log).toMatch(new RegExp(`signed signature=${referrer} attestation=${referrer}`));
    // Neither the password nor the key's body anywhere in the log.
    for (const secret of [
      SIGN_PASSWORD,
      ...signKey.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')),
    ])
      expect(run.log).not.toContain(secret);
    const ref = `${STAGING}-direct@${digest}`;
    const verified = await cosign(verifyArgs(ref));
    expect(verified.code, verified.stderr).toBe(0);
    const attested = await cosign(verifyTestResultArgs(ref));
    expect(attested.code, attested.stderr).toBe(0);
    const statement = statementOf(attested.stdout);
    expect(statement.predicate).toMatchObject({ result: 'PASSED', passedTests: ['app.version_endpoint'] });
  });

  it('workflow_dispatch runs promote.yml: the staging digest reaches the production registry and hosts', async () => {
    expect(stagingDigest).toMatch(/^sha256:/);
    const run = await runAct(
      [
        'workflow_dispatch',
        '-W',
        join(REPO_ROOT, '.github', 'workflows', 'promote.yml'),
        '--input',
        `version=${version}`,
      ],
      {
        cwd: app,
        secrets: productionSecrets,
        vars: dotenvFile(`vars-prod-${ID}`, {
          ...common,
          SLIPWAY_PUBLISH: '8089',
          SLIPWAY_STAGING_IMAGE: STAGING,
          SLIPWAY_PRODUCTION_IMAGE: PRODUCTION,
          SLIPWAY_SERVICE: SERVICE,
        }),
      },
    );
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).toMatch(/promote\/resolve\] 🏁 {2}Job succeeded/);
    expect(run.log).toMatch(/promote\/production\] 🏁 {2}Job succeeded/);
    const production = lab.registries.production;
    const credentials = { username: production.username as string, password: production.password as string };
    expect(await resolveReferenceDigest(`${PRODUCTION}:${version}`, { credentials })).toBe(stagingDigest);
    for (const host of lab.hosts) {
      expect(await runningDigest(host, SERVICE)).toBe(stagingDigest);
      expect((await (await fetch(`http://${host.address}:8089/version`)).text()).trim()).toBe('dev');
    }
    // The password reached the hosts' docker login on stdin and never the log.
    expect(run.log).not.toContain(production.password as string);
    console.log(`act workflow_dispatch → promote.yml: ${Math.round(run.durationMs)} ms`);
  });

  it('build-test-push.yml with a runner per platform: a job per platform (arm64 emulated) pushes by digest, signed with its own tests; the index merges exactly those digests, tagged, signed and attested', async () => {
    const keys = tempDir('act-native-keys', { secret: true });
    const cosign = (args: readonly string[]) =>
      runCosign(tools['cosign-v3'] as string, keys, args, { COSIGN_PASSWORD: SIGN_PASSWORD });
    expect((await cosign(['generate-key-pair'])).code).toBe(0);
    // One job at a time: act 0.2.89 interpolates a called workflow's secrets in place from parallel
    // jobs and can die of "concurrent map writes" (nektos/act#6030, open); GitHub runs them apart.
    const run = await runAct(
      ['push', '-W', '.github/workflows/native.yml', '-e', event, '--concurrent-jobs', '1'],
      {
        cwd: app,
        secrets: dotenvFile(`secrets-native-${ID}`, {
          SLIPWAY_SIGN_KEY: readFileSync(join(keys, 'cosign.key'), 'utf8'),
          SLIPWAY_SIGN_KEY_PASSWORD: SIGN_PASSWORD,
        }),
        vars: dotenvFile(`vars-native-${ID}`, common),
        timeoutMs: 600_000,
      },
    );
    expect(run.exitCode, run.log).toBe(0);
    const image = `${STAGING}-native`;
    // Each platform job's own digest, as it signed it.
    const jobDigest = (job: string) =>
      new RegExp(`${job}.*Signed ${image.replaceAll('.', '\\.')}@(sha256:[0-9a-f]{64})`).exec(run.log)?.[1];
    const amd64 = jobDigest('linux-amd64');
    const arm64 = jobDigest('linux-arm64');
    expect(amd64, run.log).toMatch(/^sha256:/);
    expect(arm64, run.log).toMatch(/^sha256:/);
    const merged = /merged digest=(sha256:[0-9a-f]{64}) version=(\d{8}-\d+)/.exec(run.log);
    expect(merged, run.log).not.toBeNull();
    const [, digest, version] = merged as unknown as [string, string, string];
    // The version tag names the index, whose platform images are exactly the jobs' digests.
    expect(await resolveReferenceDigest(`${image}:${version}`)).toBe(digest);
    const index = JSON.parse(
      (
        await clientFor(lab.registries.staging.host).getManifest(image.slice(image.indexOf('/') + 1), digest)
      ).bytes.toString(),
    ) as { manifests: Array<{ digest: string; platform: { architecture: string } }> };
    expect(Object.fromEntries(index.manifests.map((m) => [m.platform.architecture, m.digest]))).toEqual({
      amd64,
      arm64,
    });
    // cosign v3: the index signed and attested; arm64's own test result says it ran on aarch64.
    expect((await cosign(verifyArgs(`${image}@${digest}`))).code).toBe(0);
    expect((await cosign(verifyTestResultArgs(`${image}@${digest}`))).code).toBe(0);
    const attested = await cosign(verifyTestResultArgs(`${image}@${arm64}`));
    expect(attested.code, attested.stderr).toBe(0);
    expect(JSON.stringify(statementOf(attested.stdout).predicate)).toContain('works_on_aarch64');
    console.log(
      `act push → build-test-push.yml with a runner per platform: ${Math.round(run.durationMs)} ms`,
    );
  });

  it('a scheduled rebuild-on-base-change after the base moved moves latest to the rebuilt digest; the next scheduled check says up to date', async () => {
    const base = `${lab.registries.staging.host}/act/base-${ID}:1`;
    const image = `${STAGING}-rebuild`;
    const repo = image.slice(image.indexOf('/') + 1);
    const crane = (...args: string[]) =>
      runChecked(local, { argv: [tools.crane as string, '--insecure', ...args] });
    await crane('copy', lab.images.busyboxInRegistry, base);
    // The last build of main, on that base (the push workflow's), which records the base's digest.
    const pushEvent = join(tempDir('act-push-event'), 'event.json');
    writeFileSync(
      pushEvent,
      JSON.stringify({ ref: 'refs/heads/main', repository: { default_branch: 'main' } }),
    );
    const built = await runBundle(
      'pipeline',
      { image, context: app, 'build-args': `BASE=${base}` },
      {
        env: {
          SLIPWAY_DOCKER: lab.docker,
          GITHUB_EVENT_NAME: 'push',
          GITHUB_EVENT_PATH: pushEvent,
          GITHUB_REF: 'refs/heads/main',
          GITHUB_RUN_NUMBER: '7',
          GITHUB_WORKSPACE: app,
          GITHUB_SHA: (
            await runChecked(local, { argv: ['git', '-C', app, 'rev-parse', 'HEAD'] })
          ).stdout.trim(),
        },
      },
    );
    expect(built.exitCode, built.log).toBe(0);
    const latest = () => resolveReferenceDigest(`${image}:latest`);
    expect(await latest()).toBe(built.outputs.digest);
    // The base moves (a security fix): another image under the same tag.
    await crane('mutate', '--label', `dev.slipway.test.fix=${ID}`, '-t', base, base);

    const REBUILD = `name: rebuild
on:
  schedule: [{ cron: "17 4 * * *" }]
jobs:
  rebuild:
    uses: slipway-dev/slipway/.github/workflows/rebuild-on-base-change.yml@v1
    with:
      image: ${image}
      builder: ${lab.builder}
      build-args: BASE=${base}
      test-command: /app/test.sh
    secrets: inherit
`;
    writeFileSync(join(app, '.github', 'workflows', 'rebuild.yml'), REBUILD);
    const scheduleEvent = join(tempDir('act-schedule-event'), 'event.json');
    // GitHub's schedule payload: no repository, so no default branch in it.
    writeFileSync(scheduleEvent, JSON.stringify({ schedule: '17 4 * * *' }));
    const scheduled = () =>
      runAct(['schedule', '-W', '.github/workflows/rebuild.yml', '-e', scheduleEvent], {
        cwd: app,
        secrets,
        vars: dotenvFile(`vars-rebuild-${ID}`, common),
      });
    const rebuilt = await scheduled();
    expect(rebuilt.exitCode, rebuilt.log).toBe(0);
    expect(rebuilt.log).toMatch(/build-test-push\] 🏁 {2}Job succeeded/);
    const tags = (
      (await (await fetch(`http://${lab.registries.staging.host}/v2/${repo}/tags/list`)).json()) as {
        tags: string[];
      }
    ).tags;
    const version = tags.find((t) => t.startsWith('rebuild-'));
    expect(version, tags.join(' ')).toMatch(/^rebuild-\d{8}-\d+$/);
    const digest = await resolveReferenceDigest(`${image}:${version}`);
    expect(digest).not.toBe(built.outputs.digest);
    expect(await latest()).toBe(digest);

    const next = await scheduled();
    expect(next.exitCode, next.log).toBe(0);
    expect(next.log).toContain(`${base}: unchanged`);
    expect(next.log).not.toMatch(/build-test-push\] 🏁 {2}Job succeeded/);
    expect(await latest()).toBe(digest);
    console.log(
      `act schedule → rebuild-on-base-change.yml: ${Math.round(rebuilt.durationMs)} ms, then ${Math.round(next.durationMs)} ms`,
    );
  });
});
