/**
 * Every platform tested, in one run on the lab (linux/arm64 emulated by QEMU through binfmt_misc):
 *
 * (a) the arch fixture's tests in its amd64 image (native) and its arm64 image (emulated), each a
 *     `docker run` of the platform's manifest pulled by digest; and a CPU-bound shell loop in each,
 *     which shows what emulation costs where it is not hidden behind container start-up.
 * (b) a two-platform build, test on both platforms and push, a one-line change each round: the
 *     root action (build-test-push's one step) against the same by hand — `docker buildx build`
 *     of both platforms, each platform loaded and run with `docker run --platform`, then pushed.
 */
import { randomBytes } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked } from '../src/command/command';
import { LocalRunner } from '../src/command/local-runner';
import { clientFor } from '../src/registry/resolve';
import { runBundle } from '../test/helpers/run-bundle';
import { tempDir } from '../test/helpers/temp';
import { LAB_SRC } from '../test/lab/config';
import type { LabInfo } from '../test/lab/lab';
import { compare, median, ms, time } from './measure';

export interface PlatformsBench {
  readonly rounds: number;
  readonly testsAmd64: number;
  readonly testsArm64: number;
  readonly loopAmd64: number;
  readonly loopArm64: number;
  readonly pipelineRounds: number;
  readonly pipeline: number;
  readonly byHand: number;
}

const local = new LocalRunner();
const LOOP = 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done';

function context(round: string): string {
  const dir = tempDir('bench-platforms');
  cpSync(join(LAB_SRC, 'fixtures', 'arch'), dir, { recursive: true });
  const script = join(dir, 'test.sh');
  writeFileSync(script, `${readFileSync(script, 'utf8')}# round ${round}\n`, { mode: 0o755 });
  return dir;
}

export async function benchPlatforms(
  lab: LabInfo,
  options: { rounds?: number; pipelineRounds?: number } = {},
): Promise<PlatformsBench> {
  const rounds = options.rounds ?? 7;
  const pipelineRounds = options.pipelineRounds ?? 3;
  const docker = (...args: string[]) => runChecked(local, { argv: [lab.docker, ...args] });
  const staging = lab.registries.staging.host;
  const id = randomBytes(3).toString('hex');
  const repository = `bench/platforms-${id}`;
  const name = `${staging}/${repository}`;
  const made: string[] = [];
  try {
    // (a) one index, each platform pulled by digest, then run alternately.
    await docker('buildx', 'build', '--builder', lab.builder, '--platform', 'linux/amd64,linux/arm64',
      '--provenance', 'false', '--push', '--quiet', '--tag', `${name}:a`, context('a')); // prettier-ignore
    const index = JSON.parse((await clientFor(staging).getManifest(repository, 'a')).bytes.toString()) as {
      manifests: Array<{ digest: string; platform: { architecture: string } }>;
    };
    const image = (arch: string) =>
      `${name}@${index.manifests.find((m) => m.platform.architecture === arch)?.digest}`;
    for (const arch of ['amd64', 'arm64']) {
      await docker('pull', '--quiet', image(arch));
      made.push(image(arch));
    }
    const tests = await compare(rounds, {
      amd64: () => docker('run', '--rm', image('amd64')),
      arm64: () => docker('run', '--rm', image('arm64')),
    });
    const loop = await compare(Math.max(3, Math.floor(rounds / 2)), {
      amd64: () => docker('run', '--rm', image('amd64'), 'sh', '-c', LOOP),
      arm64: () => docker('run', '--rm', image('arm64'), 'sh', '-c', LOOP),
    });

    // (b) build, test both platforms, push: the root action against the same by hand.
    const env = { SLIPWAY_DOCKER: lab.docker };
    const slipway: number[] = [];
    const hand: number[] = [];
    for (let round = 0; round < pipelineRounds; round++) {
      const tag = `p${round}`;
      slipway.push(
        await time(async () => {
          const run = await runBundle(
            'pipeline',
            {
              image: name,
              context: context(`slipway ${round}`),
              platforms: 'linux/amd64,linux/arm64',
              builder: lab.builder,
              run: '/app/test.sh',
              tags: tag,
            },
            { env },
          );
          if (run.exitCode !== 0) throw new Error(`the root action failed:\n${run.log}`);
          made.push(...(run.outputs.tags?.split('\n').filter(Boolean) ?? []));
        }),
      );
      hand.push(
        await time(async () => {
          const dir = context(`hand ${round}`);
          const common = ['buildx', 'build', '--builder', lab.builder, '--quiet', '--provenance', 'false'];
          await docker(...common, '--platform', 'linux/amd64,linux/arm64', dir);
          for (const platform of ['linux/amd64', 'linux/arm64']) {
            const local = `${name}:hand-${round}-${platform.split('/')[1]}`;
            await docker(...common, '--platform', platform, '--load', '--tag', local, dir);
            made.push(local);
            await docker('run', '--rm', '--platform', platform, local);
          }
          await docker(
            ...common,
            '--platform',
            'linux/amd64,linux/arm64',
            '--push',
            '--tag',
            `${name}:hand-${round}`,
            dir,
          );
        }),
      );
    }
    return {
      rounds,
      testsAmd64: tests.amd64 as number,
      testsArm64: tests.arm64 as number,
      loopAmd64: loop.amd64 as number,
      loopArm64: loop.arm64 as number,
      pipelineRounds,
      pipeline: median(slipway),
      byHand: median(hand),
    };
  } finally {
    if (made.length > 0) await local.run({ argv: [lab.docker, 'image', 'rm', '--force', ...new Set(made)] });
  }
}

export function formatPlatforms(r: PlatformsBench): string {
  return [
    `Medians of ${r.rounds} rounds (tests), ${Math.max(3, Math.floor(r.rounds / 2))} (loop) and ${r.pipelineRounds} (build-test-push, a one-line change each round); linux/arm64 under QEMU (qemu-user-static 7.2, binfmt_misc).`,
    '',
    '| measurement | linux/amd64 (native) | linux/arm64 (emulated) | emulation costs |',
    '| --- | --- | --- | --- |',
    `| the arch fixture's tests (docker run of the platform's image) | ${ms(r.testsAmd64)} | ${ms(r.testsArm64)} | ${(r.testsArm64 / r.testsAmd64).toFixed(2)}× |`,
    `| a CPU-bound shell loop (300 000 iterations of busybox sh) | ${ms(r.loopAmd64)} | ${ms(r.loopArm64)} | ${(r.loopArm64 / r.loopAmd64).toFixed(1)}× |`,
    '',
    '| two-platform build, tests on both platforms, push | root action | by hand (buildx build, --load and docker run --platform per platform, buildx --push) | ratio |',
    '| --- | --- | --- | --- |',
    `| median | ${ms(r.pipeline)} | ${ms(r.byHand)} | ${(r.pipeline / r.byHand).toFixed(2)}× |`,
  ].join('\n');
}
