/**
 * The CLI's options become the actions' inputs, by the same names: `--health-timeout 30s` is the
 * input health-timeout. A value comes from `--name value` (or `--name=value`; repeated options are
 * lines of one value), from a file with `--name-file path`, or from the environment as SLIPWAY_NAME.
 * A bare `--flag` means true. Secret inputs (passwords, keys) are refused as arguments: they would
 * show in `ps` and the shell's history; they come from a file or the environment only.
 * Everything is checked against the command's options before anything runs.
 */
import { readFileSync } from 'node:fs';
import type { InputReader } from '../common/inputs';
import { isSecretInput } from '../common/inputs';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string>>;
  readonly json: boolean;
}

/** Options every command takes besides its inputs. */
export const GLOBAL_OPTIONS = ['json', 'help'] as const;

const NAME = /^[a-z][a-z0-9-]*$/;

/** SLIPWAY_<NAME>: where an input comes from in the environment. */
export function envName(input: string): string {
  return `SLIPWAY_${input.replace(/-/g, '_').toUpperCase()}`;
}

/** Is `-h` or `--help` among the arguments (before a `--` that could end them)? */
export function wantsHelp(args: readonly string[]): boolean {
  return args.some((a) => a === '-h' || a === '--help');
}

/**
 * Parses a command's arguments against the names of its inputs (`known`): unknown options, stray
 * words and secrets on the command line are UsageErrors naming the option (never its value).
 */
export function parseArgs(
  args: readonly string[],
  known: readonly string[],
  /** The input a first bare word gives (`slipway verify IMAGE`). */
  operand?: string,
): ParsedArgs {
  const values: Record<string, string> = {};
  const isKnown = (name: string) => known.includes(name);
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (operand && i === 0 && !arg.startsWith('-')) {
      values[operand] = arg;
      continue;
    }
    if (!arg.startsWith('--'))
      throw new UsageError(`unexpected argument ${JSON.stringify(arg)} (options are --name value)`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (!NAME.test(name)) throw new UsageError(`${JSON.stringify(arg)} is not an option`);
    if (name === 'json') {
      json = true;
      continue;
    }
    const fromFile = !isKnown(name) && name.endsWith('-file') && isKnown(name.slice(0, -'-file'.length));
    const input = fromFile ? name.slice(0, -'-file'.length) : name;
    if (!isKnown(input)) throw new UsageError(unknownOption(name, known));
    if (!fromFile && isSecretInput(input))
      throw new UsageError(
        `--${input} would put a secret on the command line (visible in ps and the shell's history): ` +
          `give it with --${input}-file <path> or in the environment as ${envName(input)}`,
      );
    let value: string;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (i + 1 < args.length && !isOption(args[i + 1] as string)) value = args[++i] as string;
    else if (fromFile) throw new UsageError(`--${name} needs a path`);
    else value = 'true';
    if (fromFile) {
      try {
        values[input] = appendLine(values[input], readFileSync(value, 'utf8'));
      } catch (error) {
        throw new UsageError(
          `--${name}: cannot read ${value}: ${(error as NodeJS.ErrnoException).code ?? error}`,
        );
      }
      continue;
    }
    values[input] = appendLine(values[input], value);
  }
  return { values, json };
}

/**
 * Is this argument an option (`--name`, `--name=value`)? Anything else after an option is its
 * value, whatever it starts with: a PEM key (`-----BEGIN PUBLIC KEY-----`), `-1`, `-`.
 */
function isOption(arg: string): boolean {
  if (!arg.startsWith('--')) return false;
  const eq = arg.indexOf('=');
  return NAME.test(arg.slice(2, eq > 0 ? eq : undefined));
}

function unknownOption(name: string, known: readonly string[]): string {
  const candidates = [...known, ...GLOBAL_OPTIONS];
  const best = closest(name, candidates);
  return `unknown option --${name}${best ? ` (did you mean --${best}?)` : ''}`;
}

/** The candidate nearest to `word` by edit distance, when it is near enough to be a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function appendLine(existing: string | undefined, value: string): string {
  return existing === undefined ? value : `${existing}\n${value}`;
}

/** Options first, then SLIPWAY_<NAME> from the environment. */
export function cliInputReader(
  values: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): InputReader {
  return (name) => values[name] ?? env[envName(name)];
}
