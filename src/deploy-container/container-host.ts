/**
 * Single-container mode on one host: reading which versions run, starting a version beside the
 * old one (or a one-off pre-deploy run), waiting until it is healthy, putting it in service on the
 * live network and taking the old one out, the service's own proxy, keeping old versions for
 * rollback and pruning. Built on the session every mode shares (deploy-core/session.ts). Every
 * command is an argv array; values travel on stdin or in env files.
 */
import { runChecked } from '../command/command';
import * as docker from '../docker/containers';
import * as images from '../docker/images';
import * as networks from '../docker/networks';
import { envFileContent } from '../docker/env-file';
import { ensureNetwork, inspectContainersWhere } from '../docker/engine';
import { type ContainerInspect as Inspect, containerName, type NetworkInspect } from '../docker/inspect';
import { sleep } from '../common/retry';
import { httpProbe } from '../ssh/http-probe';
import { CADDYFILE_PATH, caddyfile, PROXY_PORT } from '../proxy/caddy';
import { caddyCommand } from '../proxy/caddy-commands';
import { serviceProxySysctls } from '../proxy/proxy-sysctls';
import * as files from '../command/files';
import { tarFile } from '../docker/tar';
import { HostSession, LABEL } from '../deploy-core/session';

export interface Version {
  readonly container: string;
  readonly running: boolean;
  readonly digest: string;
  readonly image: string;
  readonly version: string;
  readonly time: string;
  readonly imageId: string;
  /** The configuration fingerprint it was started with ('' for versions from before it existed). */
  readonly config: string;
}

export interface HostState {
  /** The version in service (running, on the live network the proxy dials; the newest if several are). */
  readonly current?: Version;
  /**
   * Every version in service. More than one is a split left by an interrupted switch: something to
   * repair, never "unchanged".
   */
  readonly serving: readonly Version[];
  /** Stopped versions kept for rollback, newest first. */
  readonly previous: readonly Version[];
  /** Running versions that are not current: started by an interrupted deploy, never switched to. */
  readonly orphans: readonly Version[];
  readonly proxy?: { readonly running: boolean; readonly publish?: number };
}

export interface VersionSpec {
  readonly container: string;
  /** repo@sha256:… */
  readonly image: string;
  readonly digest: string;
  readonly version: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly env: ReadonlyArray<readonly [string, string]>;
  readonly volumes: readonly string[];
  readonly network?: string;
  readonly healthCmd?: string;
}

export interface Health {
  readonly port?: number;
  readonly path?: string;
  readonly timeoutMs: number;
}

export class ContainerHost extends HostSession {
  get network(): string {
    return `slipway-${this.name}`;
  }
  get proxy(): string {
    return `slipway-proxy-${this.name}`;
  }
  /** The network the proxy reaches the serving versions on, under one DNS alias. */
  get live(): string {
    return `slipway-${this.name}-live`;
  }
  get alias(): string {
    return `${this.name}-live`;
  }

  private docker(command: ReturnType<typeof docker.run>) {
    return runChecked(this.runner, command);
  }

  /** The service's networks (the lock already made the directory). */
  async prepare(): Promise<void> {
    await Promise.all(
      [this.network, this.live].map((network) =>
        ensureNetwork(this.runner, this.target, network, { [LABEL.service]: this.name }),
      ),
    );
  }

  // --- what runs ---------------------------------------------------------------------------------

  /** What runs: one listing and one inspect of every container of the service, then the proxy's config. */
  async state(): Promise<HostState> {
    const containers = await inspectContainersWhere<Inspect>(this.runner, this.target, [
      `label=${LABEL.service}=${this.name}`,
    ]);
    const versions = containers
      .filter((c) => c.Config.Labels?.[LABEL.role] === 'app')
      .map((c): Version => {
        const labels = c.Config.Labels ?? {};
        return {
          container: containerName(c),
          running: c.State.Running,
          digest: labels[LABEL.digest] ?? '',
          image: labels[LABEL.image] ?? '',
          version: labels[LABEL.version] ?? '',
          time: labels[LABEL.time] ?? '',
          imageId: c.Image,
          config: labels[LABEL.config] ?? '',
        };
      })
      .sort((a, b) => b.time.localeCompare(a.time));
    const proxyContainer = containers.find((c) => c.Name === `/${this.proxy}`);
    const published = proxyContainer?.HostConfig?.PortBindings?.[`${PROXY_PORT}/tcp`]?.[0]?.HostPort;
    const proxy: HostState['proxy'] = proxyContainer
      ? { running: proxyContainer.State.Running, ...(published && { publish: Number(published) }) }
      : undefined;
    // Serving: running and on the live network (reachable under the alias the proxy dials).
    const serving = new Set(
      containers
        .filter((c) => c.State.Running && c.NetworkSettings?.Networks?.[this.live])
        .map(containerName),
    );
    const running = versions.filter((v) => v.running);
    const inService = running.filter((v) => serving.has(v.container));
    // Only versions from before the live network existed (no configuration label) may count as
    // current without being on it: a newer one off the network never passed its health check here.
    const current =
      inService[0] ?? (this.liveUnknown(containers) ? running.find((v) => v.config === '') : undefined);
    return {
      ...(current && { current }),
      serving: inService.length > 0 ? inService : current ? [current] : [],
      previous: versions.filter((v) => v !== current && !v.running),
      orphans: running.filter((v) => v !== current && !serving.has(v.container)),
      ...(proxy && { proxy }),
    };
  }

  /** True when no container of the service is on the live network (nothing was ever switched there). */
  private liveUnknown(containers: readonly Inspect[]): boolean {
    return !containers.some((c) => c.NetworkSettings?.Networks?.[this.live]);
  }

  // --- versions ------------------------------------------------------------------------------------

  async pull(image: string): Promise<void> {
    await this.docker(images.pull(this.target, image));
  }

  /** Writes env values into a 0600 file through stdin, starts the container with it, removes the file. */
  async start(spec: VersionSpec): Promise<void> {
    const envFile = await this.writeEnvFile(spec);
    try {
      await this.docker(
        docker.create(this.target, {
          name: spec.container,
          image: spec.image,
          network: this.network,
          envFile,
          restart: 'unless-stopped',
          labels: spec.labels,
          volumes: spec.volumes,
          ...(spec.healthCmd && { healthCmd: spec.healthCmd }),
        }),
      );
    } catch (error) {
      await this.removeEnvFile(envFile);
      throw error;
    }
    // docker has read the env file: remove it while the container starts.
    const removing = this.removeEnvFile(envFile);
    try {
      if (spec.network) await this.docker(networks.networkConnect(this.target, spec.network, spec.container));
      await this.docker(docker.start(this.target, spec.container));
    } catch (error) {
      // Never started: not a version to keep for rollback.
      await this.remove(spec.container);
      throw error;
    } finally {
      await removing;
    }
  }

  /** Runs a one-off command in an image (migrations), with the service's env, network and volumes. */
  async runOnce(
    spec: VersionSpec,
    command: string,
    signal?: AbortSignal,
  ): Promise<{ exitCode: number; output: string }> {
    const envFile = await this.writeEnvFile(spec);
    try {
      const runCommand = docker.run(this.target, {
        name: spec.container,
        removeOnExit: true,
        image: spec.image,
        network: spec.network ?? this.network,
        envFile,
        volumes: spec.volumes,
        labels: { [LABEL.service]: this.name, [LABEL.role]: 'pre-deploy' },
        command: ['sh', '-c', command],
      });
      // Cancelled: the container is stopped too, not only the client that runs it.
      let stopping: Promise<unknown> | undefined;
      const stop = () => {
        stopping = this.runner.run(docker.removeContainers(this.target, [spec.container]));
      };
      signal?.addEventListener('abort', stop, { once: true });
      try {
        const result = await this.runner.run(runCommand);
        signal?.throwIfAborted();
        return { exitCode: result.exitCode, output: `${result.stdout}${result.stderr}` };
      } finally {
        signal?.removeEventListener('abort', stop);
        await stopping;
      }
    } finally {
      await this.removeEnvFile(envFile);
    }
  }

  /** Env values reach the host on stdin, into a file only the deploy user can read. */
  private async writeEnvFile(spec: VersionSpec): Promise<string> {
    const envFile = `${this.dir}/${spec.container}.env`;
    await runChecked(this.runner, files.installFile(envFile, '0600', envFileContent(spec.env)));
    return envFile;
  }

  private async removeEnvFile(envFile: string): Promise<void> {
    await this.runner.run(files.removeFile(envFile));
  }

  /** Waits until the container is healthy: its health check, an HTTP path through the proxy's network, or running. */
  async waitHealthy(
    container: string,
    health: Health,
    signal?: AbortSignal,
  ): Promise<{ ok: true } | { ok: false; detail: string }> {
    const deadline = Date.now() + health.timeoutMs;
    let stableSince: number | undefined;
    let lastProbe = '';
    for (;;) {
      const [c] = JSON.parse(
        (await this.docker(docker.inspectContainers(this.target, [container]))).stdout,
      ) as Inspect[];
      const state = c?.State;
      if (!state || state.Status === 'exited' || state.Status === 'dead') {
        return { ok: false, detail: `the container stopped (exit code ${state?.ExitCode ?? '?'})` };
      }
      let ready: boolean;
      if (health.path && health.port !== undefined) {
        const address = c?.NetworkSettings?.Networks?.[this.network]?.IPAddress;
        if (!address) return { ok: false, detail: `${container} has no address on ${this.network}` };
        const probe = await httpProbe(this.runner, address, health.port, health.path);
        lastProbe = `GET ${health.path}: ${probe.detail}`;
        ready = probe.ok && (!state.Health || state.Health.Status === 'healthy');
      } else if (state.Health) {
        ready = state.Health.Status === 'healthy';
      } else {
        // No health check at all: running, and still running a moment later.
        stableSince ??= Date.now();
        ready = state.Running && Date.now() - stableSince >= 2000;
      }
      if (ready) return { ok: true };
      if (Date.now() > deadline) {
        const checks = state.Health?.Log?.slice(-3)
          .map((h) => `exit ${h.ExitCode}: ${h.Output.trim()}`)
          .join('; ');
        return {
          ok: false,
          detail: `not healthy after ${Math.round(health.timeoutMs / 1000)} s${checks ? `; health checks: ${checks}` : ''}${lastProbe ? `; ${lastProbe}` : ''}`,
        };
      }
      await sleep(500, signal);
    }
  }

  async logs(container: string, lines = 30): Promise<string> {
    const result = await this.runner.run(docker.logs(this.target, container, { tail: lines }));
    return `${result.stdout}${result.stderr}`.trim();
  }

  /**
   * Takes a version out of service: it stops (docker drops it from the alias, a graceful app
   * finishes what it has in flight on SIGTERM), then leaves the live network, so starting it again
   * later never puts it in service before its health check has passed.
   */
  async stop(container: string): Promise<void> {
    await this.docker(docker.stop(this.target, container, 10));
    await this.leaveService(container);
  }

  /** Starts a kept version outside service (off the live network); `activate` puts it in service. */
  async startExisting(container: string): Promise<void> {
    await this.leaveService(container);
    await this.docker(docker.start(this.target, container));
  }

  private async leaveService(container: string): Promise<void> {
    const result = await this.runner.run(networks.networkDisconnect(this.target, this.live, container));
    if (result.exitCode !== 0 && !/is not connected|not connected to/i.test(result.stderr)) {
      throw new Error(`${this.where}: cannot take ${container} out of service: ${result.stderr.trim()}`);
    }
  }

  /** Removes the service's own proxy with its anonymous volumes (the Caddy image's /config, /data). */
  async removeProxy(): Promise<void> {
    await this.runner.run(docker.removeContainersAndVolumes(this.target, [this.proxy]));
  }

  /** Removes a container, never its volumes. */
  async remove(container: string): Promise<void> {
    await this.runner.run(docker.removeContainers(this.target, [container]));
  }

  // --- the proxy -----------------------------------------------------------------------------------

  /**
   * Puts a version in service: it joins the live network under the service's alias, so the proxy's
   * next connections reach it (Caddy resolves the alias on every dial). No proxy reload: reloads
   * drop connections in flight on the Caddy versions tested here.
   */
  async activate(container: string): Promise<void> {
    const connect = await this.runner.run(
      networks.networkConnect(this.target, this.live, container, [this.alias]),
    );
    // A version brought back by a rollback is still attached from its earlier time in service.
    if (connect.exitCode !== 0 && !/already exists in network/.test(connect.stderr)) {
      throw new Error(`${this.where}: cannot put ${container} in service: ${connect.stderr.trim()}`);
    }
  }

  /**
   * Makes sure the service's own proxy runs, proxying to the alias (created on the first deploy):
   * on the `publish` port, or — without one — as the shared proxy's upstream for the service
   * (reachable on the live network only, trusting the client address the shared proxy forwards).
   * Returns true when this call created it.
   */
  async ensureProxy(
    port: number,
    publish: number | undefined,
    proxyImage: string,
    healthPath?: string,
    knownRunning = false,
  ): Promise<boolean> {
    const behindShared = publish === undefined ? { subnets: await this.liveSubnets() } : undefined;
    const config = caddyfile(this.alias, port, behindShared);
    const archive = tarFile('Caddyfile', config);
    // Behind the shared proxy the container is always looked at: one that publishes a port must
    // not be given a configuration that trusts forwarded client addresses.
    const exists =
      knownRunning && !behindShared
        ? { exitCode: 0, stdout: JSON.stringify({ State: { Running: true } }) }
        : await this.runner.run(docker.inspectContainer(this.target, this.proxy));
    if (exists.exitCode !== 0) {
      await this.docker(
        docker.create(this.target, {
          name: this.proxy,
          image: proxyImage,
          network: this.live,
          restart: 'unless-stopped',
          labels: { [LABEL.service]: this.name, [LABEL.role]: 'proxy' },
          ...(publish !== undefined && { publish: [`${publish}:${PROXY_PORT}`] }),
          sysctls: await serviceProxySysctls(this.runner, this.target),
          command: caddyCommand('run', CADDYFILE_PATH),
        }),
      );
      await this.docker(docker.copyArchiveInto(this.target, this.proxy, '/etc/caddy', archive));
      await this.docker(docker.start(this.target, this.proxy));
      await this.waitProxyServes(healthPath, behindShared !== undefined);
      return true;
    }
    const inspect = JSON.parse(exists.stdout) as Inspect;
    const published = Object.values(inspect.HostConfig?.PortBindings ?? {}).some((b) => (b ?? []).length > 0);
    if (behindShared && published)
      throw new Error(
        `${this.where}: the proxy of ${this.name} publishes a port; with hostnames the service is served by the shared proxy: remove the container ${this.proxy} on that host (a short outage), then deploy again`,
      );
    if (!inspect.State.Running) {
      // Its configuration first: a run cut between creating it and copying it left the image's own.
      await this.docker(docker.copyArchiveInto(this.target, this.proxy, '/etc/caddy', archive));
      await this.docker(docker.start(this.target, this.proxy));
      await this.waitProxyServes(healthPath, behindShared !== undefined);
      return false;
    }
    // Only when the port changed (or the proxy predates the alias): rewrite and reload once.
    const current = await this.runner.run(docker.readFileIn(this.target, this.proxy, CADDYFILE_PATH));
    if (current.stdout !== config) {
      await this.docker(docker.copyArchiveInto(this.target, this.proxy, '/etc/caddy', archive));
      await this.docker(docker.exec(this.target, this.proxy, caddyCommand('reload', CADDYFILE_PATH)));
      await this.waitProxyServes(healthPath, behindShared !== undefined);
    }
    return false;
  }

  /** The live network's subnets (the shared proxy's address there is the one to trust). */
  private async liveSubnets(): Promise<string[]> {
    const result = await this.docker(networks.networkInspect(this.target, this.live));
    const [n] = JSON.parse(result.stdout) as NetworkInspect[];
    return (n?.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').filter(Boolean);
  }

  /**
   * The proxy serves within 15 s: the health path answers 2xx/3xx through it, or / answers anything
   * but a 5xx — behind the shared proxy anything at all (a service without a health path whose /
   * answers 500 deployed before it had a proxy of its own, and its version passed its health check).
   */
  private async waitProxyServes(healthPath?: string, anyAnswer = false): Promise<void> {
    const deadline = Date.now() + 15_000;
    let last = '';
    for (;;) {
      const [c] = JSON.parse(
        (await this.docker(docker.inspectContainers(this.target, [this.proxy]))).stdout,
      ) as Inspect[];
      const address = c?.NetworkSettings?.Networks?.[this.live]?.IPAddress;
      if (address && c?.State.Running) {
        const probe = await httpProbe(this.runner, address, PROXY_PORT, healthPath ?? '/');
        if (healthPath ? probe.ok : probe.status > 0 && (anyAnswer || probe.status < 500)) return;
        last = probe.detail;
      } else {
        last = `proxy ${c?.State.Status ?? 'missing'}`;
      }
      if (Date.now() > deadline) {
        const logs = await this.logs(this.proxy, 10);
        throw new Error(`the proxy ${this.proxy} does not serve (${last}):\n${logs}`);
      }
      await sleep(250);
    }
  }

  // --- housekeeping ----------------------------------------------------------------------------------

  /** Removes stopped versions beyond the newest `keep` of `stopped` (containers and images; never volumes). */
  async prune(keep: number, stopped: readonly Version[]): Promise<string[]> {
    const old = [...stopped].sort((a, b) => b.time.localeCompare(a.time)).slice(keep);
    await Promise.all(
      old.map(async (version) => {
        await this.remove(version.container);
        await this.runner.run(images.removeImage(this.target, version.imageId));
      }),
    );
    return old.map((v) => v.container);
  }
}
