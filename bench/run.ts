/**
 * `npm run bench`: every benchmark against the real alternative, in one run on the lab.
 * Prints markdown tables (pasted into closing notes) and writes bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDirs } from '../test/helpers/temp';
import { ensureLab, type LabInfo } from '../test/lab/lab';
import { benchBuild, formatBuild } from './build';
import { benchCiActions, formatOverhead } from './ci-actions';
import { benchDeploy, formatDeploy } from './deploy';
import { benchPlatforms, formatPlatforms } from './platforms';
import { benchPromote, formatPromote } from './promote';

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const wanted = only.filter((a) => !a.startsWith('--'));
  const want = (name: string) => wanted.length === 0 || wanted.includes(name);
  // The promote bench starts registries of its own; the others need the lab.
  const lab =
    want('ci-actions') || want('build') || want('deploy') || want('platforms')
      ? await ensureLab()
      : undefined;
  const results: Record<string, unknown> = { date: new Date().toISOString() };
  if (want('ci-actions')) {
    const rows = await benchCiActions(lab as LabInfo);
    results.ciActions = rows;
    console.log(`\n## Action overhead over bare docker (median of 7)\n\n${formatOverhead(rows)}`);
  }
  if (want('build')) {
    // --build-rounds=0 skips the cache part (fresh builders, a slow step); --multi-rounds=N;
    // --before=FILE also times an earlier build-and-tag bundle in the two-platform rounds.
    const option = (name: string) => {
      const arg = only.find((a) => a.startsWith(`--${name}=`));
      return arg === undefined ? undefined : Number(arg.slice(name.length + 3));
    };
    const rounds = option('build-rounds');
    const multiRounds = option('multi-rounds');
    const before = only.find((a) => a.startsWith('--before='))?.slice('--before='.length);
    const result = await benchBuild(lab as LabInfo, {
      ...(rounds !== undefined && { rounds }),
      ...(multiRounds !== undefined && { multiRounds }),
      ...(before && { before }),
    });
    results.build = result;
    console.log(
      `\n## build-and-tag on BuildKit builders vs docker buildx build by hand\n\n${formatBuild(result)}`,
    );
  }
  if (want('platforms')) {
    // --platform-rounds=N (tests, default 7), --pipeline-rounds=N (build-test-push, default 3).
    const number = (name: string) => {
      const arg = only.find((a) => a.startsWith(`--${name}=`));
      return arg === undefined ? undefined : Number(arg.slice(name.length + 3));
    };
    const rounds = number('platform-rounds');
    const pipelineRounds = number('pipeline-rounds');
    const result = await benchPlatforms(lab as LabInfo, {
      ...(rounds !== undefined && { rounds }),
      ...(pipelineRounds !== undefined && { pipelineRounds }),
    });
    results.platforms = result;
    console.log(
      `\n## Every platform tested: native vs emulated, and build-test-push vs by hand\n\n${formatPlatforms(result)}`,
    );
  }
  if (want('promote')) {
    const rounds = only.find((a) => a.startsWith('--rounds='));
    // --before=FILE: an earlier dist/promote-between-registries/index.js, timed in the same rounds.
    const before = only.find((a) => a.startsWith('--before='))?.slice('--before='.length);
    const result = await benchPromote({
      gigabyte: !only.includes('--no-gigabyte'),
      ...(rounds && { rounds: Number(rounds.slice('--rounds='.length)) }),
      ...(before && { before }),
    });
    results.promote = result;
    console.log(
      `\n## promote-between-registries vs skopeo, crane and regctl (time, and in brackets the other tool's time over Slipway's)\n\n${formatPromote(result)}`,
    );
  }
  if (want('deploy')) {
    // --before=FILE: an earlier dist/remote-deploy-ssh/index.js, timed in the same rounds;
    // --deploy-rounds=N (default 3).
    const before = only.find((a) => a.startsWith('--before='))?.slice('--before='.length);
    const rounds = only.find((a) => a.startsWith('--deploy-rounds='))?.slice('--deploy-rounds='.length);
    const result = await benchDeploy(lab as LabInfo, rounds ? Number(rounds) : 3, before);
    results.deploy = result;
    console.log(`\n## remote-deploy-ssh on the lab hosts\n\n${formatDeploy(result)}`);
  }
  writeFileSync(
    join(new URL('.', import.meta.url).pathname, 'results.json'),
    `${JSON.stringify(results, null, 2)}\n`,
  );
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(removeTempDirs);
