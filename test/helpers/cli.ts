/** Runs the slipway CLI (bin/slipway, the committed bundle) under Node 24, as a user's shell would. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { LabHost, LabInfo } from '../lab/lab';
import { REPO_ROOT } from './run-bundle';
import { tempDir } from './temp';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(
      join(REPO_ROOT, 'node_modules', '.bin', 'node'),
      [join(REPO_ROOT, 'bin', 'slipway'), ...args],
      {
        // Its own temp dir: outside a runner the CLI puts reports and private docker configs there.
        env: { ...process.env, GITHUB_ACTIONS: '', TMPDIR: tempDir('cli-run'), ...env },
        cwd: REPO_ROOT,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The options that reach one lab host with the lab's key and pinned host keys, for service `name`. */
export function labConnectionOptions(lab: LabInfo, host: LabHost, name: string): string[] {
  return [
    '--hosts',
    `${host.address}:${host.sshPort}`,
    '--username',
    lab.ssh.user,
    '--private-key-file',
    lab.ssh.privateKeyPath,
    '--known-hosts-file',
    lab.ssh.knownHostsPath,
    '--name',
    name,
  ];
}
