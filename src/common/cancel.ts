/**
 * Cancellation: GitHub's Cancel button sends SIGINT, then SIGTERM, then SIGKILL a few seconds later
 * (a Ctrl-C in a terminal sends SIGINT). An operation that can clean up after itself asks for a
 * signal that the first of those aborts, so it stops starting new work, undoes or finishes the step
 * in progress and runs its cleanups, instead of dying where it stands.
 */
export class CancelledError extends Error {
  constructor(signal: string) {
    super(`cancelled (${signal})`);
    this.name = 'CancelledError';
  }
}

/**
 * A signal that the first SIGINT/SIGTERM aborts. With `exitOnSecond` (a terminal, where a person
 * presses Ctrl-C again when cleaning up takes too long) a second one exits at once with 130.
 */
export function abortOnSignals(
  log: (line: string) => void,
  options: { exitOnSecond?: boolean } = {},
): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (options.exitOnSecond) process.exit(130);
      return;
    }
    log(`${name}: cancelling — no new work is started; cleaning up what this run started`);
    controller.abort(new CancelledError(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
