/**
 * Runs workflows with act (nektos/act), a real GitHub Actions runner implementation: jobs on this
 * machine (-P ubuntu-latest=-self-hosted), Node 24 first on PATH (the runtime of node24 actions),
 * and slipway-dev/slipway@v1 — the actions and reusable workflows — mapped to this working tree.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findTool } from '../../scripts/tools.mjs';
import { REPO_ROOT } from './run-bundle';
import { tempDir } from './temp';

/** act at its pinned version (the integration tests' global setup installs it: scripts/tools.mjs). */
export function actBinary(): string {
  const path = findTool('act');
  if (!path) throw new Error('act is not installed: node scripts/tools.mjs installs it');
  return path;
}

/**
 * A dotenv file act reads secrets or variables from (multi-line values escaped), 0600 in a private
 * temporary directory removed after the test file (secrets first).
 */
export function dotenvFile(name: string, values: Record<string, string>): string {
  const path = join(tempDir(`act-${name}`, { secret: true }), 'env');
  const lines = Object.entries(values).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}

const jwtPart = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A runtime token whose cache scope is the default branch, as GitHub's are shaped. */
const ACT_RUNTIME_TOKEN = [
  jwtPart({ alg: 'none', typ: 'JWT' }),
  jwtPart({ ac: JSON.stringify([{ Scope: 'refs/heads/main', Permission: 3 }]), nbf: 0, exp: 4102444800 }),
  'act',
].join('.');

export interface ActRun {
  readonly exitCode: number;
  readonly log: string;
  readonly durationMs: number;
}

export function runAct(
  args: readonly string[],
  options: {
    cwd: string;
    secrets: string;
    vars: string;
    timeoutMs?: number;
    /** owner/name@ref → directory act takes that repository at that ref from (default: @v1 is this tree). */
    repositories?: Readonly<Record<string, string>>;
  },
): Promise<ActRun> {
  const started = performance.now();
  const repositories = options.repositories ?? { 'slipway-dev/slipway@v1': REPO_ROOT };
  const argv = [
    ...args,
    '-P',
    'ubuntu-latest=-self-hosted',
    ...Object.entries(repositories).flatMap(([ref, dir]) => ['--local-repository', `${ref}=${dir}`]),
    '--secret-file',
    options.secrets,
    '--var-file',
    options.vars,
    '--env',
    `SLIPWAY_DOCKER=${process.env.SLIPWAY_DOCKER ?? '/usr/bin/docker'}`,
    // act serves the Actions cache (ACTIONS_CACHE_URL) but gives actions no runtime token unless
    // its artifact server is on; buildx's type=gha cache (the workflows' default) reads the cache
    // scopes from one (a JWT's "ac" claim; act's cache server does not check it).
    '--env',
    `ACTIONS_RUNTIME_TOKEN=${ACT_RUNTIME_TOKEN}`,
  ];
  return new Promise((resolve) => {
    const child = spawn(actBinary(), argv, {
      cwd: options.cwd,
      env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH}` },
    });
    let log = '';
    child.stdout.on('data', (c) => (log += c));
    child.stderr.on('data', (c) => (log += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? -1, log, durationMs: performance.now() - started });
    });
  });
}
