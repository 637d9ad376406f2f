/**
 * Switching hosts a batch at a time: `maxParallel` hosts at once, and no new batch after a host
 * failed. The caller reverts the hosts that switched (it knows how), so every host ends on one version.
 */
export interface RolloutResult<H, R> {
  readonly done: ReadonlyArray<{ readonly host: H; readonly result: R }>;
  readonly failure?: { readonly host: H; readonly error: Error };
  /** Hosts that failed in the failing batch (a batch may lose more than one). */
  readonly failed: ReadonlyArray<{ readonly host: H; readonly error: Error }>;
}

export async function rollOut<H, R>(
  hosts: readonly H[],
  maxParallel: number,
  apply: (host: H) => Promise<R>,
): Promise<RolloutResult<H, R>> {
  const done: Array<{ host: H; result: R }> = [];
  const failed: Array<{ host: H; error: Error }> = [];
  for (let i = 0; i < hosts.length && failed.length === 0; i += maxParallel) {
    const batch = hosts.slice(i, i + maxParallel);
    await Promise.all(
      batch.map(async (host) => {
        try {
          done.push({ host, result: await apply(host) });
        } catch (error) {
          failed.push({ host, error: error instanceof Error ? error : new Error(String(error)) });
        }
      }),
    );
  }
  const [failure] = failed;
  return { done, failed, ...(failure && { failure }) };
}
