/**
 * One integration run on the lab at a time. The lab's hosts publish apps on a few fixed ports
 * (8080–8089) and have one shared proxy each, so two runs side by side (a CI run and a developer's
 * file, say) take each other's ports and fail in each other's setup: a CI run beside other test
 * runs lost three files that way. A run holds the lab from its global setup to its teardown; the
 * next one waits, saying for whom. A holder that is gone (killed, or the machine rebooted: its pid
 * is checked with its start time) is taken over. SLIPWAY_LAB_SHARED=1 skips the wait, for a file
 * known to touch nothing another run uses.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_DIR } from './config';
import { alive, startTime } from './process';

interface Holder {
  readonly pid: number;
  /** /proc/<pid>/stat's start time: the same pid after a reboot is another process. */
  readonly start: string;
  readonly cwd: string;
  readonly since: string;
}

function readHolder(dir: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'holder.json'), 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until this process holds the lab; returns the release. */
export async function holdLab(
  log: (message: string) => void,
  dir = join(LAB_DIR, 'test-run.lock'),
): Promise<() => void> {
  if (process.env.SLIPWAY_LAB_SHARED === '1') {
    // A guest: the holder's end-of-run check must not take what the guest made for its own leaks.
    markGuest(dir);
    return () => markGuest(dir);
  }
  mkdirSync(join(dir, '..'), { recursive: true });
  const me: Holder = {
    pid: process.pid,
    start: startTime(process.pid) ?? '',
    cwd: process.cwd(),
    since: new Date().toISOString(),
  };
  let told = 0;
  let unreadable = 0;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(join(dir, 'holder.json'), `${JSON.stringify(me)}\n`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(dir);
    // A holder record not written yet (the other run is between its mkdir and its write) is
    // waited for; one still missing after a few seconds was never written (killed in between).
    unreadable = holder ? 0 : unreadable + 1;
    const gone = holder ? startTime(holder.pid) !== holder.start : unreadable > 5;
    if (gone) {
      log(
        `the lab's last test run (${holder ? `pid ${holder.pid}` : 'unknown'}) is gone: taking the lab over`,
      );
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (holder && Date.now() - told > 60_000) {
      log(
        `waiting for the test run of pid ${holder.pid} (${holder.cwd}, since ${holder.since}) to finish: the lab's ports and proxies are shared (SLIPWAY_LAB_SHARED=1 runs beside it anyway)`,
      );
      told = Date.now();
    }
    await sleep(1000);
  }
  return () => {
    if (readHolder(dir)?.pid === process.pid) rmSync(dir, { recursive: true, force: true });
  };
}

const guestMark = (dir: string) => `${dir}.guest`;

function markGuest(dir: string): void {
  mkdirSync(join(dir, '..'), { recursive: true });
  writeFileSync(guestMark(dir), `${process.pid}\n`);
}

/**
 * Whether a run beside the holder (SLIPWAY_LAB_SHARED=1) started or ended since `since` (epoch ms),
 * or the last one to start is still running.
 */
export function guestSince(since: number, dir = join(LAB_DIR, 'test-run.lock')): boolean {
  try {
    const pid = Number(readFileSync(guestMark(dir), 'utf8'));
    return statSync(guestMark(dir)).mtimeMs >= since || (pid > 0 && alive(pid));
  } catch {
    return false;
  }
}
