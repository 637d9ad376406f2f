/**
 * Moments of a deploy seen from a lab host's own engine (`docker events`), not from a hook inside
 * the code: what the fault tests interrupt the bundles at. Each watcher is this test's own process,
 * ended by reference (and, inside the host, by its own time limit).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { LabHost, LabInfo } from '../lab/lab';

export interface EventLine {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

const watchers = new Set<ChildProcess>();

/** Resolves at the first event on `host` that passes the filters and `match`. */
export function eventOnHost(
  lab: LabInfo,
  host: LabHost,
  filters: readonly string[],
  match: (event: EventLine) => boolean,
): Promise<void> {
  // `timeout` ends the watcher inside the host too: ending the local `docker exec` client does
  // not end the process it started there.
  const args = ['exec', host.container, 'timeout', '95', 'docker', 'events', '--format', '{{json .}}'];
  for (const filter of filters) args.push('--filter', filter);
  const watcher = spawn(lab.docker, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  watchers.add(watcher);
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => {
      watcher.kill();
      watchers.delete(watcher);
      reject(new Error(`no event ${filters.join(' ')} within 90 s`));
    }, 90_000);
    watcher.stdout?.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.trim() || !match(JSON.parse(line) as EventLine)) continue;
        clearTimeout(timer);
        watcher.kill();
        watchers.delete(watcher);
        resolve();
      }
    });
  });
}

/** Counts matching events: true at the `n`th. */
export function nth(n: number): () => boolean {
  let seen = 0;
  return () => ++seen === n;
}

/** Ends the watchers still waiting (a test that failed before its moment). */
export function stopWatchers(): void {
  for (const watcher of watchers) watcher.kill();
  watchers.clear();
}
