/**
 * Upgrading the host's shared proxy without a gap: the container `slipway-proxy` (the holder) owns
 * the published ports, the network namespace every service's live network is joined to, and the
 * kernel settings; the Caddy that serves may instead be a *generation*, a container
 * `slipway-proxy.<n>` running in the holder's network namespace (`--network container:slipway-proxy`)
 * with the data volume. Caddy listens with SO_REUSEPORT, so two generations (or the holder and the
 * first generation) bind the same ports at once and the kernel spreads new connections over both;
 * when the old one closes its listeners, `net.ipv4.tcp_migrate_req` moves the connections waiting in
 * its accept queue to the new one. An upgrade starts generation n+1 with every route, waits until it
 * serves its configuration, records it as the one in service (`.slipway/_proxy/generation`), then
 * retires the old one: a generation is stopped gracefully and removed; the holder, on a host whose
 * proxy predates generations, keeps running with a configuration that serves nothing (a Caddy with
 * only its admin endpoint), so the host's layout is migrated by the first upgrade without a restart.
 *
 * A host that never upgrades keeps the holder serving, as before. Everything here is pure: what a
 * host's containers mean and what to do about an interrupted upgrade.
 */
import { createHash } from 'node:crypto';

export const HOLDER = 'slipway-proxy';
export const GENERATION_ROLE = 'shared-proxy-generation';
/** The reference the generation was asked to run (proxy-image as given), and its spec's hash. */
export const GENERATION_LABEL = {
  image: 'dev.slipway.proxy.image',
  spec: 'dev.slipway.proxy.spec',
} as const;
/**
 * The shape of a generation's container (its command, mounts, labels Slipway gives it): a Slipway
 * release that changes it bumps this, and the next deploy with hostnames upgrades each host's proxy.
 */
export const GENERATION_SHAPE = 1;

/** A generation's container name (never a service's own proxy: those are slipway-proxy-<service>). */
export function generationName(n: number): string {
  return `${HOLDER}.${n}`;
}

/** The generation number of a container name, or undefined. */
export function generationOf(name: string): number | undefined {
  const m = /^\/?slipway-proxy\.([1-9][0-9]{0,8})$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Each Caddy in the namespace has its own admin endpoint (they share localhost, and Caddy binds
 * its admin with SO_REUSEPORT too: a reload could reach the wrong one): the holder keeps 2019,
 * generation n takes 2020 + (n-1) mod 1000 (two consecutive generations never share one).
 */
export function adminAddress(generation: number): string {
  return generation === 0 ? 'localhost:2019' : `localhost:${2020 + ((generation - 1) % 1000)}`;
}

/**
 * Where a Caddy is *parked*: every site of the table, on loopback ports of its own (none of the
 * host's). A Caddy that starts with the host's ports takes connections before it has loaded its
 * certificates, and one reloaded to a configuration without the sites drops its certificates while
 * its last connections are still in their TLS handshake (both seen as "tlsv1 alert internal error"
 * under load). So a new generation starts parked, loads the certificates there, and is reloaded
 * onto the host's ports (a reload keeps the certificates); an old one is parked before it stops or
 * idles, its listeners on the host's ports closing with the certificates still loaded.
 */
export const PARKED_BIND = '127.0.0.1';
export function parkedPorts(generation: number): { http: number; https: number } {
  const slot = generation % 1000;
  return { http: 30_000 + 2 * slot, https: 30_001 + 2 * slot };
}

/** The holder's configuration once a generation serves: its admin endpoint only, no listener. */
export function holderIdleCaddyfile(): string {
  return ['{', `\tadmin ${adminAddress(0)}`, '}', ''].join('\n');
}

/** The hash recorded on a generation: what it was asked to run and how it was made. */
export function generationSpec(image: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ image, shape: GENERATION_SHAPE }))
    .digest('hex')
    .slice(0, 16);
}

/** What serves now, as the host's containers say. */
export interface ServingContainer {
  /** 0: the holder itself; n: generation n. */
  readonly generation: number;
  /** Config.Image of the container (repository@digest: what runs is pinned). */
  readonly image: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * Whether the proxy must be upgraded to run `image` (proxy-image as given): a generation records
 * what it was asked for (and the shape it was made in); a holder that serves (made before
 * generations) is compared by digest: `pinnedLocally` is `image` as repository@digest on the host
 * without pulling (undefined when the host does not have it).
 */
export function upgradeNeeded(
  serving: ServingContainer,
  image: string,
  pinnedLocally: string | undefined,
): boolean {
  if (serving.generation > 0) return serving.labels[GENERATION_LABEL.spec] !== generationSpec(image);
  if (serving.image === image) return false;
  return pinnedLocally === undefined || pinnedLocally !== serving.image;
}

/** A generation container as listed on the host. */
export interface GenerationContainer {
  readonly generation: number;
  readonly running: boolean;
}

/** What to do, under the proxy's lock, to leave one Caddy in service after whatever came before. */
export interface Reconcile {
  /** The generation in service afterwards (0: the holder). */
  readonly serving: number;
  /** Generations that serve no more (an upgrade cut before or after its switch): stop, remove. */
  readonly retire: readonly GenerationContainer[];
  /** The generation in service is not running (stopped by hand, a crash): start it. */
  readonly start: boolean;
  /** The holder still serves while a generation does (an upgrade cut after its switch): idle it. */
  readonly idleHolder: boolean;
  /** The record names a generation that is gone: the holder takes the routes back (and the record goes). */
  readonly holderTakesOver: boolean;
}

/**
 * `recorded`: the generation the host's record names (undefined: none, the holder serves);
 * `holderIdle`: the holder runs the idle configuration. The generation recorded serves when it
 * exists; every other generation is retired (one started by an upgrade cut before it was recorded,
 * or the one an upgrade cut after recording did not stop yet). A record naming a generation that is
 * gone hands the routes back to the holder.
 */
export function reconcile(
  recorded: number | undefined,
  generations: readonly GenerationContainer[],
  holderIdle: boolean,
): Reconcile {
  const active = recorded === undefined ? undefined : generations.find((g) => g.generation === recorded);
  const retire = generations.filter((g) => g.generation !== active?.generation);
  if (!active)
    return {
      serving: 0,
      retire,
      start: false,
      idleHolder: false,
      holderTakesOver: recorded !== undefined || holderIdle,
    };
  return {
    serving: active.generation,
    retire,
    start: !active.running,
    idleHolder: !holderIdle,
    holderTakesOver: false,
  };
}
