/**
 * Compose commands as data. `docker compose` (the v2 plugin) and `docker-compose` (v1, what
 * Debian ships) take the same arguments for everything Slipway runs; only the program differs.
 * Never `down -v`: nothing here removes a volume.
 */
import type { Command } from '../command/command';

export interface ComposeTarget {
  /** ['docker', 'compose'] or ['docker-compose']. */
  readonly program: readonly string[];
  readonly project: string;
  /** The compose file on the host. */
  readonly file: string;
  readonly env?: Readonly<Record<string, string>>;
}

export const COMPOSE_PROGRAMS: ReadonlyArray<readonly string[]> = [['docker', 'compose'], ['docker-compose']];

export function composeVersion(program: readonly string[]): Command {
  return { argv: [...program, 'version'] };
}

function compose(target: ComposeTarget, args: string[]): Command {
  return {
    argv: [...target.program, '--project-name', target.project, '--file', target.file, ...args],
    env: { ...target.env },
    label: `${target.program.join(' ')} ${args[0]} (${target.project})`,
  };
}

/** Checks the file the way compose reads it (variables, env files, schema) without changing anything. */
export function composeConfig(target: ComposeTarget): Command {
  return compose(target, ['config', '--quiet']);
}

export function composePull(target: ComposeTarget): Command {
  return compose(target, ['pull', '--quiet']);
}

/**
 * Brings the stack to the file: dependency order (depends_on conditions respected), only services
 * whose configuration changed are recreated, services gone from the file are removed (their
 * volumes are not).
 */
export function composeUp(target: ComposeTarget): Command {
  return compose(target, ['up', '--detach', '--remove-orphans', '--no-build']);
}

export function composeLogs(target: ComposeTarget, services: readonly string[], tail = 30): Command {
  return compose(target, ['logs', '--no-color', '--tail', String(tail), ...services]);
}
