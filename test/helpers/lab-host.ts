/**
 * Looking at a lab host directly, through the outer engine (an independent view, not through
 * Slipway): a command in the host, and the checks every fault test makes after a rerun.
 */
import { expect } from 'vitest';
import { runChecked } from '../../src/command/command';
import { LocalRunner } from '../../src/command/local-runner';
import type { LabHost, LabInfo } from '../lab/lab';

const local = new LocalRunner();

/** Runs argv inside the lab host (as root) and returns its trimmed stdout; fails on a non-zero exit. */
export async function onHost(lab: LabInfo, host: LabHost, ...argv: string[]): Promise<string> {
  return (await runChecked(local, { argv: [lab.docker, 'exec', host.container, ...argv] })).stdout.trim();
}

/** The deploy locks of `services` (`_proxy`: the shared proxy's) left on a host: their paths, or ''. */
export function locksOn(lab: LabInfo, host: LabHost, ...services: string[]): Promise<string> {
  const patterns = services.map((s) => `/home/deploy/.slipway/${s}/lock*`).join(' ');
  return onHost(lab, host, 'sh', '-c', `ls -d ${patterns} 2>/dev/null; true`);
}

/** No file under the deploy user's home or /tmp holds `secret`, and the service's lock is free. */
export async function expectNothingLeft(
  lab: LabInfo,
  host: LabHost,
  service: string,
  secret: string,
): Promise<void> {
  const secrets = await onHost(
    lab,
    host,
    'sh',
    '-c',
    // /tmp/runc-process* are runc's own files for a health-check exec in flight: they hold the
    // container's env while it runs (as root can read it anyway), Docker's, not left by Slipway.
    `grep -rl --exclude='runc-process*' -- '${secret}' /home/deploy /tmp 2>/dev/null; true`,
  );
  expect(secrets, `${host.name}: files holding the secret`).toBe('');
  const lock = await onHost(
    lab,
    host,
    'sh',
    '-c',
    `ls -d /home/deploy/.slipway/${service}/lock* 2>/dev/null; true`,
  );
  expect(lock, `${host.name}: lock`).toBe('');
}

/** `docker ps` on a lab host for containers with all of `labels` (name=value): one line each, in `format`. */
export async function psOnHost(
  lab: LabInfo,
  host: LabHost,
  labels: readonly string[],
  format: string,
  options: { all?: boolean } = {},
): Promise<string[]> {
  const argv = ['docker', 'ps', ...(options.all ? ['--all'] : [])];
  for (const label of labels) argv.push('--filter', `label=${label}`);
  const out = await onHost(lab, host, ...argv, '--format', format);
  return out.split('\n').filter(Boolean);
}

/**
 * Creates or removes /gate/fail on `volume` of `host` (a volume only that host has): a version
 * whose health check is `test ! -e /gate/fail` then fails there alone.
 */
export async function healthGate(
  lab: LabInfo,
  host: LabHost,
  volume: string,
  image: string,
  how: 'touch' | 'rm',
): Promise<void> {
  const args = how === 'touch' ? ['/gate/fail'] : ['-f', '/gate/fail'];
  await onHost(
    lab,
    host,
    'docker',
    'run',
    '--rm',
    '-v',
    `${volume}:/gate`,
    '--entrypoint',
    how,
    image,
    ...args,
  );
}
