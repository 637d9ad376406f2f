/**
 * A command is data: an argv array plus what it needs (stdin, environment, timeout).
 * It is built by small pure functions (see src/docker/containers.ts) and executed by a Runner,
 * locally or over SSH. Nothing here ever goes through a shell string built by concatenation;
 * the one place where argv is quoted for a remote shell is src/command/quote.ts.
 */
import type { Duplex } from 'node:stream';

export interface Command {
  /** Program and arguments, never joined into a shell string locally. */
  readonly argv: readonly string[];
  /** Data written to the process's standard input (how secrets travel). */
  readonly stdin?: string | Buffer;
  /** Extra environment variables for the process. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the process after this many milliseconds. */
  readonly timeoutMs?: number;
  /** A short human description shown in logs instead of the raw argv, when set. */
  readonly label?: string;
}

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  /** Set when the process was killed for exceeding its timeout. */
  readonly timedOut: boolean;
}

export interface RunOptions {
  /** Called with each chunk of output as it arrives (for progress in the log). */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Aborts (kills) the process. */
  readonly signal?: AbortSignal;
}

/** Executes commands somewhere: this machine, or a host over SSH. */
export interface Runner {
  /** Where commands run, for logs and summaries ("local", "deploy@10.0.0.5:22"). */
  readonly where: string;
  run(command: Command, options?: RunOptions): Promise<CommandResult>;
  /** A TCP connection opened from where the commands run (over SSH: a direct-tcpip channel). */
  openTcp(host: string, port: number): Promise<Duplex>;
  close(): Promise<void>;
}

export class CommandFailedError extends Error {
  readonly result: CommandResult;
  readonly command: Command;
  constructor(command: Command, result: CommandResult, where: string) {
    const what = command.label ?? describeArgv(command.argv);
    const why = result.timedOut
      ? `timed out after ${command.timeoutMs} ms`
      : `exited with ${result.exitCode}`;
    const detail = lastLines(result.stderr || result.stdout, 20);
    super(`${what} (${where}) ${why}${detail ? `:\n${detail}` : ''}`);
    this.name = 'CommandFailedError';
    this.result = result;
    this.command = command;
  }
}

/** Runs a command and throws CommandFailedError unless it exits 0. */
export async function runChecked(
  runner: Runner,
  command: Command,
  options?: RunOptions,
): Promise<CommandResult> {
  const result = await runner.run(command, options);
  if (result.exitCode !== 0 || result.timedOut) throw new CommandFailedError(command, result, runner.where);
  return result;
}

/** A readable one-line rendering of argv for logs (not for execution). */
export function describeArgv(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

function lastLines(text: string, count: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-count).join('\n');
}
