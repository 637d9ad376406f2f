import { describe, expect, it } from 'vitest';
import { sharedCaddyfile } from '../../../src/proxy/caddy';
import {
  adminAddress,
  GENERATION_LABEL,
  generationName,
  generationOf,
  generationSpec,
  holderIdleCaddyfile,
  PARKED_BIND,
  parkedPorts,
  reconcile,
  upgradeNeeded,
} from '../../../src/proxy/proxy-generations';

const PINNED = 'registry.example/caddy@sha256:' + 'a'.repeat(64);
const OTHER = 'registry.example/caddy@sha256:' + 'b'.repeat(64);

describe('the shared proxy generations', () => {
  it('names generations apart from every service proxy (slipway-proxy-<service>)', () => {
    expect(generationName(3)).toBe('slipway-proxy.3');
    expect(generationOf('slipway-proxy.3')).toBe(3);
    expect(generationOf('/slipway-proxy.12')).toBe(12);
    for (const name of [
      'slipway-proxy',
      'slipway-proxy-3',
      'slipway-proxy.0',
      'slipway-proxy.3x',
      'x-slipway-proxy.3',
    ])
      expect(generationOf(name), name).toBeUndefined();
  });

  it('gives the holder and two consecutive generations different admin endpoints', () => {
    expect(adminAddress(0)).toBe('localhost:2019');
    for (const n of [1, 2, 999, 1000, 1001, 5000]) {
      expect(adminAddress(n)).not.toBe(adminAddress(0));
      expect(adminAddress(n)).not.toBe(adminAddress(n + 1));
    }
    expect(sharedCaddyfile([], { http: 80, https: 443 }, adminAddress(2))).toContain(
      '\tadmin localhost:2021\n',
    );
    expect(sharedCaddyfile([], { http: 80, https: 443 })).toContain('\tadmin localhost:2019\n');
  });

  it('parks a Caddy on loopback ports of its own, every site kept (its certificates stay loaded)', () => {
    const parked = sharedCaddyfile(
      [
        {
          service: 's',
          upstream: 's',
          network: 'n',
          port: 8080,
          tls: 'acme',
          routes: [{ host: 'a.test', path: '' }],
        },
      ] as never,
      parkedPorts(3),
      adminAddress(3),
      PARKED_BIND,
    );
    expect(parked).toContain('\thttp_port 30006\n\thttps_port 30007\n\tdefault_bind 127.0.0.1\n');
    expect(parked).toContain('a.test {');
    expect(parkedPorts(3)).not.toEqual(parkedPorts(4));
  });

  it("idles the holder with its admin endpoint only (it keeps the reload's address)", () => {
    expect(holderIdleCaddyfile()).toBe('{\n\tadmin localhost:2019\n}\n');
  });

  it('upgrades a generation when the proxy-image asked for (or the way it is made) differs', () => {
    const gen = (image: string) => ({
      generation: 2,
      image: PINNED,
      labels: { [GENERATION_LABEL.spec]: generationSpec(image) },
    });
    expect(upgradeNeeded(gen('caddy:2'), 'caddy:2', undefined)).toBe(false);
    expect(upgradeNeeded(gen('caddy:2'), 'caddy:2.9', PINNED)).toBe(true);
    expect(upgradeNeeded({ generation: 1, image: PINNED, labels: {} }, 'caddy:2', PINNED)).toBe(true);
  });

  it('compares a proxy made before generations by digest, without pulling', () => {
    const holder = { generation: 0, image: PINNED, labels: {} };
    expect(upgradeNeeded(holder, PINNED, PINNED)).toBe(false);
    expect(upgradeNeeded(holder, 'registry.example/caddy:2', PINNED)).toBe(false);
    expect(upgradeNeeded(holder, 'registry.example/caddy:2.10', OTHER)).toBe(true);
    // Not on the host yet: an upgrade (the image is pulled, then compared again under the lock).
    expect(upgradeNeeded(holder, 'registry.example/caddy:2.10', undefined)).toBe(true);
    // Made from a local image without a digest: the reference is what runs.
    expect(upgradeNeeded({ ...holder, image: 'caddy:local' }, 'caddy:local', undefined)).toBe(false);
  });
});

describe('after an interrupted upgrade, one Caddy serves', () => {
  it('leaves a host that never upgraded alone', () => {
    expect(reconcile(undefined, [], false)).toEqual({
      serving: 0,
      retire: [],
      start: false,
      idleHolder: false,
      holderTakesOver: false,
    });
  });

  it('cut before the switch was recorded: the new generation goes, the old keeps serving', () => {
    const holderServes = reconcile(undefined, [{ generation: 1, running: true }], false);
    expect(holderServes).toMatchObject({ serving: 0, retire: [{ generation: 1 }], idleHolder: false });
    const genServes = reconcile(
      1,
      [
        { generation: 1, running: true },
        { generation: 2, running: false },
      ],
      true,
    );
    expect(genServes).toMatchObject({
      serving: 1,
      retire: [{ generation: 2 }],
      start: false,
      idleHolder: false,
    });
  });

  it('cut after the switch was recorded: the old one retires (a generation stops, the holder idles)', () => {
    expect(reconcile(1, [{ generation: 1, running: true }], false)).toMatchObject({
      serving: 1,
      retire: [],
      idleHolder: true,
    });
    expect(
      reconcile(
        3,
        [
          { generation: 2, running: true },
          { generation: 3, running: true },
        ],
        true,
      ),
    ).toMatchObject({ serving: 3, retire: [{ generation: 2, running: true }], idleHolder: false });
  });

  it('starts the generation in service when it stopped', () => {
    expect(reconcile(2, [{ generation: 2, running: false }], true)).toMatchObject({
      serving: 2,
      start: true,
    });
  });

  it('gives the routes back to the holder when the recorded generation is gone', () => {
    expect(reconcile(4, [], true)).toMatchObject({ serving: 0, holderTakesOver: true });
    expect(reconcile(undefined, [{ generation: 5, running: true }], true)).toMatchObject({
      serving: 0,
      retire: [{ generation: 5 }],
      holderTakesOver: true,
    });
  });
});
