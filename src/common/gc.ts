/**
 * V8's garbage collector for an entry point that streams gigabytes (see src/registry/memory.ts):
 * `--expose-gc` switched on for this process at run time, and `gc` taken from a new context.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Collect = (options?: { type: 'minor' | 'major' }) => void;

/** The collector, or null where V8 refuses. */
export function exposeGc(): Collect | null {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as Collect;
  } catch {
    return null;
  }
}
