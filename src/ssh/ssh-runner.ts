/**
 * Runs commands on a remote host over SSH (ssh2, pure JavaScript), behind the same Runner
 * interface as LocalRunner. Host keys are verified against pinned known_hosts entries before
 * authentication; the only string sent as a command is built by toShellLine (every argument
 * quoted); stdin carries secrets.
 */
import { sleep } from '../common/retry';
import type { Duplex } from 'node:stream';
import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { Command, CommandResult, Runner, RunOptions } from '../command/command';
import { toShellLine } from '../command/quote';
import type { KnownHosts } from './known-hosts';

export interface SshEndpoint {
  readonly host: string;
  readonly port: number;
}

export interface SshOptions {
  readonly username: string;
  readonly privateKey: string;
  readonly passphrase?: string;
  /** Pinned host keys; required unless insecureIgnoreHostKey. */
  readonly knownHosts?: KnownHosts;
  readonly insecureIgnoreHostKey?: boolean;
  /** Bastion to connect through (same key and known_hosts). */
  readonly jump?: SshEndpoint & { readonly username?: string };
  readonly readyTimeoutMs?: number;
  /** Connection attempts before giving up (network errors only; host key errors are final). */
  readonly attempts?: number;
  /** Exec channels open at once on one connection (sshd's MaxSessions defaults to 10). */
  readonly maxChannels?: number;
}

export class HostKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostKeyError';
  }
}

/** Parses "host", "host:port" or "[v6]:port" into an endpoint (port 22 by default). */
export function parseEndpoint(text: string, defaultPort = 22): SshEndpoint {
  const value = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  const plain = /^([A-Za-z0-9.-]+)(?::(\d+))?$/.exec(value);
  const match = bracketed ?? plain;
  if (!match?.[1]) throw new Error(`${JSON.stringify(text)} is not a host or host:port`);
  const port = match[2] === undefined ? defaultPort : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`${JSON.stringify(text)} has an invalid port`);
  return { host: match[1], port };
}

export function formatEndpoint({ host, port }: SshEndpoint): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export class SshRunner implements Runner {
  readonly where: string;
  private readonly client: Client;
  private readonly jumpClient?: Client;
  private readonly maxChannels: number;
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  /** The connection ended: a refused command is not asked for again on it. */
  private ended = false;

  private constructor(where: string, client: Client, jumpClient: Client | undefined, maxChannels: number) {
    this.where = where;
    this.client = client;
    client.once('close', () => (this.ended = true));
    this.jumpClient = jumpClient;
    this.maxChannels = maxChannels;
  }

  /** Connects (through the jump host, if any), retrying network errors with backoff. */
  static async connect(endpoint: SshEndpoint, options: SshOptions): Promise<SshRunner> {
    const attempts = options.attempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await SshRunner.connectOnce(endpoint, options);
      } catch (error) {
        lastError = error;
        if (error instanceof HostKeyError || isAuthError(error) || attempt === attempts) break;
        await new Promise((r) => setTimeout(r, 250 * 2 ** (attempt - 1)));
      }
    }
    throw lastError;
  }

  private static async connectOnce(endpoint: SshEndpoint, options: SshOptions): Promise<SshRunner> {
    let jumpClient: Client | undefined;
    let sock: ClientChannel | undefined;
    if (options.jump) {
      jumpClient = await openClient(options.jump, {
        ...options,
        username: options.jump.username ?? options.username,
      });
      sock = await new Promise<ClientChannel>((resolve, reject) => {
        jumpClient?.forwardOut('127.0.0.1', 0, endpoint.host, endpoint.port, (err, stream) =>
          err
            ? reject(new Error(`jump host cannot reach ${formatEndpoint(endpoint)}: ${err.message}`))
            : resolve(stream),
        );
      });
    }
    try {
      const client = await openClient(endpoint, options, sock);
      return new SshRunner(
        `${options.username}@${formatEndpoint(endpoint)}`,
        client,
        jumpClient,
        options.maxChannels ?? 8,
      );
    } catch (error) {
      jumpClient?.end();
      throw error;
    }
  }

  async run(command: Command, options: RunOptions = {}): Promise<CommandResult> {
    const line = toShellLine(command.argv, command.env);
    await this.acquire();
    try {
      // A server that refuses to start a command on a live connection (sshd answering an exec
      // request with failure, seen once on a host under heavy load) ran nothing: asked again.
      for (let attempt = 1; ; attempt++) {
        try {
          return await this.exec(line, command, options);
        } catch (error) {
          // (ssh2 says "Unable to exec" too when the connection closes under a pending request.)
          if (
            !(error instanceof ExecRefused) ||
            this.ended ||
            attempt >= EXEC_ATTEMPTS ||
            options.signal?.aborted
          )
            throw error;
          await sleep(EXEC_RETRY_MS * attempt, options.signal);
        }
      }
    } finally {
      this.release();
    }
  }

  private exec(line: string, command: Command, options: RunOptions): Promise<CommandResult> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      this.client.exec(line, (err, stream) => {
        if (err) {
          const message = `${this.where}: cannot start command: ${err.message}`;
          // "Unable to exec": the server's answer to the request (the connection lives, nothing ran).
          reject(/^Unable to exec/.test(err.message) ? new ExecRefused(message) : new Error(message));
          return;
        }
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let exitCode: number | undefined;
        let timedOut = false;
        const timer =
          command.timeoutMs !== undefined
            ? setTimeout(() => {
                timedOut = true;
                stream.signal('KILL');
                stream.close();
              }, command.timeoutMs)
            : undefined;
        const abort = () => {
          stream.signal('KILL');
          stream.close();
        };
        options.signal?.addEventListener('abort', abort, { once: true });
        stream.on('data', (chunk: Buffer) => {
          stdout.push(chunk);
          options.onOutput?.(chunk.toString('utf8'), 'stdout');
        });
        stream.stderr.on('data', (chunk: Buffer) => {
          stderr.push(chunk);
          options.onOutput?.(chunk.toString('utf8'), 'stderr');
        });
        stream.on('exit', (code: number | null, signal?: string) => {
          exitCode = code ?? (signal ? 128 + 9 : 255);
        });
        stream.on('close', () => {
          if (timer) clearTimeout(timer);
          options.signal?.removeEventListener('abort', abort);
          resolve({
            // No exit status means the connection or channel died under the command.
            exitCode: exitCode ?? 255,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
            durationMs: performance.now() - started,
            timedOut,
          });
        });
        stream.end(command.stdin ?? '');
      });
    });
  }

  /**
   * Runs a command on a pseudo-terminal wired to this process's terminal (`slipway exec` from a
   * shell): raw stdin in, output out, the window size followed; the exit code comes back.
   */
  async interactive(
    command: Command,
    io: {
      readonly stdin: NodeJS.ReadStream;
      readonly stdout: NodeJS.WriteStream;
    } = { stdin: process.stdin, stdout: process.stdout },
  ): Promise<CommandResult> {
    const line = toShellLine(command.argv, command.env);
    const started = performance.now();
    await this.acquire();
    try {
      return await new Promise((resolve, reject) => {
        const window = {
          rows: io.stdout.rows || 24,
          cols: io.stdout.columns || 80,
          term: process.env.TERM || 'xterm',
        };
        this.client.exec(line, { pty: window }, (err, stream) => {
          if (err) {
            reject(new Error(`${this.where}: cannot start command: ${err.message}`));
            return;
          }
          const wasRaw = io.stdin.isRaw;
          if (io.stdin.isTTY) io.stdin.setRawMode(true);
          const resize = () => stream.setWindow(io.stdout.rows || 24, io.stdout.columns || 80, 0, 0);
          io.stdout.on('resize', resize);
          io.stdin.pipe(stream);
          stream.pipe(io.stdout, { end: false });
          stream.stderr.pipe(io.stdout, { end: false });
          let exitCode: number | undefined;
          stream.on('exit', (code: number | null, signal?: string) => {
            exitCode = code ?? (signal ? 128 + 9 : 255);
          });
          stream.on('close', () => {
            io.stdin.unpipe(stream);
            io.stdout.off('resize', resize);
            if (io.stdin.isTTY) io.stdin.setRawMode(wasRaw);
            io.stdin.pause();
            resolve({
              exitCode: exitCode ?? 255,
              stdout: '',
              stderr: '',
              durationMs: performance.now() - started,
              timedOut: false,
            });
          });
        });
      });
    } finally {
      this.release();
    }
  }

  openTcp(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      this.client.forwardOut('127.0.0.1', 0, host, port, (err, stream) =>
        err
          ? reject(new Error(`${this.where}: cannot connect to ${host}:${port}: ${err.message}`))
          : resolve(stream),
      );
    });
  }

  private acquire(): Promise<void> {
    if (this.active < this.maxChannels) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }

  async close(): Promise<void> {
    this.client.end();
    this.jumpClient?.end();
  }
}

/** A command the server refused to start (nothing ran): worth asking again. */
class ExecRefused extends Error {}

/** How often a refused command is asked for, and the pause before the next try (times the attempt). */
const EXEC_ATTEMPTS = 3;
const EXEC_RETRY_MS = 200;

function isAuthError(error: unknown): boolean {
  return error instanceof Error && /authentication methods failed/i.test(error.message);
}

function openClient(endpoint: SshEndpoint, options: SshOptions, sock?: ClientChannel): Promise<Client> {
  const { knownHosts } = options;
  if (!knownHosts && !options.insecureIgnoreHostKey) {
    return Promise.reject(new HostKeyError('known-hosts is required to verify host keys'));
  }
  let hostKeyProblem: string | undefined;
  const config: ConnectConfig = {
    host: endpoint.host,
    port: endpoint.port,
    username: options.username,
    privateKey: options.privateKey,
    ...(options.passphrase && { passphrase: options.passphrase }),
    readyTimeout: options.readyTimeoutMs ?? 20_000,
    keepaliveInterval: 10_000,
    keepaliveCountMax: 3,
    ...(sock && { sock }),
    hostVerifier: (key: Buffer) => {
      if (options.insecureIgnoreHostKey || !knownHosts) return true;
      const verdict = knownHosts.verify(endpoint.host, endpoint.port, key);
      if (!verdict.ok) hostKeyProblem = verdict.reason;
      return verdict.ok;
    },
  };
  if (knownHosts && !options.insecureIgnoreHostKey) {
    const algorithms = knownHosts.algorithmsFor(endpoint.host, endpoint.port);
    if (algorithms.length === 0) {
      return Promise.reject(
        new HostKeyError(`no known-hosts entry for ${formatEndpoint(endpoint)} (host keys must be pinned)`),
      );
    }
    // ssh2 types the list as a closed union of algorithm names; these come from known_hosts key types.
    config.algorithms = {
      serverHostKey: algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'],
    };
  }
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client));
    client.once('error', (error: Error) => {
      client.end();
      if (hostKeyProblem) reject(new HostKeyError(`${formatEndpoint(endpoint)}: ${hostKeyProblem}`));
      else reject(new Error(`ssh ${options.username}@${formatEndpoint(endpoint)}: ${error.message}`));
    });
    client.connect(config);
  });
}
