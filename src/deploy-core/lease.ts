/**
 * The per-service deploy lock on one host, as a lease:
 * - taken atomically: the holder record is written into a private directory first, which is then
 *   renamed to `lock` (rename fails while another lock exists, so there is never a lock without a
 *   holder record);
 * - renewed while held (a reading of the host's monotonic clock, and the record's mtime), and judged
 *   stale by the host's own clock against the lease length the holder wrote, so a long deploy never
 *   loses it, clocks never disagree, and a wall clock stepping back never delays staleness;
 * - taken over or released by exactly one party: whoever makes `lock/closing` in that lock
 *   instance, then checks (under that claim) that it is still the instance it judged — the expected
 *   holder, still stale — before renaming it away. Everyone else backs off. A claim left by a party
 *   that died is cleared by exactly one party, and never a fresh claim in its place.
 * Each step is one constant script run with `sh -c`; paths and ids are its positional arguments,
 * quoted like any other argv.
 */
import type { Runner } from '../command/command';
import { readRemoteFile } from '../command/remote-file';

export interface LockInfo {
  readonly id: string;
  readonly holder: string;
  readonly time: string;
  readonly run: string;
  /** How long the lock stays valid without a renewal (written by its holder, read by waiters). */
  readonly leaseMs?: number;
  /** A host-wide lock (the shared proxy's): the service whose deploy holds it. */
  readonly service?: string;
}

/**
 * The lease a deploy takes: renewed every quarter of it, so a holder must stall for a minute to lose
 * it, and a lock whose holder died is free a minute later. (SLIPWAY_LOCK_LEASE_MS shortens it in tests.)
 */
export const LEASE_MS = Number(process.env.SLIPWAY_LOCK_LEASE_MS) || 60_000;

/**
 * Shell functions every script starts with. Ages come from the host's monotonic clock (uptime, with
 * the boot id: a reading from before a reboot is infinitely old), so a wall clock stepping backwards
 * never makes a dead holder look alive; a record without a reading (a host without /proc/uptime)
 * falls back to its file's mtime.
 */
const CLOCK = `reading() { [ -r /proc/uptime ] || return 0; read u _ < /proc/uptime; echo "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo -) \${u%.*}"; }
since() {
  if [ -s "$1" ] && [ -r /proc/uptime ]; then
    read b u < "$1"; read nu _ < /proc/uptime
    if [ "$b" = "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo -)" ]; then echo $((\${nu%.*} - u)); else echo 1000000000; fi
    return
  fi
  m=$(stat -c %Y "$2" 2>/dev/null || date +%s); echo $(($(date +%s) - m))
}`;

/**
 * $1 dir, $2 our id (holder record on stdin). The holder record and the clock reading go into a
 * private directory, renamed to `lock` (fails while a lock exists). Busy: the holder's age, the age
 * of a closing claim, and the holder record.
 */
const ACQUIRE = `set -u
${CLOCK}
d=$1; t="$d/lock.new-$2"
mkdir -p "$d" && rm -rf "$t" && mkdir "$t" && cat > "$t/holder.json" && reading > "$t/renewed" || exit 2
# The record must have arrived whole: a client killed before its stdin was sent leaves an empty or
# cut record, and a lock taken with it would be nobody's (no id to release it by).
if ! grep -q "\\"id\\":\\"$2\\"" "$t/holder.json" || [ "$(tail -c 1 "$t/holder.json")" != "}" ]; then
  rm -rf "$t"; echo "the holder record arrived incomplete (the client went away?)" >&2; exit 2
fi
if mv -T "$t" "$d/lock" 2>/dev/null; then exit 0; fi
rm -rf "$t"
c=""; [ -d "$d/lock/closing" ] && c=$(since "$d/lock/closing/at" "$d/lock/closing")
echo "age $(since "$d/lock/renewed" "$d/lock/holder.json") closing $c"
cat "$d/lock/holder.json" 2>/dev/null
exit 3`;

/**
 * $1 dir, $2 the holder id expected, $3 our id, $4 minimum age in seconds (-1: any age, for a release).
 * The claim is a prepared directory (holding the time it was made) renamed to `lock/closing`: atomic,
 * and it fails while another claim exists (a claim is never empty). Under the claim: still the
 * instance judged (the expected holder, still stale)? Then the lock is renamed away; else the claim
 * is given up.
 */
const CLOSE = `set -u
${CLOCK}
d=$1; l="$d/lock"; p="$d/lock/claim-$3"
[ -d "$l" ] || exit 4
rm -rf "$p"; mkdir "$p" 2>/dev/null || exit 3
reading > "$p/at"
# (mv -T would replace an empty directory: a claim made by an older Slipway with mkdir is kept.)
if [ -e "$l/closing" ] || ! mv -T "$p" "$l/closing" 2>/dev/null; then rm -rf "$p"; exit 3; fi
a=$(since "$l/renewed" "$l/holder.json")
# The instance judged: the holder with id $2, or (empty $2) a holder record without an id.
if [ -n "$2" ]; then grep -q "\\"id\\":\\"$2\\"" "$l/holder.json" 2>/dev/null; else ! grep -q '"id":"' "$l/holder.json" 2>/dev/null; fi
if [ $? -eq 0 ] && { [ "$4" -lt 0 ] || [ "$a" -gt "$4" ]; }; then
  mv -T "$l" "$d/lock.closed-$3" && rm -rf "$d/lock.closed-$3" && exit 0
fi
mv -T "$l/closing" "$d/lock.closed-c$3" 2>/dev/null && rm -rf "$d/lock.closed-c$3"; exit 4`;

/**
 * $1 dir, $2 minimum age in seconds, $3 our id. Clears a closing claim left by a party that died
 * between two commands — that very claim only: the clearers exclude each other by a directory made
 * inside the claim, and the winner checks the claim's own time again before renaming it away, so a
 * fresh claim made meanwhile (it has a fresh time) is never removed.
 */
const CLEAR = `set -u
${CLOCK}
l="$1/lock"
m0=$(stat -c %Y "$l/closing" 2>/dev/null) || exit 3
mkdir "$l/closing/clearing" 2>/dev/null || exit 3
if [ -e "$l/closing/at" ]; then a=$(since "$l/closing/at" "$l/closing/at"); else a=$(($(date +%s) - m0)); fi
if [ "$a" -gt "$2" ]; then
  mv -T "$l/closing" "$1/lock.closed-x$3" 2>/dev/null && rm -rf "$1/lock.closed-x$3"; exit 0
fi
rmdir "$l/closing/clearing"; exit 4`;

/**
 * $1 dir, $2 our id. The lock instance is entered first (cd), so the check and the renewal act on the
 * same instance: a lock taken over meanwhile (and a new holder's record in its place) is never the
 * one renewed, and the renewal reports the lock lost unless its instance is still `lock` after.
 * Renewals may overlap (a slow channel): each writes its reading through a file of its own.
 */
const RENEW = `set -u
${CLOCK}
case $1 in /*) l="$1/lock" ;; *) l="$PWD/$1/lock" ;; esac
cd "$l" 2>/dev/null || exit 1
grep -q "\\"id\\":\\"$2\\"" holder.json 2>/dev/null || exit 1
r=$(reading); touch holder.json || exit 1
[ -z "$r" ] || { echo "$r" > "renewed.$$" && mv -f "renewed.$$" renewed; } || exit 1
[ . -ef "$l" ]`;

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
        await this.runner.run({ argv: sh(CLEAR, this.dir, String(CLOSING_STALE_S), ourId) });
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
    const text = await readRemoteFile(this.runner, `${this.dir}/lock/holder.json`);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as LockInfo;
    } catch {
      return undefined;
    }
  }
}
