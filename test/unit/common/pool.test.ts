import { describe, expect, it } from 'vitest';
import { runPool } from '../../../src/common/pool';

describe('runPool', () => {
  it('keeps at most `limit` tasks in flight and returns results in order', async () => {
    let inFlight = 0;
    let peak = 0;
    const tasks = Array.from({ length: 10 }, (_, i) => async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight -= 1;
      return i;
    });
    expect(await runPool(tasks, 3)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('rejects with the first error and starts no new task after it', async () => {
    let started = 0;
    const tasks = Array.from({ length: 10 }, (_, i) => async () => {
      started += 1;
      if (i === 1) throw new Error('boom');
      await new Promise((r) => setTimeout(r, 5));
    });
    await expect(runPool(tasks, 2)).rejects.toThrow('boom');
    expect(started).toBeLessThan(10);
  });
});
