/**
 * Cleanup of what a test file deploys on the lab hosts, by exact names only (Docker's name=
 * filter matches substrings, so it is never used here: the demo's and other runs' services share
 * the hosts). Each file lists its own cleanup; the list is also recorded in the lab directory
 * while the file runs, so a run that was killed is cleaned up by the next integration run's global
 * setup (reclaimLeftovers), and nothing else is.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalRunner } from '../../src/command/local-runner';
import { LAB_DIR } from '../lab/config';
import type { LabInfo } from '../lab/lab';
import { alive } from '../lab/process';

const LEDGER = join(LAB_DIR, 'test-leftovers');
const local = new LocalRunner();

/**
 * Shell lines removing one container-mode service: the containers and networks Slipway labelled
 * with it (versions, pre-deploy runs, its proxy, its networks), its directory, the volumes named.
 */
export function serviceCleanup(service: string, volumes: readonly string[] = []): string[] {
  return [
    `docker ps -aq --filter label=dev.slipway.service=${service} | xargs -r docker rm -f >/dev/null`,
    `docker network ls -q --filter label=dev.slipway.service=${service} | xargs -r docker network rm >/dev/null`,
    ...volumes.map((volume) => `docker volume rm ${volume} >/dev/null 2>&1`),
    `rm -rf /home/deploy/.slipway/${service}`,
  ];
}

async function runOnHosts(lab: LabInfo, script: string): Promise<void> {
  // Every host, the Docker 29 one included (a lab.json written before it existed has none).
  for (const host of [...lab.hosts, ...(lab.modernHost ? [lab.modernHost] : [])])
    await local.run({ argv: [lab.docker, 'exec', host.container, 'sh', '-c', `${script}\ntrue`] });
}

/**
 * Records `lines` (shell, run on every lab host) as this run's cleanup under `id`, and returns the
 * function that runs them and drops the record (call it in afterAll).
 */
export function hostCleanup(lab: LabInfo, id: string, lines: readonly string[]): () => Promise<void> {
  const script = lines.join('\n');
  const record = join(LEDGER, `${id}.json`);
  mkdirSync(LEDGER, { recursive: true });
  writeFileSync(record, `${JSON.stringify({ pid: process.pid, script })}\n`);
  return async () => {
    await runOnHosts(lab, script);
    rmSync(record, { force: true });
  };
}

/** Runs the recorded cleanups of test runs that ended without theirs (their process is gone). */
export async function reclaimLeftovers(lab: LabInfo, log: (message: string) => void): Promise<void> {
  let files: string[] = [];
  try {
    files = readdirSync(LEDGER).filter((f) => f.endsWith('.json'));
  } catch {
    return;
  }
  for (const file of files) {
    const path = join(LEDGER, file);
    const { pid, script } = JSON.parse(readFileSync(path, 'utf8')) as { pid: number; script: string };
    if (alive(pid)) continue;
    log(`removing what an interrupted test run left on the lab hosts (${file.replace(/\.json$/, '')})`);
    await runOnHosts(lab, script);
    rmSync(path, { force: true });
  }
}
