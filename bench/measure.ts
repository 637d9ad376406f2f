/** Timing helpers for benchmarks: alternate the contenders, report medians. */

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Runs each contender `rounds` times, interleaved so drift hits them alike; returns medians in ms. */
export async function compare(
  rounds: number,
  contenders: Record<string, () => Promise<unknown>>,
): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, fn] of Object.entries(contenders)) samples[name]?.push(await time(fn));
  }
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
}

export function ms(value: number): string {
  return `${value.toFixed(0)} ms`;
}
