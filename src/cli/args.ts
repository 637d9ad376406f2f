/**
 * The CLI's options become the actions' inputs, by the same names: `--health-timeout 30s` is the
 * input health-timeout. A value comes from `--name value` (or `--name=value`; repeated options are
 * lines of one value), from a file with `--name-file path` (keys, passwords: nothing secret on a
 * command line), or from the environment as SLIPWAY_NAME. A bare `--flag` means true.
 */
import { readFileSync } from 'node:fs';
import type { InputReader } from '../common/inputs';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  readonly command: string;
  readonly values: Readonly<Record<string, string>>;
  readonly json: boolean;
}

const NAME = /^[a-z][a-z0-9-]*$/;

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const [command = '', ...rest] = argv;
  const values: Record<string, string> = {};
  let json = false;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (!arg.startsWith('--'))
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (options are --name value)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (!NAME.test(name)) throw new UsageError(`${JSON.stringify(arg)} is not an option`);
    if (name === 'json') {
      json = true;
      continue;
    }
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < rest.length && !(rest[i + 1] as string).startsWith('--')) value = rest[++i] as string;
    else value = 'true';
    if (name.endsWith('-file') && !['compose-file', 'stack-file', 'ca-file'].includes(name)) {
      const input = name.slice(0, -'-file'.length);
      try {
        values[input] = appendLine(values[input], readFileSync(value, 'utf8'));
      } catch (error) {
        throw new UsageError(
          `--${name}: cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        );
      }
      continue;
    }
    values[name] = appendLine(values[name], value);
  }
  return { command, values, json };
}

function appendLine(existing: string | undefined, value: string): string {
  return existing === undefined ? value : `${existing}\n${value}`;
}

/** Options first, then SLIPWAY_<NAME> from the environment. */
export function cliInputReader(
  values: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): InputReader {
  return (name) => values[name] ?? env[`SLIPWAY_${name.replace(/-/g, '_').toUpperCase()}`];
}
