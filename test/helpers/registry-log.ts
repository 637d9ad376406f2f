/**
 * Moments of a push seen from the registry itself: the lab registry's own access log, read from
 * where it stands when the watch starts (what the signing fault tests interrupt the bundles at).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_DIR } from '../lab/config';

/** The access log of a lab registry ('staging' or 'production'). */
export const registryLog = (name: 'staging' | 'production'): string =>
  join(LAB_DIR, 'registry', name, 'registry.log');

/** Resolves at the first line written to `path` after now that matches `pattern` (90 s at most). */
export function logLine(path: string, pattern: RegExp): Promise<string> {
  let offset = statSync(path).size;
  let rest = '';
  const deadline = Date.now() + 90_000;
  return new Promise((resolve, reject) => {
    const poll = () => {
      const size = statSync(path).size;
      if (size > offset) {
        const fd = openSync(path, 'r');
        const chunk = Buffer.alloc(size - offset);
        readSync(fd, chunk, 0, chunk.length, offset);
        closeSync(fd);
        offset = size;
        const lines = (rest + chunk.toString('utf8')).split('\n');
        rest = lines.pop() ?? '';
        const hit = lines.find((line) => pattern.test(line));
        if (hit) return resolve(hit);
      }
      if (Date.now() > deadline) return reject(new Error(`no line ${pattern} in ${path} within 90 s`));
      setTimeout(poll, 20);
    };
    poll();
  });
}
