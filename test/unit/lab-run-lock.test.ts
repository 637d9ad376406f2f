import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTime } from '../lab/process';
import { guestSince, holdLab } from '../lab/run-lock';
import { tempDir } from '../helpers/temp';

function holdAs(dir: string, pid: number, start: string): void {
  mkdirSync(dir);
  writeFileSync(join(dir, 'holder.json'), JSON.stringify({ pid, start, cwd: '/elsewhere', since: 'then' }));
}

describe('one integration run on the lab at a time', () => {
  it('waits for a live holder, saying whose run it is, and takes the lab once that process is gone', async () => {
    const dir = join(tempDir('run-lock'), 'lock');
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = other.pid as number;
    holdAs(dir, pid, startTime(pid) as string);
    const said: string[] = [];
    let held = false;
    const holding = holdLab((m) => said.push(m), dir).then((release) => {
      held = true;
      return release;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(held).toBe(false);
    expect(said.join('\n')).toContain(`waiting for the test run of pid ${pid} (/elsewhere`);
    other.kill();
    const release = await holding;
    expect(JSON.parse(readFileSync(join(dir, 'holder.json'), 'utf8')).pid).toBe(process.pid);
    release();
    expect(existsSync(dir)).toBe(false);
  });

  it('takes over at once from a pid that is another process now (a reboot reused it)', async () => {
    const dir = join(tempDir('run-lock'), 'lock');
    holdAs(dir, process.pid, 'another start time');
    const said: string[] = [];
    const release = await holdLab((m) => said.push(m), dir);
    expect(said).toEqual([`the lab's last test run (pid ${process.pid}) is gone: taking the lab over`]);
    release();
  });

  it('takes over a lock whose holder never wrote its record (killed between the two steps)', async () => {
    const dir = join(tempDir('run-lock'), 'lock');
    mkdirSync(dir);
    const release = await holdLab(() => {}, dir);
    expect(JSON.parse(readFileSync(join(dir, 'holder.json'), 'utf8')).pid).toBe(process.pid);
    release();
  }, 15_000);

  it('a release leaves a lock another run took over alone', async () => {
    const dir = join(tempDir('run-lock'), 'lock');
    const release = await holdLab(() => {}, dir);
    const other = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(
        join(dir, 'holder.json'),
        JSON.stringify({ pid: other.pid, start: startTime(other.pid as number), cwd: '/x', since: 'now' }),
      );
      release();
      expect(existsSync(dir)).toBe(true);
    } finally {
      other.kill();
    }
  });

  it('a run beside the holder (SLIPWAY_LAB_SHARED=1) does not wait, and the holder learns one was there', async () => {
    const dir = join(tempDir('run-lock'), 'lock');
    const started = Date.now();
    const release = await holdLab(() => {}, dir);
    expect(guestSince(started, dir)).toBe(false);
    process.env.SLIPWAY_LAB_SHARED = '1';
    try {
      const guestRelease = await holdLab(() => {}, dir);
      expect(guestSince(started, dir)).toBe(true);
      guestRelease();
    } finally {
      delete process.env.SLIPWAY_LAB_SHARED;
    }
    // The guest (this process, alive) is still counted for a holder that started after it.
    expect(guestSince(Date.now() + 60_000, dir)).toBe(true);
    release();
  });
});
