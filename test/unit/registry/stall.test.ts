import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { STALL_MIN_BYTES, watchStall } from '../../../src/registry/stall';

const WINDOW_MS = 1000;

describe('a transfer that stops moving', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it('fails at the end of a window carrying less than the floor, once', () => {
    const onStall = vi.fn();
    const watch = watchStall(onStall, WINDOW_MS);
    watch.progress(STALL_MIN_BYTES - 1);
    vi.advanceTimersByTime(WINDOW_MS - 1);
    expect(onStall).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onStall).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(WINDOW_MS * 5);
    expect(onStall).toHaveBeenCalledOnce();
  });

  it('does not fail while each window carries the floor, nor once stopped', () => {
    const onStall = vi.fn();
    const watch = watchStall(onStall, WINDOW_MS);
    for (let window = 0; window < 5; window++) {
      watch.progress(STALL_MIN_BYTES);
      vi.advanceTimersByTime(WINDOW_MS);
    }
    expect(onStall).not.toHaveBeenCalled();
    vi.advanceTimersByTime(WINDOW_MS - 1);
    watch.stop();
    vi.advanceTimersByTime(WINDOW_MS * 5);
    expect(onStall).not.toHaveBeenCalled();
  });
});
