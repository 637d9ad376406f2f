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

/** Shell removing the network `network` (a quoted word) after disconnecting whatever is attached. */
const removeNetwork = (network: string) =>
  `for c in $(docker network inspect -f '{{range $id, $e := .Containers}}{{$id}} {{end}}' ${network}); do docker network disconnect -f ${network} "$c"; done; docker network rm ${network}`;

/**
 * Shell lines removing container-mode services: the containers and networks Slipway labelled with
 * them (versions, pre-deploy runs, their proxies, their networks), then the volumes named, then
 * their directories. A service's network may still have a container of another's attached (the
 * host's shared proxy joins every service's live network): it is disconnected first, or the network
 * stays and, a run at a time, the engine runs out of address pools ("all predefined address pools
 * have been fully subnetted" after about 30). Volumes go after every service's containers: one
 * service's volume may be mounted by another of the same file.
 */
export function serviceCleanup(
  services: string | readonly string[],
  volumes: readonly string[] = [],
): string[] {
  const list = typeof services === 'string' ? [services] : services;
  return [
    ...list.map(
      (service) =>
        `docker ps -aq --filter label=dev.slipway.service=${service} | xargs -r docker rm -f >/dev/null`,
    ),
    ...list.map(
      (service) =>
        `for n in $(docker network ls -q --filter label=dev.slipway.service=${service}); do ${removeNetwork('"$n"')}; done >/dev/null 2>&1`,
    ),
    ...volumes.map((volume) => `docker volume rm ${volume} >/dev/null 2>&1`),
    ...list.map((service) => `rm -rf /home/deploy/.slipway/${service}`),
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

/** What runs on one lab host that a test could leave behind: "kind name" lines. */
type Inventory = Map<string, Set<string>>;

const INVENTORY_SCRIPT = [
  `docker ps -a --format 'container {{.Names}}'`,
  `docker network ls --format 'network {{.Name}}'`,
  `docker volume ls --format 'volume {{.Name}}'`,
  `docker service ls --format 'service {{.Name}}' 2>/dev/null`,
].join('\n');

const labHosts = (lab: LabInfo) => [...lab.hosts, ...(lab.modernHost ? [lab.modernHost] : [])];

async function inventory(lab: LabInfo): Promise<Inventory> {
  const result: Inventory = new Map();
  for (const host of labHosts(lab)) {
    const listed = await local.run({
      argv: [lab.docker, 'exec', host.container, 'sh', '-c', INVENTORY_SCRIPT],
    });
    result.set(host.container, new Set(listed.stdout.split('\n').filter(Boolean)));
  }
  return result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What is on each host now and was not in `before`. */
async function newSince(lab: LabInfo, before: Inventory): Promise<Map<string, string[]>> {
  const after = await inventory(lab);
  const result = new Map<string, string[]>();
  for (const host of labHosts(lab)) {
    const had = before.get(host.container) ?? new Set<string>();
    const left = [...(after.get(host.container) ?? [])].filter((line) => !had.has(line));
    if (left.length > 0) result.set(host.container, left);
  }
  return result;
}

/**
 * Takes the lab hosts' inventory at the start of a run that holds the lab alone, and returns the
 * check for its end: whatever is on a host then and was not at the start, this run made and did not
 * remove (a file's cleanup missed it). What is still going away (a swarm task, a container being
 * removed) gets 15 s; what is there after that is removed (swarm services, containers, networks with
 * whatever is still attached disconnected, then volumes) and named, and the check throws: a leak
 * fails the run, and the next run still finds the hosts as they were. `strict()` is asked last,
 * just before removing: when a run beside it (a guest) may have made them, they are only named.
 */
export async function watchForLeaks(
  lab: LabInfo,
): Promise<(options: { strict: () => boolean }) => Promise<void>> {
  const before = await inventory(lab);
  return async ({ strict }) => {
    let found = await newSince(lab, before);
    for (let waited = 0; found.size > 0 && waited < 15_000; waited += 3000) {
      await sleep(3000);
      found = await newSince(lab, before);
    }
    if (found.size === 0) return;
    const leaks = [...found].map(([host, left]) => `${host}: ${left.join(', ')}`);
    if (!strict()) {
      process.stderr.write(
        `[lab] new on the lab hosts since this run started (a run beside it may have made them; left alone): ${leaks.join('; ')}\n`,
      );
      return;
    }
    for (const [container, left] of found) {
      const named = (kind: string) =>
        left.filter((line) => line.startsWith(`${kind} `)).map((line) => `'${line.slice(kind.length + 1)}'`);
      const script = [
        ...named('service').map((s) => `docker service rm ${s}`),
        ...named('container').map((c) => `docker rm -f ${c}`),
        ...named('network').map((n) => removeNetwork(n)),
        ...named('volume').map((v) => `docker volume rm ${v}`),
      ].join(' >/dev/null 2>&1\n');
      await local.run({
        argv: [lab.docker, 'exec', container, 'sh', '-c', `${script} >/dev/null 2>&1\ntrue`],
      });
    }
    throw new Error(`this test run left on the lab hosts (now removed): ${leaks.join('; ')}`);
  };
}
