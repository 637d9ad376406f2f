/**
 * Kernel settings for a proxy container that make a Caddy reload lose no connection.
 *
 * On Linux, Caddy gives each configuration its own listening socket (SO_REUSEPORT): during a
 * reload the kernel spreads new connections over the old and the new socket, and when the old
 * server stops, the connections still waiting in its accept queue are reset (a client sees "socket
 * disconnected before secure TLS connection was established"). `net.ipv4.tcp_migrate_req=1`
 * (Linux 5.14 and later) makes the kernel move them to the new socket instead. Measured with
 * Caddy 2.6.2 under load, one new connection per request: failures in 1 of 30 reloads without it,
 * 5 of 240 with it (those left are Caddy 2.6's own: its new server listens before its certificates
 * are loaded, fixed in Caddy 2.7).
 */
import type { Runner } from '../command/command';
import { pathExists } from '../command/files';

export const MIGRATE_REQUESTS = 'net.ipv4.tcp_migrate_req';

/** The settings this host's kernel knows (none on a kernel older than 5.14). */
export async function proxySysctls(runner: Runner): Promise<Record<string, string>> {
  const known = await runner.run(pathExists(`/proc/sys/${MIGRATE_REQUESTS.replaceAll('.', '/')}`));
  return known.exitCode === 0 ? { [MIGRATE_REQUESTS]: '1' } : {};
}
