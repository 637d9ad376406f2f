/**
 * What an operation (build, test, push, promote, deploy) tells the outside world while it runs and
 * when it ends. The actions report to the GitHub runner (log commands, outputs, job summary); the CLI
 * reports to a terminal and prints outputs a script can read. The operations never know which.
 */
export interface Reporter {
  info(line: string): void;
  warning(line: string): void;
  /** A failure at a place in the repository (an annotation on GitHub). */
  annotate(message: string, where: { title?: string; file?: string; line?: number }): void;
  group<T>(title: string, work: () => Promise<T>): Promise<T>;
  /** Raw output of a long command (docker build). */
  stream(chunk: string | Buffer): void;
  /** Keeps a secret out of every log from now on. */
  mask(secret: string): void;
  /** Remembers a value for the cleanup after the job (the action's post step; the CLI has none). */
  saveState(name: string, value: string): void;
  /** A value saved by the main step, read in the post step ('' when none). */
  readState(name: string): string;
  /** Sets a variable for the steps that follow (the CLI prints it). */
  exportVariable(name: string, value: string): void;
}

/** What an operation ends with: its outputs (the action's outputs, the CLI's --json) and a summary. */
export interface Outcome {
  readonly outputs: Readonly<Record<string, string>>;
  /** Markdown blocks for the job summary. */
  readonly summary: readonly string[];
  /** Set when the operation failed after it had something to report (failed tests). */
  readonly error?: string;
  /** The process's exit code when the operation failed, if not 1 (`slipway exec` passes its command's through). */
  readonly exitCode?: number;
}
