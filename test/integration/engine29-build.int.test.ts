/**
 * build-and-tag, test-in-container and push-registry run from the runner side against the lab's
 * Docker 29-era engine (lab-host3: containerd image store, BuildKit 0.33), the way a runner with
 * Docker 29 runs them: DOCKER_HOST at that engine, SLIPWAY_DOCKER the Docker 29 client (the engine
 * refuses the 20.10 client's API version), buildx as that client's CLI plugin, so the builder is
 * the engine's own BuildKit (docker driver). On this store a plain build makes an index holding
 * the image and an attestation manifest: the outputs must name that index, and the pushed digest
 * must be what the registry serves (judged by crane and regctl).
 *
 * The lab registries are 127.0.0.1:5000/5001 from both sides: the runner reaches them directly,
 * lab-host3 through its forward of those ports to the lab gateway, so one reference serves both.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import { runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { LAB_SRC } from '../lab/config';

const lab = inject('lab');
const tools = inject('tools');
const host = lab.modernHost;
const local = new LocalRunner();
const ID = randomBytes(3).toString('hex');
const REPO = `${lab.registries.staging.host}/e29b/${ID}`;
const BASE = lab.images.busyboxInRegistry;

/** The runner's Docker 29 client pointed at the Docker 29 engine, buildx as its CLI plugin. */
const clientConfig = tempDir('engine29-build-docker-config');
const engineEnv = { DOCKER_HOST: host.dockerHost, DOCKER_CONFIG: clientConfig };
/** What every bundle run here gets: the engine, and the client that speaks its API. */
const env = { SLIPWAY_DOCKER: host.client, ...engineEnv };
const engine = (...args: string[]) => runChecked(local, { argv: [host.client, ...args], env: engineEnv });

/** Image references and IDs this file made in the Docker 29 engine (removed after the file). */
const made = new Set<string>();

const regctlConfig = join(tempDir('engine29-build-regctl'), 'regctl.json');
const judge = async (tool: 'crane' | 'regctl', args: string[]) =>
  (
    await runChecked(local, { argv: [tools[tool] as string, ...args], env: { REGCTL_CONFIG: regctlConfig } })
  ).stdout.trim();
const craneDigest = (ref: string) => judge('crane', ['digest', '--insecure', ref]);
const regctlDigest = (ref: string) => judge('regctl', ['image', 'digest', ref]);

interface Index {
  mediaType: string;
  manifests?: Array<{
    digest: string;
    platform?: { os: string; architecture: string };
    annotations?: Record<string, string>;
  }>;
}
const manifestOf = async (ref: string) =>
  JSON.parse(await judge('crane', ['manifest', '--insecure', ref])) as Index;
/** An index's entries: os/arch for an image, the reference type for an attestation manifest. */
const entries = (index: Index) =>
  (index.manifests ?? []).map(
    (m) => m.annotations?.['vnd.docker.reference.type'] ?? `${m.platform?.os}/${m.platform?.architecture}`,
  );

/** A copy of a lab fixture in a fresh context directory. */
function fixture(name: 'app' | 'multi', app?: string): string {
  const dir = tempDir(`engine29-build-${name}`);
  cpSync(join(LAB_SRC, 'fixtures', name), dir, { recursive: true });
  if (app) writeFileSync(join(dir, 'app.txt'), `${app}\n`);
  return dir;
}

const tagsOf = (out: Record<string, string>) => (out.tags ?? '').split('\n').filter(Boolean);

beforeAll(async () => {
  mkdirSync(join(clientConfig, 'cli-plugins'), { recursive: true });
  symlinkSync(tools.buildx as string, join(clientConfig, 'cli-plugins', 'docker-buildx'));
  await judge('regctl', ['registry', 'set', '--tls', 'disabled', lab.registries.staging.host]);
});

afterAll(async () => {
  // Exact references first (each untags), then the IDs still held by nothing else of ours.
  if (made.size > 0)
    await local.run({ argv: [host.client, 'image', 'rm', '--force', ...made], env: engineEnv });
});

describe('build-and-tag on the Docker 29 engine (docker driver, containerd image store)', () => {
  let built = { imageId: '', version: '', tags: [] as string[] };

  it('a plain build: an index with an attestation manifest in the engine, and outputs that name it', async () => {
    const run = await runBundle(
      'build-and-tag',
      {
        image: `${REPO}-app`,
        context: fixture('app'),
        'build-args': `BASE=${BASE}\nVERSION=e29-plain`,
      },
      { env },
    );
    expect(run.exitCode, run.log).toBe(0);
    const tags = tagsOf(run.outputs);
    for (const tag of tags) made.add(tag);
    const imageId = run.outputs['image-id'] as string;
    made.add(imageId);
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(tags.length).toBeGreaterThan(0);
    expect(tags).toContain(`${REPO}-app:${run.outputs.version}`);
    // Every tag is that image in the engine's store; the store's ID is the index's digest.
    for (const tag of tags)
      expect((await engine('image', 'inspect', '--format', '{{.Id}}', tag)).stdout.trim()).toBe(imageId);
    const inspected = JSON.parse(
      (await engine('image', 'inspect', '--format', '{{json .}}', imageId)).stdout,
    ) as { Os: string; Architecture: string; Config: { Labels: Record<string, string> } };
    expect(`${inspected.Os}/${inspected.Architecture}`).toBe('linux/amd64');
    // The labels are on the image (the platform image's config) as the outputs say.
    for (const line of (run.outputs.labels ?? '').split('\n').filter(Boolean)) {
      const eq = line.indexOf('=');
      expect(inspected.Config.Labels[line.slice(0, eq)], line).toBe(line.slice(eq + 1));
    }
    // The base resolved from its registry (crane judges) and recorded in the base-images label.
    const baseDigest = await craneDigest(BASE);
    expect(JSON.parse(run.outputs['base-images'] as string)).toEqual([
      { reference: BASE, digest: baseDigest, source: 'registry' },
    ]);
    expect(inspected.Config.Labels['dev.slipway.base-images']).toBe(`${BASE}@${baseDigest}`);
    const metadata = JSON.parse(run.outputs.metadata as string) as {
      imageId: string;
      sizeBytes: number;
      layers: number;
      version: string;
    };
    expect(metadata).toMatchObject({ imageId, version: run.outputs.version });
    expect(metadata.sizeBytes).toBeGreaterThan(0);
    expect(metadata.layers).toBeGreaterThan(0);
    expect(run.outputs.digest).toBe('');
    expect(run.log).toMatch(new RegExp(`Built ${imageId} \\(\\d`));
    built = { imageId, version: run.outputs.version as string, tags };
  }, 300_000);

  it('test-in-container on that image tests linux/amd64 and says so, then removes its containers', async () => {
    const ref = built.tags[0] as string;
    const run = await runBundle('test-in-container', { image: ref, run: 'cat /www/version' }, { env });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.outputs.platform).toBe('linux/amd64');
    expect(run.log).toContain(`Testing ${ref} for linux/amd64 (this runner's platform)`);
    expect(run.log).not.toContain('pulled from its registry');
    // The image's own file: the build's VERSION argument.
    expect(run.log).toMatch(/^e29-plain$/m);
    expect(run.summary).toContain('linux/amd64');
    const session = /Removed (\d+) container\(s\) and network (\S+)/.exec(run.log);
    expect(session, run.log).not.toBeNull();
    const left = await engine('ps', '--all', '--quiet', '--filter', `network=${session?.[2]}`);
    expect(left.stdout.trim()).toBe('');
  }, 120_000);

  it('push-registry pushes the index: its digest output is what crane and regctl read, the image ID built', async () => {
    const ref = `${REPO}-app:${built.version}`;
    const run = await runBundle('push-registry', { tags: ref }, { env });
    expect(run.exitCode, run.log).toBe(0);
    const digest = run.outputs.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await craneDigest(ref)).toBe(digest);
    expect(await regctlDigest(ref)).toBe(digest);
    // What was pushed is what was built: the store's ID is the index's digest.
    expect(digest).toBe(built.imageId);
    const index = await manifestOf(ref);
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json');
    expect(entries(index)).toEqual(['linux/amd64', 'attestation-manifest']);
    expect(run.outputs.refs).toBe(`${REPO}-app@${digest}`);
  }, 120_000);

  it('two platforms on the docker driver: loaded into the store whole, then pushed from the builder', async () => {
    // The containerd store holds an index: two platforms need no other builder here.
    const loaded = await runBundle(
      'build-and-tag',
      {
        image: `${REPO}-multi`,
        context: fixture('multi', 'e29 multi'),
        'build-args': `BASE=${BASE}`,
        tags: 'loaded',
        platforms: 'linux/arm64,linux/amd64',
      },
      { env },
    );
    expect(loaded.exitCode, loaded.log).toBe(0);
    for (const tag of tagsOf(loaded.outputs)) made.add(tag);
    made.add(loaded.outputs['image-id'] as string);
    expect(loaded.log).toContain(
      "Builder default (docker driver) builds linux/arm64, linux/amd64, loaded into the engine's containerd image store as one index",
    );
    expect(loaded.log).toMatch(/Built sha256:[0-9a-f]{64} for linux\/amd64/);
    expect(loaded.outputs.digest).toBe('');
    // The store's ID of the tag is the index the output names, and both platforms are in it.
    const ref = `${REPO}-multi:loaded`;
    expect((await engine('image', 'inspect', '--format', '{{.Id}}', ref)).stdout.trim()).toBe(
      loaded.outputs['image-id'],
    );
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const format = ['--format', '{{.Os}}/{{.Architecture}}'];
      const one = await engine('image', 'inspect', '--platform', platform, ...format, ref);
      expect(one.stdout.trim()).toBe(platform);
    }
    const tested = await runBundle(
      'test-in-container',
      { image: `${REPO}-multi:loaded`, run: 'cat /app/platform.txt' },
      { env },
    );
    expect(tested.exitCode, tested.log).toBe(0);
    expect(tested.outputs.platform).toBe('linux/amd64');
    expect(tested.log).toMatch(/^linux\/amd64$/m);
    // The store holds both platforms: asked for both, each runs (docker run --platform).
    const both = await runBundle(
      'test-in-container',
      {
        image: `${REPO}-multi:loaded`,
        run: 'cat /app/platform.txt /app/machine.txt',
        platforms: 'linux/amd64,linux/arm64',
      },
      { env },
    );
    expect(both.exitCode, both.log).toBe(0);
    expect(both.outputs.platforms).toBe('linux/amd64,linux/arm64');
    expect(both.log).toMatch(/^linux\/arm64$/m);

    const pushed = await runBundle(
      'build-and-tag',
      {
        image: `${REPO}-multi`,
        context: fixture('multi', 'e29 multi'),
        'build-args': `BASE=${BASE}`,
        tags: 'pushed',
        platforms: 'linux/amd64,linux/arm64',
        push: 'true',
      },
      { env },
    );
    expect(pushed.exitCode, pushed.log).toBe(0);
    for (const tag of tagsOf(pushed.outputs)) made.add(tag);
    const digest = pushed.outputs.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const tag of tagsOf(pushed.outputs)) expect(await craneDigest(tag)).toBe(digest);
    expect(await regctlDigest(`${REPO}-multi:pushed`)).toBe(digest);
    const index = await manifestOf(`${REPO}-multi:pushed`);
    expect(
      entries(index)
        .filter((e) => e.startsWith('linux/'))
        .sort(),
    ).toEqual(['linux/amd64', 'linux/arm64']);
  }, 300_000);
});
