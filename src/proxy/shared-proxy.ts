/**
 * The host's shared proxy: one Caddy container (`slipway-proxy`) serving every service that has
 * `hostnames`, on the host's HTTP and HTTPS ports, with its certificates and ACME account in a
 * named volume that is never removed. Each service's routes are one record in
 * `.slipway/_proxy/routes/<service>.json` on the host; the Caddyfile is rendered from all of them.
 * Route changes are serialized by a host-wide lock (separate from each service's deploy lock) and
 * applied with one reload, only when the rendered text changed. Routes point at each service's
 * stable alias on its live network, so a version switch never touches the proxy.
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
import { writeFileAtomic } from '../command/remote-file';
import { caRootPath, type ProxyPorts, routeConflict, type ServiceRoutes, sharedCaddyfile } from './caddy';
import { LABEL, type LockInfo } from '../deploy-core/session';
import { HostLock, LEASE_MS } from '../deploy-core/lease';
import { acquire, whileRenewing } from '../deploy-core/locks';
import { httpProbe } from '../deploy-core/probe';
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
}

export type RouteChange =
  | { readonly kind: 'set'; readonly routes: ServiceRoutes; readonly probePath?: string }
  | { readonly kind: 'remove'; readonly service: string; readonly network: string };

/** What this run did to the proxy so far (what a revert may undo). */
interface Progress {
  created?: boolean;
  started?: boolean;
}

/** What a change did to the proxy: created it, or reloaded it (neither: it already served it). */
export interface ApplyResult {
  readonly reloaded: boolean;
  readonly created: boolean;
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
  private async applied(): Promise<string | undefined> {
    const result = await this.runner.run(docker.readFileIn(this.target, SHARED_PROXY, APPLIED));
    return result.exitCode === 0 ? result.stdout : undefined;
  }

  /** Records that the proxy runs with `text`. */
  private async markApplied(text: string): Promise<void> {
    await runChecked(
      this.runner,
      docker.copyArchiveInto(
        this.target,
        SHARED_PROXY,
        '/etc/caddy',
        tarFiles([['Caddyfile.applied', text]]),
      ),
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
    // Pulled before the lock is taken (a pull can be long; the lock is held for seconds).
    if (change.kind === 'set' && settings && !(await this.status()).exists)
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
    return (
      status.running &&
      status.ports !== undefined &&
      (await this.applied()) === this.archive(table, status.ports).text
    );
  }

  /** apply's work, with the proxy's lock held. */
  private async applyHeld(
    change: RouteChange,
    settings: ProxySettings | undefined,
    service: string,
    ctx: DeployContext,
  ): Promise<ApplyResult> {
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
      await runChecked(this.runner, docker.removeContainers(this.target, [SHARED_PROXY]));
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

  private archive(table: readonly ServiceRoutes[], ports: ProxyPorts): { text: string; archive: Buffer } {
    const text = sharedCaddyfile(table, ports);
    const roots = table
      .filter((s) => s.acmeCaRoot)
      .map((s) => [caRootPath(s.service).slice('/etc/caddy/'.length), s.acmeCaRoot as string] as const);
    return { text, archive: tarFiles([['Caddyfile', text], ...roots]) };
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
    const { text, archive } = this.archive(table, ports);
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
      await this.markApplied(text);
      return { reloaded: false, created: true };
    }
    if (network) await this.join(network);
    if (!before.running) {
      await runChecked(this.runner, docker.copyArchiveInto(this.target, SHARED_PROXY, '/etc/caddy', archive));
      done.started = true; // (a start that fails may still leave it running)
      await runChecked(this.runner, docker.start(this.target, SHARED_PROXY));
      await this.markApplied(text);
      return { reloaded: false, created: false };
    }
    const applied = await this.applied();
    if (applied === text) return { reloaded: false, created: false };
    // What to put back if the reload is refused: the text it took, else (a proxy made before the
    // marker existed) the file it runs from.
    const current =
      applied ?? (await this.runner.run(docker.readFileIn(this.target, SHARED_PROXY, CADDYFILE))).stdout;
    // No marker while the proxy is between two configurations: a run cut here is finished next time.
    await runChecked(this.runner, docker.removeFileIn(this.target, SHARED_PROXY, APPLIED));
    await runChecked(this.runner, docker.copyArchiveInto(this.target, SHARED_PROXY, '/etc/caddy', archive));
    const reload = await this.runner.run(
      docker.exec(this.target, SHARED_PROXY, caddyCommand('reload', CADDYFILE)),
    );
    if (reload.exitCode !== 0) {
      // The proxy keeps its running configuration; its file goes back to match it.
      if (current)
        await this.runner.run(
          docker.copyArchiveInto(this.target, SHARED_PROXY, '/etc/caddy', tarFiles([['Caddyfile', current]])),
        );
      if (applied !== undefined) await this.markApplied(applied).catch(() => {});
      throw new Error(
        `${this.where}: the shared proxy refused the new routes: ${reload.stderr.trim().slice(-2000)}`,
      );
    }
    await this.markApplied(text);
    return { reloaded: true, created: false };
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
