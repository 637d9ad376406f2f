/**
 * The reverse proxy's configuration. A proxy reaches a service through the addresses of a name on
 * its network — the service's stable alias on its live network, or Swarm's tasks.<service> — so a
 * version is switched by joining or leaving that network, without a reload.
 *
 * No request waits long on a version that is not there. Seen from a lab host (each request's time
 * beside the engine's events): a version that just joined can lose its first packets while its
 * interface comes up, and one that stopped keeps its address in Docker's DNS for a few hundred ms
 * after its interface is gone (the `network disconnect` event comes ~0.2–1.2 s after `die`). A dial
 * to either waits for its whole timeout: 2.0 s and 1.0 s at first. So a connection not taken within
 * UPSTREAM.dialTimeoutMs is given up and the request tried again after UPSTREAM.tryIntervalMs:
 * - a proxy of one service (its own, Swarm's) keeps the name's addresses (`dynamic a`, looked up
 *   again every UPSTREAM.refreshMs) and sends each try to the one with the fewest requests in
 *   progress (`least_conn`), so the next try goes to another address: the one whose dials hang has
 *   the most (with `round_robin`, tries of requests running at once could land on it again: 256 ms,
 *   two dials, where least_conn waited one; `fail_duration` also leaves a failed one out where
 *   Caddy keeps a dynamic address's failures: caddyserver/caddy#7037 — the lab's Caddy 2.9 forgets
 *   them after each try);
 * - the shared proxy never dials a version: it sends a service's requests to the service's own
 *   proxy (which publishes no port then), one container whose address stays while versions come and
 *   go behind it. Caddy looks `dynamic` names up under one lock for all of them and caches no
 *   failure, so in the shared proxy a service whose name resolved to nothing (no version running, a
 *   crash loop, a recreate's gap) would hold up every other service on the host with a lookup on
 *   every try of every request sent to it; resolved on each dial instead, a version that just
 *   joined was picked by half the dials on Docker 20.10 (its name is in Docker's DNS before its
 *   interface answers ARP, and the kernel asks again only a second later), so a request could wait
 *   several dials in a row.
 *
 * The upstream set is what Docker's DNS says, not a list the deploy writes into the proxy. Both
 * ways of writing one were measured on a lab host and refused (docs/explanation/benchmarks.md):
 * a reload per switch closes the connections idle at that moment — a request sent on one as it
 * closes fails (4 POSTs answered 502 in 6 switches behind the shared proxy, which reuses its
 * connections; Caddy retries only GETs) — and a name read per request from a file (`{file.*}`,
 * no reload) costs Caddy 2.9 a 1 MiB buffer per request (p50 2.9 → 5.1 ms). A 50 ms dial timeout
 * was measured too: no gain with least_conn, and twice all four clients waited 0.5 s.
 */

/** How a proxy reaches a service's versions. */
export const UPSTREAM = {
  /** How often a name's addresses are looked up again (proxies of one service). */
  refreshMs: 250,
  /**
   * A connection to a version on the same host's bridge takes well under a millisecond (the kernel
   * answers it, however busy the app); a dial not answered in this time goes to a gone address.
   */
  dialTimeoutMs: 100,
  /** How long an address that failed is left out (then tried again), where Caddy keeps that. */
  failDurationMs: 500,
  /** Between two tries of one request; tries go on for tryDurationS (a service restarting). */
  tryIntervalMs: 25,
  tryDurationS: 10,
} as const;

/**
 * After a version joins the live network, how long until every proxy has looked its address up
 * (two refreshes and a dial): the version it replaces leaves service only then.
 */
export const UPSTREAM_SETTLE_MS = 2 * UPSTREAM.refreshMs + UPSTREAM.dialTimeoutMs;

/**
 * The reverse_proxy block for `name` (an alias, tasks.<service>), indented by `indent`: every
 * address of it kept and refreshed (`dynamic`), or the name resolved on each dial.
 */
function upstreamBlock(
  name: string,
  port: number,
  indent: string,
  dynamic: boolean,
  extra: readonly string[] = [],
): string[] {
  if (!UPSTREAM_NAME.test(name)) throw new Error(`invalid upstream name ${JSON.stringify(name)}`);
  const retries = [
    `${indent}\tlb_try_duration ${UPSTREAM.tryDurationS}s`,
    `${indent}\tlb_try_interval ${UPSTREAM.tryIntervalMs}ms`,
  ];
  const transport = [
    `${indent}\ttransport http {`,
    `${indent}\t\tdial_timeout ${UPSTREAM.dialTimeoutMs}ms`,
    `${indent}\t}`,
  ];
  if (!dynamic) return [`${indent}reverse_proxy ${name}:${port} {`, ...retries, ...transport, `${indent}}`];
  return [
    `${indent}reverse_proxy {`,
    `${indent}\tdynamic a ${name} ${port} {`,
    `${indent}\t\trefresh ${UPSTREAM.refreshMs}ms`,
    `${indent}\t}`,
    `${indent}\tlb_policy least_conn`,
    ...extra.map((line) => `${indent}\t${line}`),
    ...retries,
    `${indent}\tfail_duration ${UPSTREAM.failDurationMs}ms`,
    ...transport,
    `${indent}}`,
  ];
}

export const PROXY_PORT = 80;
export const CADDYFILE_PATH = '/etc/caddy/Caddyfile';

const UPSTREAM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function site(upstream: string[], trusted: readonly string[] = []): string {
  return [
    '{',
    '\tadmin localhost:2019',
    '\tauto_https off',
    ...(trusted.length > 0 ? ['\tservers {', `\t\ttrusted_proxies static ${trusted.join(' ')}`, '\t}'] : []),
    '}',
    '',
    `:${PROXY_PORT} {`,
    ...upstream,
    '}',
    '',
  ].join('\n');
}

const SUBNET = /^[0-9A-Fa-f:.]+\/\d{1,3}$/;

/**
 * A service's own proxy: on its `publish` port, or (`behindShared`: no port published) the shared
 * proxy's upstream for the service, which then dials one stable address while this proxy keeps the
 * versions' addresses — lookups and their lock its service's alone. Behind the shared proxy it
 * trusts the X-Forwarded-* headers of its live network's `subnets` only (the shared proxy's
 * address there), and passes X-Forwarded-For on as it came: the app sees one hop, as before.
 */
export function caddyfile(
  upstream: string,
  port: number,
  behindShared?: { readonly subnets: readonly string[] },
): string {
  if (!behindShared) return site(upstreamBlock(upstream, port, '\t', true));
  const bad = behindShared.subnets.find((s) => !SUBNET.test(s));
  if (bad !== undefined || behindShared.subnets.length === 0)
    throw new Error(`invalid live network subnet ${JSON.stringify(bad ?? '')}`);
  const keep = ['header_up X-Forwarded-For {http.request.header.X-Forwarded-For}'];
  return site(upstreamBlock(upstream, port, '\t', true, keep), behindShared.subnets);
}

/** Swarm: every running task of `service` (DNS round robin: tasks.<service>). */
export function swarmCaddyfile(service: string, port: number): string {
  if (!UPSTREAM_NAME.test(service)) throw new Error(`invalid service name ${JSON.stringify(service)}`);
  return site(upstreamBlock(`tasks.${service}`, port, '\t', true));
}

// --- the shared proxy: one Caddy per host, many services by hostname ------------------------------

export type TlsMode = 'auto' | 'internal' | 'off';

/** One `host` or `host/path-prefix` line of `hostnames`, normalized (host lowercase, no trailing slash). */
export interface Route {
  readonly host: string;
  /** '' for the whole host, else a prefix like /api (matches /api and /api/…). */
  readonly path: string;
}

/** What one service asks of the shared proxy (one record per service on the host). */
export interface ServiceRoutes {
  readonly service: string;
  /** The service's stable alias on its live network (a version switch needs no proxy change). */
  readonly upstream: string;
  /** The network the upstream alias lives on (the proxy joins it). */
  readonly network: string;
  readonly port: number;
  /**
   * The port the service's own proxy (the upstream) sends to: not rendered here, but part of the
   * record, so that a change of it is a change to apply (the service's proxy is rewritten then).
   */
  readonly appPort?: number;
  readonly routes: readonly Route[];
  readonly tls: TlsMode;
  readonly acmeEmail?: string;
  readonly acmeCa?: string;
  /** PEM of the ACME server's root. */
  readonly acmeCaRoot?: string;
}

export interface ProxyPorts {
  readonly http: number;
  readonly https: number;
}

const LABEL_RE = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const HOSTNAME = new RegExp(`^(?=.{1,253}$)${LABEL_RE}(?:\\.${LABEL_RE})*$`);
const PATH_PREFIX = /^(?:\/[A-Za-z0-9._~!$&'()+,;=:@%-]+)+$/;

/** Parses one `hostnames` line; throws a message (without the input name) when it is not a host[/prefix]. */
export function parseRoute(line: string): Route {
  if (/\s/.test(line)) throw new Error(`${JSON.stringify(line)} has a space; give one hostname per line`);
  const slash = line.indexOf('/');
  const hostText = slash >= 0 ? line.slice(0, slash) : line;
  const pathText = slash >= 0 ? line.slice(slash).replace(/\/+$/, '') : '';
  const host = hostText.toLowerCase().replace(/\.$/, '');
  if (host.includes('*'))
    throw new Error(
      `${JSON.stringify(line)}: wildcards are not served (each hostname gets its own certificate)`,
    );
  if (!HOSTNAME.test(host)) throw new Error(`${JSON.stringify(hostText)} is not a hostname`);
  if (pathText && !PATH_PREFIX.test(pathText))
    throw new Error(`${JSON.stringify(pathText)} is not a path prefix like /api (no *, {}, ?, #)`);
  return { host, path: pathText };
}

/** What identifies a route: Caddy's path matcher ignores letter case, so the key does too. */
export function routeKey(route: Route): string {
  return `${route.host}${route.path.toLowerCase()}`;
}

/** Every line parsed; the same route twice (also when only letter case differs) is refused. */
export function parseRoutes(lines: readonly string[]): Route[] {
  const seen = new Map<string, string>();
  return lines.map((line) => {
    const route = parseRoute(line);
    const earlier = seen.get(routeKey(route));
    if (earlier !== undefined)
      throw new Error(
        `${JSON.stringify(line)} is the same route as ${JSON.stringify(earlier)} (hostnames do not differ by letter case)`,
      );
    seen.set(routeKey(route), line);
    return route;
  });
}

/**
 * Why `mine` cannot join the services already routed on a host (undefined when it can): a hostname
 * belongs to the one service that serves it (any of its paths), so another service's route on it
 * — even on another path — is refused. Path prefixes divide one service's hostnames.
 */
export function routeConflict(
  others: readonly ServiceRoutes[],
  mine: ServiceRoutes,
  held: ServiceRoutes | undefined = others.find((s) => s.service === mine.service),
): string | undefined {
  for (const other of others) {
    if (other.service === mine.service) continue;
    for (const route of mine.routes) {
      // A hostname this service already shared by path before the rule (an older Slipway allowed
      // it) keeps working: refusing it would block its rollbacks. Only new sharing is refused.
      if (held?.routes.some((r) => r.host === route.host)) continue;
      if (other.routes.some((r) => r.host === route.host))
        return `${route.host} is already served by the service ${other.service} on this host`;
    }
  }
  return undefined;
}

/** Where a service's ACME root certificate is in the proxy container. */
export function caRootPath(service: string): string {
  return `/etc/caddy/roots/${service}.pem`;
}

function proxyTo(s: ServiceRoutes, indent: string): string[] {
  return upstreamBlock(s.upstream, s.port, indent, false);
}

function tlsDirective(s: ServiceRoutes): string[] {
  if (s.tls === 'internal') return ['\ttls internal'];
  if (s.tls === 'off' || (!s.acmeEmail && !s.acmeCa)) return [];
  const email = s.acmeEmail ? ` ${s.acmeEmail}` : '';
  if (!s.acmeCa) return [`\ttls${email}`];
  return [
    `\ttls${email} {`,
    `\t\tca ${s.acmeCa}`,
    ...(s.acmeCaRoot ? [`\t\tca_root ${caRootPath(s.service)}`] : []),
    '\t}',
  ];
}

/**
 * The shared proxy's Caddyfile: one site per hostname (plain HTTP on the HTTP port for tls: off,
 * else HTTPS with the HTTP port redirecting), the longest path prefix first (stripped before the
 * app sees the path), each route proxied to
 * a service's stable alias. The same table always gives the same text, so an unchanged table is
 * never reloaded.
 */
export function sharedCaddyfile(
  services: readonly ServiceRoutes[],
  ports: ProxyPorts,
  admin = 'localhost:2019',
  bind?: string,
): string {
  const hosts = new Map<string, Array<{ service: ServiceRoutes; path: string }>>();
  for (const service of [...services].sort((a, b) => a.service.localeCompare(b.service))) {
    for (const route of service.routes) {
      const list = hosts.get(route.host) ?? [];
      list.push({ service, path: route.path });
      hosts.set(route.host, list);
    }
  }
  const lines = [
    '{',
    `\tadmin ${admin}`,
    `\thttp_port ${ports.http}`,
    `\thttps_port ${ports.https}`,
    ...(bind ? [`\tdefault_bind ${bind}`] : []),
    '}',
    '',
  ];
  for (const host of [...hosts.keys()].sort()) {
    const entries = (hosts.get(host) ?? []).sort(
      (a, b) => b.path.length - a.path.length || a.path.localeCompare(b.path),
    );
    const first = entries[0]?.service as ServiceRoutes;
    lines.push(`${first.tls === 'off' ? 'http://' : ''}${host} {`, ...tlsDirective(first));
    entries.forEach(({ service, path }, i) => {
      if (path) {
        // The prefix is the proxy's: the app sees the path below it (/api/users → /users), as with Kamal.
        lines.push(
          `\t@route${i} path ${path} ${path}/*`,
          `\thandle @route${i} {`,
          `\t\turi strip_prefix ${path}`,
        );
      } else {
        lines.push('\thandle {');
      }
      lines.push(...proxyTo(service, '\t\t'), '\t}');
    });
    lines.push('}', '');
  }
  return lines.join('\n');
}
