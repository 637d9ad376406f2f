/**
 * Stalled transfers: a body that stops moving, or trickles below a floor rate, fails instead of
 * holding a run until the job's timeout (Node's socket timeout only sees silence, not one byte
 * every few seconds). One window at a time: fewer than STALL_MIN_BYTES in STALL_WINDOW_MS is a stall.
 */

/** The window; SLIPWAY_STALL_MS shortens it (tests), like SLIPWAY_RETRY_BASE_MS. */
export const STALL_WINDOW_MS = Number(process.env.SLIPWAY_STALL_MS ?? 30_000);
/** Bytes a window must carry: 64 KiB in 30 s is about 2 KiB/s, far below any working link. */
export const STALL_MIN_BYTES = 64 * 1024;

export interface StallWatch {
  /** Counts bytes that moved. */
  progress(bytes: number): void;
  stop(): void;
}

/** Calls `onStall` (once) when a window carries fewer than STALL_MIN_BYTES; stop() when done. */
export function watchStall(onStall: () => void, windowMs = STALL_WINDOW_MS): StallWatch {
  let moved = 0;
  const timer = setInterval(() => {
    if (moved >= STALL_MIN_BYTES) {
      moved = 0;
      return;
    }
    clearInterval(timer);
    onStall();
  }, windowMs);
  timer.unref();
  return {
    progress: (bytes) => void (moved += bytes),
    stop: () => clearInterval(timer),
  };
}

/** The seconds of a window, for messages. */
export const stallWindowText = (): string =>
  `less than ${STALL_MIN_BYTES / 1024} KiB in ${STALL_WINDOW_MS / 1000} s`;
