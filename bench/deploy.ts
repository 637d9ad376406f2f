/**
 * remote-deploy-ssh on the lab hosts:
 * - downtime of a rolling deploy under continuous load (target: 0 failed requests; requests/s), and
 *   the requests' latency during it beside the same load idle (targets: no request slower than the
 *   idle p99 + 250 ms, p99.9 within 2× the idle p99.9), and the same through a rollback;
 * - two hosts deployed in parallel vs one host (target: ≤ 1.3× the time of one host);
 * - the action's own overhead beyond pulling the image and waiting for health (target: < 2 s/host).
 */
import { randomBytes } from 'node:crypto';
import { hostCleanup, serviceCleanup } from '../test/helpers/host-cleanup';
import { labDeployInputs } from '../test/helpers/lab-ssh';
import { type LatencySummary, startLoad, switchLimits } from '../test/helpers/load';
import { runBundle } from '../test/helpers/run-bundle';
import { type LabInfo, publishFixtureApp } from '../test/lab/lab';
import { median, ms } from './measure';

export interface DeployBench {
  readonly load: { requests: number; failures: number; requestsPerSecond: number };
  readonly idleLatency: LatencySummary;
  readonly switchLatency: LatencySummary;
  /** `rollback: true` under the same load, every host back to the version before. */
  readonly rollback: { failures: number; requests: number; latency: LatencySummary };
  readonly oneHostMs: number;
  readonly twoHostsMs: number;
  readonly ratio: number;
  readonly overheadPerHostMs: number;
  /** The same figures by an earlier remote-deploy-ssh bundle (--before=FILE), in the same rounds. */
  readonly before?: { oneHostMs: number; twoHostsMs: number; ratio: number; overheadPerHostMs: number };
}

export async function benchDeploy(lab: LabInfo, rounds = 3, before?: string): Promise<DeployBench> {
  const service = `bench-${randomBytes(3).toString('hex')}`;
  const clean = hostCleanup(lab, service, serviceCleanup(service));
  const images: string[] = [];
  for (const tag of ['a', 'b'])
    images.push(await publishFixtureApp(lab.registries.staging, `bench/${service}`, tag));
  const publish = '8089';
  const inputs = (hosts: readonly LabInfo['hosts'][number][], image: string) => ({
    ...labDeployInputs(lab, hosts),
    image,
    name: service,
    port: '8080',
    publish,
    'health-path': '/health',
  });
  const deploy = async (hosts: readonly LabInfo['hosts'][number][], image: string, bundle?: string) => {
    const started = performance.now();
    const run = await runBundle('remote-deploy-ssh', inputs(hosts, image), bundle ? { bundle } : {});
    if (run.exitCode !== 0) throw new Error(run.log);
    const results = JSON.parse(run.outputs.hosts ?? '[]') as Array<{
      pullMs?: number;
      healthMs?: number;
      stopMs?: number;
    }>;
    return { ms: performance.now() - started, results };
  };
  try {
    const all = lab.hosts;
    await deploy(all, images[0] as string);
    const urls = all.map((h) => `http://${h.address}:${publish}/version`);
    // The same load with nothing deployed, for the latency a switch is held against.
    const idle = startLoad(urls, { workers: 2, maxMs: 8000 });
    await new Promise((r) => setTimeout(r, 8000));
    const idleReport = await idle.stop();
    // Downtime and latency under load.
    const load = startLoad(urls, { workers: 2 });
    await deploy(all, images[1] as string);
    const report = await load.stop();
    const rollingBack = startLoad(urls, { workers: 2 });
    const back = await runBundle('remote-deploy-ssh', { ...inputs(all, ''), rollback: 'true' });
    const rollbackReport = await rollingBack.stop();
    if (back.exitCode !== 0) throw new Error(back.log);

    // One host vs two hosts, alternating versions so every deploy changes something.
    const timed = () => ({ one: [] as number[], two: [] as number[], overhead: [] as number[] });
    const now = timed();
    const earlier = timed();
    // Every timed deploy changes the version on every host it targets (the rollback left images[0]).
    let current = 0;
    const other = () => images[(current + 1) % 2] as string;
    const first = all[0] as LabInfo['hosts'][number];
    const single = async (image: string, into: ReturnType<typeof timed>, bundle?: string) => {
      const run = await deploy([first], image, bundle);
      into.one.push(run.ms);
      const r = run.results[0];
      into.overhead.push(run.ms - (r?.pullMs ?? 0) - (r?.healthMs ?? 0) - (r?.stopMs ?? 0));
    };
    for (let round = 0; round < rounds; round++) {
      await single(other(), now);
      // The earlier bundle takes host 1 back (both hosts on the same version again), else host 2 catches up.
      if (before) await single(images[current] as string, earlier, before);
      else {
        await deploy(all, other());
        current = (current + 1) % 2;
      }
      now.two.push((await deploy(all, other())).ms);
      current = (current + 1) % 2;
      if (before) {
        earlier.two.push((await deploy(all, other(), before)).ms);
        current = (current + 1) % 2;
      }
    }
    const oneHostMs = median(now.one);
    const twoHostsMs = median(now.two);
    return {
      load: {
        requests: report.requests,
        failures: report.failures,
        requestsPerSecond: report.requestsPerSecond,
      },
      idleLatency: idleReport.latency,
      switchLatency: report.latency,
      rollback: {
        failures: rollbackReport.failures,
        requests: rollbackReport.requests,
        latency: rollbackReport.latency,
      },
      oneHostMs,
      twoHostsMs,
      ratio: twoHostsMs / oneHostMs,
      overheadPerHostMs: median(now.overhead),
      ...(before && {
        before: {
          oneHostMs: median(earlier.one),
          twoHostsMs: median(earlier.two),
          ratio: median(earlier.two) / median(earlier.one),
          overheadPerHostMs: median(earlier.overhead),
        },
      }),
    };
  } finally {
    await clean();
  }
}

const latency = (l: LatencySummary) => `p50 ${l.p50} / p99 ${l.p99} / p99.9 ${l.p999} / max ${l.max} ms`;

/** Issue 32's bound on a switch's latency against the idle figures, strict. */
function bound(idle: LatencySummary, during: LatencySummary): string {
  const limits = switchLimits(idle);
  const slowOk = during.max <= limits.maxMs;
  const tailOk = during.p999 <= limits.p999Ms;
  return `max ≤ idle p99 + 250 ms ${slowOk ? '✓' : '✗'}; p99.9 ≤ 2× idle p99.9 ${tailOk ? '✓' : '✗'}`;
}

export function formatDeploy(b: DeployBench): string {
  return [
    '| measure | result | target |',
    '| --- | --- | --- |',
    `| rolling deploy of 2 hosts under load | ${b.load.failures} failed of ${b.load.requests} requests (${b.load.requestsPerSecond.toFixed(0)} req/s) | 0 failed ${b.load.failures === 0 ? '✓' : '✗'} |`,
    `| request latency, idle | ${latency(b.idleLatency)} | |`,
    `| request latency during the deploy | ${latency(b.switchLatency)} | ${bound(b.idleLatency, b.switchLatency)} |`,
    `| rollback of 2 hosts under load | ${b.rollback.failures} failed of ${b.rollback.requests} requests; ${latency(b.rollback.latency)} | 0 failed ${b.rollback.failures === 0 ? '✓' : '✗'}; ${bound(b.idleLatency, b.rollback.latency)} |`,
    `| one host / two hosts in parallel (median) | ${ms(b.oneHostMs)} / ${ms(b.twoHostsMs)} = ${b.ratio.toFixed(2)}× | ≤ 1.3× ${b.ratio <= 1.3 ? '✓' : '✗'} |`,
    `| overhead beyond pull, health wait and the old version's graceful stop, one host (median; whole step incl. process start, SSH, lock) | ${ms(b.overheadPerHostMs)} | < 2 s ${b.overheadPerHostMs < 2000 ? '✓' : '✗'} |`,
    ...(b.before
      ? [
          `| the bundle given as --before: one host / two hosts (median) | ${ms(b.before.oneHostMs)} / ${ms(b.before.twoHostsMs)} = ${b.before.ratio.toFixed(2)}× | |`,
          `| the bundle given as --before: overhead, one host (median) | ${ms(b.before.overheadPerHostMs)} | |`,
        ]
      : []),
  ].join('\n');
}
