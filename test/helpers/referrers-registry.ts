/**
 * A registry that serves the OCI 1.1 referrers API (Debian's docker-registry 2.8 and distribution
 * v3 do not): test/lab/referrers-registry, a small Go program around go-containerregistry's
 * pkg/registry, built with `go build` into the tools cache under a name carrying the hash of its
 * sources (so an edit rebuilds it, and a fresh machine builds it once through the module proxy),
 * started on a free loopback port, in memory.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { goBinary, TOOLS_BIN } from '../../scripts/tools.mjs';

const SOURCE = join(__dirname, '..', 'lab', 'referrers-registry');
const FILES = ['main.go', 'go.mod', 'go.sum'];

/** The cached binary, built when its sources changed. */
export function buildReferrersRegistry(): string {
  const hash = createHash('sha256');
  for (const file of FILES) hash.update(readFileSync(join(SOURCE, file)));
  const binary = join(TOOLS_BIN, `referrers-registry-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(TOOLS_BIN, { recursive: true });
  const scratch = `${binary}.${process.pid}.tmp`;
  const go = goBinary();
  if (!go) throw new Error('Go is needed to build the referrers registry (test/lab/referrers-registry)');
  const built = spawnSync(go, ['build', '-trimpath', '-o', scratch, '.'], {
    cwd: SOURCE,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' },
  });
  if (built.status !== 0) throw new Error(`building the referrers registry failed: ${built.stderr}`);
  renameSync(scratch, binary);
  return binary;
}

export interface ReferrersRegistry {
  readonly host: string;
  stop(): Promise<void>;
}

export async function startReferrersRegistry(): Promise<ReferrersRegistry> {
  const binary = buildReferrersRegistry();
  const child: ChildProcess = spawn(binary, ['-addr', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const host = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the referrers registry did not start')), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = /listening on (\S+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the referrers registry exited (${code})`));
    });
  });
  child.stdout?.resume();
  return {
    host,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
