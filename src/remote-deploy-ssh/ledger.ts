/**
 * The ledger: for what runs on each host, whether its digest verifies with verify-key and which
 * test run its attestation names (the deploy run that put it there is a label of the container).
 * "Which tested build is serving?" in one command (slipway status with verify-key).
 */
import { parseReference } from '../common/reference';
import type { Connection } from '../deploy-core/inputs';
import { clientFor } from '../registry/resolve';
import { type Verification, verifyDigest } from '../supply-chain/verify';
import type { HostStatus } from './status';

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
      if (c.state !== 'running' || !c.image.includes('@sha256:') || results.has(c.image)) continue;
      try {
        const ref = parseReference(c.image);
        const credentials =
          connection.registryUsername && connection.registryPassword && connection.registry === ref.registry
            ? {
                credentials: { username: connection.registryUsername, password: connection.registryPassword },
              }
            : {};
        results.set(
          c.image,
          await verifyDigest(
            clientFor(ref.registry, credentials),
            ref.repository,
            ref.digest as string,
            policy,
          ),
        );
      } catch (error) {
        results.set(c.image, error as Error);
      }
    }
  }
  return hosts.map((host) => ({
    ...host,
    containers: host.containers.map((c) => {
      if (c.state === 'running' && !c.image.includes('@sha256:'))
        return { ...c, verified: false, tests: 'cannot verify: not pinned to a digest' };
      const v = results.get(c.image);
      if (!v) return c;
      if (v instanceof Error) return { ...c, verified: false, tests: `cannot verify: ${v.message}` };
      return {
        ...c,
        verified: v.ok,
        ...(v.tests && {
          tests: `${v.tests.result} (${v.tests.passed} passed, ${v.tests.failed} failed)${v.tests.url ? ` ${v.tests.url}` : ''}`,
        }),
        ...(!v.ok && { tests: v.problems.join('; ') }),
      };
    }),
  }));
}
