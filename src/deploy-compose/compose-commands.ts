/**
 * Compose commands as data. `docker compose` (the v2 plugin) and `docker-compose` (v1, what
 * Debian ships) take the same arguments for everything Slipway runs; only the program differs.
 * Never `down -v`: nothing here removes a volume.
 */
import type { Command } from '../command/command';
import { toExportLines } from '../command/quote';
import { composeEnvVariable } from '../deploy-stack/compose-file';

export interface ComposeTarget {
  /** ['docker', 'compose'] or ['docker-compose']. */
  readonly program: readonly string[];
  readonly project: string;
  /** The compose file on the host. */
  readonly file: string;
  /** Environment of the compose program itself (DOCKER_CONFIG…): not secret, on the command line. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * The containers' variables (env, secret-env), which the pinned file references by name (see
   * composeEnvReference): they travel on stdin, never on a command line or in a file.
   */
  readonly values?: ReadonlyArray<readonly [string, string]>;
}

/**
 * The constant script compose runs under when values are given: it evaluates the `export` lines
 * read from stdin (each value quoted by toExportLines), then becomes compose.
 */
export const WITH_VALUES_SCRIPT = 'eval "$(cat)" && exec "$@"';

export const COMPOSE_PROGRAMS: ReadonlyArray<readonly string[]> = [['docker', 'compose'], ['docker-compose']];

export function composeVersion(program: readonly string[]): Command {
  return { argv: [...program, 'version'] };
}

/**
 * The version from `compose version`'s output: "2.32.4" from v2's "Docker Compose version v2.32.4",
 * "1.29.2" from v1's "docker-compose version 1.29.2, build unknown"; the first line when neither.
 */
export function parseComposeVersion(output: string): string {
  const first = output.trim().split('\n')[0]?.trim() ?? '';
  return /version v?(\d+\.\d+\.\d+\S*?),?(?:\s|$)/i.exec(first)?.[1] ?? first;
}

function compose(target: ComposeTarget, args: string[]): Command {
  const argv = [...target.program, '--project-name', target.project, '--file', target.file, ...args];
  const values = target.values ?? [];
  return {
    ...(values.length > 0
      ? {
          argv: ['sh', '-c', WITH_VALUES_SCRIPT, 'sh', ...argv],
          stdin: toExportLines(values.map(([name, value]) => [composeEnvVariable(name), value])),
        }
      : { argv }),
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
