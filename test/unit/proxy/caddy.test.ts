import { describe, expect, it } from 'vitest';
import { caddyfile, swarmCaddyfile, UPSTREAM, UPSTREAM_SETTLE_MS } from '../../../src/proxy/caddy';

describe('proxy configuration', () => {
  it('proxies the site to every address of the upstream name, looked up in the background', () => {
    const config = caddyfile('web-abc123-20260101', 8080);
    expect(config).toContain(
      `\tdynamic a web-abc123-20260101 8080 {\n\t\t\trefresh ${UPSTREAM.refreshMs}ms\n`,
    );
    expect(config).toContain('auto_https off');
    expect(() => caddyfile('web; rm', 8080)).toThrow('invalid upstream');
    // On a published port, the client's own X-Forwarded-* headers are not trusted.
    expect(config).not.toContain('trusted_proxies');
  });

  it("behind the shared proxy, trusts only its live network's forwarded headers and passes the client address on as given", () => {
    const config = caddyfile('web-live', 8080, { subnets: ['172.20.0.0/16', 'fd00:1::/64'] });
    expect(config).toContain('\tservers {\n\t\ttrusted_proxies static 172.20.0.0/16 fd00:1::/64\n\t}\n}');
    expect(config).toContain('\tdynamic a web-live 8080 {');
    // One hop, as the app saw before: X-Forwarded-For as the shared proxy set it, not appended to.
    expect(config).toContain(
      '\t\tlb_policy least_conn\n\t\theader_up X-Forwarded-For {http.request.header.X-Forwarded-For}\n',
    );
    expect(() => caddyfile('web-live', 8080, { subnets: [] })).toThrow('invalid live network subnet');
    expect(() => caddyfile('web-live', 8080, { subnets: ['0.0.0.0/0 private_ranges'] })).toThrow(
      'invalid live network subnet',
    );
  });
});

describe('no request waits on a version that is leaving or not yet there', () => {
  it('an address that does not answer within the dial timeout is left out for a moment and the request tried elsewhere at once', () => {
    for (const config of [caddyfile('web-live', 8080), swarmCaddyfile('web', 8080)]) {
      expect(config).toContain(`dial_timeout ${UPSTREAM.dialTimeoutMs}ms`);
      expect(config).toContain(`fail_duration ${UPSTREAM.failDurationMs}ms`);
      expect(config).toContain(`lb_try_interval ${UPSTREAM.tryIntervalMs}ms`);
    }
    expect(swarmCaddyfile('web', 8080)).toContain('dynamic a tasks.web 8080');
    // A try goes to the address with the fewest requests in progress: not the one whose dials hang.
    for (const config of [caddyfile('web-live', 8080), swarmCaddyfile('web', 8080)])
      expect(config).toContain('\tlb_policy least_conn\n');
    // The bound a user sees: one failed dial and one interval, well under a quarter second.
    expect(UPSTREAM.dialTimeoutMs + UPSTREAM.tryIntervalMs).toBeLessThan(250);
    // The old version leaves only after the proxies have looked the new one up.
    expect(UPSTREAM_SETTLE_MS).toBeGreaterThan(UPSTREAM.refreshMs);
  });
});
