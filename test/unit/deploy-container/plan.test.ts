import { describe, expect, it } from 'vitest';
import { Inputs } from '../../../src/common/inputs';
import type { HostState, Version } from '../../../src/deploy-container/container-host';
import {
  configOf,
  describeDeploy,
  describeRollback,
  hostResult,
  hostsTaking,
  keptResult,
  planDeploy,
  planRollback,
  rollbackTarget,
} from '../../../src/deploy-container/plan';
import { readDeployRequest } from '../../../src/deploy-container/request';
import { routesOf } from '../../../src/deploy-container/deploy';
import type { ContainerHost } from '../../../src/deploy-container/container-host';

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

const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----';
const request = (over: Record<string, string> = {}) =>
  readDeployRequest(
    new Inputs(
      (n) =>
        ({
          hosts: 'a.example.com\nb.example.com',
          username: 'deploy',
          'private-key': KEY,
          'insecure-ignore-host-key': 'true',
          image: 'r/web:v2',
          name: 'web',
          'fingerprint-key': 'k',
          ...over,
        })[n],
    ),
  );
const IMAGE = {
  reference: `r/web@sha256:${'2'.padEnd(64, '0')}`,
  digest: `sha256:${'2'.padEnd(64, '0')}`,
  version: 'v2',
};

describe('the deploy plan', () => {
  const r = request({ port: '80', publish: '8080' });
  const running = (name: string, digest: string, config = configOf(r)): Version => ({
    container: `web-${name}`,
    running: true,
    digest,
    image: `r/web@${digest}`,
    version: name,
    time: `2026-12-01T1${name.slice(1)}:00:00Z`,
    imageId: name,
    config,
  });
  const v1 = running('v1', `sha256:${'1'.padEnd(64, '0')}`);
  const v2 = running('v2', IMAGE.digest);
  const serving = (v: Version, proxy: HostState['proxy'] = { running: true, publish: 8080 }): HostState => ({
    current: v,
    serving: [v],
    previous: [],
    orphans: [],
    proxy,
  });
  const empty: HostState = { serving: [], previous: [], orphans: [] };
  const view = (where: string, state: HostState, routed?: boolean) => ({
    host: where,
    where,
    state,
    ...(routed !== undefined && { routed }),
  });

  it('switches every host on a first deploy, and says so in the dry run', () => {
    const plan = planDeploy(r, IMAGE, [view('a', empty), view('b', empty)]);
    expect(plan.hosts.map((h) => h.action)).toEqual(['switch', 'switch']);
    expect(plan.changed).toBe(true);
    expect(plan.previousImage).toBeNull();
    expect(describeDeploy(plan)).toEqual([
      `a: would deploy ${IMAGE.reference} (now nothing)`,
      `b: would deploy ${IMAGE.reference} (now nothing)`,
    ]);
  });

  it('keeps a host that runs the digest with the same configuration and its proxy; switches the others', () => {
    const plan = planDeploy(r, IMAGE, [view('a', serving(v2)), view('b', serving(v1))]);
    expect(plan.hosts.map((h) => h.action)).toEqual(['keep', 'switch']);
    expect(hostsTaking(plan, 'switch').map((h) => h.where)).toEqual(['b']);
    expect(plan.previousImage).toBe(v2.image);
    expect(describeDeploy(plan)[0]).toBe(`a: already runs ${IMAGE.digest}`);
  });

  it('switches a host whose configuration changed, whose proxy is down, or that serves two versions', () => {
    const other = running('v2', IMAGE.digest, 'another');
    const split: HostState = { ...serving(v2), serving: [v2, v1] };
    const plan = planDeploy(r, IMAGE, [
      view('a', serving(other)),
      view('b', serving(v2, { running: false, publish: 8080 })),
      view('c', split),
    ]);
    expect(plan.hosts.map((h) => h.action)).toEqual(['switch', 'switch', 'switch']);
  });

  it('keeps everything when every host runs it: nothing changed', () => {
    const plan = planDeploy(r, IMAGE, [view('a', serving(v2)), view('b', serving(v2))]);
    expect(plan.changed).toBe(false);
    expect(hostsTaking(plan, 'switch')).toEqual([]);
  });

  it('refuses a proxy publishing another port, before anything changes', () => {
    expect(() => planDeploy(r, IMAGE, [view('a', serving(v1, { running: true, publish: 9090 }))])).toThrow(
      /a: the proxy of web publishes port 9090, not 8080\..*Nothing was changed/,
    );
  });

  it('with hostnames: reroutes a host whose version runs but whose routes the shared proxy does not serve', () => {
    const shared = request({ port: '80', hostnames: 'shop.example.com' });
    const v = running('v2', IMAGE.digest, configOf(shared));
    // Behind the shared proxy, the service's own proxy publishes nothing.
    const front = { running: true };
    const plan = planDeploy(shared, IMAGE, [
      view('a', serving(v, front), false),
      view('b', serving(v, front), true),
      // Routed, but the service's own proxy in front of its versions is stopped (or predates it).
      view('c', serving(v, { running: false }), true),
      view('d', { ...serving(v), proxy: undefined }, true),
    ]);
    expect(plan.hosts.map((h) => h.action)).toEqual(['reroute', 'keep', 'reroute', 'reroute']);
    expect(plan.changed).toBe(true);
    expect(describeDeploy(plan)[0]).toBe(
      `a: already runs ${IMAGE.digest}; would apply its routes to the shared proxy`,
    );
    // The shared proxy's route goes to the service's own proxy; the app's port is in the record, so
    // a deploy changing only the port reroutes (the service's proxy is rewritten).
    const session = { proxy: 'slipway-proxy-web', live: 'slipway-web-live' } as ContainerHost;
    const routes = routesOf(shared, session);
    expect(routes).toMatchObject({
      upstream: 'slipway-proxy-web',
      network: 'slipway-web-live',
      port: 80,
      appPort: 80,
    });
    expect(routesOf(request({ port: '8080', hostnames: 'shop.example.com' }), session)?.appPort).toBe(8080);
    // The other way round: a proxy serving the shared proxy is not moved onto a port by a deploy.
    const published = request({ port: '80', publish: '8081' });
    expect(() => planDeploy(published, IMAGE, [view('a', serving(v, front))])).toThrow(
      /a: the proxy of \S+ publishes no port \(the shared proxy serves the service by hostname\); to serve it on port 8081 instead/,
    );
    // A proxy of the service that publishes a port (from before hostnames) is refused, nothing changed.
    expect(() => planDeploy(shared, IMAGE, [view('a', serving(v), true)])).toThrow(
      /a: the proxy of \S+ publishes port 8080; with hostnames the service is served by the shared proxy: remove the container slipway-proxy-\S+ on that host/,
    );
  });

  it('builds every host result one way', () => {
    const plan = planDeploy(r, IMAGE, [view('a', serving(v1))]);
    expect(keptResult(IMAGE, plan.hosts[0] as (typeof plan.hosts)[number], 'planned')).toEqual({
      host: 'a',
      previous: v1.image,
      image: IMAGE.reference,
      container: v1.container,
      durationMs: 0,
      result: 'planned',
    });
    expect(
      hostResult(
        'a',
        v1,
        'deployed',
        { image: IMAGE.reference, container: 'web-new' },
        { durationMs: 5, pullMs: 1, healthMs: 2, stopMs: 0 },
      ),
    ).toEqual({
      host: 'a',
      previous: v1.image,
      image: IMAGE.reference,
      container: 'web-new',
      durationMs: 5,
      result: 'deployed',
      pullMs: 1,
      healthMs: 2,
      stopMs: 0,
    });
    expect(
      hostResult('a', undefined, 'failed', { image: null, container: null }, { error: 'x' }),
    ).toMatchObject({
      previous: null,
      error: 'x',
    });
  });
});

describe('the rollback plan', () => {
  const v1 = version('v1', '2026-12-01T10:00:00Z');
  const v2 = version('v2', '2026-12-01T11:00:00Z', true);
  const on = (where: string, current: Version | undefined, previous: Version[]) => ({
    host: where,
    where,
    state: { ...(current && { current }), serving: current ? [current] : [], previous, orphans: [] },
  });

  it('goes back to the same kept version on every host, and says so in the dry run', () => {
    const steps = planRollback({ name: 'web' }, [on('a', v2, [v1]), on('b', v2, [v1])]);
    expect(steps.map((t) => [t.where, t.target.container])).toEqual([
      ['a', 'web-v1'],
      ['b', 'web-v1'],
    ]);
    expect(describeRollback(steps)[0]).toBe(`a: would roll back ${v2.image} → ${v1.image}`);
  });

  it('refuses a host with nothing in service, nothing kept, or hosts that would differ', () => {
    expect(() => planRollback({ name: 'web' }, [on('a', undefined, [v1])])).toThrow(
      'a: web is not in service: nothing to roll back',
    );
    expect(() => planRollback({ name: 'web' }, [on('a', v2, [])])).toThrow(/a: no kept version of web older/);
    expect(() => planRollback({ name: 'web', rollbackTo: 'v9' }, [on('a', v2, [v1])])).toThrow(
      'a: no kept version of web matches v9 (kept: v1)',
    );
    const other = version('v0', '2026-12-01T09:00:00Z');
    expect(() => planRollback({ name: 'web' }, [on('a', v2, [v1]), on('b', v2, [other])])).toThrow(
      /would roll back to different versions/,
    );
  });
});
