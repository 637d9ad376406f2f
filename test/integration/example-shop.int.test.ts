/**
 * Issue 24 under act, against the lab: the reusable workflows as a new team adopts them.
 * - Settings: a deploy without its SSH key fails in its first step, naming the secret and where to
 *   set it (the secret is optional at the call, so an environment secret can provide it).
 * - Pins that pin: a caller pinned to a release commit runs the actions (and nested workflows) of
 *   that release; a v1 tag moved to other actions changes nothing for it (the same caller at @v1
 *   runs the moved ones). scripts/pin-release.mjs makes the release; act maps each
 *   slipway-dev/slipway@<ref> to a checkout of that ref (--local-repository), as GitHub fetches it.
 * - The example application examples/shop, its one workflow file as the tutorial has the user
 *   write it, end to end: a pull request builds and tests and pushes nothing; a push to main pushes
 *   to staging with the job's token (GITHUB_TOKEN as github.actor) and deploys to a staging host
 *   over HTTPS by hostname (certificates from Pebble); the promote button copies the version to
 *   production (deploy: false only copies it), then deploys it with its migration run once, env and
 *   a volume; the rollback button puts the previous version back.
 *   What the lab changes in the user's files (and nothing else): registries, hosts and hostnames
 *   are the lab's; github-token-registry names the lab registry standing in for ghcr.io (the job's
 *   token is that registry's password here, the actor its user); the shared proxy listens on
 *   18480/18443 (80/443 are other tests'); FROM is the lab's busybox. The builder, the proxy image
 *   and the ACME server (Pebble) come as variables, as a self-hosted runner's would.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { pinRelease } from '../../scripts/pin-release.mjs';
import { dotenvFile, runAct } from '../helpers/act';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { onHost } from '../helpers/lab-host';
import { getOnce } from '../helpers/load';
import { type Pebble, startPebble } from '../helpers/pebble';
import { resolveReferenceDigest } from '../../src/registry/resolve';
import { NETWORK } from '../lab/config';
import { REPO_ROOT } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';

const lab = inject('lab');
const tools = inject('tools');
const local = new LocalRunner();
const ID = randomBytes(3).toString('hex');
const SERVICE = `test-shop-${ID}`;
const host = lab.hosts[0] as (typeof lab.hosts)[number];

const git = (dir: string, ...args: string[]) =>
  runChecked(local, {
    argv: ['git', '-C', dir, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args],
  });

/** A repository of its own: the files given, one commit on main. */
async function repository(purpose: string, files: Record<string, string>): Promise<string> {
  const dir = tempDir(purpose);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-qm', purpose);
  return dir;
}

/** The tree of one commit of `repo` in a directory of its own (what GitHub fetches for owner/name@sha). */
async function checkout(repo: string, sha: string): Promise<string> {
  const dir = tempDir(`act-at-${sha.slice(0, 7)}`);
  await runChecked(local, {
    argv: ['sh', '-c', 'git -C "$1" archive "$2" | tar -x -C "$3"', 'sh', repo, sha, dir],
  });
  return dir;
}

const pushEvent = join(tempDir('act-shop-event'), 'push.json');
const vars = {
  SLIPWAY_KNOWN_HOSTS: readFileSync(lab.ssh.knownHostsPath, 'utf8'),
  SLIPWAY_HOSTS: `${host.address}:${host.sshPort}`,
  SLIPWAY_DEPLOY_USER: lab.ssh.user,
  SLIPWAY_PROXY_IMAGE: lab.images.proxy,
};
const key = readFileSync(lab.ssh.privateKeyPath, 'utf8');

/** What the settings and pin cases leave: the dry run's service directory (by exact name). */
afterAll(
  hostCleanup(lab, `example-shop-pin-${ID}`, [...serviceCleanup([`${SERVICE}-pin`, `${SERVICE}-nokey`])]),
);

beforeAll(() => {
  writeFileSync(
    pushEvent,
    JSON.stringify({
      ref: 'refs/heads/main',
      repository: { default_branch: 'main', full_name: 'shop/web', name: 'web' },
    }),
  );
});

describe('settings environments provide', () => {
  it('a deploy without SLIPWAY_SSH_PRIVATE_KEY fails in its first step, naming the secret and where to set it', async () => {
    const app = await repository('act-shop-nokey', {
      '.github/workflows/deploy.yml': `name: deploy
on: push
jobs:
  deploy:
    uses: slipway-dev/slipway/.github/workflows/deploy.yml@v1
    with:
      environment: staging
      image: ${lab.images.app}
      name: ${SERVICE}-nokey
    secrets: inherit
`,
    });
    const run = await runAct(['push', '-W', '.github/workflows/deploy.yml', '-e', pushEvent], {
      cwd: app,
      secrets: dotenvFile(`shop-nokey-${ID}`, { UNRELATED: 'x' }),
      vars: dotenvFile(`shop-nokey-vars-${ID}`, vars),
    });
    expect(run.exitCode, run.log).not.toBe(0);
    expect(run.log).toContain('Secret SLIPWAY_SSH_PRIVATE_KEY is not set');
    expect(run.log).toContain(
      'Settings → Environments → staging → Environment secrets → SLIPWAY_SSH_PRIVATE_KEY',
    );
    // Failed before the action: nothing connected, nothing deployed.
    expect(run.log).not.toMatch(/Run Main .*remote-deploy-ssh/);
  });
});

describe('pins that pin', () => {
  it('a caller pinned to a release commit runs the actions of that commit; a moved v1 changes nothing for it', async () => {
    // The project at this tree (P), released: R1 pins the actions to P, R2 the workflows to R1.
    const project = tempDir('act-release');
    for (const path of ['action.yml', 'actions', 'dist', '.github/workflows'])
      cpSync(join(REPO_ROOT, path), join(project, path), { recursive: true });
    await git(project, 'init', '-q', '-b', 'main');
    await git(project, 'add', '-A');
    await git(project, 'commit', '-qm', 'P');
    const { actions: P, workflows: R1, release: R2 } = pinRelease(project);
    // v1 moved to other actions: P's tree, whose remote-deploy-ssh says so and fails.
    const moved = await checkout(project, P);
    writeFileSync(
      join(moved, 'dist', 'remote-deploy-ssh', 'index.js'),
      "console.log('::error::the actions of the moved v1 ran'); process.exit(1);\n",
    );
    const repositories = {
      'slipway-dev/slipway@v1': moved,
      [`slipway-dev/slipway@${P}`]: await checkout(project, P),
      [`slipway-dev/slipway@${R1}`]: await checkout(project, R1),
      [`slipway-dev/slipway@${R2}`]: await checkout(project, R2),
    };
    // deploy.yml runs an action; rollback.yml calls deploy.yml (a nested workflow): both dry runs.
    const caller = (ref: string) => `name: pinned
on: push
jobs:
  deploy:
    uses: slipway-dev/slipway/.github/workflows/deploy.yml@${ref}
    with:
      environment: staging
      image: ${lab.images.busyboxInRegistry}
      name: ${SERVICE}-pin
      port: "8080"
      publish: "18480"
      dry-run: true
    secrets: inherit
  rollback:
    needs: deploy
    uses: slipway-dev/slipway/.github/workflows/rollback.yml@${ref}
    with:
      reason: the pin test
      name: ${SERVICE}-pin
      dry-run: true
    secrets: inherit
`;
    const app = await repository('act-shop-pin', {
      '.github/workflows/pinned.yml': caller(R2),
      '.github/workflows/floating.yml': caller('v1'),
    });
    const options = {
      cwd: app,
      secrets: dotenvFile(`shop-pin-${ID}`, { SLIPWAY_SSH_PRIVATE_KEY: key }),
      vars: dotenvFile(`shop-pin-vars-${ID}`, vars),
      repositories,
    };
    const pinned = await runAct(['push', '-W', '.github/workflows/pinned.yml', '-e', pushEvent], options);
    expect(pinned.log).not.toContain('the actions of the moved v1 ran');
    // deploy.yml of R2 ran remote-deploy-ssh of P: its dry run planned and changed nothing.
    expect(pinned.log).toContain(
      `subpath '.github/workflows/deploy.yml' from ${repositories[`slipway-dev/slipway@${R2}`]}`,
    );
    expect(pinned.log).toContain(`Run Main slipway-dev/slipway/actions/remote-deploy-ssh@${P}`);
    expect(pinned.log).toContain('dry run: nothing changed');
    expect(pinned.log).toMatch(/\[deploy\/slipway deploy\/deploy\] 🏁 {2}Job succeeded/);
    // rollback.yml of R2 called deploy.yml of R1, which ran P's action: the real one answers (there
    // is nothing of this service to roll back; the moved one would have said so instead).
    expect(pinned.log).toContain(
      `subpath '.github/workflows/deploy.yml' from ${repositories[`slipway-dev/slipway@${R1}`]}`,
    );
    expect(pinned.log).toContain(`${SERVICE}-pin is not in service: nothing to roll back`);
    expect(pinned.log).not.toMatch(/remote-deploy-ssh@v1/);
    // The same caller floating on v1 runs the moved actions: the pin is what made the difference.
    const floating = await runAct(['push', '-W', '.github/workflows/floating.yml', '-e', pushEvent], options);
    expect(floating.exitCode).not.toBe(0);
    expect(floating.log).toContain('the actions of the moved v1 ran');
  });
});

describe('the example shop (examples/shop) end to end', () => {
  const REGISTRY = lab.registries.production;
  const STAGING = `${REGISTRY.host}/act/shop-${ID}-staging`;
  const PRODUCTION = `${REGISTRY.host}/act/shop-${ID}`;
  const APP = `shop-${ID}`;
  const VOLUME = `shop-data-${ID}`;
  const stagingHost = lab.hosts[1] as (typeof lab.hosts)[number];
  const productionHost = lab.hosts[0] as (typeof lab.hosts)[number];
  const STAGING_NAME = `staging.shop-${ID}.test`;
  const PRODUCTION_NAME = `shop-${ID}.test`;
  const HTTP = '18480';
  const HTTPS = '18443';
  const credentials = { username: REGISTRY.username as string, password: REGISTRY.password as string };
  // The shared proxy on 18443 is this file's (other tests' listen elsewhere): removed with it.
  const removeOurProxy = `docker inspect slipway-proxy --format '{{json .HostConfig.PortBindings}}' 2>/dev/null | grep -q '"${HTTPS}"' && { docker rm -f slipway-proxy; docker volume rm slipway-proxy-data; rm -rf /home/deploy/.slipway/_proxy; } >/dev/null 2>&1`;
  const cleanup = hostCleanup(lab, `example-shop-${ID}`, [...serviceCleanup(APP, [VOLUME]), removeOurProxy]);
  let pebble: Pebble;
  let repo = '';
  let run = 0;
  const durations: Record<string, number> = {};

  /** The user's workflow file with the lab's registries, hosts, hostnames and ports. */
  function adapt(text: string): string {
    const out = text
      .replaceAll('ghcr.io/acme/shop', STAGING)
      .replaceAll('registry.example.com/acme/shop', PRODUCTION)
      .replaceAll('staging1.example.com', `${stagingHost.address}:${stagingHost.sshPort}`)
      .replaceAll('shop1.example.com', `${productionHost.address}:${productionHost.sshPort}`)
      .replaceAll('staging.shop.example.com', STAGING_NAME)
      .replaceAll('shop.example.com', PRODUCTION_NAME)
      .replaceAll('shop-data:/data', `${VOLUME}:/data`)
      .replace(
        '    secrets: inherit',
        `      github-token-registry: ${REGISTRY.host}\n      http-port: "${HTTP}"\n      https-port: "${HTTPS}"\n    secrets: inherit`,
      );
    expect(out).not.toMatch(/(?<!@)example\.com|ghcr\.io/);
    return out;
  }

  /**
   * The secrets a run's jobs see. act has no environment secrets: each run gets what GitHub would
   * give its jobs. A push's build has the job token only (GHCR's path: no registry secret) and its
   * staging deploy the staging key; a release adds the production environment's push and pull
   * credentials (the rollback environment holds only the key).
   */
  const secrets = (release: boolean) =>
    dotenvFile(`shop-secrets-${ID}-${release}`, {
      // The job's own token: what GitHub gives every job (here the lab registry's password).
      GITHUB_TOKEN: REGISTRY.password as string,
      SLIPWAY_SSH_PRIVATE_KEY: key,
      ...(release && {
        SLIPWAY_REGISTRY_USERNAME: REGISTRY.username as string,
        SLIPWAY_REGISTRY_PASSWORD: REGISTRY.password as string,
        SLIPWAY_PULL_USERNAME: REGISTRY.username as string,
        SLIPWAY_PULL_PASSWORD: REGISTRY.password as string,
      }),
    });
  const variables = () =>
    dotenvFile(`shop-vars-${ID}`, {
      SLIPWAY_KNOWN_HOSTS: readFileSync(lab.ssh.knownHostsPath, 'utf8'),
      // The lab's adaptations of a self-hosted runner and a private ACME server:
      SLIPWAY_BUILDER: lab.builder,
      SLIPWAY_PROXY_IMAGE: lab.images.proxy,
      SLIPWAY_ACME_CA: pebble.directory,
      SLIPWAY_ACME_CA_ROOT: pebble.tlsRoot,
      ...(lab.ssh.user !== 'deploy' && { SLIPWAY_DEPLOY_USER: lab.ssh.user }),
    });

  async function act(event: string, payload: object): Promise<string> {
    run += 1;
    const file = join(tempDir('act-shop-event'), 'event.json');
    const head = (await git(repo, 'rev-parse', 'HEAD')).stdout.trim();
    writeFileSync(
      file,
      JSON.stringify({
        repository: { default_branch: 'main', full_name: `acme/${APP}`, name: APP },
        after: head,
        ...payload,
      }),
    );
    const result = await runAct(
      [
        event,
        '-W',
        '.github/workflows/shop.yml',
        '-e',
        file,
        '-a',
        REGISTRY.username as string,
        '--env',
        `GITHUB_RUN_NUMBER=${run}`,
      ],
      { cwd: repo, secrets: secrets(event === 'workflow_dispatch'), vars: variables(), timeoutMs: 600_000 },
    );
    durations[`${event} ${run}`] = Math.round(result.durationMs);
    expect(result.exitCode, result.log).toBe(0);
    // Neither the registry password (the token) nor the key in the log.
    expect(result.log).not.toContain(REGISTRY.password as string);
    return result.log;
  }

  const https = async (name: string, host: (typeof lab.hosts)[number], path: string) => {
    const deadline = Date.now() + 60_000;
    let last = '';
    while (Date.now() < deadline) {
      try {
        const answer = await getOnce(`https://${name}:${HTTPS}${path}`, {
          ca: pebble.issuingRoot,
          resolve: { [name]: host.ip },
        });
        if (answer.status === 200) return answer.body.trim();
        last = `HTTP ${answer.status}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`https://${name}${path}: ${last}`);
  };
  const tags = async (image: string) => {
    const [host, ...path] = image.split('/');
    const auth = Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64');
    const res = await fetch(`http://${host}/v2/${path.join('/')}/tags/list`, {
      headers: { authorization: `Basic ${auth}` },
    });
    return res.status === 404 ? [] : (((await res.json()) as { tags: string[] | null }).tags ?? []);
  };
  const migrations = async () =>
    (
      await onHost(
        lab,
        productionHost,
        'sh',
        '-c',
        `cat "$(docker volume inspect -f '{{.Mountpoint}}' ${VOLUME})/migrations.log"`,
      )
    )
      .split('\n')
      .filter(Boolean);

  beforeAll(async () => {
    for (const host of [stagingHost, productionHost]) {
      const other = await onHost(
        lab,
        host,
        'sh',
        '-c',
        "docker ps -a --filter name=^/slipway-proxy$ --format '{{.Ports}}'",
      );
      if (other.trim() && !other.includes(HTTPS))
        throw new Error(
          `${host.name} runs another test's shared proxy (${other.trim()}): run this file when it is gone`,
        );
    }
    pebble = await startPebble(tools.pebble as string, NETWORK.gateway);
    repo = tempDir('act-shop-repo');
    cpSync(join(REPO_ROOT, 'examples', 'shop'), repo, { recursive: true });
    const workflow = join(repo, '.github', 'workflows', 'shop.yml');
    writeFileSync(workflow, adapt(readFileSync(workflow, 'utf8')));
    const dockerfile = join(repo, 'Dockerfile');
    writeFileSync(
      dockerfile,
      readFileSync(dockerfile, 'utf8').replace('FROM busybox:1.37', `FROM ${lab.images.busyboxInRegistry}`),
    );
    await git(repo, 'init', '-q', '-b', 'main');
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-qm', 'the shop, version 1');
  }, 300_000);

  afterAll(async () => {
    console.log(`example shop, act runs (ms): ${JSON.stringify(durations)}`);
    await cleanup();
    await pebble?.stop();
  });

  let v1 = '';
  let v2 = '';

  it('a pull request builds and tests, and pushes nothing', async () => {
    const log = await act('pull_request', {
      number: 1,
      pull_request: {
        number: 1,
        head: { ref: 'feature', sha: (await git(repo, 'rev-parse', 'HEAD')).stdout.trim() },
        base: { ref: 'main' },
      },
    });
    expect(log).toContain('3 tests passed');
    expect(log).toMatch(/build-test-push\] 🏁 {2}Job succeeded/);
    expect(log).not.toMatch(/slipway deploy\/deploy\] ⭐ Run Main/);
    expect(await tags(STAGING)).toEqual([]);
  });

  it('a push to main pushes to staging with the job token and deploys there over HTTPS by hostname', async () => {
    const log = await act('push', { ref: 'refs/heads/main' });
    expect(log).toContain('3 tests passed');
    v1 = (await tags(STAGING)).find((t) => /^\d{8}-\d+$/.test(t)) ?? '';
    expect(v1, (await tags(STAGING)).join(' ')).not.toBe('');
    expect(await https(STAGING_NAME, stagingHost, '/version')).toBe('1');
    expect(await https(STAGING_NAME, stagingHost, '/name')).toBe('The shop');
    // Nothing in production yet: releases are the button's.
    expect(await tags(PRODUCTION)).toEqual([]);
  });

  it('the promote button copies the version to production; deploy: false deploys nothing', async () => {
    await act('workflow_dispatch', {
      ref: 'refs/heads/main',
      inputs: { promote: v1, deploy: 'false', rollback: 'false', reason: '' },
    });
    expect(await resolveReferenceDigest(`${PRODUCTION}:${v1}`, { credentials })).toBe(
      await resolveReferenceDigest(`${STAGING}:${v1}`, { credentials }),
    );
    const running = await onHost(
      lab,
      productionHost,
      'sh',
      '-c',
      `docker ps -q --filter label=dev.slipway.service=${APP}`,
    );
    expect(running.trim()).toBe('');
  });

  it('the promote button deploys it over HTTPS with its migration run once, env and a volume', async () => {
    await act('workflow_dispatch', {
      ref: 'refs/heads/main',
      inputs: { promote: v1, deploy: 'true', rollback: 'false', reason: '' },
    });
    expect(await https(PRODUCTION_NAME, productionHost, '/version')).toBe('1');
    expect(await https(PRODUCTION_NAME, productionHost, '/name')).toBe('The shop');
    expect(await migrations()).toEqual([expect.stringMatching(/^migrated to 1 at /)]);
    expect(await https(PRODUCTION_NAME, productionHost, '/migrations')).toMatch(/^migrated to 1 at /);
  });

  it('version 2 goes the same way; the rollback button puts version 1 back at once', async () => {
    writeFileSync(join(repo, 'VERSION'), '2\n');
    await git(repo, 'commit', '-qam', 'version 2');
    await act('push', { ref: 'refs/heads/main' });
    v2 = (await tags(STAGING)).find((t) => /^\d{8}-\d+$/.test(t) && t !== v1) ?? '';
    expect(v2).not.toBe('');
    expect(await https(STAGING_NAME, stagingHost, '/version')).toBe('2');
    await act('workflow_dispatch', {
      ref: 'refs/heads/main',
      inputs: { promote: v2, deploy: 'true', rollback: 'false', reason: '' },
    });
    expect(await https(PRODUCTION_NAME, productionHost, '/version')).toBe('2');
    expect(await migrations()).toHaveLength(2);
    const log = await act('workflow_dispatch', {
      ref: 'refs/heads/main',
      inputs: { promote: '', deploy: 'true', rollback: 'true', reason: 'version 2 breaks checkout' },
    });
    expect(log).toContain('version 2 breaks checkout');
    expect(await https(PRODUCTION_NAME, productionHost, '/version')).toBe('1');
    // Audited on the host: the rollback, by whom, from which run.
    const audit = await onHost(lab, productionHost, 'cat', `/home/${lab.ssh.user}/.slipway/${APP}/audit.log`);
    expect(audit.trim().split('\n').at(-1)).toMatch(/"action":"rollback"/);
    // A rollback runs no migration.
    expect(await migrations()).toHaveLength(2);
  });
});
