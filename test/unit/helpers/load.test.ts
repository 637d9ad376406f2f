import { describe, expect, it } from 'vitest';
import { summarizeLatency, switchBoundMisses } from '../../helpers/load';

const idle = summarizeLatency(Array.from({ length: 1000 }, (_, i) => [i, 5 + (i % 100) / 10] as const));

describe('the switch bound the integration tests hold (issue 32)', () => {
  it('takes the stalls of today (about 130 ms) and refuses the 1–2 s waits of before', () => {
    const stalled = (ms: number, n: number) =>
      summarizeLatency([
        ...Array.from({ length: 1000 }, (_, i) => [i, 5] as const),
        ...Array.from({ length: n }, (_, i) => [i, ms] as const),
      ]);
    expect(switchBoundMisses(idle, stalled(130, 4))).toEqual([]);
    expect(switchBoundMisses(idle, stalled(1020, 1))).toEqual([
      expect.stringMatching(/^max 1020 ms > idle p99 14\.8 \+ 250 \+ \d+$/),
    ]);
    // Many slow requests: the tail too.
    expect(switchBoundMisses(idle, stalled(2000, 10))).toHaveLength(2);
  });
});
