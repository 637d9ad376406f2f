/**
 * One deploy host for one service, as every mode sees it, over any Runner (SSH in production, the
 * same code locally): the service's directory, its deploy lock, the audit log, the registry login
 * and what an interrupted run left behind. What a mode does on the host builds on this
 * (deploy-container/container-host.ts; Compose and Swarm run their own commands through `runner`).
 */
import { runChecked, type Runner } from '../command/command';
import * as files from '../command/files';
import * as docker from '../docker/containers';
import * as images from '../docker/images';
import type { DockerTarget } from '../docker/target';
import { inspectContainersWhere } from '../docker/engine';
import { type ContainerInspect, containerName } from '../docker/inspect';
import { HostLock } from './lease';

export type { LockInfo } from './lease';

/** The labels Slipway puts on what it makes (containers, networks, services, stacks). */
export const LABEL = {
  service: 'dev.slipway.service',
  role: 'dev.slipway.role',
  version: 'dev.slipway.version',
  digest: 'dev.slipway.digest',
  image: 'dev.slipway.image',
  commit: 'dev.slipway.commit',
  run: 'dev.slipway.run',
  time: 'dev.slipway.time',
  /** Fingerprint of the configuration besides the image (see fingerprint.ts). */
  config: 'dev.slipway.config',
} as const;

export class HostSession {
  readonly where: string;
  readonly runner: Runner;
  readonly name: string;
  /** The per-service deploy lock on this host. */
  readonly lock: HostLock;
  /** The host's docker client, with this deploy's private config when it logs in. */
  protected readonly target: DockerTarget;

  constructor(runner: Runner, name: string, env: Record<string, string> = {}) {
    this.runner = runner;
    this.where = runner.where;
    this.name = name;
    this.target = { docker: 'docker', env };
    this.lock = new HostLock(runner, this.dir);
  }

  /** Slipway's directory for this service on the host (relative to the deploy user's home). */
  get dir(): string {
    return `.slipway/${this.name}`;
  }

  /**
   * What an interrupted run of this service can leave behind, removed by the next holder of the
   * lock (nothing else can be using them then): env files and private docker configs holding
   * secrets, half-made lock directories, and one-off pre-deploy containers still running.
   */
  async sweepLeftovers(): Promise<string[]> {
    const found = await this.runner.run(
      files.findByName(this.dir, ['*.env', '*.env.sh', 'docker-config-*', 'lock.new-*', 'lock.closed-*']),
    );
    const paths = found.stdout.split('\n').filter(Boolean);
    if (paths.length > 0) await runChecked(this.runner, files.removeTrees(paths));
    const preDeploy = await inspectContainersWhere<ContainerInspect>(this.runner, this.target, [
      `label=${LABEL.service}=${this.name}`,
      `label=${LABEL.role}=pre-deploy`,
    ]);
    const names = preDeploy.map(containerName);
    if (names.length > 0) await this.runner.run(docker.removeContainers(this.target, names));
    return [...paths.map((p) => p.slice(this.dir.length + 1)), ...names];
  }

  /** Appends one JSON line to the host's audit log. */
  async audit(entry: Record<string, unknown>): Promise<void> {
    await runChecked(this.runner, files.appendToFile(`${this.dir}/audit.log`, `${JSON.stringify(entry)}\n`));
  }

  async registryLogin(registry: string, username: string, password: string): Promise<void> {
    await runChecked(this.runner, images.login(this.target, registry, username, password));
  }

  /** Logs out and removes the private docker config the login went into (no credentials left on the host). */
  async registryLogout(registry: string): Promise<void> {
    await this.runner.run(images.logout(this.target, registry));
    const config = this.target.env?.DOCKER_CONFIG;
    if (config) await this.runner.run(files.removeTrees([config]));
  }
}
