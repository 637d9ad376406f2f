/**
 * build-and-tag on BuildKit builders against the same `docker buildx build` by hand, in one run:
 *
 * (a) a Dockerfile with a slow dependency step (the multi fixture, DEPS_SECONDS): the cold build on
 *     a fresh builder exporting a registry cache, then a rebuild after a one-line source change on
 *     another fresh builder importing that cache, by build-and-tag and by hand (each on its own
 *     fresh builder). Targets: the rebuild several times faster than the cold build; Slipway's
 *     overhead over the hand-run command ≤ 0.3 s.
 * (b) a two-platform build pushed from the lab's builder, a one-line change each round, by
 *     build-and-tag and by hand. Target: ≤ 1.1×.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseLabels, resolveBases } from '../src/build-and-tag/build';
import { planBuild, readBuildRequest } from '../src/build-and-tag/plan';
import { runChecked } from '../src/command/command';
import { Inputs } from '../src/common/inputs';
import { readGitContext } from '../src/github/context';
import { LocalRunner } from '../src/command/local-runner';
import { runBundle } from '../test/helpers/run-bundle';
import { tempDir } from '../test/helpers/temp';
import { freshBuilder } from '../test/lab/builder';
import { LAB_SRC } from '../test/lab/config';
import type { LabInfo } from '../test/lab/lab';
import { median, ms, time } from './measure';

export interface BuildBench {
  readonly depsSeconds: number;
  readonly rounds: number;
  readonly cold: number;
  readonly rebuildSlipway: number;
  readonly rebuildByHand: number;
  readonly speedup: number;
  readonly overhead: number;
  readonly multiRounds: number;
  readonly multiSlipway: number;
  readonly multiByHand: number;
  readonly multiRatio: number;
  /** The median of the rounds' own ratios (each round's build-and-tag over its by-hand run). */
  readonly multiPairedRatio: number;
  /** An earlier build-and-tag bundle timed in the same two-platform rounds (--before=FILE). */
  readonly multiBefore?: number;
  /** Median time of the base-image registry lookups build-and-tag makes before it builds. */
  readonly baseLookup: number;
}

const local = new LocalRunner();
const benchInputs = (values: Record<string, string>) => new Inputs((name) => values[name]);

function context(deps: string, app: string): string {
  const dir = tempDir('bench-build');
  cpSync(join(LAB_SRC, 'fixtures', 'multi'), dir, { recursive: true });
  writeFileSync(join(dir, 'deps.txt'), `${deps}\n`);
  writeFileSync(join(dir, 'app.txt'), `${app}\n`);
  return dir;
}

export async function benchBuild(
  lab: LabInfo,
  options: { rounds?: number; multiRounds?: number; depsSeconds?: number; before?: string } = {},
): Promise<BuildBench> {
  const rounds = options.rounds ?? 3;
  // A two-platform build here takes 0.6–1.3 s from one run to the next: with 25 rounds the ratio of
  // the medians still moved between 1.02× and 1.12× for the same code; 60 rounds (about 2 minutes)
  // keep it within a few per cent.
  const multiRounds = options.multiRounds ?? 60;
  const depsSeconds = options.depsSeconds ?? 12;
  const id = randomBytes(3).toString('hex');
  const repo = `${lab.registries.staging.host}/bench/build-${id}`;
  const env = { SLIPWAY_DOCKER: lab.docker };
  const event = {
    GITHUB_REF: 'refs/heads/bench',
    GITHUB_SHA: '0123456789abcdef',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_RUN_ID: '4242',
    GITHUB_REPOSITORY: 'slipway/bench',
  };
  const args = `BASE=${lab.images.busyboxInRegistry}\nDEPS_SECONDS=${depsSeconds}`;
  const slipway = async (inputs: Record<string, string>, bundle?: string) => {
    const r = await runBundle(
      'build-and-tag',
      { image: repo, 'build-args': args, push: 'true', ...inputs },
      { env: { ...env, ...event }, ...(bundle && { bundle }) },
    );
    if (r.exitCode !== 0) throw new Error(r.log);
  };
  // The same build by hand: the tags and labels build-and-tag sets for this event (the OCI labels,
  // the base-images label), its --metadata-file and progress, the same cache and push. Only the
  // planning is borrowed from the library; the command is typed out here.
  const baseRequest = readBuildRequest(benchInputs({ image: repo, context: context('', '') }));
  const lookups: number[] = [];
  let resolved: Awaited<ReturnType<typeof resolveBases>> = [];
  for (let i = 0; i < 5; i++)
    lookups.push(
      await time(async () => (resolved = await resolveBases(local, { docker: lab.docker }, baseRequest))),
    );
  const bases = baseLabels(resolved);
  const byHand = (builder: string, dir: string, tag: string, extra: string[]) => {
    const plan = planBuild(
      readBuildRequest(benchInputs({ image: repo, context: dir, 'build-args': args, tags: tag })),
      readGitContext(event),
    );
    const metadata = join(tempDir('bench-build-metadata'), 'metadata.json');
    return runChecked(local, {
      argv: [
        lab.docker,
        'buildx',
        'build',
        '--progress',
        'plain',
        '--metadata-file',
        metadata,
        '--builder',
        builder,
        '--build-arg',
        `BASE=${lab.images.busyboxInRegistry}`,
        '--build-arg',
        `DEPS_SECONDS=${depsSeconds}`,
        ...plan.references.flatMap((ref) => ['--tag', ref]),
        ...[...plan.labels, ...bases].flatMap(([k, v]) => ['--label', `${k}=${v}`]),
        ...extra,
        '--push',
        dir,
      ],
      env: { BUILDX_METADATA_PROVENANCE: 'disabled' },
    });
  };
  const fresh = async (what: string) =>
    freshBuilder(`slipway-bench-${what}-${id}`, tempDir('bench-buildkitd'));

  const cold: number[] = [];
  const warmSlipway: number[] = [];
  const warmByHand: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const deps = `dependencies ${id}-${round}`;
    const cache = `${repo}:cache-${round}`;
    const first = await fresh(`cold-${round}`);
    try {
      cold.push(
        await time(() =>
          slipway({
            context: context(deps, 'app v1'),
            builder: first.name,
            tags: `cold-${round}`,
            'cache-to': `type=registry,ref=${cache},mode=max`,
          }),
        ),
      );
    } finally {
      await first.stop();
    }
    // Each rebuild on its own fresh builder with only the registry cache; the order alternates.
    const contenders: Array<[number[], (builder: string) => Promise<unknown>]> = [
      [
        warmSlipway,
        (builder) =>
          slipway({
            context: context(deps, `app v2 ${round} slipway`),
            builder,
            tags: `warm-${round}`,
            'cache-from': `type=registry,ref=${cache}`,
          }),
      ],
      [
        warmByHand,
        (builder) =>
          byHand(builder, context(deps, `app v2 ${round} by hand`), `hand-${round}`, [
            '--cache-from',
            `type=registry,ref=${cache}`,
          ]),
      ],
    ];
    if (round % 2) contenders.reverse();
    for (const [samples, run] of contenders) {
      const builder = await fresh(`warm-${round}-${samples === warmSlipway ? 's' : 'h'}`);
      try {
        samples.push(await time(() => run(builder.name)));
      } finally {
        await builder.stop();
      }
    }
  }

  const multiSlipway: number[] = [];
  const multiByHand: number[] = [];
  const multiBefore: number[] = [];
  const platforms = 'linux/amd64,linux/arm64';
  for (let round = 0; round < multiRounds; round++) {
    const deps = `dependencies ${id}-multi`;
    const runs: Array<[number[], () => Promise<unknown>]> = [
      [
        multiSlipway,
        () =>
          slipway({
            context: context(deps, `multi ${round} slipway`),
            builder: lab.builder,
            platforms,
            tags: `multi-${round}`,
          }),
      ],
      [
        multiByHand,
        () =>
          byHand(lab.builder, context(deps, `multi ${round} by hand`), `multi-hand-${round}`, [
            '--platform',
            platforms,
          ]),
      ],
    ];
    const before = options.before;
    if (before)
      runs.push([
        multiBefore,
        () =>
          slipway(
            {
              context: context(deps, `multi ${round} before`),
              builder: lab.builder,
              platforms,
              tags: `multi-b-${round}`,
            },
            before,
          ),
      ]);
    // Each contender goes first in turn.
    for (let i = 0; i < round % runs.length; i++) runs.push(runs.shift() as (typeof runs)[number]);
    for (const [samples, run] of runs) {
      const took = await time(run);
      if (round > 0) samples.push(took); // round 0 warms the dependency step for both
    }
  }

  const result = {
    depsSeconds,
    rounds,
    cold: median(cold),
    rebuildSlipway: median(warmSlipway),
    rebuildByHand: median(warmByHand),
    multiRounds: multiRounds - 1,
    multiSlipway: median(multiSlipway),
    multiByHand: median(multiByHand),
    ...(multiBefore.length > 0 && { multiBefore: median(multiBefore) }),
    baseLookup: median(lookups),
  };
  return {
    ...result,
    speedup: result.cold / result.rebuildSlipway,
    overhead: result.rebuildSlipway - result.rebuildByHand,
    multiRatio: result.multiSlipway / result.multiByHand,
    multiPairedRatio: median(multiSlipway.map((took, i) => took / (multiByHand[i] as number))),
  };
}

export function formatBuild(r: BuildBench): string {
  return [
    `Dependency step: ${r.depsSeconds} s; medians of ${r.rounds} rounds (cache) and ${r.multiRounds} rounds (two platforms).`,
    '',
    '| measurement | build-and-tag | by hand (docker buildx build) | result | target |',
    '| --- | --- | --- | --- | --- |',
    ...(r.rounds === 0
      ? []
      : [
          `| cold build, fresh builder, exports registry cache | ${ms(r.cold)} | | | |`,
          `| rebuild after a one-line change, fresh builder, registry cache | ${ms(r.rebuildSlipway)} | ${ms(r.rebuildByHand)} | ${r.speedup.toFixed(1)}× faster than cold; overhead ${ms(r.overhead)} | several × ${r.speedup >= 3 ? '✓' : '✗'}; ≤ 300 ms ${r.overhead <= 300 ? '✓' : '✗'} |`,
        ]),
    `| two-platform build and push (lab builder) | ${ms(r.multiSlipway)} | ${ms(r.multiByHand)} | ${r.multiRatio.toFixed(2)}× (median of the rounds' own ratios ${r.multiPairedRatio.toFixed(2)}×) | ≤ 1.1× ${r.multiRatio <= 1.1 ? '✓' : '✗'} |`,
    ...(r.multiBefore === undefined
      ? []
      : [
          `| the same, by the build-and-tag given as --before | ${ms(r.multiBefore)} | ${ms(r.multiByHand)} | ${(r.multiBefore / r.multiByHand).toFixed(2)}× | |`,
        ]),
    '',
    `Base-image registry lookups before the build (median of 5): ${ms(r.baseLookup)}.`,
  ].join('\n');
}
