import { describe, expect, it } from 'vitest';
import {
  parseRoute,
  parseRoutes,
  routeConflict,
  type ServiceRoutes,
  sharedCaddyfile,
  UPSTREAM,
} from '../../../src/proxy/caddy';

const svc = (service: string, lines: string[], extra: Partial<ServiceRoutes> = {}): ServiceRoutes => ({
  service,
  upstream: `${service}-live`,
  network: `slipway-${service}-live`,
  port: 8080,
  routes: parseRoutes(lines),
  tls: 'auto',
  ...extra,
});

describe('hostnames', () => {
  it('reads host and host/prefix lines, lowercased, without a trailing slash or dot', () => {
    expect(parseRoute('Shop.Example.com')).toEqual({ host: 'shop.example.com', path: '' });
    expect(parseRoute('example.com/api/')).toEqual({ host: 'example.com', path: '/api' });
    expect(parseRoute('example.com./v1/admin')).toEqual({ host: 'example.com', path: '/v1/admin' });
  });

  it('refuses wildcards, spaces, bad labels and bad prefixes', () => {
    expect(() => parseRoute('*')).toThrow(/wildcard/);
    expect(() => parseRoute('*.example.com')).toThrow(/wildcard/);
    expect(() => parseRoute('a b.com')).toThrow(/space/);
    expect(() => parseRoute('-a.com')).toThrow(/not a hostname/);
    expect(() => parseRoute('a_b.com')).toThrow(/not a hostname/);
    expect(() => parseRoute('a.com{')).toThrow(/not a hostname/);
    expect(() => parseRoute('a.com/x*')).toThrow(/path prefix/);
    expect(() => parseRoute('a.com/x{y}')).toThrow(/path prefix/);
    expect(() => parseRoute('a.com/x?y')).toThrow(/path prefix/);
  });

  it('refuses the same route twice, also when only letter case differs', () => {
    expect(() => parseRoutes(['A.test', 'a.test'])).toThrow(/same route/);
    expect(() => parseRoutes(['a.test/api', 'A.TEST/api/'])).toThrow(/same route/);
    expect(parseRoutes(['a.test', 'a.test/api'])).toHaveLength(2);
    // Caddy's path matcher ignores case: /API and /api are one route.
    expect(() => parseRoutes(['a.test/API', 'a.test/api'])).toThrow(/same route/);
  });
});

describe('route conflicts', () => {
  it('refuses any route on a hostname another service serves, on any path', () => {
    const b = svc('b', ['b.test', 'shop.test/api']);
    expect(routeConflict([b], svc('f', ['f.test', 'b.test']))).toMatch(
      /b\.test is already served by the service b/,
    );
    expect(routeConflict([b], svc('f', ['shop.test/api']))).toMatch(
      /shop\.test is already served by the service b/,
    );
    expect(routeConflict([b], svc('f', ['shop.test']))).toMatch(/already served by the service b/);
    expect(routeConflict([b], svc('f', ['b.test/other']))).toMatch(
      /b\.test is already served by the service b/,
    );
    expect(routeConflict([b], svc('f', ['f.test', 'f.test/api']))).toBeUndefined();
    // A service's own earlier record is no conflict.
    expect(routeConflict([b], svc('b', ['b.test']))).toBeUndefined();
    // Sharing an older Slipway allowed stays allowed to the service that already had it (its
    // rollbacks must work); new sharing is refused.
    const held = svc('f', ['shop.test/shop']);
    expect(routeConflict([b, held], svc('f', ['shop.test/shop']))).toBeUndefined();
    expect(routeConflict([b], svc('f', ['shop.test/shop']), held)).toBeUndefined();
    expect(routeConflict([b, held], svc('f', ['shop.test/shop', 'b.test/x']))).toMatch(
      /b\.test is already served/,
    );
  });
});

describe('the shared Caddyfile', () => {
  it('renders one site per host, longest prefix first and stripped, TLS per mode', () => {
    const text = sharedCaddyfile(
      [
        svc('a', ['a.test'], { acmeEmail: 'ops@x.org', acmeCa: 'https://ca.test/dir', acmeCaRoot: 'PEM' }),
        svc('c', ['c.test', 'c.test/c'], {
          acmeEmail: 'ops@x.org',
          acmeCa: 'https://ca.test/dir',
          acmeCaRoot: 'PEM',
        }),
        svc('d', ['d.test'], { tls: 'internal' }),
        svc('e', ['e.test'], { tls: 'off' }),
      ],
      { http: 8088, https: 8089 },
    );
    expect(text).toContain('\thttp_port 8088\n\thttps_port 8089\n');
    const a = text.slice(text.indexOf('a.test {'), text.indexOf('c.test {'));
    const c = text.slice(text.indexOf('c.test {'), text.indexOf('d.test {'));
    expect(a).toMatch(
      /tls ops@x\.org \{\n\t\tca https:\/\/ca\.test\/dir\n\t\tca_root \/etc\/caddy\/roots\/[ac]\.pem\n\t\}/,
    );
    expect(c.indexOf('@route0 path /c /c/*')).toBeLessThan(c.indexOf('\thandle {'));
    expect(c).toContain('uri strip_prefix /c\n\t\treverse_proxy c-live:8080 {\n\t\t\tlb_try_duration 10s');
    expect(a).not.toContain('c-live');
    expect(text).toContain('d.test {\n\ttls internal\n');
    expect(text).toContain('http://e.test {\n\thandle {\n\t\treverse_proxy e-live:8080 {');
    // Each service's name resolved on each dial (no lookup lock shared between services, which a
    // service with no version would hold), a silent address given up after the dial timeout and
    // the request tried again at once.
    expect(text).not.toContain('dynamic');
    expect(c).toContain(`\t\t\t\tdial_timeout ${UPSTREAM.dialTimeoutMs}ms\n`);
    expect(c).toContain(`\t\t\tlb_try_interval ${UPSTREAM.tryIntervalMs}ms\n`);
    // The same table in any order gives the same text (an unchanged table is never reloaded).
    const again = sharedCaddyfile(
      [svc('d', ['d.test'], { tls: 'internal' }), svc('e', ['e.test'], { tls: 'off' })],
      { http: 80, https: 443 },
    );
    expect(again).toBe(
      sharedCaddyfile([svc('e', ['e.test'], { tls: 'off' }), svc('d', ['d.test'], { tls: 'internal' })], {
        http: 80,
        https: 443,
      }),
    );
  });
});
