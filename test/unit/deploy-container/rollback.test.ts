import { describe, expect, it } from 'vitest';
import type { HostState, Version } from '../../../src/deploy-container/container-host';
import { rollbackTarget } from '../../../src/deploy-container/deploy';

const version = (name: string, time: string, running = false): Version => ({
  container: `web-${name}`,
  running,
  digest: `sha256:${name.padEnd(64, '0')}`,
  image: `r/web@sha256:${name}`,
  version: name,
  time,
  imageId: name,
  config: 'c',
});

describe('rollback target', () => {
  const v1 = version('v1', '2026-12-01T10:00:00Z');
  const v2 = version('v2', '2026-12-01T11:00:00Z');
  const v3 = version('v3', '2026-12-01T12:00:00Z');
  const state = (current: Version, previous: Version[]): HostState => ({
    current,
    serving: [current],
    previous,
    orphans: [],
  });

  it('goes to the newest kept version older than the one in service', () => {
    expect(rollbackTarget(state(v3, [v2, v1]), v3)).toBe(v2);
  });

  it('after a rollback, a second one goes further back, never forward again', () => {
    // v3 was rolled back to v2: v3 is kept (newer), v1 is older.
    expect(rollbackTarget(state(v2, [v3, v1]), v2)).toBe(v1);
    expect(rollbackTarget(state(v1, [v3, v2]), v1)).toBeUndefined();
  });

  it('goes to the kept version named by version, digest or container, forward too', () => {
    expect(rollbackTarget(state(v1, [v3, v2]), v1, 'v3')).toBe(v3);
    expect(rollbackTarget(state(v1, [v3, v2]), v1, v2.digest)).toBe(v2);
    expect(rollbackTarget(state(v1, [v3, v2]), v1, 'web-v2')).toBe(v2);
    expect(rollbackTarget(state(v1, [v3, v2]), v1, 'v9')).toBeUndefined();
    expect(rollbackTarget(state(v1, [v3, v2]), v1, 'v1')).toBeUndefined();
  });
});
