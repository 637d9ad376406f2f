import { SECRET_INPUT_NAMES } from './secret-inputs';
import { hasControlCharacter } from './text';

/**
 * Reading action inputs with errors that name the input and say what is wrong with its value.
 * The reader is injected (GitHub's INPUT_* variables for actions, options for the CLI), so the
 * parsing rules are the same everywhere and unit-testable.
 */

export class InputError extends Error {
  readonly input: string;
  constructor(input: string, problem: string) {
    super(`input "${input}": ${problem}`);
    this.name = 'InputError';
    this.input = input;
  }
}

export type InputReader = (name: string) => string | undefined;

/**
 * Inputs whose values are secret, in every action and the CLI (which uses the same names): those
 * whose description in action.yml says they are masked (generated into secret-inputs.ts). An error
 * about one of them never shows its value, nor any part of a line of it.
 */
export const SECRET_INPUTS: ReadonlySet<string> = new Set(SECRET_INPUT_NAMES);

export function isSecretInput(name: string): boolean {
  return SECRET_INPUTS.has(name);
}

/** Reads inputs the way the Actions runner passes them: INPUT_<NAME> (spaces become underscores). */
export function envInputReader(env: NodeJS.ProcessEnv = process.env): InputReader {
  return (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
}

const TRUE = new Set(['true', 'True', 'TRUE', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', 'no', 'off', '0']);
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export interface ListOptions {
  /** Also split on commas (for lists of references or tags, never for values that may hold commas). */
  readonly commas?: boolean;
}

export class Inputs {
  private readonly read: InputReader;

  constructor(read: InputReader) {
    this.read = read;
  }

  /** The same inputs with some values replaced (one step feeding the next in one process). */
  with(values: Readonly<Record<string, string>>): Inputs {
    return new Inputs((name) => (name in values ? values[name] : this.read(name)));
  }

  /** The value for an error message: quoted, or a note that a secret value is not shown. */
  private show(name: string, value: string): string {
    return isSecretInput(name) ? '(a secret value, not shown)' : JSON.stringify(value);
  }

  /** The trimmed value, or '' when unset. */
  string(name: string, fallback = ''): string {
    const raw = this.read(name);
    const value = raw === undefined ? '' : raw.trim();
    return value === '' ? fallback : value;
  }

  /** The trimmed value; an error naming the input when it is unset or blank. */
  required(name: string): string {
    const value = this.string(name);
    if (value === '') throw new InputError(name, 'is required but was not given');
    return value;
  }

  /** A single-line value: no newline or control character can hide in it. */
  line(name: string, fallback = ''): string {
    const value = this.string(name, fallback);
    if (hasControlCharacter(value))
      throw new InputError(
        name,
        `must be a single line without control characters, got ${this.show(name, value)}`,
      );
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === '') return fallback;
    if (TRUE.has(value)) return true;
    if (FALSE.has(value)) return false;
    throw new InputError(name, `must be true or false, got ${JSON.stringify(value)}`);
  }

  integer(name: string, fallback: number, bounds: { min?: number; max?: number } = {}): number {
    const value = this.string(name);
    if (value === '') return fallback;
    if (!/^-?\d+$/.test(value))
      throw new InputError(name, `must be a whole number, got ${JSON.stringify(value)}`);
    const number = Number(value);
    if (bounds.min !== undefined && number < bounds.min)
      throw new InputError(name, `must be at least ${bounds.min}, got ${number}`);
    if (bounds.max !== undefined && number > bounds.max)
      throw new InputError(name, `must be at most ${bounds.max}, got ${number}`);
    return number;
  }

  /**
   * A duration in milliseconds: "90" (seconds), "90s", "5m", "1h30m", "250ms"; at least `minMs`
   * (default 1 s: a zero timeout would fail or expire at once).
   */
  duration(name: string, fallbackMs: number, { minMs = 1000 }: { minMs?: number } = {}): number {
    const value = this.string(name);
    if (value === '') return fallbackMs;
    const ms = parseDuration(value);
    if (ms === undefined) {
      throw new InputError(
        name,
        `must be a duration such as 90, 90s, 5m or 1h30m, got ${JSON.stringify(value)}`,
      );
    }
    if (ms < minMs)
      throw new InputError(name, `must be at least ${formatMs(minMs)}, got ${JSON.stringify(value)}`);
    return ms;
  }

  /**
   * A value that becomes a positional argument of a command (a path, a name): it cannot start with
   * "-", where the program would read it as an option.
   */
  operand(name: string, fallback = ''): string {
    const value = this.line(name, fallback);
    refuseOption(name, value);
    return value;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === '') return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InputError(name, `must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  }

  /** Non-empty lines (and, with commas, comma-separated items), trimmed; '#' lines are comments. */
  list(name: string, options: ListOptions = {}): string[] {
    const value = this.string(name);
    if (value === '') return [];
    const items: string[] = [];
    for (const rawLine of value.split(/\r?\n/)) {
      const line = rawLine.trim();
      if (line === '' || line.startsWith('#')) continue;
      const parts = options.commas ? line.split(',') : [line];
      for (const part of parts) {
        const item = part.trim();
        if (item !== '') items.push(item);
      }
    }
    return items;
  }

  /** Like list, but an error naming the input when no item is given. */
  requiredList(name: string, options: ListOptions = {}): string[] {
    const items = this.list(name, options);
    if (items.length === 0) throw new InputError(name, 'is required but was not given');
    return items;
  }

  /** Parses the value with `parse`; its error becomes an InputError naming this input. */
  parsed<T>(name: string, parse: (value: string) => T): T | undefined {
    const value = this.string(name);
    if (value === '') return undefined;
    return attribute(name, () => parse(value));
  }

  /** Parses each item of a list with `parse`; an error names the input and the item. */
  parsedList<T>(
    name: string,
    parse: (value: string) => T,
    options: ListOptions & { required?: boolean } = {},
  ): T[] {
    const items = options.required ? this.requiredList(name, options) : this.list(name, options);
    return items.map((item) => attribute(name, () => parse(item)));
  }

  /**
   * KEY=VALUE lines; keys must be valid environment variable names and appear once. For a secret
   * input an error names the line's number, never its text (a malformed line may be all secret).
   */
  keyValues(name: string): Array<[string, string]> {
    const pairs: Array<[string, string]> = [];
    const seen = new Set<string>();
    this.list(name).forEach((line, index) => {
      const which = isSecretInput(name) ? `line ${index + 1}` : JSON.stringify(line);
      const eq = line.indexOf('=');
      if (eq <= 0) throw new InputError(name, `each line must be KEY=VALUE, got ${which}`);
      const key = line.slice(0, eq).trim();
      const value = line.slice(eq + 1);
      if (!ENV_NAME.test(key))
        throw new InputError(
          name,
          `${isSecretInput(name) ? `the name on line ${index + 1}` : JSON.stringify(key)} is not a valid variable name (letters, digits and _; not starting with a digit)`,
        );
      if (seen.has(key)) throw new InputError(name, `${key} is given more than once`);
      seen.add(key);
      pairs.push([key, value]);
    });
    return pairs;
  }
}

function attribute<T>(name: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InputError) throw error;
    // A parser's message may quote the value: a secret input's error says only that it is invalid.
    if (isSecretInput(name)) throw new InputError(name, 'is not valid (a secret value, not shown)');
    throw new InputError(name, error instanceof Error ? error.message : String(error));
  }
}

/** A value that becomes a positional argument cannot start with "-" (it would be read as an option). */
export function refuseOption(name: string, value: string): void {
  if (value.startsWith('-'))
    throw new InputError(
      name,
      `${JSON.stringify(value)} starts with "-", which the command would read as an option`,
    );
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/** Parses "90", "90s", "5m", "1h30m", "250ms" into milliseconds; undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  let total = 0;
  let consumed = 0;
  for (const match of value.matchAll(DURATION_PART)) {
    if (match.index !== consumed) return undefined;
    total += Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
    consumed += match[0].length;
  }
  if (consumed === 0 || consumed !== value.length) return undefined;
  return Math.round(total);
}
