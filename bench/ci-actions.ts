/**
 * Overhead of build-and-tag, test-in-container and push-registry over the bare docker commands
 * they run, each action started as the runner starts it (a fresh Node 24 process loading its
 * bundle). Target: under 300 ms per action.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runChecked } from '../src/command/command';
import { LocalRunner } from '../src/command/local-runner';
import { runBundle } from '../test/helpers/run-bundle';
import { LAB_SRC } from '../test/lab/config';
import type { LabInfo } from '../test/lab/lab';
import { compare, ms } from './measure';

export interface OverheadRow {
  readonly action: string;
  readonly bare: number;
  readonly action_ms: number;
  readonly overhead: number;
}

function row(action: string, medians: Record<string, number>): OverheadRow {
  const bare = medians.bare as number;
  const actionMs = medians.action as number;
  return { action, bare, action_ms: actionMs, overhead: actionMs - bare };
}

export async function benchCiActions(lab: LabInfo, rounds = 7): Promise<OverheadRow[]> {
  const local = new LocalRunner();
  const docker = (...args: string[]) =>
    runChecked(local, { argv: [lab.docker, ...args], env: { DOCKER_BUILDKIT: '1' } });
  const env = { SLIPWAY_DOCKER: lab.docker };
  const context = join(LAB_SRC, 'fixtures', 'app');
  const repo = `${lab.registries.staging.host}/bench/app`;
  const event = { GITHUB_REF: 'refs/heads/bench', GITHUB_SHA: '0123456789abcdef', GITHUB_RUN_NUMBER: '1' };
  const rows: OverheadRow[] = [];

  // Warm the build cache so both sides measure the same cached build.
  await docker('build', '--quiet', '--tag', `${repo}:bench`, context);
  const build = await compare(rounds, {
    bare: () =>
      docker(
        'build',
        '--progress',
        'plain',
        '--tag',
        `${repo}:bench`,
        '--tag',
        `${repo}:sha-0123456`,
        context,
      ),
    action: async () => {
      const r = await runBundle(
        'build-and-tag',
        { image: repo, context, tags: 'bench' },
        { env: { ...env, ...event } },
      );
      if (r.exitCode !== 0) throw new Error(r.log);
    },
  });
  rows.push(row('build-and-tag', build));

  // Names of this run's own (exact names: docker rm and network rm match them exactly).
  const container = `bench-tests-${randomBytes(3).toString('hex')}`;
  const net = `bench-net-${randomBytes(3).toString('hex')}`;
  const test = await compare(rounds, {
    bare: async () => {
      await docker('network', 'create', net);
      await docker(
        'run',
        '--name',
        container,
        '--network',
        net,
        '--entrypoint',
        '',
        `${repo}:bench`,
        'sh',
        '-c',
        'true',
      );
      await docker('rm', '--force', '--volumes', container);
      await docker('network', 'rm', net);
    },
    action: async () => {
      const r = await runBundle('test-in-container', { image: `${repo}:bench`, run: 'true' }, { env });
      if (r.exitCode !== 0) throw new Error(r.log);
    },
  });
  rows.push(row('test-in-container', test));

  await docker('push', `${repo}:bench`);
  const push = await compare(rounds, {
    bare: () => docker('push', `${repo}:bench`),
    action: async () => {
      const r = await runBundle('push-registry', { tags: `${repo}:bench` }, { env });
      if (r.exitCode !== 0) throw new Error(r.log);
    },
  });
  rows.push(row('push-registry', push));
  return rows;
}

export function formatOverhead(rows: readonly OverheadRow[]): string {
  const lines = [
    '| action | bare docker | action (bundle, cold start) | overhead | target |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.action} | ${ms(r.bare)} | ${ms(r.action_ms)} | ${ms(r.overhead)} | ${r.overhead < 300 ? '< 300 ms ✓' : '≥ 300 ms ✗'} |`,
    );
  }
  return lines.join('\n');
}
