/**
 * Before any host is changed: the pinned images must carry a signature by verify-key and the
 * required attestations (checked before any host is connected to). With `require-attestations:
 * test-result`, an index is then verified for the hosts it goes to, once they are connected and
 * have said their platform: the image each host's engine resolves it to must carry its own PASSED
 * test result; an index without an image for a host's platform is refused too. An image of another
 * platform, which no host of the deploy runs, is verified and reported, never required.
 */
import { parseReference } from '../common/reference';
import { isIndex, platformImages } from '../registry/image-tree';
import { clientFor } from '../registry/resolve';
import { TEST_RESULT_PREDICATE } from '../supply-chain/formats';
import { describe, type ImageToVerify, verifyAll, withPlatformManifests } from '../supply-chain/operation';
import {
  forHosts,
  refusal,
  type Verification,
  VerificationError,
  verifyDigest,
  type VerifyPolicy,
} from '../supply-chain/verify';
import { variantFor } from '../docker/host-platform';
import type { Connection } from './inputs';
import type { PinnedImage } from './pin';

/** A host of the deploy and the platform its engine runs (docker/host-platform.ts). */
export interface HostPlatform {
  readonly host: string;
  readonly platform: string;
}

/** What an index means for the deploy's hosts. */
export interface HostVariants {
  /** Each image some host runs, with the hosts that run it (and the platform they asked for). */
  readonly run: ReadonlyArray<{ digest: string; platform: string; hosts: string[] }>;
  /** Host platforms the index has no image for, with their hosts. */
  readonly missing: ReadonlyArray<{ platform: string; hosts: string[] }>;
  /** Images no host of the deploy runs. */
  readonly unused: ReadonlyArray<{ digest: string; platform: string }>;
}

/** Which image of an index (its platform images) each host runs, and what no host runs or has no image. */
export function hostVariants(
  images: ReadonlyArray<{ digest: string; platform: string }>,
  hosts: readonly HostPlatform[],
): HostVariants {
  const run = new Map<string, { digest: string; platform: string; hosts: string[] }>();
  const missing = new Map<string, { platform: string; hosts: string[] }>();
  for (const h of hosts) {
    const image = variantFor(images, h.platform);
    if (!image) {
      const entry = missing.get(h.platform) ?? { platform: h.platform, hosts: [] };
      entry.hosts.push(h.host);
      missing.set(h.platform, entry);
      continue;
    }
    const entry = run.get(image.digest) ?? { digest: image.digest, platform: image.platform, hosts: [] };
    entry.hosts.push(h.host);
    run.set(image.digest, entry);
  }
  return {
    run: [...run.values()],
    missing: [...missing.values()],
    unused: images.filter((i) => !run.has(i.digest)),
  };
}

/** Whether a deploy needs to know its hosts' platforms: test results are required (of what each host runs). */
export function needsHostPlatforms(policy: VerifyPolicy | undefined): boolean {
  return Boolean(policy?.attestations.includes(TEST_RESULT_PREDICATE));
}

function toVerify(images: readonly PinnedImage[], connection: Connection): ImageToVerify[] {
  return images.map((image) => {
    const ref = parseReference(image.reference);
    const credentials =
      connection.registryUsername && connection.registryPassword && connection.registry === ref.registry
        ? { credentials: { username: connection.registryUsername, password: connection.registryPassword } }
        : {};
    return { client: clientFor(ref.registry, credentials), repository: ref.repository, digest: image.digest };
  });
}

/**
 * Verifies each pinned image (none when no verify-key is given) before any host is connected to;
 * throws VerificationError naming what is missing. `perHost`: the deploy will verify each index
 * for its hosts once connected (verifyForHosts), so only the images themselves are verified here;
 * otherwise (Swarm: the scheduler may place a task on any node) every platform image of an index
 * must carry a PASSED test result too.
 */
export async function verifyPinned(
  images: readonly PinnedImage[],
  connection: Connection,
  log: (line: string) => void,
  options: { perHost?: boolean } = {},
): Promise<Verification[]> {
  const policy = connection.verify;
  if (!policy || images.length === 0) return [];
  const list = toVerify(images, connection);
  return verifyAll(
    options.perHost && needsHostPlatforms(policy) ? list : await withPlatformManifests(list, policy),
    policy,
    log,
  );
}

/**
 * Once the hosts are connected, before anything changes on them: each index is verified for the
 * hosts it goes to (see above). `hosts` undefined (test results not required): nothing to do.
 * Throws VerificationError (with `earlier`, what verifyPinned verified) naming the platform, the
 * digest and the hosts of each image that is not verified.
 */
export async function verifyForHosts(
  images: readonly PinnedImage[],
  connection: Connection,
  log: (line: string) => void,
  hosts: readonly HostPlatform[] | undefined,
  earlier: readonly Verification[] = [],
): Promise<Verification[]> {
  const policy = connection.verify;
  if (!policy || !hosts || images.length === 0 || !needsHostPlatforms(policy)) return [];
  const results: Verification[] = [];
  const check = async (image: ImageToVerify, extra: Partial<Verification> = {}) => {
    const v = { ...(await verifyDigest(image.client, image.repository, image.digest, policy)), ...extra };
    log(v.ok ? `Verified ${describe(v)}${forHosts(v)}` : refusal(v));
    for (const line of v.ignored) log(`Ignored (names another digest) ${line}`);
    return v;
  };
  for (const image of toVerify(images, connection)) {
    const manifest = await image.client.getManifest(image.repository, image.digest);
    if (!isIndex(manifest)) continue;
    const offered = platformImages(manifest);
    const plan = hostVariants(offered, hosts);
    const name = `${image.client.registry}/${image.repository}`;
    for (const m of plan.missing) {
      const v: Verification = {
        image: name,
        digest: image.digest,
        ok: false,
        signatures: [],
        attestations: [],
        problems: [
          `the index has no ${m.platform} image, the platform of ${m.hosts.join(', ')} (it has ${offered.map((o) => o.platform).join(', ') || 'none'})`,
        ],
        ignored: [],
      };
      log(refusal(v));
      results.push(v);
    }
    for (const r of plan.run)
      results.push(await check({ ...image, digest: r.digest }, { platform: r.platform, hosts: r.hosts }));
    for (const u of plan.unused) {
      // Reported, not required: no host of this deploy runs it.
      const v = await verifyDigest(image.client, image.repository, u.digest, policy).catch(
        (error: Error) => error,
      );
      const what = `${name}@${u.digest} (the ${u.platform} image, which no host of this deploy runs)`;
      log(
        v instanceof Error
          ? `Not required: ${what} could not be verified: ${v.message}`
          : v.ok
            ? `Also verified ${what}${testsOf(v)}`
            : `Not required: ${what} is not verified: ${v.problems.join('; ')}`,
      );
    }
  }
  if (results.some((v) => !v.ok)) throw new VerificationError([...earlier, ...results]);
  return results;
}

function testsOf(v: Verification): string {
  return v.tests ? `; tests ${v.tests.result} (${v.tests.passed} passed, ${v.tests.failed} failed)` : '';
}
