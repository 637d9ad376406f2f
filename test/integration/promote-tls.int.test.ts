/**
 * promote-between-registries over TLS and on failing registries, through the bundled action:
 * docker-registry processes serving HTTPS with a self-signed certificate and with one from a
 * private CA (made with openssl), `insecure` and `ca-file`, errors that name the role and the
 * registry, a platform picked from an index, dry-run outputs and sources given by digest.
 * Results are checked with skopeo where it helps.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { answersPlainHttp, RegistryClient } from '../../src/registry/client';
import { fallbackTag } from '../../src/registry/referrers';
import { pushImage, pushIndex, unique } from '../helpers/oci';
import { freePort, makeCertificate, startRegistry, type TestRegistry } from '../helpers/registry-process';
import { runBundle } from '../helpers/run-bundle';

const lab = inject('lab');
const { staging, production } = lab.registries;
const prodCreds = { username: production.username as string, password: production.password as string };
const stagingClient = new RegistryClient(staging.host, { anonymous: true });

/** The digest skopeo sees (an outside tool, without certificate checks). */
function skopeoDigest(ref: string): string {
  const out = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${ref}`]);
  return `sha256:${createHash('sha256').update(out).digest('hex')}`;
}

function skopeoTags(repo: string): string[] {
  const out = execFileSync('skopeo', ['list-tags', '--tls-verify=false', `docker://${repo}`], {
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { Tags: string[] }).Tags;
}

describe('TLS registries', () => {
  let selfSigned: TestRegistry;
  let privateCa: TestRegistry;
  let otherCa: TestRegistry;
  let caPath = '';
  let otherCaPath = '';
  const repo = `tls/app-${unique()}`;
  let digest = '';

  beforeAll(async () => {
    selfSigned = await startRegistry({ tls: makeCertificate('self-signed') });
    const cert = makeCertificate('private-ca');
    caPath = cert.caPath as string;
    privateCa = await startRegistry({ tls: cert });
    const other = makeCertificate('private-ca');
    otherCaPath = other.caPath as string;
    otherCa = await startRegistry({ tls: other });
    digest = (await pushImage(stagingClient, repo, { seed: repo, layers: 2, layerSize: 5000, tag: 'v1' }))
      .digest;
  });
  afterAll(async () => {
    await selfSigned?.stop();
    await privateCa?.stop();
    await otherCa?.stop();
  });

  it('asks a loopback registry over plain HTTP first: a TLS port is not taken for one', async () => {
    // The probe behind every loopback registry (no TLS set up for an HTTP-only one); a TLS port
    // answers plain HTTP with 400 and goes the HTTPS way.
    expect(await answersPlainHttp(staging.host)).toBe(true);
    expect(await answersPlainHttp(production.host)).toBe(true); // 401: credentials wanted
    expect(await answersPlainHttp(selfSigned.host)).toBe(false);
    expect(await answersPlainHttp(privateCa.host)).toBe(false);
    expect(await answersPlainHttp(`127.0.0.1:${await freePort()}`)).toBe(false);
  });

  it('refuses a self-signed registry without insecure, naming it and the way out', async () => {
    const result = await runBundle('promote-between-registries', {
      source: `${staging.host}/${repo}:v1`,
      destination: `${selfSigned.host}/${repo}`,
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain(
      `destination registry ${selfSigned.host}: TLS: certificate not trusted (use ca-file or insecure)`,
    );
    expect(result.log).not.toContain('(400)');
  });

  it.each([
    ['true', 'all'],
    ['list', 'listed'],
  ])(
    'copies to a self-signed registry with insecure: %s (HTTPS without verification)',
    async (how, suffix) => {
      const target = `${repo}-${suffix}`;
      const result = await runBundle('promote-between-registries', {
        source: `${staging.host}/${repo}:v1`,
        destination: `${selfSigned.host}/${target}`,
        insecure: how === 'true' ? 'true' : `${selfSigned.host}\n`,
      });
      expect(result.exitCode, result.log).toBe(0);
      expect(result.outputs.digest).toBe(digest);
      expect(skopeoDigest(`${selfSigned.host}/${target}:v1`)).toBe(digest);
      // It really is HTTPS: plain HTTP to that port gets no registry answer.
      const plain = await fetch(`http://${selfSigned.host}/v2/`).then(
        (r) => r.status,
        () => 0,
      );
      expect(plain).not.toBe(200);
    },
  );

  it('trusts a private CA from ca-file in addition to the default roots', async () => {
    // The source's CA stands for the system's trust store (NODE_EXTRA_CA_CERTS is part of Node's
    // default roots); ca-file adds the destination's private CA: both are needed at once.
    const seedRepo = `${repo}-ca-src`;
    const seeder = new RegistryClient(otherCa.host, { insecure: true, anonymous: true });
    const image = await pushImage(seeder, seedRepo, {
      seed: seedRepo,
      layers: 1,
      layerSize: 3000,
      tag: 'v1',
    });
    const inputs = {
      source: `${otherCa.host}/${seedRepo}:v1`,
      destination: `${privateCa.host}/${repo}-ca`,
      'ca-file': caPath,
    };
    const withBoth = await runBundle('promote-between-registries', inputs, {
      env: { NODE_EXTRA_CA_CERTS: otherCaPath },
    });
    expect(withBoth.exitCode, withBoth.log).toBe(0);
    expect(skopeoDigest(`${privateCa.host}/${repo}-ca:v1`)).toBe(image.digest);
    // Without the source's CA in the default roots, the source (not the destination) is named.
    const withoutSystem = await runBundle('promote-between-registries', { ...inputs, tags: 'v2' });
    expect(withoutSystem.exitCode).toBe(1);
    expect(withoutSystem.log).toContain(`source registry ${otherCa.host}: TLS: certificate not trusted`);
    // And a private-CA destination next to a plain source that needs no CA.
    const plainSource = await runBundle('promote-between-registries', {
      source: `${staging.host}/${repo}:v1`,
      destination: `${privateCa.host}/${repo}-ca2`,
      'ca-file': caPath,
    });
    expect(plainSource.exitCode, plainSource.log).toBe(0);
    expect(skopeoDigest(`${privateCa.host}/${repo}-ca2:v1`)).toBe(digest);
  });
});

/** An address of this machine that is not loopback: a registry there gets no loopback leniency. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe.skipIf(!outsideAddress)('a plain-HTTP registry that is not loopback', () => {
  let plain: TestRegistry;
  const repo = `plain/app-${unique()}`;

  beforeAll(async () => {
    plain = await startRegistry({ address: outsideAddress as string });
    await pushImage(stagingClient, repo, { seed: repo, layers: 1, layerSize: 2000, tag: 'v1' });
  });
  afterAll(async () => {
    await plain?.stop();
  });

  it('is refused unless listed in insecure (no plain HTTP, so no credentials over it), then reached', async () => {
    const inputs = {
      source: `${staging.host}/${repo}:v1`,
      destination: `${plain.host}/${repo}`,
      'destination-username': 'robot',
      'destination-password': 'never-over-plain-http',
    };
    const refused = await runBundle('promote-between-registries', inputs);
    expect(refused.exitCode).toBe(1);
    expect(refused.log).toContain(
      `destination registry ${plain.host}: TLS: the registry does not answer HTTPS (list it in insecure to use plain HTTP)`,
    );
    const listed = await runBundle('promote-between-registries', { ...inputs, insecure: plain.host });
    expect(listed.exitCode, listed.log).toBe(0);
    // v1, and the fallback tag of the promotion record promote leaves at its destination
    const digest = skopeoDigest(`${plain.host}/${repo}:v1`);
    expect(skopeoTags(`${plain.host}/${repo}`).sort()).toEqual([fallbackTag(digest), 'v1'].sort());
  });
});

describe('errors that say what happened', () => {
  const repo = `errors/app-${unique()}`;

  beforeAll(async () => {
    await pushImage(stagingClient, repo, { seed: repo, layers: 1, layerSize: 2000, tag: 'v1' });
  });

  it('a refused password: credentials refused, naming role and registry', async () => {
    const destination = await runBundle('promote-between-registries', {
      source: `${staging.host}/${repo}:v1`,
      destination: `${production.host}/${repo}`,
      'destination-username': prodCreds.username,
      'destination-password': 'wrong-password',
    });
    expect(destination.exitCode).toBe(1);
    expect(destination.log).toContain(`destination registry ${production.host}: credentials refused`);
    expect(destination.log).not.toContain('wrong-password');
    const source = await runBundle('promote-between-registries', {
      source: `${production.host}/${repo}:v1`,
      destination: `${staging.host}/${repo}-back`,
      'source-username': prodCreds.username,
      'source-password': 'wrong-password',
    });
    expect(source.exitCode).toBe(1);
    expect(source.log).toContain(`source registry ${production.host}: credentials refused`);
  });

  it('a closed port: cannot connect, naming role and registry, at once', async () => {
    const port = await freePort();
    const destination = await runBundle('promote-between-registries', {
      source: `${staging.host}/${repo}:v1`,
      destination: `127.0.0.1:${port}/${repo}`,
    });
    expect(destination.exitCode).toBe(1);
    expect(destination.log).toContain(`destination registry 127.0.0.1:${port}: cannot connect`);
    expect(destination.durationMs).toBeLessThan(3000);
    const source = await runBundle('promote-between-registries', {
      source: `127.0.0.1:${port}/${repo}:v1`,
      destination: `${staging.host}/${repo}-x`,
    });
    expect(source.exitCode).toBe(1);
    expect(source.log).toContain(`source registry 127.0.0.1:${port}: cannot connect`);
    expect(source.durationMs).toBeLessThan(3000);
  });
});

describe('platforms, dry runs, digests', () => {
  const multi = `platforms/app-${unique()}`;
  let amd64 = '';
  let arm64 = '';
  let index = '';

  beforeAll(async () => {
    const a = await pushImage(stagingClient, multi, { seed: `${multi}-a`, layers: 2, layerSize: 3000 });
    const b = await pushImage(stagingClient, multi, {
      seed: `${multi}-b`,
      layers: 2,
      layerSize: 3000,
      architecture: 'arm64',
    });
    amd64 = a.digest;
    arm64 = b.digest;
    index = await pushIndex(stagingClient, multi, 'v1', [a, b]);
  });

  const prodInputs = {
    'destination-username': prodCreds.username,
    'destination-password': prodCreds.password,
  };

  it('copies the one platform asked for from an index', async () => {
    const result = await runBundle('promote-between-registries', {
      source: `${staging.host}/${multi}:v1`,
      destination: `${production.host}/${multi}-arm`,
      'all-platforms': 'false',
      platform: 'linux/arm64',
      ...prodInputs,
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs.digest).toBe(arm64);
    const prod = new RegistryClient(production.host, { credentials: prodCreds });
    expect((await prod.headManifest(`${multi}-arm`, 'v1'))?.digest).toBe(arm64);
    expect(await prod.headManifest(`${multi}-arm`, amd64)).toBeUndefined();
  });

  it('names the platforms an index has when the one asked for is missing', async () => {
    const result = await runBundle('promote-between-registries', {
      source: `${staging.host}/${multi}:v1`,
      destination: `${production.host}/${multi}-s390x`,
      'all-platforms': 'false',
      platform: 'linux/s390x',
      ...prodInputs,
    });
    expect(result.exitCode).toBe(1);
    expect(result.log).toContain('has no linux/s390x image (it has: linux/amd64, linux/arm64)');
  });

  it('a dry run copies nothing and says so: counts 0, the plan in blobs-to-copy', async () => {
    const target = `${multi}-dry`;
    const result = await runBundle('promote-between-registries', {
      source: `${staging.host}/${multi}:v1`,
      destination: `${production.host}/${target}`,
      'dry-run': 'true',
      ...prodInputs,
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(result.outputs).toMatchObject({
      digest: index,
      'blobs-copied': '0',
      'blobs-mounted': '0',
      'bytes-copied': '0',
      'blobs-to-copy': '6',
    });
    expect(Number(result.outputs['bytes-to-copy'])).toBeGreaterThan(12_000);
    expect(result.log).toContain('would copy 6 blob(s)');
    expect(result.log).not.toMatch(/\b6 copied/);
    expect(result.summary).toContain('| Blobs that would be copied | 6 |');
    const prod = new RegistryClient(production.host, { credentials: prodCreds });
    expect(await prod.headManifest(target, index)).toBeUndefined();
  });

  it('copies a source given by digest only: tagged as told, or not tagged at all', async () => {
    const untagged = await runBundle('promote-between-registries', {
      source: `${staging.host}/${multi}@${index}`,
      destination: `${production.host}/${multi}-bydigest`,
      ...prodInputs,
    });
    expect(untagged.exitCode, untagged.log).toBe(0);
    expect(untagged.outputs.refs).toBe(`${production.host}/${multi}-bydigest@${index}`);
    const prod = new RegistryClient(production.host, { credentials: prodCreds });
    expect((await prod.headManifest(`${multi}-bydigest`, index))?.digest).toBe(index);
    const tagged = await runBundle('promote-between-registries', {
      source: `${staging.host}/${multi}@${index}`,
      destination: `${production.host}/${multi}-bydigest`,
      tags: 'release-1',
      'expected-digest': index,
      ...prodInputs,
    });
    expect(tagged.exitCode, tagged.log).toBe(0);
    expect((await prod.headManifest(`${multi}-bydigest`, 'release-1'))?.digest).toBe(index);
    expect(tagged.outputs['blobs-copied']).toBe('0');
  });
});

describe('skopeo agrees', () => {
  it('sees what a promotion to the lab put there', async () => {
    const repo = `skopeo/app-${unique()}`;
    const image = await pushImage(stagingClient, repo, { seed: repo, layers: 1, layerSize: 1000, tag: 'v1' });
    const result = await runBundle('promote-between-registries', {
      source: `${staging.host}/${repo}:v1`,
      destination: `${staging.host}/${repo}-copy`,
    });
    expect(result.exitCode, result.log).toBe(0);
    expect(skopeoDigest(`${staging.host}/${repo}-copy:v1`)).toBe(image.digest);
    // v1, and the fallback tag of the promotion record promote leaves at its destination
    expect(skopeoTags(`${staging.host}/${repo}-copy`).sort()).toEqual(
      [fallbackTag(image.digest), 'v1'].sort(),
    );
  });
});
