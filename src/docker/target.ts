/**
 * Docker commands as data: each function of this folder returns the argv (and environment, stdin) of
 * one docker invocation, one file per concern (builds, images, containers, networks, the env file).
 * Nothing here runs anything; runners execute these locally or over SSH, and unit tests check them
 * as data. Values that must stay off the command line (secrets, environment values) travel in the
 * process environment or on stdin. This file: which docker client, and one invocation of it.
 */
import type { Command } from '../command/command';

/** The docker client: SLIPWAY_DOCKER when set (e.g. a client with BuildKit), else docker on PATH. */
export function dockerBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env.SLIPWAY_DOCKER || 'docker';
}

export interface DockerTarget {
  /** The docker client program. */
  readonly docker: string;
  /** Environment for every docker call (DOCKER_CONFIG, DOCKER_HOST…). */
  readonly env?: Readonly<Record<string, string>>;
  /** The buildx plugin's program, run standalone for buildx commands (else `docker buildx`). */
  readonly buildx?: string;
}

/** One docker invocation for `target`: its program, then `args`; the target's environment under `extra.env`. */
export function dockerCommand(target: DockerTarget, args: string[], extra: Partial<Command> = {}): Command {
  return { argv: [target.docker, ...args], ...extra, env: { ...target.env, ...extra.env } };
}

/** `--label k=v` for each label (or another flag taking k=v, such as `--label-add`). */
export function labelFlags(labels: Readonly<Record<string, string>>, flag = '--label'): string[] {
  return Object.entries(labels).flatMap(([k, v]) => [flag, `${k}=${v}`]);
}
