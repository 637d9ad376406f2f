/**
 * Keeping memory bounded while gigabytes stream through: every socket read is a fresh Buffer that
 * becomes garbage at once, but V8 only collects when its own heuristics say so, and the buffers'
 * memory lives outside the JS heap — so a 1 GB layer could push the process past 150 MB of RSS
 * with nothing actually in use. A young-generation collection every 16 MiB streamed (about 1 ms
 * each) frees them promptly. Without access to the collector this is a no-op.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const EVERY_BYTES = 16 * 1024 * 1024;

type Collect = (options?: { type: 'minor' | 'major' }) => void;
let collect: Collect | null | undefined;
let sinceLast = 0;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  } catch {
    collect = null;
  }
  return collect;
}

/** Call with the size of each chunk streamed; collects young garbage every 16 MiB. */
export function streamed(bytes: number): void {
  sinceLast += bytes;
  if (sinceLast < EVERY_BYTES) return;
  sinceLast = 0;
  collector()?.({ type: 'minor' });
}
