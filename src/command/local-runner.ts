import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Command, CommandResult, Runner, RunOptions } from './command';

/**
 * The environment a child process gets: ours without the action's inputs. The runner hands every
 * input (private keys, passwords, signing keys among them) to the action as INPUT_* variables;
 * docker, ssh or buildx have no use for them, and a child's environment is readable in
 * /proc/<pid>/environ for as long as it runs.
 */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^INPUT_/i.test(name)));
}

/**
 * Runs commands on this machine with spawn(argv) — never through a shell. A command whose signal
 * (its own, else the runner's `cancel`) aborts gets SIGTERM, and the run ends with the abort's
 * reason only once the process has exited: nothing it does (a build pushing from its builder)
 * goes on after the step that started it.
 */
export class LocalRunner implements Runner {
  readonly where = 'local';
  private readonly baseEnv: NodeJS.ProcessEnv;

  constructor(
    baseEnv: NodeJS.ProcessEnv = process.env,
    private readonly cancel?: AbortSignal,
  ) {
    this.baseEnv = childEnv(baseEnv);
  }

  run(command: Command, options: RunOptions = {}): Promise<CommandResult> {
    const [file, ...args] = command.argv;
    if (!file) return Promise.reject(new Error('empty command'));
    const signal = options.signal ?? this.cancel;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        env: { ...this.baseEnv, ...command.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        signal,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      const timer =
        command.timeoutMs !== undefined
          ? setTimeout(() => {
              timedOut = true;
              child.kill('SIGKILL');
            }, command.timeoutMs)
          : undefined;
      child.stdout.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        options.onOutput?.(chunk.toString('utf8'), 'stdout');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr.push(chunk);
        options.onOutput?.(chunk.toString('utf8'), 'stderr');
      });
      child.on('error', (error) => {
        // Aborted: the process was sent SIGTERM; 'close' says when it is gone.
        if (signal?.aborted && child.pid !== undefined) return;
        if (timer) clearTimeout(timer);
        reject(new Error(`cannot run ${file}: ${error.message}`));
      });
      child.on('close', (code, ended) => {
        if (timer) clearTimeout(timer);
        if (signal?.aborted) return reject(abortReason(signal));
        resolve({
          exitCode: code ?? (ended ? 128 + signalNumber(ended) : 1),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          durationMs: performance.now() - started,
          timedOut,
        });
      });
      // A process that exits before reading its stdin makes the write fail with EPIPE: that is the
      // process's business (its exit code tells), not a crash of ours.
      child.stdin.on('error', () => {});
      child.stdin.end(command.stdin ?? '');
    });
  }

  openTcp(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      socket.once('connect', () => resolve(socket));
      socket.once('error', reject);
    });
  }

  async close(): Promise<void> {}
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = {
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
    SIGPIPE: 13,
  };
  return numbers[signal] ?? 0;
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}
