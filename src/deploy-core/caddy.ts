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
