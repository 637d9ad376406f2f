/**
 * What Slipway does with a Compose project on one host: finding the compose program, keeping the
 * pinned file (the running one and the one before it) in the service's directory, bringing the
 * stack to a file and waiting until every container is healthy. Files are written atomically
 * (temporary name, then rename). Env values never reach the host's disk: every compose command gets
 * them on stdin (see compose-commands), and the pinned file only names them.
 */
import { type Command, runChecked, type Runner } from '../command/command';
import * as compose from './compose-commands';
import { inspectContainersWhere } from '../docker/engine';
import type { ContainerInspect as Inspect } from '../docker/inspect';
import { sleep } from '../common/retry';
import { readRemoteFile, writeFileAtomic } from '../command/remote-file';
import { copyFile, moveFile } from '../command/files';

export const COMPOSE_FILE = 'compose.yml';
export const PREVIOUS_FILE = 'compose.previous.yml';

export interface StackContainer {
  readonly id: string;
  readonly service: string;
  readonly image: string;
  readonly status: string;
  readonly running: boolean;
  readonly exitCode: number;
  readonly health?: string;
  readonly restartPolicy: string;
}

/** docker-compose v1 on a Swarm node says, every time, that it does not use Swarm: not news in a deploy log. */
export function withoutSwarmNotice(output: string): string {
  return output
    .replace(
      /The Docker Engine you're using is running in swarm mode\.[\s\S]*?use `docker stack deploy`\.\s*/,
      '',
    )
    .trim();
}

export class ComposeHost {
  readonly where: string;
  private readonly runner: Runner;
  private readonly project: string;
  private readonly dir: string;
  private readonly env: Readonly<Record<string, string>>;
  private readonly values: ReadonlyArray<readonly [string, string]>;
  private program?: readonly string[];
  private version?: string;

  /**
   * `dir`: the service's directory on the host (made by the lock); `env`: compose's own environment;
   * `values`: the containers' env values, which the pinned file references by name.
   */
  constructor(
    runner: Runner,
    project: string,
    dir: string,
    env: Readonly<Record<string, string>> = {},
    values: ReadonlyArray<readonly [string, string]> = [],
  ) {
    this.runner = runner;
    this.where = runner.where;
    this.project = project;
    this.dir = dir;
    this.env = env;
    this.values = values;
  }

  private run(command: Command) {
    return runChecked(this.runner, command);
  }

  /**
   * `docker compose` (v2, the CLI plugin) when the plugin is there, else `docker-compose` (v1, or v2
   * installed standalone); an error when neither is. Returns the program and its version line.
   */
  async detect(): Promise<{ program: readonly string[]; version: string }> {
    if (this.program && this.version !== undefined) return { program: this.program, version: this.version };
    for (const program of compose.COMPOSE_PROGRAMS) {
      const result = await this.runner.run(compose.composeVersion(program));
      if (result.exitCode === 0) {
        this.program = program;
        this.version = compose.parseComposeVersion(result.stdout);
        return { program, version: this.version };
      }
    }
    throw new Error(`${this.where}: neither "docker compose" nor "docker-compose" works on this host`);
  }

  private target(file = COMPOSE_FILE): compose.ComposeTarget {
    return {
      program: this.program ?? ['docker-compose'],
      project: this.project,
      file: `${this.dir}/${file}`,
      env: this.env,
      values: this.values,
    };
  }

  /** The pinned file the stack runs from now (undefined before the first deploy). */
  readFile(file = COMPOSE_FILE): Promise<string | undefined> {
    return readRemoteFile(this.runner, `${this.dir}/${file}`);
  }

  /** Writes a file atomically: a temporary name first, then a rename over the old one. */
  writeFile(file: string, content: string): Promise<void> {
    return writeFileAtomic(this.runner, `${this.dir}/${file}`, content);
  }

  /** compose config: the file as compose reads it is valid here (nothing changes). */
  async check(file: string): Promise<void> {
    await this.run(compose.composeConfig(this.target(file)));
  }

  async pull(file: string): Promise<void> {
    await this.run(compose.composePull(this.target(file)));
  }

  /** Makes `file` the running one (the current one becomes the previous), atomically. */
  async promoteFile(file: string, hadCurrent: boolean): Promise<void> {
    if (hadCurrent) {
      await this.run(copyFile(`${this.dir}/${COMPOSE_FILE}`, `${this.dir}/.${PREVIOUS_FILE}.tmp`));
      await this.run(moveFile(`${this.dir}/.${PREVIOUS_FILE}.tmp`, `${this.dir}/${PREVIOUS_FILE}`));
    }
    await this.run(moveFile(`${this.dir}/${file}`, `${this.dir}/${COMPOSE_FILE}`));
  }

  /** Brings the stack to the running file; returns compose's own output (what it recreated). */
  async up(): Promise<string> {
    const result = await this.run(compose.composeUp(this.target()));
    return withoutSwarmNotice(`${result.stdout}${result.stderr}`);
  }

  async containers(): Promise<StackContainer[]> {
    const inspected = await inspectContainersWhere<Inspect>(
      this.runner,
      { docker: 'docker', env: this.env },
      [`label=com.docker.compose.project=${this.project}`],
    );
    return inspected
      .filter((c) => !c.Config.Labels?.['com.docker.compose.oneoff']?.startsWith('True'))
      .map((c) => ({
        id: c.Id,
        service: c.Config.Labels?.['com.docker.compose.service'] ?? '?',
        image: c.Config.Image,
        status: c.State.Status,
        running: c.State.Running,
        exitCode: c.State.ExitCode,
        ...(c.State.Health && { health: c.State.Health.Status }),
        restartPolicy: c.HostConfig?.RestartPolicy?.Name ?? 'no',
      }));
  }

  /**
   * Waits until every container of the stack is in service: healthy where it has a health check,
   * else running for two seconds; a one-shot container (restart "no") may have exited 0.
   */
  async waitHealthy(
    timeoutMs: number,
  ): Promise<{ ok: true } | { ok: false; detail: string; services: string[] }> {
    const deadline = Date.now() + timeoutMs;
    const runningSince = new Map<string, number>();
    for (;;) {
      const containers = await this.containers();
      const waiting: string[] = [];
      const broken: string[] = [];
      for (const c of containers) {
        if (!c.running) {
          if (c.exitCode === 0 && c.restartPolicy === 'no') continue;
          broken.push(`${c.service} ${c.status} (exit code ${c.exitCode})`);
          continue;
        }
        if (c.health) {
          if (c.health === 'unhealthy') broken.push(`${c.service} unhealthy`);
          else if (c.health !== 'healthy') waiting.push(`${c.service} ${c.health}`);
          continue;
        }
        const since = runningSince.get(c.id) ?? Date.now();
        runningSince.set(c.id, since);
        if (c.status === 'restarting' || Date.now() - since < 2000) waiting.push(`${c.service} starting`);
      }
      if (containers.length > 0 && waiting.length === 0 && broken.length === 0) return { ok: true };
      const services = [...broken, ...waiting].map((s) => s.split(' ')[0] as string);
      if (broken.length > 0) return { ok: false, detail: broken.join(', '), services };
      if (Date.now() > deadline) {
        const detail = [...broken, ...waiting].join(', ') || 'no container of the stack runs';
        return {
          ok: false,
          detail: `not healthy after ${Math.round(timeoutMs / 1000)} s: ${detail}`,
          services,
        };
      }
      await sleep(500);
    }
  }

  async logs(services: readonly string[]): Promise<string> {
    const result = await this.runner.run(compose.composeLogs(this.target(), [...new Set(services)]));
    return `${result.stdout}${result.stderr}`.trim();
  }
}
