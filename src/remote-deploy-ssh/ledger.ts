/**
 * The ledger: for what runs on each host, whether its digest verifies with verify-key and which
 * test run its attestation names, the promotion that put the digest in its registry (the newest
 * promotion record there, with or without verify-key; nothing when there is none), and the deploy
 * run (a label of the container). "Which tested build is serving?" in one command (slipway status).
 */
import { type ImageReference, parseReference } from '../common/reference';
import type { Connection } from '../deploy-core/inputs';
import type { RegistryClient } from '../registry/client';
import { clientFor } from '../registry/resolve';
import { describePromotion, newestPromotion, readPromotions } from '../supply-chain/promotion';
import { describeTests, type Verification, verifyDigest } from '../supply-chain/verify';
import type { ContainerStatus, HostStatus, VariantStatus } from './status';
import { isIndex, platformImages } from '../registry/image-tree';
import { TEST_RESULT_PREDICATE } from '../supply-chain/formats';
import { variantFor } from '../docker/host-platform';

/** The registry client for a running image: the connection's registry credentials when it is that registry. */
function clientForImage(ref: ImageReference, connection: Connection): RegistryClient {
  const credentials =
    connection.registryUsername && connection.registryPassword && connection.registry === ref.registry
      ? { credentials: { username: connection.registryUsername, password: connection.registryPassword } }
      : {};
  return clientFor(ref.registry, credentials);
}

/**
 * "promoted from <source> by <run> at <time>" for each image pinned to a digest that has a
 * promotion record in its registry; an image without one (or whose registry cannot be read) has no
 * entry: the ledger then says nothing of its promotion.
 */
const LEDGER_DEADLINE_MS = 10_000;

export async function promotionsOf(
  images: readonly (string | null | undefined)[],
  connection: Connection,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const pinned = [...new Set(images.filter((i): i is string => Boolean(i && i.includes('@sha256:'))))];
  // What the ledger can read in 10 s: a slow registry never holds up a deploy that is done.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, LEDGER_DEADLINE_MS);
    timer.unref();
  });
  const reading = Promise.all(
    pinned.map(async (image) => {
      try {
        const ref = parseReference(image);
        const newest = newestPromotion(
          await readPromotions(clientForImage(ref, connection), ref.repository, ref.digest as string),
        );
        if (newest) out.set(image, describePromotion(newest));
      } catch {
        // Not readable: nothing to say.
      }
    }),
  );
  await Promise.race([reading, deadline]);
  clearTimeout(timer);
  return new Map(out);
}

/** The hosts' running containers annotated with the promotion that put their digest in its registry. */
export async function withPromotions(
  hosts: readonly HostStatus[],
  connection: Connection,
): Promise<HostStatus[]> {
  const promoted = await promotionsOf(
    hosts.flatMap((h) => h.containers.filter((c) => c.state === 'running').map((c) => c.image)),
    connection,
  );
  return hosts.map((host) => ({
    ...host,
    containers: host.containers.map((c) => {
      const line = c.state === 'running' ? promoted.get(c.image) : undefined;
      return line ? { ...c, promoted: line } : c;
    }),
  }));
}

/**
 * What verify-key speaks for: the service's running containers, as a deploy verifies them; the
 * shared proxy (role proxy) runs the proxy-image, which no deploy verifies.
 */
function isVerified(c: ContainerStatus): boolean {
  return c.state === 'running' && c.role !== 'proxy';
}

/** Each running repo@digest verified once; the hosts' containers annotated with the result. */
export async function withVerification(
  hosts: readonly HostStatus[],
  connection: Connection,
): Promise<HostStatus[]> {
  const policy = connection.verify;
  if (!policy) return [...hosts];
  const results = new Map<string, Verification | Error>();
  for (const host of hosts) {
    for (const c of host.containers) {
      if (!isVerified(c) || !c.image.includes('@sha256:') || results.has(c.image)) continue;
      try {
        const ref = parseReference(c.image);
        results.set(
          c.image,
          await verifyDigest(clientForImage(ref, connection), ref.repository, ref.digest as string, policy),
        );
      } catch (error) {
        results.set(c.image, error as Error);
      }
    }
  }
  return hosts.map((host) => ({
    ...host,
    containers: host.containers.map((c) => {
      if (isVerified(c) && !c.image.includes('@sha256:'))
        return { ...c, verified: false, tests: 'cannot verify: not pinned to a digest' };
      const v = results.get(c.image);
      if (!v) return c;
      if (v instanceof Error) return { ...c, verified: false, tests: `cannot verify: ${v.message}` };
      return {
        ...c,
        verified: v.ok,
        ...(v.tests && {
          tests: describeTests(v.tests),
        }),
        ...(!v.ok && { tests: v.problems.join('; ') }),
      };
    }),
  }));
}

/** `make`, called once per key (the first call's other arguments): its promise is shared. */
function once<A extends unknown[], T>(make: (key: string, ...rest: A) => Promise<T>) {
  const made = new Map<string, Promise<T>>();
  return (key: string, ...rest: A): Promise<T> => {
    let found = made.get(key);
    if (!found) made.set(key, (found = make(key, ...rest)));
    return found;
  };
}

/**
 * For each running container whose image is an index pinned by digest: the platform image its
 * host's engine runs (the host's platform) and whether that image carries a PASSED test result
 * signed by verify-key ("unknown" without verify-key, or when the registry or the host's platform
 * cannot be read).
 */
export async function withVariants(
  hosts: readonly HostStatus[],
  connection: Connection,
): Promise<HostStatus[]> {
  const policy = connection.verify && {
    ...connection.verify,
    attestations: [...new Set([...connection.verify.attestations, TEST_RESULT_PREDICATE])],
  };
  // Each index read once, each platform image verified once, however many containers run them.
  const platformsOf = once((image: string) => {
    const ref = parseReference(image);
    return clientForImage(ref, connection)
      .getManifest(ref.repository, ref.digest as string)
      .then((m) => (isIndex(m) ? platformImages(m) : undefined));
  });
  const verdictOf = once(
    async (digest: string, image: string): Promise<Pick<VariantStatus, 'tested' | 'detail'>> => {
      if (!policy)
        return { tested: 'unknown', detail: 'unknown: no verify-key to check its attestations with' };
      try {
        const ref = parseReference(image);
        const v = await verifyDigest(clientForImage(ref, connection), ref.repository, digest, policy);
        return v.ok && v.tests
          ? { tested: 'yes', detail: `tested: ${describeTests(v.tests)}` }
          : { tested: 'no', detail: `NOT tested: ${v.problems.join('; ')}` };
      } catch (error) {
        return { tested: 'unknown', detail: `unknown: ${(error as Error).message}` };
      }
    },
  );
  return Promise.all(
    hosts.map(async (host) => ({
      ...host,
      containers: await Promise.all(
        host.containers.map(async (c): Promise<ContainerStatus> => {
          // A Swarm task runs on a node of its own, not on the manager that reports it.
          if (!isVerified(c) || !c.image.includes('@sha256:') || c.role.startsWith('task on ')) return c;
          const images = await platformsOf(c.image).catch(() => undefined);
          if (!images) return c;
          if (!host.platform)
            return {
              ...c,
              variant: {
                platform: '?',
                digest: '',
                tested: 'unknown',
                detail: "unknown: the host's platform could not be read",
              },
            };
          const variant = variantFor(images, host.platform);
          if (!variant)
            return {
              ...c,
              variant: {
                platform: host.platform,
                digest: '',
                tested: 'no',
                detail: `the index has no ${host.platform} image`,
              },
            };
          return {
            ...c,
            variant: {
              platform: variant.platform,
              digest: variant.digest,
              ...(await verdictOf(variant.digest, c.image)),
            },
          };
        }),
      ),
    })),
  );
}
