/**
 * The reverse proxy's configuration: one site on the container port, proxying to the current
 * version of the service. Switching versions is writing this file and `caddy reload` (graceful:
 * connections in flight finish on the old upstream). Requests that arrive while an upstream
 * restarts are retried for a few seconds instead of failing.
 */

export const PROXY_PORT = 80;
export const CADDYFILE_PATH = '/etc/caddy/Caddyfile';

export function caddyfile(upstream: string, port: number): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(upstream))
    throw new Error(`invalid upstream name ${JSON.stringify(upstream)}`);
  return [
    '{',
    '\tadmin localhost:2019',
    '\tauto_https off',
    '}',
    '',
    `:${PROXY_PORT} {`,
    `\treverse_proxy ${upstream}:${port} {`,
    '\t\tlb_try_duration 10s',
    '\t\tlb_try_interval 100ms',
    '\t}',
    '}',
    '',
  ].join('\n');
}
