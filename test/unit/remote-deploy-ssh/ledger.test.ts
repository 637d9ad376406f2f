import { describe, expect, it } from 'vitest';
import type { Connection } from '../../../src/deploy-core/inputs';
import { withPromotions, withVerification } from '../../../src/remote-deploy-ssh/ledger';
import type { ContainerStatus } from '../../../src/remote-deploy-ssh/status';

const container = (image: string, state = 'running'): ContainerStatus => ({
  name: 'web-1',
  role: 'app',
  image,
  version: '1',
  state,
  since: '2026-12-01T10:00:00Z',
});

describe('the ledger', () => {
  it('says a running image not pinned to a digest cannot be verified (never silently skipped)', async () => {
    const connection = { verify: { keys: [], attestations: [] } } as unknown as Connection;
    const [host] = await withVerification(
      [
        {
          host: 'h1',
          containers: [container('registry.test/app:latest'), container('registry.test/app:old', 'exited')],
          audit: [],
        },
      ],
      connection,
    );
    expect(host?.containers[0]).toMatchObject({
      verified: false,
      tests: 'cannot verify: not pinned to a digest',
    });
    // a stopped one is not what runs: nothing said about it
    expect(host?.containers[1]?.verified).toBeUndefined();
  });

  it("does not judge the shared proxy's image, which no deploy verifies", async () => {
    const connection = { verify: { keys: [], attestations: [] } } as unknown as Connection;
    const proxy = { ...container('registry.test/lab/caddy:2'), name: 'slipway-proxy-web', role: 'proxy' };
    const [host] = await withVerification([{ host: 'h1', containers: [proxy], audit: [] }], connection);
    expect(host?.containers[0]?.verified).toBeUndefined();
  });

  it('says nothing of a promotion when no image is pinned (no registry asked)', async () => {
    const hosts = [{ host: 'h1', containers: [container('registry.test/app:latest')], audit: [] }];
    expect(await withPromotions(hosts, {} as Connection)).toEqual(hosts);
  });

  it('changes nothing without verify-key', async () => {
    const hosts = [{ host: 'h1', containers: [container('registry.test/app:latest')], audit: [] }];
    expect(await withVerification(hosts, {} as Connection)).toEqual(hosts);
  });
});
