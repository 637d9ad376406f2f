/**
 * Tags, versions and reruns on real builds and pushes (the one-step action under Node 24, the lab's
 * engine and open staging registry): what is immutable follows from where a tag came from, a rerun
 * never fails nor moves a pushed version, a back-port never moves a release line backwards, and
 * two workflows with the same run number both push.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { RegistryClient } from '../../src/registry/client';
import { utcDate } from '../../src/build-and-tag/tags';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { LAB_SRC } from '../lab/config';
import { tempDir } from '../helpers/temp';

const lab = inject('lab');
const APP_CONTEXT = join(LAB_SRC, 'fixtures', 'app');
const registry = lab.registries.staging.host;
const staging = new RegistryClient(registry, { insecure: true });
const repo = `tags/shop-${randomBytes(3).toString('hex')}`;
const run = 1000 + Math.floor(Math.random() * 8000);
const today = utcDate(new Date());

/** The checked-out repository a run builds: a real commit, whose time makes the build reproducible. */
const workspace = tempDir('tags-workspace');
const git = (...args: string[]) =>
  execFileSync('git', ['-C', workspace, '-c', 'user.email=ci@example.com', '-c', 'user.name=ci', ...args], {
    encoding: 'utf8',
  }).trim();
git('init', '-q', '-b', 'main');
writeFileSync(join(workspace, 'README'), 'shop');
git('add', '-A');
git('commit', '-qm', 'the shop', '--date', '2026-11-01T10:00:00Z');
const SHA = git('rev-parse', 'HEAD');

/** The runner's environment of one run: the event, its ref, run number and attempt. */
function context(ref: string, options: { run?: number; attempt?: number; sha?: string } = {}) {
  const path = join(tempDir('tags-event'), 'event.json');
  writeFileSync(
    path,
    JSON.stringify({ ref, repository: { default_branch: 'main', full_name: 'acme/shop' } }),
  );
  return {
    SLIPWAY_DOCKER: lab.docker,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: path,
    GITHUB_REF: ref,
    GITHUB_SHA: options.sha ?? SHA,
    GITHUB_WORKSPACE: workspace,
    GITHUB_RUN_NUMBER: String(options.run ?? run),
    GITHUB_RUN_ATTEMPT: String(options.attempt ?? 1),
    GITHUB_RUN_ID: '4242',
    GITHUB_REPOSITORY: 'acme/shop',
  };
}

/** Builds the fixture app (its /version answering `content`) and pushes it with the one-step action. */
function ship(
  env: Record<string, string>,
  content: string,
  extra: Record<string, string> = {},
): Promise<BundleRun> {
  return runBundle(
    'pipeline',
    {
      image: `${registry}/${repo}`,
      context: APP_CONTEXT,
      'build-args': `BASE=${lab.images.busyboxInRegistry}\nVERSION=${content}`,
      ...extra,
    },
    { env },
  );
}

const served = async (tag: string) => (await staging.headManifest(repo, tag))?.digest;

describe('tags and versions on real pushes', () => {
  it('a rerun: the same build is a no-op; a rebuild that differs gets <version>.<attempt> and never moves the version', async () => {
    const version = `${today}-${run}`;
    const first = await ship(context('refs/heads/main'), 'first');
    expect(first.exitCode, first.log).toBe(0);
    expect(first.outputs.version).toBe(version);
    const digest = await served(version);
    expect(digest).toBe(first.outputs.digest);

    // "Re-run all jobs" of an unchanged build (cached): the same image, the same version.
    const same = await ship(context('refs/heads/main', { attempt: 2 }), 'first');
    expect(same.exitCode, same.log).toBe(0);
    expect(same.outputs.version).toBe(version);
    expect(same.outputs.digest).toBe(digest);

    // Rebuilt without the cache into another image: its own version, the first one stays.
    const rebuilt = await ship(context('refs/heads/main', { attempt: 3 }), 'rebuilt', { 'no-cache': 'true' });
    expect(rebuilt.exitCode, rebuilt.log).toBe(0);
    expect(rebuilt.outputs.version).toBe(`${version}.3`);
    expect(rebuilt.log).toContain(`is not moved: attempt 3 of the run rebuilt another image than ${version}`);
    expect(await served(version)).toBe(digest);
    expect(await served(`${version}.3`)).toBe(rebuilt.outputs.digest);
    expect(await served('latest')).toBe(rebuilt.outputs.digest);
    expect(rebuilt.outputs.tags).toContain(`${registry}/${repo}:${version}.3`);
    expect(rebuilt.outputs.tags).not.toContain(`${registry}/${repo}:${version}\n`);

    // A first attempt that finds its version taken by another image is refused, naming both.
    const clash = await ship(context('refs/heads/main'), 'clash');
    expect(clash.exitCode).not.toBe(0);
    expect(clash.log).toContain(`${repo}:${version} already points to ${digest}`);
  });

  it("two workflows with the same run number both push: the second one's versions carry its prefix", async () => {
    const other = run + 1;
    const ship1 = await ship(context('refs/heads/main', { run: other }), 'ship');
    expect(ship1.exitCode, ship1.log).toBe(0);
    const rebuild = await ship(context('refs/heads/main', { run: other }), 'rebuild', {
      'version-prefix': 'rebuild-',
    });
    expect(rebuild.exitCode, rebuild.log).toBe(0);
    expect(rebuild.outputs.version).toBe(`rebuild-${today}-${other}`);
    expect(await served(`${today}-${other}`)).toBe(ship1.outputs.digest);
    expect(await served(`rebuild-${today}-${other}`)).toBe(rebuild.outputs.digest);
  });

  it('a branch named like a version is a branch: its second push moves it', async () => {
    const a = await ship(context('refs/heads/20240115-hotfix', { run: run + 2 }), 'hotfix-1');
    expect(a.exitCode, a.log).toBe(0);
    const b = await ship(context('refs/heads/20240115-hotfix', { run: run + 3 }), 'hotfix-2');
    expect(b.exitCode, b.log).toBe(0);
    expect(await served('20240115-hotfix')).toBe(b.outputs.digest);
    expect(a.outputs.digest).not.toBe(b.outputs.digest);
  });

  it('a back-port (v1.0.5 after v1.1.1) keeps 1 on 1.1.1 and moves 1.0 forward; the summary says so', async () => {
    const v111 = await ship(context('refs/tags/v1.1.1', { run: run + 4 }), '1.1.1');
    expect(v111.exitCode, v111.log).toBe(0);
    const v104 = await ship(context('refs/tags/v1.0.4', { run: run + 5 }), '1.0.4');
    expect(v104.exitCode, v104.log).toBe(0);
    expect(await served('1')).toBe(v111.outputs.digest);
    const v105 = await ship(context('refs/tags/v1.0.5', { run: run + 6 }), '1.0.5');
    expect(v105.exitCode, v105.log).toBe(0);
    expect(await served('1')).toBe(v111.outputs.digest);
    expect(await served('1.1')).toBe(v111.outputs.digest);
    expect(await served('1.0')).toBe(v105.outputs.digest);
    expect(await served('1.0.5')).toBe(v105.outputs.digest);
    expect(v105.summary).toContain('1 stays on 1.1.1, newer than 1.0.5');
    expect(v105.outputs.version).toBe(`${today}-${run + 6}`);
    // A release's X.Y.Z never moves: the same release rebuilt into another image is refused.
    const again = await ship(context('refs/tags/v1.0.5', { run: run + 7 }), '1.0.5-other');
    expect(again.exitCode).not.toBe(0);
    expect(again.log).toContain(`${repo}:1.0.5 already points to ${v105.outputs.digest}`);
  });
});
