/**
 * The lease scripts run by a real /bin/sh on this machine, in a temporary directory (the same
 * scripts run on the hosts): the races the lease must close, forced by a slowed tool or by the
 * state a racing party leaves.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Runner } from '../../../src/command/command';
import { LocalRunner } from '../../../src/command/local-runner';
import { HostLock, isStale, type LockInfo } from '../../../src/deploy-core/lease';
import { whileRenewing } from '../../../src/deploy-core/locks';
import { tempDir } from '../../helpers/temp';

const info = (id: string, leaseMs = 60_000): LockInfo => ({ id, holder: id, time: '', run: '', leaseMs });
const uptime = () => Number(readFileSync('/proc/uptime', 'utf8').split('.')[0]);
const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

function fresh(): { dir: string; lock: HostLock } {
  const dir = join(tempDir('lease'), 'svc');
  return { dir, lock: new HostLock(new LocalRunner(), dir) };
}

describe('the deploy lease (lock scripts on a real shell)', () => {
  it('is taken once, renewed only by its holder, released only by its holder; releasing a gone lock returns at once', async () => {
    const { dir, lock } = fresh();
    expect(await lock.tryAcquire(info('a'))).toBe(true);
    const busy = await lock.tryAcquire(info('b'));
    expect(busy).not.toBe(true);
    if (busy === true) return;
    expect(busy.holder?.id).toBe('a');
    expect(isStale(busy, 60_000)).toBe(false);
    expect(await lock.renew('a')).toBe(true);
    expect(await lock.renew('b')).toBe(false);
    await lock.release('b');
    expect((await lock.holder())?.id).toBe('a');
    await lock.release('a');
    expect(existsSync(join(dir, 'lock'))).toBe(false);
    const t0 = performance.now();
    await lock.release('a');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await lock.renew('a')).toBe(false);
  });

  it('a lock command whose record never arrived whole (its client killed mid-send) takes no lock', async () => {
    const local = new LocalRunner();
    for (const cut of ['', '{"id":"a","holder":"a"', '{"id":"b","holder":"b","time":"","run":""}']) {
      const { dir } = fresh();
      // What sshd runs after the client died: the command with the stdin that got through.
      const cutRunner: Runner = {
        where: 'host',
        run: (command, options) => local.run({ ...command, stdin: cut }, options),
        openTcp: (host, port) => local.openTcp(host, port),
        close: () => local.close(),
      };
      const orphan = new HostLock(cutRunner, dir);
      await expect(orphan.tryAcquire(info('a'))).rejects.toThrow(/incomplete/);
      expect(existsSync(join(dir, 'lock'))).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it('overlapping renewals (a slow channel) all succeed', async () => {
    const { lock } = fresh();
    expect(await lock.tryAcquire(info('a'))).toBe(true);
    const results = await Promise.all(Array.from({ length: 12 }, () => lock.renew('a')));
    expect(results).toEqual(results.map(() => true));
  });

  it('a wall clock stepped back does not keep a dead holder alive: the age comes from the monotonic clock', async () => {
    const { dir, lock } = fresh();
    expect(await lock.tryAcquire(info('dead', 60_000))).toBe(true);
    // The holder last renewed 120 s ago by the monotonic clock; the wall clock has since stepped
    // back an hour, so its record's mtime lies in the future.
    writeFileSync(join(dir, 'lock', 'renewed'), `${bootId()} ${uptime() - 120}\n`);
    const future = new Date(Date.now() + 3_600_000);
    utimesSync(join(dir, 'lock', 'holder.json'), future, future);
    const busy = await lock.tryAcquire(info('next'));
    if (busy === true) throw new Error('taken while held');
    expect(busy.ageS).toBeGreaterThanOrEqual(120);
    expect(isStale(busy, 60_000)).toBe(true);
    expect(await lock.takeOver(busy, 'next', 60_000)).toBe(true);
    expect(await lock.tryAcquire(info('next'))).toBe(true);
  });

  it('a reading from before a reboot is as old as can be', async () => {
    const { dir, lock } = fresh();
    expect(await lock.tryAcquire(info('before-reboot'))).toBe(true);
    writeFileSync(join(dir, 'lock', 'renewed'), `another-boot ${uptime() + 5000}\n`);
    const busy = await lock.tryAcquire(info('next'));
    if (busy === true) throw new Error('taken while held');
    expect(isStale(busy, 60_000)).toBe(true);
  });

  it('an empty closing claim (made with mkdir by an older Slipway) is never replaced by a takeover', async () => {
    const { dir, lock } = fresh();
    expect(await lock.tryAcquire(info('dead', 1000))).toBe(true);
    writeFileSync(join(dir, 'lock', 'renewed'), `${bootId()} ${uptime() - 120}\n`);
    // What this taker read before the older version made its claim: stale, no claim yet.
    const busy = await lock.tryAcquire(info('x'));
    if (busy === true) throw new Error('taken while held');
    expect(busy.closingAgeS).toBeUndefined();
    mkdirSync(join(dir, 'lock', 'closing'));
    expect(await lock.takeOver(busy, 'x', 1000)).toBe(false);
    expect(readdirSync(join(dir, 'lock', 'closing'))).toEqual([]); // the older claim, untouched
    expect(existsSync(join(dir, 'lock', 'holder.json'))).toBe(true);
  });

  it('a dead closing claim is cleared, but a fresh claim made in its place is never removed', async () => {
    const { dir, lock } = fresh();
    expect(await lock.tryAcquire(info('dead', 1000))).toBe(true);
    const closing = join(dir, 'lock', 'closing');
    // A party claimed the lock 120 s ago and died.
    mkdirSync(closing);
    writeFileSync(join(closing, 'at'), `${bootId()} ${uptime() - 120}\n`);
    const busy = await lock.tryAcquire(info('x'));
    if (busy === true) throw new Error('taken while claimed');
    expect(busy.closingAgeS).toBeGreaterThanOrEqual(120);
    // Someone cleared it already and made a fresh claim of its own: this clearer acts on its
    // stale reading and must leave the fresh claim alone.
    writeFileSync(join(closing, 'at'), `${bootId()} ${uptime()}\n`);
    expect(await lock.takeOver(busy, 'x', 1000)).toBe(false);
    expect(existsSync(join(closing, 'at'))).toBe(true);
    expect(existsSync(join(closing, 'clearing'))).toBe(false);
    // The claim really is dead now: one clearer removes it, and the takeover goes through.
    writeFileSync(join(closing, 'at'), `${bootId()} ${uptime() - 120}\n`);
    expect(await lock.takeOver(busy, 'x', 1000)).toBe(false);
    expect(existsSync(closing)).toBe(false);
    const again = await lock.tryAcquire(info('x'));
    if (again === true) throw new Error('taken without a takeover');
    const past = new Date(Date.now() - 10_000);
    writeFileSync(join(dir, 'lock', 'renewed'), `${bootId()} ${uptime() - 10}\n`);
    utimesSync(join(dir, 'lock', 'holder.json'), past, past);
    const stale = await lock.tryAcquire(info('x'));
    if (stale === true) throw new Error('taken without a takeover');
    expect(await lock.takeOver(stale, 'x', 1000)).toBe(true);
  });

  it('a renewal racing a takeover never renews the new holder, and reports the lock lost', async () => {
    const { dir, lock } = fresh();
    expect(await lock.tryAcquire(info('old'))).toBe(true);
    // grep, slowed down: between the renewal's check and its touch, the lock is taken over and a
    // new holder (whose record is 100 s old) is in place.
    const bin = tempDir('lease-bin');
    const realGrep = ['/usr/bin/grep', '/bin/grep'].find((p) => existsSync(p)) as string;
    writeFileSync(join(bin, 'grep'), `#!/bin/sh\n${realGrep} "$@"; r=$?; sleep 1; exit $r\n`);
    chmodSync(join(bin, 'grep'), 0o755);
    const slow = new HostLock(new LocalRunner({ ...process.env, PATH: `${bin}:${process.env.PATH}` }), dir);
    const renewing = slow.renew('old');
    await new Promise((r) => setTimeout(r, 400));
    const runner = new LocalRunner();
    await runner.run({
      argv: [
        'sh',
        '-c',
        'mv -T "$1/lock" "$1/lock.closed-t" && mkdir "$1/lock" && echo \'{"id":"new"}\' > "$1/lock/holder.json" && touch -d "100 seconds ago" "$1/lock/holder.json"',
        'test',
        dir,
      ],
    });
    const newRecord = statSync(join(dir, 'lock', 'holder.json')).mtimeMs;
    expect(await renewing).toBe(false);
    expect(statSync(join(dir, 'lock', 'holder.json')).mtimeMs).toBe(newRecord);
    expect(JSON.parse(readFileSync(join(dir, 'lock', 'holder.json'), 'utf8')).id).toBe('new');
  });
});

describe('whileRenewing (the lease kept while work runs)', () => {
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('renews the lease while the work runs and says it was kept', async () => {
    const { dir, lock } = fresh();
    expect(await lock.tryAcquire(info('a'))).toBe(true);
    utimesSync(join(dir, 'lock', 'renewed'), 0, 0);
    const outcome = await whileRenewing({ lock }, 'a', () => pause(400).then(() => 'done'), 50);
    expect(outcome).toEqual({ value: 'done', lost: false });
    // renewed: the reading was written again (its file's time is no longer 1970)
    expect(statSync(join(dir, 'lock', 'renewed')).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it('says the lease was lost when another party holds it now', async () => {
    const { dir, lock } = fresh();
    expect(await lock.tryAcquire(info('a'))).toBe(true);
    const outcome = await whileRenewing(
      { lock },
      'a',
      async () => {
        // What a takeover leaves: the lock is another party's.
        rmSync(join(dir, 'lock'), { recursive: true });
        expect(await lock.tryAcquire(info('b'))).toBe(true);
        await pause(400);
        return 'done';
      },
      50,
    );
    expect(outcome).toEqual({ value: 'done', lost: true });
  });
});
