/**
 * Runs a bundled action (dist/<name>/index.js) the way the GitHub runner does: a fresh Node 24
 * process, inputs as INPUT_* variables, and the GITHUB_OUTPUT / GITHUB_STATE / GITHUB_STEP_SUMMARY
 * files, which are read back after the run.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp';

export const REPO_ROOT = join(new URL('.', import.meta.url).pathname, '..', '..');

export interface BundleRun {
  readonly exitCode: number;
  /** stdout and stderr interleaved, without the ::add-mask:: commands (which the runner never shows). */
  readonly log: string;
  /** The values the action asked the runner to mask. */
  readonly masked: readonly string[];
  readonly outputs: Record<string, string>;
  readonly state: Record<string, string>;
  readonly summary: string;
  readonly durationMs: number;
}

export interface BundleOptions {
  /** State saved by the main step, to run the post step. */
  readonly state?: Record<string, string>;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  /** Another bundle to run instead of dist/<name>/index.js (e.g. an earlier build, in a benchmark). */
  readonly bundle?: string;
  readonly timeoutMs?: number;
  /** Kill the action (SIGKILL, like a cancelled runner) once its log matches. */
  readonly killWhen?: (log: string) => boolean;
  /**
   * Interrupt the action when this promise resolves, the way the runner's Cancel button does:
   * SIGINT, then SIGTERM 7.5 s later, then SIGKILL 2.5 s after that ('cancel'); or SIGKILL at once.
   */
  readonly interrupt?: Promise<'cancel' | 'SIGKILL'>;
}

/** Parses the runner's file-command format: name=value lines and name<<DELIM heredocs. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const body: string[] = [];
      for (i += 1; i < lines.length && lines[i] !== delimiter; i++) body.push(lines[i] as string);
      values[name] = body.join('\n');
    } else if (line.includes('=')) {
      values[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return values;
}

export function runBundle(
  name: string,
  inputs: Record<string, string>,
  options: BundleOptions = {},
): Promise<BundleRun> {
  // RUNNER_TEMP too: a push's private docker login lives here until its post step.
  const dir = tempDir(name, { secret: true });
  const files = { output: join(dir, 'output'), state: join(dir, 'state'), summary: join(dir, 'summary.md') };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.state, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: dir,
    ...options.env,
  };
  for (const [key, value] of Object.entries(inputs))
    env[`INPUT_${key.replace(/ /g, '_').toUpperCase()}`] = value;
  for (const [key, value] of Object.entries(options.state ?? {})) env[`STATE_${key}`] = value;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.bundle ?? join(REPO_ROOT, 'dist', name, 'index.js')], {
      env,
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 600_000,
    });
    let log = '';
    child.stdout.on('data', (c) => {
      log += c;
      if (options.killWhen?.(log)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (c) => {
      log += c;
    });
    const timers: NodeJS.Timeout[] = [];
    void options.interrupt?.then((how) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (how === 'SIGKILL') return void child.kill('SIGKILL');
      child.kill('SIGINT');
      timers.push(setTimeout(() => child.kill('SIGTERM'), 7500));
      timers.push(setTimeout(() => child.kill('SIGKILL'), 10_000));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      for (const timer of timers) clearTimeout(timer);
      const masked = [...log.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1] as string);
      resolve({
        exitCode: code ?? 1,
        log: log.replace(/^::add-mask::.*\n?/gm, ''),
        masked,
        outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
        state: parseFileCommands(readFileSync(files.state, 'utf8')),
        summary: readFileSync(files.summary, 'utf8'),
        durationMs: performance.now() - started,
      });
    });
  });
}
