/**
 * `npm run bench`: every benchmark against the real alternative, in one run on the lab.
 * Prints markdown tables (pasted into closing notes) and writes bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureLab } from '../test/lab/lab';
import { benchCiActions, formatOverhead } from './ci-actions';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const want = (name: string) => only.length === 0 || only.includes(name);
  const lab = await ensureLab();
  const results: Record<string, unknown> = { date: new Date().toISOString() };
  if (want('ci-actions')) {
    const rows = await benchCiActions(lab);
    results.ciActions = rows;
    console.log(`\n## Action overhead over bare docker (median of 7)\n\n${formatOverhead(rows)}`);
  }
  writeFileSync(
    join(new URL('.', import.meta.url).pathname, 'results.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
