/**
 * The host's shared proxy: one Caddy container (`slipway-proxy`) serving every service that has
 * `hostnames`, on the host's HTTP and HTTPS ports, with its certificates and ACME account in a
 * named volume that is never removed. Each service's routes are one record in
 * `.slipway/_proxy/routes/<service>.json` on the host; the Caddyfile is rendered from all of them.
 * Route changes are serialized by a host-wide lock (separate from each service's deploy lock) and
 * applied with one reload, only when the rendered text changed. Routes point at each service's
 * stable alias on its live network, so a version switch never touches the proxy.
 *
 * A new proxy-image replaces the Caddy that serves without a gap (see proxy-generations.ts): a new
 * generation starts in the holder's network namespace beside the old one, then the old one retires.
 */
import { runChecked, type Runner } from '../command/command';
import * as docker from '../docker/containers';
import * as images from '../docker/images';
import * as networks from '../docker/networks';
import type { DockerTarget } from '../docker/target';
import type { ContainerInspect as Inspect } from '../docker/inspect';
import { sleep } from '../common/retry';
import { tarFiles } from '../docker/tar';
import { caddyCommand } from './caddy-commands';
import { makeDirectory, readAllMatching, removeFile } from '../command/files';
import { readRemoteFile, writeFileAtomic } from '../command/remote-file';
import { dockerCommand } from '../docker/target';
import {
  adminAddress,
  GENERATION_LABEL,
  GENERATION_ROLE,
  type GenerationContainer,
  generationName,
  generationOf,
  generationSpec,
  holderIdleCaddyfile,
  PARKED_BIND,
  parkedPorts,
  reconcile,
  type ServingContainer,
  upgradeNeeded,
} from './proxy-generations';
import { caRootPath, type ProxyPorts, routeConflict, type ServiceRoutes, sharedCaddyfile } from './caddy';
import { LABEL, type LockInfo } from '../deploy-core/session';
import { HostLock, LEASE_MS } from '../deploy-core/lease';
import { acquire, whileRenewing } from '../deploy-core/locks';
import { httpProbe } from '../ssh/http-probe';
import { proxySysctls } from './proxy-sysctls';
import type { DeployContext } from '../deploy-core/result';

export const SHARED_PROXY = 'slipway-proxy';
export const SHARED_PROXY_VOLUME = 'slipway-proxy-data';
export const SHARED_PROXY_DIR = '.slipway/_proxy';
const CADDYFILE = '/etc/caddy/Caddyfile';
/**
 * The configuration text the running proxy took (written after each successful start or reload):
 * the Caddyfile itself may be newer when a run was killed between writing it and the reload.
 */
const APPLIED = '/etc/caddy/Caddyfile.applied';
const ROLE = 'shared-proxy';
/** How long a new generation may take to serve its configuration, and an old one to finish its requests. */
const GENERATION_START_MS = 30_000;
const GENERATION_STOP_S = 30;

/** The id a deploy run holds the proxy's lock under (its own lock's id, marked). */
export const proxyLockId = (deployLockId: string): string => `${deployLockId}-proxy`;

export interface ProxyStatus {
  readonly exists: boolean;
  readonly running: boolean;
  readonly ports?: ProxyPorts;
  readonly image?: string;
  readonly networks: readonly string[];
}

/** Labels on the proxy container saying which of its published ports is which. */
const PORT_LABEL = { http: 'dev.slipway.proxy.http-port', https: 'dev.slipway.proxy.https-port' } as const;

export interface ProxySettings {
  /** The proxy image (pinned to its digest on the host before the container is created). */
  readonly image: string;
  readonly ports: ProxyPorts;
  /**
   * A running proxy with another image is upgraded to this one (proxy-image given explicitly; the
   * default never replaces what runs, so services that leave it out do not undo another's choice).
   */
  readonly upgrade?: boolean;
}

export type RouteChange =
  | { readonly kind: 'set'; readonly routes: ServiceRoutes; readonly probePath?: string }
  | { readonly kind: 'remove'; readonly service: string; readonly network: string };

/** What this run did to the proxy so far (what a revert may undo). */
interface Progress {
  created?: boolean;
  started?: boolean;
}

/** An upgrade of the proxy (a new generation serves, the old one retired). */
export interface UpgradeResult {
  readonly from: string;
  readonly to: string;
  readonly image: string;
}

/** What a change did to the proxy: created it, or reloaded it (neither: it already served it). */
export interface ApplyResult {
  readonly reloaded: boolean;
  readonly created: boolean;
  readonly upgraded?: UpgradeResult;
}

export class SharedProxy {
  readonly runner: Runner;
  readonly where: string;
  readonly name = 'the shared proxy';
  readonly dir = SHARED_PROXY_DIR;
  /** The host-wide lock on the proxy's configuration. */
  readonly lock: HostLock;
  private readonly target: DockerTarget = { docker: 'docker' };

  constructor(runner: Runner) {
    this.runner = runner;
    this.where = runner.where;
    this.lock = new HostLock(runner, this.dir);
  }

  private routeFile(service: string): string {
    return `${this.dir}/routes/${service}.json`;
  }

  /** The record of the generation in service (absent: the holder serves). */
  private get generationFile(): string {
    return `${this.dir}/generation`;
  }

  /** The generation the host's record names (undefined: none, the holder serves). */
  async recordedGeneration(): Promise<number | undefined> {
    const text = await readRemoteFile(this.runner, this.generationFile);
    const n = Number(text?.trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  }

  /** The container that serves the routes: the recorded generation, else the holder. */
  async servingName(): Promise<{ name: string; generation: number }> {
    const n = await this.recordedGeneration();
    return n === undefined
      ? { name: SHARED_PROXY, generation: 0 }
      : { name: generationName(n), generation: n };
  }

  /** The generation containers on the host (any state). */
  async generations(): Promise<GenerationContainer[]> {
    const listed = await runChecked(
      this.runner,
      dockerCommand(this.target, [
        'ps',
        '--all',
        '--filter',
        `label=${LABEL.role}=${GENERATION_ROLE}`,
        '--format',
        '{{.Names}} {{.State}}',
      ]),
    );
    return listed.stdout
      .split('\n')
      .map((line) => line.trim().split(' '))
      .flatMap(([name, state]) => {
        const generation = generationOf(name ?? '');
        return generation === undefined ? [] : [{ generation, running: state === 'running' }];
      })
      .sort((a, b) => a.generation - b.generation);
  }

  /** Every service's routes on this host (no lock needed to read: each record is replaced whole). */
  async table(): Promise<ServiceRoutes[]> {
    const found = await this.runner.run(readAllMatching(`${this.dir}/routes`, '*.json'));
    return found.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as ServiceRoutes);
  }

  /**
   * Whether the running proxy already serves `mine` as recorded: its record is `mine` and the
   * configuration the proxy last took is the one the table renders (a run killed between writing
   * the record and the reload left them apart: that is something to finish, not "unchanged").
   */
  async serves(mine: ServiceRoutes): Promise<boolean> {
    const [table, status] = await Promise.all([this.table(), this.status()]);
    const record = table.find((t) => t.service === mine.service);
    return JSON.stringify(record) === JSON.stringify(mine) && (await this.inSync(table, status));
  }

  /** The configuration text the running proxy last took, if it says. */
  private async applied(container?: string): Promise<string | undefined> {
    const name = container ?? (await this.servingName()).name;
    const result = await this.runner.run(docker.readFileIn(this.target, name, APPLIED));
    return result.exitCode === 0 ? result.stdout : undefined;
  }

  /** Records that the proxy (the serving container, or `container`) runs with `text`. */
  private async markApplied(text: string, container?: string): Promise<void> {
    const name = container ?? (await this.servingName()).name;
    await runChecked(
      this.runner,
      docker.copyArchiveInto(this.target, name, '/etc/caddy', tarFiles([['Caddyfile.applied', text]])),
    );
  }

  /** Why `mine` cannot be routed here (hostnames another service owns), or undefined. */
  async conflict(mine: ServiceRoutes): Promise<string | undefined> {
    return routeConflict(await this.table(), mine);
  }

  async status(): Promise<ProxyStatus> {
    const result = await this.runner.run(docker.inspectContainers(this.target, [SHARED_PROXY]));
    if (result.exitCode !== 0) return { exists: false, running: false, networks: [] };
    const [c] = JSON.parse(result.stdout) as Inspect[];
    const labels = c?.Config.Labels ?? {};
    const [http, https] = [Number(labels[PORT_LABEL.http]), Number(labels[PORT_LABEL.https])];
    const ports = http > 0 && https > 0 ? { http, https } : undefined;
    return {
      exists: true,
      running: c?.State.Running === true,
      ...(ports && { ports }),
      ...(c?.Config.Image && { image: c.Config.Image }),
      networks: Object.keys(c?.NetworkSettings?.Networks ?? {}),
    };
  }

  /**
   * Applies one service's change under the host-wide proxy lock: checks it against the other
   * services' routes, records it, makes sure the proxy runs and reaches the service's network, and
   * reloads the proxy once if (and only if) its configuration text changed. A change that fails
   * leaves the previous record and puts the proxy back (see revert). A lock lost on the way (another
   * run took it over after this one stalled a whole lease) fails the change unless the proxy serves
   * it as recorded.
   */
  async apply(
    change: RouteChange,
    settings: ProxySettings | undefined,
    lock: LockInfo,
    ctx: DeployContext,
    waitMs: number,
  ): Promise<ApplyResult> {
    const service = change.kind === 'set' ? change.routes.service : change.service;
    // Pulled before the lock is taken (a pull can be long; the lock is held for seconds): for a new
    // proxy, or an upgrade to another proxy-image.
    if (change.kind === 'set' && settings && (await this.pullNeeded(settings)))
      await runChecked(this.runner, images.pull(this.target, settings.image));
    const id = proxyLockId(lock.id);
    await acquire(this, { ...lock, id, leaseMs: LEASE_MS, service }, waitMs, ctx);
    let outcome: { value: ApplyResult; lost: boolean };
    try {
      outcome = await whileRenewing(this, id, () => this.applyHeld(change, settings, service, ctx));
    } finally {
      await this.lock.release(id).catch(() => {});
    }
    // Another run took the lock over while this one stalled (a whole lease without renewal): it
    // may have rendered the table without this change. Only what the proxy serves now counts.
    if (outcome.lost && !(await this.took(change)))
      throw new Error(
        `${this.where}: the shared proxy's lock was taken over by another run while this one changed the routes of ${service}, and the proxy does not serve them as recorded; deploy again`,
      );
    return outcome.value;
  }

  /**
   * Frees the proxy's lock when a run of `service` other than the one holding the service's deploy
   * lock now (`current`, that run's proxy lock id) holds it: only a run holding a service's deploy
   * lock takes the proxy's lock for it, so such a holder is a run that was killed — typically while
   * its lock command was in flight, which sshd lets finish after the client died, so the lock
   * appears after that run's post step released it. Returns the id freed.
   */
  async releaseOrphanedLock(service: string, current?: string): Promise<string | undefined> {
    const holder = await this.lock.holder();
    if (!holder || holder.service !== service || holder.id === current) return undefined;
    await this.lock.release(holder.id);
    return holder.id;
  }

  /** Whether the running proxy has `change`: serves the routes set, or no longer has the service's. */
  private async took(change: RouteChange): Promise<boolean> {
    if (change.kind === 'set') return this.serves(change.routes);
    const [table, status] = await Promise.all([this.table(), this.status()]);
    if (table.some((s) => s.service === change.service)) return false;
    return !status.running || (await this.inSync(table, status));
  }

  /** The running proxy last took the configuration `table` renders. */
  private async inSync(table: readonly ServiceRoutes[], status: ProxyStatus): Promise<boolean> {
    if (!status.running || status.ports === undefined) return false;
    const serving = await this.servingName();
    return (await this.applied(serving.name)) === this.archive(table, status.ports, serving.generation).text;
  }

  /** What serves now (undefined: its container is gone), for comparing with a proxy-image. */
  private async servingContainer(): Promise<ServingContainer | undefined> {
    const { name, generation } = await this.servingName();
    const result = await this.runner.run(docker.inspectContainers(this.target, [name]));
    if (result.exitCode !== 0) return undefined;
    const [c] = JSON.parse(result.stdout) as Inspect[];
    return { generation, image: c?.Config.Image ?? '', labels: c?.Config.Labels ?? {} };
  }

  /** `image` as repository@digest from the host's images, without pulling (undefined: not there). */
  private async pinnedLocally(image: string): Promise<string | undefined> {
    const pinned = await this.pinned(image);
    return pinned.includes('@sha256:') ? pinned : undefined;
  }

  /** The proxy exists and serves another image than `image` (proxy-image as given). */
  async upgradePending(image: string): Promise<boolean> {
    const serving = await this.servingContainer();
    return serving !== undefined && upgradeNeeded(serving, image, await this.pinnedLocally(image));
  }

  /**
   * An interrupted upgrade left something to finish (a generation not in service, the recorded one
   * stopped, the holder still serving beside it): the next change reconciles it (a deploy that
   * would otherwise change nothing applies its routes for that).
   */
  async unsettled(): Promise<boolean> {
    const [gens, recorded] = await Promise.all([this.generations(), this.recordedGeneration()]);
    if (recorded === undefined) return gens.length > 0;
    if (gens.some((g) => g.generation !== recorded)) return true;
    if (!gens.some((g) => g.generation === recorded && g.running)) return true;
    // The holder restarted alone (a crash, docker restart): the generation serves a namespace gone.
    if (!(await this.status()).running || (await this.staleGeneration(recorded, gens))) return true;
    return (await this.applied(SHARED_PROXY)) !== holderIdleCaddyfile();
  }

  /**
   * The recorded generation runs but started before the holder's current run: it listens in the
   * network namespace the holder had then, which is gone (no ports, no service networks).
   */
  private async staleGeneration(recorded: number, gens: readonly GenerationContainer[]): Promise<boolean> {
    if (!gens.some((g) => g.generation === recorded && g.running)) return false;
    const inspected = JSON.parse(
      (
        await runChecked(
          this.runner,
          docker.inspectContainers(this.target, [SHARED_PROXY, generationName(recorded)]),
        )
      ).stdout,
    ) as Inspect[];
    const startedAt = (c: Inspect | undefined) =>
      Date.parse((c?.State.StartedAt ?? '').replace(/(\.\d{3})\d*/, '$1'));
    return startedAt(inspected[1]) < startedAt(inspected[0]);
  }

  /** `image` is needed on the host: there is no proxy yet, or it is to be upgraded to it. */
  private async pullNeeded(settings: ProxySettings): Promise<boolean> {
    if (!(await this.status()).exists) return true;
    return settings.upgrade === true && (await this.upgradePending(settings.image));
  }

  /** apply's work, with the proxy's lock held. */
  private async applyHeld(
    change: RouteChange,
    settings: ProxySettings | undefined,
    service: string,
    ctx: DeployContext,
  ): Promise<ApplyResult> {
    await this.reconcileHeld(await this.status(), ctx);
    const before = await this.status();
    if (change.kind === 'set' && settings) this.checkPorts(before, settings.ports);
    if (change.kind === 'remove' && !before.exists) {
      await this.record(service, undefined);
      return { reloaded: false, created: false };
    }
    const table = await this.table();
    const old = table.find((s) => s.service === service);
    const others = table.filter((s) => s.service !== service);
    let next = others;
    if (change.kind === 'set') {
      const conflict = routeConflict(others, change.routes, old);
      if (conflict) throw new Error(`${this.where}: hostnames: ${conflict}; nothing was changed`);
      next = [...others, change.routes];
    }
    const ports = before.ports ?? settings?.ports;
    if (!ports) throw new Error(`${this.where}: the shared proxy publishes no ports; remove ${SHARED_PROXY}`);
    await this.record(service, change.kind === 'set' ? change.routes : undefined);
    let result: ApplyResult | undefined;
    const done: Progress = {};
    try {
      const network = change.kind === 'set' ? change.routes.network : undefined;
      result = await this.converge(next, ports, settings?.image, before, network, done);
      if (change.kind === 'remove') await this.leave(change.network);
      else await this.waitServes(change.routes, ports, change.probePath);
      if (
        change.kind === 'set' &&
        settings?.upgrade &&
        !result.created &&
        (await this.upgradePending(settings.image))
      ) {
        const upgraded = await this.upgrade(next, ports, settings.image, ctx);
        result = { ...result, upgraded };
        await this.waitServes(change.routes, ports, change.probePath);
      }
    } catch (error) {
      // The service's previous routes come back in the record, and the proxy returns to how it was.
      const undone = await this.record(service, old)
        .then(() => this.revert(before, done, ports))
        .then(
          () => '',
          (e: Error) => `; putting the proxy back failed too: ${e.message}`,
        );
      if (!undone) throw error;
      throw new Error(`${error instanceof Error ? error.message : error}${undone}`);
    }
    if (result.created) ctx.log(`${this.where}: started the shared proxy ${SHARED_PROXY}`);
    else if (result.reloaded)
      ctx.log(`${this.where}: the shared proxy reloaded with the routes of ${service}`);
    return result;
  }

  /**
   * After a failed change (its record already put back): undoes what this run did to the proxy
   * (`done`), with the routes recorded now (every service's, as their records say: another run's
   * change made meanwhile stays). A proxy this run created is removed again (its volume stays) when
   * it does not run or serves no route; otherwise a proxy that runs, or ran before, gets the
   * recorded configuration (reloaded only if it took another, started again if it stopped). A
   * proxy stopped before that this run did not start is left alone.
   */
  private async revert(before: ProxyStatus, done: Progress, ports: ProxyPorts): Promise<void> {
    const [table, now] = await Promise.all([this.table(), this.status()]);
    if (!now.exists) return;
    if (done.created && (!now.running || table.length === 0)) {
      await runChecked(this.runner, docker.removeContainersAndVolumes(this.target, [SHARED_PROXY]));
      return;
    }
    if (!now.running && !before.running && !done.started) return;
    if (!(await this.inSync(table, now))) await this.converge(table, ports, undefined, now);
  }

  /** The ports are the host's: a service asking for others is refused (moving them is an outage for all). */
  checkPorts(status: ProxyStatus, ports: ProxyPorts): void {
    const p = status.ports;
    if (status.exists && p && (p.http !== ports.http || p.https !== ports.https))
      throw new Error(
        `${this.where}: http-port/https-port: the shared proxy listens on ${p.http}/${p.https}, not ${ports.http}/${ports.https}; every service on a host shares them (moving them means removing the container ${SHARED_PROXY}, a short outage for every service on the host); nothing was changed`,
      );
  }

  /** Writes (or with no routes, removes) one service's record. */
  private async record(service: string, routes: ServiceRoutes | undefined): Promise<void> {
    const file = this.routeFile(service);
    if (!routes) {
      await runChecked(this.runner, removeFile(file));
      return;
    }
    await runChecked(this.runner, makeDirectory(`${this.dir}/routes`));
    await writeFileAtomic(this.runner, file, `${JSON.stringify(routes)}\n`, '0644');
  }

  private archive(
    table: readonly ServiceRoutes[],
    ports: ProxyPorts,
    generation = 0,
  ): { text: string; archive: Buffer } {
    const text = sharedCaddyfile(table, ports, adminAddress(generation));
    return { text, archive: this.archiveOf(text, table) };
  }

  /** A Caddyfile and the ACME CA roots the table's services name. */
  private archiveOf(text: string, table: readonly ServiceRoutes[]): Buffer {
    const roots = table
      .filter((s) => s.acmeCaRoot)
      .map((s) => [caRootPath(s.service).slice('/etc/caddy/'.length), s.acmeCaRoot as string] as const);
    return tarFiles([['Caddyfile', text], ...roots]);
  }

  /** The proxy running with `table`: created, started, or reloaded as needed. */
  private async converge(
    table: readonly ServiceRoutes[],
    ports: ProxyPorts,
    image: string | undefined,
    before: ProxyStatus,
    network?: string,
    done: Progress = {},
  ): Promise<ApplyResult> {
    const serving = before.exists ? await this.servingName() : { name: SHARED_PROXY, generation: 0 };
    const { text, archive } = this.archive(table, ports, serving.generation);
    if (!before.exists) {
      if (!image || !network) throw new Error(`${this.where}: the shared proxy does not exist`);
      await runChecked(
        this.runner,
        docker.create(this.target, {
          name: SHARED_PROXY,
          image: await this.pinned(image),
          network,
          restart: 'unless-stopped',
          labels: {
            [LABEL.role]: ROLE,
            [PORT_LABEL.http]: String(ports.http),
            [PORT_LABEL.https]: String(ports.https),
          },
          volumes: [`${SHARED_PROXY_VOLUME}:/data`],
          sysctls: await proxySysctls(this.runner),
          publish: [`${ports.http}:${ports.http}`, `${ports.https}:${ports.https}`],
          command: caddyCommand('run', CADDYFILE),
        }),
      );
      done.created = true;
      await runChecked(this.runner, docker.copyArchiveInto(this.target, SHARED_PROXY, '/etc/caddy', archive));
      for (const s of table) await this.join(s.network);
      await runChecked(this.runner, docker.start(this.target, SHARED_PROXY));
      await this.markApplied(text, SHARED_PROXY);
      return { reloaded: false, created: true };
    }
    if (network) await this.join(network);
    if (!before.running) {
      // (Only the holder serving itself gets here: reconcileHeld starts a holder a generation needs.)
      await runChecked(this.runner, docker.copyArchiveInto(this.target, SHARED_PROXY, '/etc/caddy', archive));
      done.started = true; // (a start that fails may still leave it running)
      await runChecked(this.runner, docker.start(this.target, SHARED_PROXY));
      await this.markApplied(text, SHARED_PROXY);
      return { reloaded: false, created: false };
    }
    const name = serving.name;
    const applied = await this.applied(name);
    if (applied === text) return { reloaded: false, created: false };
    // What to put back if the reload is refused: the text it took, else (a proxy made before the
    // marker existed) the file it runs from.
    const current =
      applied ?? (await this.runner.run(docker.readFileIn(this.target, name, CADDYFILE))).stdout;
    // No marker while the proxy is between two configurations: a run cut here is finished next time.
    await runChecked(this.runner, docker.removeFileIn(this.target, name, APPLIED));
    await runChecked(this.runner, docker.copyArchiveInto(this.target, name, '/etc/caddy', archive));
    const reload = await this.runner.run(docker.exec(this.target, name, caddyCommand('reload', CADDYFILE)));
    if (reload.exitCode !== 0) {
      // The proxy keeps its running configuration; its file goes back to match it.
      if (current)
        await this.runner.run(
          docker.copyArchiveInto(this.target, name, '/etc/caddy', tarFiles([['Caddyfile', current]])),
        );
      if (applied !== undefined) await this.markApplied(applied, name).catch(() => {});
      throw new Error(
        `${this.where}: the shared proxy refused the new routes: ${reload.stderr.trim().slice(-2000)}`,
      );
    }
    await this.markApplied(text, name);
    return { reloaded: true, created: false };
  }

  /**
   * With the lock held, before a change: one Caddy serves, whatever an interrupted upgrade (or a
   * hand) left. A holder that is gone takes its generations with it (a fresh proxy is made); a
   * stopped holder is started again and the generation in service restarted in its namespace; the
   * generation recorded serves (started if it stopped), the holder idles, and every other generation
   * is stopped gracefully and removed; a record naming a generation that is gone gives the routes
   * back to the holder first.
   */
  private async reconcileHeld(holder: ProxyStatus, ctx: DeployContext): Promise<void> {
    const [gens, recorded] = await Promise.all([this.generations(), this.recordedGeneration()]);
    if (gens.length === 0 && recorded === undefined) return; // a proxy never upgraded: nothing to do
    if (!holder.exists) {
      if (gens.length > 0)
        await runChecked(
          this.runner,
          docker.removeContainersAndVolumes(
            this.target,
            gens.map((g) => generationName(g.generation)),
          ),
        );
      await runChecked(this.runner, removeFile(this.generationFile));
      return;
    }
    if (!holder.running) await runChecked(this.runner, docker.start(this.target, SHARED_PROXY));
    // A generation started before the holder's current run serves in a namespace that is gone (the
    // holder stopped or restarted since, or the engine started them the other way round): it starts
    // again in the holder's.
    if (recorded !== undefined && (await this.staleGeneration(recorded, gens))) {
      const name = generationName(recorded);
      ctx.log(`${this.where}: ${name} started before ${SHARED_PROXY}: restarting it in its namespace`);
      await runChecked(this.runner, dockerCommand(this.target, ['restart', '--time', '0', name]));
      await this.waitGeneration(name);
    }
    const holderIdle = (await this.applied(SHARED_PROXY)) === holderIdleCaddyfile();
    const current = await this.generations();
    const plan = reconcile(recorded, current, holderIdle);
    if (plan.start) {
      const name = generationName(plan.serving);
      await runChecked(this.runner, docker.start(this.target, name));
      await this.waitGeneration(name);
    }
    const table = await this.table();
    if (plan.idleHolder) {
      await this.park(SHARED_PROXY, table, 0);
      await this.idleHolder();
    }
    if (plan.holderTakesOver) {
      // The holder serves the recorded routes again before any generation leaves.
      await runChecked(this.runner, removeFile(this.generationFile));
      const ports = holder.ports;
      if (ports) {
        const now = await this.status();
        await this.converge(table, ports, undefined, now);
      }
    }
    for (const g of plan.retire) {
      const name = generationName(g.generation);
      ctx.log(`${this.where}: retiring ${name}, left by an interrupted proxy upgrade`);
      if (g.running) await this.park(name, table, g.generation);
      await this.retire(name, g.running);
    }
  }

  /**
   * Replaces the Caddy in service by a new generation running `image`, without a gap: it starts in
   * the holder's network namespace with the configuration `table` renders, binds the same ports
   * beside the old one, and once it serves that configuration it is recorded as the one in service;
   * the old one then retires (a generation stops gracefully; the holder idles).
   */
  private async upgrade(
    table: readonly ServiceRoutes[],
    ports: ProxyPorts,
    image: string,
    ctx: DeployContext,
  ): Promise<UpgradeResult> {
    const from = await this.servingName();
    const generation = from.generation + 1;
    const name = generationName(generation);
    const pinned = await this.pinned(image);
    const { text, archive } = this.archive(table, ports, generation);
    const parked = this.parkedArchive(table, generation);
    // A generation of that name can only be one an interrupted upgrade made (reconcileHeld retired
    // every generation not in service): it goes. A container of that name without the label is
    // not Slipway's, and stays.
    const existing = await this.runner.run(docker.inspectContainers(this.target, [name]));
    if (existing.exitCode === 0) {
      const [c] = JSON.parse(existing.stdout) as Inspect[];
      if (c?.Config.Labels?.[LABEL.role] !== GENERATION_ROLE)
        throw new Error(
          `${this.where}: proxy-image: a container named ${name} that Slipway did not make is in the way of the upgrade; remove or rename it, then deploy again`,
        );
      await runChecked(this.runner, docker.removeContainersAndVolumes(this.target, [name]));
    }
    await runChecked(
      this.runner,
      docker.create(this.target, {
        name,
        image: pinned,
        network: `container:${SHARED_PROXY}`,
        restart: 'unless-stopped',
        labels: {
          [LABEL.role]: GENERATION_ROLE,
          [GENERATION_LABEL.image]: image,
          [GENERATION_LABEL.spec]: generationSpec(image),
        },
        volumes: [`${SHARED_PROXY_VOLUME}:/data`],
        command: caddyCommand('run', CADDYFILE),
      }),
    );
    try {
      // Parked first: its certificates load before it takes a connection on the host's ports.
      await runChecked(this.runner, docker.copyArchiveInto(this.target, name, '/etc/caddy', parked));
      await runChecked(this.runner, docker.start(this.target, name));
      await this.waitGeneration(name);
      await runChecked(this.runner, docker.copyArchiveInto(this.target, name, '/etc/caddy', archive));
      await runChecked(this.runner, docker.exec(this.target, name, caddyCommand('reload', CADDYFILE)));
      await this.markApplied(text, name);
    } catch (error) {
      // The old one never stopped serving: the new one goes (gracefully: it may have taken requests).
      await this.retire(name, true).catch(() => {});
      throw new Error(
        `${this.where}: the shared proxy could not be upgraded to ${image}; ${from.name} keeps serving: ${error instanceof Error ? error.message : error}`,
      );
    }
    await runChecked(this.runner, makeDirectory(this.dir));
    await writeFileAtomic(this.runner, this.generationFile, `${generation}\n`, '0644');
    ctx.log(`${this.where}: the shared proxy serves from ${name} (${pinned}); retiring ${from.name}`);
    // Parked before it goes: its listeners on the host's ports close with its certificates loaded.
    await this.park(from.name, table, from.generation);
    if (from.generation === 0) await this.idleHolder();
    else await this.retire(from.name, true);
    return { from: from.name, to: name, image: pinned };
  }

  /** The archive of a parked Caddy: the table's sites on loopback ports of its own. */
  private parkedArchive(table: readonly ServiceRoutes[], generation: number): Buffer {
    const text = sharedCaddyfile(table, parkedPorts(generation), adminAddress(generation), PARKED_BIND);
    return this.archiveOf(text, table);
  }

  /** Moves a running Caddy's sites off the host's ports (best effort: what follows stops or idles it). */
  private async park(name: string, table: readonly ServiceRoutes[], generation: number): Promise<void> {
    await this.runner.run(docker.removeFileIn(this.target, name, APPLIED));
    const copied = await this.runner.run(
      docker.copyArchiveInto(this.target, name, '/etc/caddy', this.parkedArchive(table, generation)),
    );
    if (copied.exitCode === 0)
      await this.runner.run(docker.exec(this.target, name, caddyCommand('reload', CADDYFILE)));
  }

  /** The holder keeps the ports, the networks and the namespace, and serves nothing. */
  private async idleHolder(): Promise<void> {
    const text = holderIdleCaddyfile();
    await runChecked(this.runner, docker.removeFileIn(this.target, SHARED_PROXY, APPLIED));
    await runChecked(
      this.runner,
      docker.copyArchiveInto(this.target, SHARED_PROXY, '/etc/caddy', tarFiles([['Caddyfile', text]])),
    );
    await runChecked(this.runner, docker.exec(this.target, SHARED_PROXY, caddyCommand('reload', CADDYFILE)));
    await this.markApplied(text, SHARED_PROXY);
  }

  /** A generation out of service: stopped gracefully (its requests in flight finish), removed. */
  private async retire(name: string, running: boolean): Promise<void> {
    if (running) await this.runner.run(docker.stop(this.target, name, GENERATION_STOP_S));
    // With its anonymous volumes (the official image's /config): the named data volume stays.
    await runChecked(this.runner, docker.removeContainersAndVolumes(this.target, [name]));
  }

  /**
   * A generation serves its configuration (Caddy logs it once every listener is up), within 30 s.
   * Only this run of the container counts: the logs since it last stopped (its start time can be
   * later than Caddy's first lines).
   */
  private async waitGeneration(name: string): Promise<void> {
    const deadline = Date.now() + GENERATION_START_MS;
    for (;;) {
      const [c] = JSON.parse(
        (await runChecked(this.runner, docker.inspectContainers(this.target, [name]))).stdout,
      ) as Array<Inspect & { State: { FinishedAt?: string; Status?: string } }>;
      const finished = c?.State.FinishedAt;
      const since = finished && !finished.startsWith('0001-') ? { since: finished } : {};
      if (c?.State.Running) {
        const logs = await this.runner.run(docker.logs(this.target, name, { ...since, tail: 1000 }));
        if (`${logs.stdout}${logs.stderr}`.includes('"serving initial configuration"')) return;
      }
      if ((!c?.State.Running && c?.State.Status === 'exited') || Date.now() > deadline) {
        const logs = await this.runner.run(docker.logs(this.target, name, { tail: 10 }));
        throw new Error(
          `${name} does not serve (${c?.State.Status ?? 'missing'}):\n${`${logs.stdout}${logs.stderr}`.trim()}`,
        );
      }
      await sleep(200);
    }
  }

  /** `image` as repository@digest once pulled on the host (what runs is pinned), else as given. */
  private async pinned(image: string): Promise<string> {
    if (image.includes('@sha256:')) return image;
    const inspect = await this.runner.run(images.repoDigests(this.target, image));
    const digests = inspect.exitCode === 0 ? (JSON.parse(inspect.stdout) as string[] | null) : null;
    const repository = image.replace(/:[^/:]+$/, '');
    return digests?.find((d) => d.startsWith(`${repository}@`)) ?? digests?.[0] ?? image;
  }

  private async join(network: string): Promise<void> {
    const result = await this.runner.run(networks.networkConnect(this.target, network, SHARED_PROXY));
    if (result.exitCode !== 0 && !/already exists in network/.test(result.stderr))
      throw new Error(`${this.where}: the shared proxy cannot join ${network}: ${result.stderr.trim()}`);
  }

  private async leave(network: string): Promise<void> {
    await this.runner.run(networks.networkDisconnect(this.target, network, SHARED_PROXY));
  }

  /**
   * The proxy answers for the service within 20 s: on the HTTP port, for its first route, anything
   * but a 5xx (a redirect to HTTPS when TLS is on; the app's answer, or its health path's, when off).
   */
  private async waitServes(s: ServiceRoutes, ports: ProxyPorts, probePath?: string): Promise<void> {
    const route = s.routes[0];
    if (!route) return;
    const path = s.tls === 'off' && probePath ? `${route.path}${probePath}` : route.path || '/';
    const deadline = Date.now() + 20_000;
    let last = '';
    for (;;) {
      const [c] = JSON.parse(
        (await runChecked(this.runner, docker.inspectContainers(this.target, [SHARED_PROXY]))).stdout,
      ) as Inspect[];
      const address = c?.NetworkSettings?.Networks?.[s.network]?.IPAddress;
      if (address && c?.State.Running) {
        const probe = await httpProbe(this.runner, address, ports.http, path, 3000, { host: route.host });
        if (probe.status > 0 && probe.status < 500) return;
        last = probe.detail;
      } else {
        last = `proxy ${c?.State.Status ?? 'missing'}`;
      }
      if (Date.now() > deadline) {
        const logs = await this.runner.run(docker.logs(this.target, SHARED_PROXY, { tail: 10 }));
        throw new Error(
          `${this.where}: the shared proxy does not serve ${route.host}${route.path} (${last}):\n${`${logs.stdout}${logs.stderr}`.trim()}`,
        );
      }
      await sleep(250);
    }
  }
}
