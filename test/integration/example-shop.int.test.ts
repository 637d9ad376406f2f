/**
 * Issue 24 under act, against the lab: the reusable workflows as a new team adopts them.
 * - Settings: a deploy without its SSH key fails in its first step, naming the secret and where to
 *   set it (the secret is optional at the call, so an environment secret can provide it).
 * - Pins that pin: a caller pinned to a release commit runs the actions (and nested workflows) of
 *   that release; a v1 tag moved to other actions changes nothing for it (the same caller at @v1
 *   runs the moved ones). scripts/pin-release.mjs makes the release; act maps each
 *   slipway-dev/slipway@<ref> to a checkout of that ref (--local-repository), as GitHub fetches it.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { pinRelease } from '../../scripts/pin-release.mjs';
import { dotenvFile, runAct } from '../helpers/act';
import { REPO_ROOT } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';

const lab = inject('lab');
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
