/**
 * The per-service deploy lock on one host, as a lease:
 * - taken atomically: the holder record is written into a private directory first, which is then
 *   renamed to `lock` (rename fails while another lock exists, so there is never a lock without a
 *   holder record);
 * - renewed while held (the holder record's mtime), and judged stale by the host's own clock against
 *   the lease length the holder wrote, so a long deploy never loses it and clocks never disagree;
 * - taken over or released by exactly one party: whoever creates `lock/closing` in that lock
 *   instance, then checks (under that claim) that it is still the instance it judged — the expected
 *   holder, still stale — before renaming it away. Everyone else backs off.
 * Each step is one constant script run with `sh -c`; paths and ids are its positional arguments,
 * quoted like any other argv.
 */
import type { Runner } from '../command/command';

export interface LockInfo {
  readonly id: string;
  readonly holder: string;
  readonly time: string;
  readonly run: string;
  /** How long the lock stays valid without a renewal (written by its holder, read by waiters). */
  readonly leaseMs?: number;
}

/**
 * The lease a deploy takes: renewed every quarter of it, so a holder must stall for a minute to lose
 * it, and a lock whose holder died is free a minute later. (SLIPWAY_LOCK_LEASE_MS shortens it in tests.)
 */
export const LEASE_MS = Number(process.env.SLIPWAY_LOCK_LEASE_MS) || 60_000;

const ACQUIRE = `set -u
d=$1; t="$d/lock.new-$2"
mkdir -p "$d" && rm -rf "$t" && mkdir "$t" && cat > "$t/holder.json" || exit 2
if mv -T "$t" "$d/lock" 2>/dev/null; then exit 0; fi
rm -rf "$t"
now=$(date +%s)
m=$(stat -c %Y "$d/lock/holder.json" 2>/dev/null || stat -c %Y "$d/lock" 2>/dev/null || echo "$now")
c=$(stat -c %Y "$d/lock/closing" 2>/dev/null || echo "")
echo "age $((now - m)) closing \${c:+$((now - c))}"
cat "$d/lock/holder.json" 2>/dev/null
exit 3`;

/** $1 dir, $2 the holder id expected, $3 our id, $4 minimum age in seconds (-1: any age, for a release). */
const CLOSE = `set -u
d=$1
mkdir "$d/lock/closing" 2>/dev/null || exit 3
now=$(date +%s)
m=$(stat -c %Y "$d/lock/holder.json" 2>/dev/null || stat -c %Y "$d/lock" 2>/dev/null || echo "$now")
# The instance judged: the holder with id $2, or (empty $2) a holder record without an id.
if [ -n "$2" ]; then grep -q "\\"id\\":\\"$2\\"" "$d/lock/holder.json" 2>/dev/null; else ! grep -q '"id":"' "$d/lock/holder.json" 2>/dev/null; fi
if [ $? -eq 0 ] && [ $((now - m)) -gt "$4" ]; then
  mv -T "$d/lock" "$d/lock.closed-$3" && rm -rf "$d/lock.closed-$3" && exit 0
fi
rmdir "$d/lock/closing"; exit 4`;

const RENEW = `grep -q "\\"id\\":\\"$2\\"" "$1/lock/holder.json" 2>/dev/null && touch "$1/lock/holder.json"`;

/** A closing claim older than this was left by a party that died between two commands: it is cleared. */
const CLOSING_STALE_S = 60;

/** The deploy's lease was taken over by another deploy: it must not touch the hosts any more. */
export class LockLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LockLostError';
  }
}

export interface LockBusy {
  readonly holder?: LockInfo;
  /** Seconds since the holder last renewed, by the host's clock. */
  readonly ageS: number;
  readonly closingAgeS?: number;
}

function sh(script: string, ...args: string[]): string[] {
  return ['sh', '-c', script, 'slipway-lock', ...args];
}

function parseBusy(stdout: string): LockBusy {
  const [first = '', ...rest] = stdout.split('\n');
  const m = /^age (-?\d+) closing ?(-?\d+)?/.exec(first);
  let holder: LockInfo | undefined;
  try {
    const parsed = JSON.parse(rest.join('\n')) as LockInfo;
    if (parsed && typeof parsed.id === 'string') holder = parsed;
  } catch {
    holder = undefined;
  }
  return {
    ...(holder && { holder }),
    ageS: m ? Number(m[1]) : 0,
    ...(m?.[2] !== undefined && { closingAgeS: Number(m[2]) }),
  };
}

/** Is this lock past its lease? A holder record that says nothing of its lease gets `fallbackMs`. */
export function isStale(busy: LockBusy, fallbackMs: number): boolean {
  const leaseMs = busy.holder?.leaseMs ?? fallbackMs;
  return busy.ageS * 1000 > leaseMs;
}

export class HostLock {
  private readonly runner: Runner;
  /** The service's directory on the host (relative to the deploy user's home). */
  private readonly dir: string;

  constructor(runner: Runner, dir: string) {
    this.runner = runner;
    this.dir = dir;
  }

  /** One attempt: true when taken; otherwise who holds it and for how long. */
  async tryAcquire(info: LockInfo): Promise<true | LockBusy> {
    const result = await this.runner.run({
      argv: sh(ACQUIRE, this.dir, info.id),
      stdin: JSON.stringify(info),
    });
    if (result.exitCode === 0) return true;
    if (result.exitCode !== 3) {
      throw new Error(
        `${this.runner.where}: cannot take the deploy lock in ${this.dir}: ${result.stderr.trim()}`,
      );
    }
    return parseBusy(result.stdout);
  }

  /**
   * Takes over a stale lock held by `staleId` (exactly one taker wins); true when it was removed.
   * A closing claim left behind by a party that died is cleared first.
   */
  async takeOver(busy: LockBusy, ourId: string, fallbackMs: number): Promise<boolean> {
    if (busy.closingAgeS !== undefined) {
      if (busy.closingAgeS > CLOSING_STALE_S)
        await this.runner.run({ argv: ['rmdir', `${this.dir}/lock/closing`] });
      return false;
    }
    const staleId = busy.holder?.id ?? '';
    const leaseS = Math.floor((busy.holder?.leaseMs ?? fallbackMs) / 1000);
    const result = await this.runner.run({ argv: sh(CLOSE, this.dir, staleId, ourId, String(leaseS)) });
    return result.exitCode === 0;
  }

  /**
   * Renews the lease; false when the lock is no longer ours (taken over, or removed). A channel that
   * died (255) says nothing about the lock: it is not reported lost.
   */
  async renew(id: string): Promise<boolean> {
    const result = await this.runner.run({ argv: sh(RENEW, this.dir, id) });
    return result.exitCode === 0 || result.exitCode === 255;
  }

  /** Releases the lock if it is still ours (never someone else's). */
  async release(id: string): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const result = await this.runner.run({ argv: sh(CLOSE, this.dir, id, id, '-1') });
      // 0: released; 4: not ours (or gone). 3: someone is closing it right now: look again.
      if (result.exitCode !== 3) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async holder(): Promise<LockInfo | undefined> {
    const result = await this.runner.run({ argv: ['cat', `${this.dir}/lock/holder.json`] });
    if (result.exitCode !== 0) return undefined;
    try {
      return JSON.parse(result.stdout) as LockInfo;
    } catch {
      return undefined;
    }
  }
}
