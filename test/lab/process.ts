/** Whether a process the lab or a test recorded is still there, and which process a pid is. */
import { readFileSync } from 'node:fs';

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * /proc/<pid>/stat's start time (field 22): the same pid after a reboot is another process. The
 * command name (field 2) is in parentheses and may hold spaces: counted from after it.
 */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
