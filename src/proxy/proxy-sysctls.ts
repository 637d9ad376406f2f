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
import { engineApiVersion } from '../docker/engine';
import type { DockerTarget } from '../docker/target';

export const MIGRATE_REQUESTS = 'net.ipv4.tcp_migrate_req';

/** The settings this host's kernel knows (none on a kernel older than 5.14). */
export async function proxySysctls(runner: Runner): Promise<Record<string, string>> {
  const known = await runner.run(pathExists(`/proc/sys/${MIGRATE_REQUESTS.replaceAll('.', '/')}`));
  return known.exitCode === 0 ? { [MIGRATE_REQUESTS]: '1' } : {};
}

/**
 * How long a service's proxy waits before asking again for the address of a version that did not
 * answer its first ARP request (the kernel's default: 1 s). Docker before 28 puts a version's name
 * in its DNS before the version's interface answers: a proxy that dialled it in that moment waited
 * a whole second for the kernel's next request (seen with tcpdump on a Debian 20.10 bridge: the
 * proxy's request unanswered, the next one a second later answered at once). Docker 28 and later
 * announce a new address themselves (unsolicited ARP).
 */
export const ARP_RETRY_MS = 100;
export const ARP_RETRY = 'net.ipv4.neigh.eth0.retrans_time_ms';

/**
 * The settings of a service's own proxy, created on the live network (its eth0): the fast ARP
 * retry where the engine takes it as `--sysctl` (API before 1.44; later engines take interface
 * settings only as an endpoint's driver option — and from Docker 28 on announce addresses anyway).
 */
export async function serviceProxySysctls(
  runner: Runner,
  target: DockerTarget,
): Promise<Record<string, string>> {
  return arpRetrySysctls(await engineApiVersion(runner, target));
}

export function arpRetrySysctls(apiVersion: number | undefined): Record<string, string> {
  return apiVersion !== undefined && apiVersion < 1.44 ? { [ARP_RETRY]: String(ARP_RETRY_MS) } : {};
}
