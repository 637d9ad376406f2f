/**
 * The reverse proxy's configuration. Single-container mode: one site proxying to the service's
 * alias on the live network (Caddy resolves it on every dial, so a version is switched by joining
 * that network, without a reload). Swarm mode: the addresses of the service's tasks, looked up in
 * Swarm's DNS every second. Requests that arrive while an upstream restarts are retried for a few
 * seconds instead of failing.
 */

export const PROXY_PORT = 80;
export const CADDYFILE_PATH = '/etc/caddy/Caddyfile';

const UPSTREAM = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function site(upstream: string[]): string {
  return [
    '{',
    '\tadmin localhost:2019',
    '\tauto_https off',
    '}',
    '',
    `:${PROXY_PORT} {`,
    ...upstream,
    '}',
    '',
  ].join('\n');
}

export function caddyfile(upstream: string, port: number): string {
  if (!UPSTREAM.test(upstream)) throw new Error(`invalid upstream name ${JSON.stringify(upstream)}`);
  return site([
    `\treverse_proxy ${upstream}:${port} {`,
    '\t\tlb_try_duration 10s',
    '\t\tlb_try_interval 100ms',
    '\t}',
  ]);
}

/** Swarm: every running task of `service` (DNS round robin: tasks.<service>), refreshed each second. */
export function swarmCaddyfile(service: string, port: number): string {
  if (!UPSTREAM.test(service)) throw new Error(`invalid service name ${JSON.stringify(service)}`);
  return site([
    '\treverse_proxy {',
    `\t\tdynamic a tasks.${service} ${port} {`,
    '\t\t\trefresh 1s',
    '\t\t}',
    '\t\tlb_policy round_robin',
    '\t\tlb_try_duration 10s',
    '\t\tlb_try_interval 100ms',
    '\t\tfail_duration 5s',
    '\t\ttransport http {',
    '\t\t\tdial_timeout 1s',
    '\t\t}',
    '\t}',
  ]);
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
  if (!UPSTREAM.test(s.upstream)) throw new Error(`invalid upstream name ${JSON.stringify(s.upstream)}`);
  return [
    `${indent}reverse_proxy ${s.upstream}:${s.port} {`,
    `${indent}\tlb_try_duration 10s`,
    `${indent}\tlb_try_interval 100ms`,
    `${indent}}`,
  ];
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
export function sharedCaddyfile(services: readonly ServiceRoutes[], ports: ProxyPorts): string {
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
    '\tadmin localhost:2019',
    `\thttp_port ${ports.http}`,
    `\thttps_port ${ports.https}`,
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
