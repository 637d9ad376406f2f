/**
 * (experiment) One switch under load on one lab host, with every request's timing and the host's
 * engine events on one clock: where do the slow requests fall?
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { hostCleanup, serviceCleanup } from '../test/helpers/host-cleanup';
import { removeTempDirs } from '../test/helpers/temp';
import { labDeployInputs } from '../test/helpers/lab-ssh';
import { summarizeLatency, switchLimits } from '../test/helpers/load';
import { LocalRunner } from '../src/command/local-runner';
import { runBundle } from '../test/helpers/run-bundle';
import { publishFixtureApp, readLabInfo } from '../test/lab/lab';

const lab = readLabInfo();
const local = new LocalRunner();
/** A shell line inside a lab host (test/helpers/lab-host.ts is vitest's: not usable here). */
const onHost = async (line: string) =>
  (await local.run({ argv: [lab.docker, 'exec', host.container, 'sh', '-c', line] })).stdout.trim();
const mode = process.argv[2] ?? 'publish';
const hostIndex = Number(process.argv[3] ?? 1);
const host = lab.hosts[hostIndex] ?? lab.modernHost;
const rounds = Number(process.argv[4] ?? 2);
/** Another build of the bundle to probe (an earlier commit's, for a before/after in one run). */
const bundle = process.env.SLIPWAY_PROBE_BUNDLE;
const service = `lat-${randomBytes(3).toString('hex')}`;
/**
 * SLIPWAY_PROBE_CONTROL=1: the rounds deploy a second service on the same host instead (the same
 * pull, start, health check and switch, for another proxy): what the deploys cost the requests
 * without any switch behind the proxy they go through.
 */
const control = process.env.SLIPWAY_PROBE_CONTROL === '1' ? `${service}c` : undefined;
const port = mode === 'publish' ? 8081 : 8088;
const agent = new http.Agent({ keepAlive: false });
const t0 = performance.now();
/** The wall clock at t0, to line the timeline up with what a host's own clock recorded. */
const epoch = Date.now();
const now = () => performance.now() - t0;

function get(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: host.address,
        port,
        path: '/version',
        agent,
        timeout: 5000,
        headers: { host: `${service}.test` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function main() {
  // The shared proxy is the host's: probe it only on a host where none runs, and take it away after
  // unless another service has routes on it by then (its record beside this one's).
  const routes = '/home/deploy/.slipway/_proxy/routes';
  const services = [service, ...(control ? [control] : [])];
  const ours = services.map((s) => `-e '^${s}.json$'`).join(' ');
  const sharedProxy = [
    `if [ -z "$(ls ${routes} 2>/dev/null | grep -v ${ours})" ]; then`,
    'docker rm -f slipway-proxy >/dev/null 2>&1; docker volume rm slipway-proxy-data >/dev/null 2>&1',
    'rm -rf /home/deploy/.slipway/_proxy',
    `else ${services.map((s) => `rm -f ${routes}/${s}.json`).join('; ')}; fi`,
  ];
  if (mode !== 'publish') {
    const running = await onHost('docker ps -aq --filter name=^/slipway-proxy$');
    if (running)
      throw new Error(`${host.name} runs a shared proxy already (another test's): pick another host`);
  }
  const clean = hostCleanup(lab, service, serviceCleanup(service));
  const cleanControl = control ? hostCleanup(lab, control, serviceCleanup(control)) : undefined;
  const images: string[] = [];
  for (const tag of ['a', 'b'])
    images.push(await publishFixtureApp(lab.registries.staging, `lat/${service}`, tag));
  const inputs = (image: string, name = service) => ({
    ...labDeployInputs(lab, [host]),
    image,
    name,
    port: '8080',
    'health-path': '/health',
    ...(mode === 'publish'
      ? { publish: String(name === service ? port : 18099) }
      : { hostnames: `${name}.test`, tls: 'off', 'http-port': '8088', 'https-port': '8089' }),
  });
  try {
    const first = await runBundle('remote-deploy-ssh', inputs(images[0] as string), {
      ...(bundle && { bundle }),
    });
    if (first.exitCode !== 0) throw new Error(first.log);
    if (control) {
      const other = await runBundle('remote-deploy-ssh', inputs(images[0] as string, control), {
        ...(bundle && { bundle }),
      });
      if (other.exitCode !== 0) throw new Error(other.log);
    }
    const events: string[] = [];
    const watcher = spawn(
      lab.docker,
      [
        'exec',
        host.container,
        'timeout',
        '120',
        'docker',
        'events',
        '--format',
        '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Actor.Attributes.container}}',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    watcher.stdout.setEncoding('utf8');
    let buf = '';
    watcher.stdout.on('data', (c: string) => {
      buf += c;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) events.push(`${now().toFixed(0)} ${l}`);
    });
    let stop = false;
    const samples: Array<[number, number, string]> = [];
    const loop = async () => {
      while (!stop) {
        const s = now();
        let status = '';
        try {
          status = String(await get());
        } catch (e) {
          status = (e as Error).message;
        }
        samples.push([s, now() - s, status]);
      }
    };
    const loops = Array.from({ length: 4 }, loop);
    const idleFrom = now();
    await new Promise((r) => setTimeout(r, 3000));
    const idleTo = now();
    const marks: string[] = [];
    for (let i = 0; i < rounds; i++) {
      marks.push(`${now().toFixed(0)} deploy ${i} start`);
      const run = await runBundle('remote-deploy-ssh', inputs(images[(i + 1) % 2] as string, control), {
        ...(bundle && { bundle }),
      });
      marks.push(`${now().toFixed(0)} deploy ${i} end exit ${run.exitCode}`);
      if (run.exitCode !== 0) console.log(run.log);
    }
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await Promise.all(loops);
    watcher.kill();
    // The same nearest-rank percentiles as the tests' load helper.
    const window = (from: number, to: number) =>
      samples.filter(([t]) => t >= from && t < to).map(([t, d]) => [t, d] as const);
    const idleSamples = window(idleFrom, idleTo);
    const duringSamples = window(idleTo, Number.POSITIVE_INFINITY);
    const idle = { n: idleSamples.length, ...summarizeLatency(idleSamples), slowest: undefined };
    const during = { n: duringSamples.length, ...summarizeLatency(duringSamples), slowest: undefined };
    console.log(
      `mode ${mode} host ${host.name} idle n=${idle.n} p50 ${idle.p50} p99 ${idle.p99} max ${idle.max}`,
    );
    console.log(
      `during n=${during.n} p50 ${during.p50} p99 ${during.p99} p99.9 ${during.p999} max ${during.max}`,
    );
    const bound = switchLimits(idle).maxMs;
    console.log(
      `RESULT ${JSON.stringify({
        mode,
        host: host.name,
        build: process.env.SLIPWAY_PROBE_LABEL ?? 'this',
        ...(control && { control: true }),
        idle,
        during,
        failed: samples.filter(([, , st]) => st !== '200').length,
        overBound: samples.filter(([t, d]) => t >= idleTo && d > bound).length,
      })}`,
    );
    const slow = samples.filter(([, d, st]) => d > 60 || st !== '200');
    const timeline = [
      ...marks,
      ...events.filter((e) => !/exec_(create|start|die)|top/.test(e)),
      ...slow.map(([s, d, st]) => `${s.toFixed(0)} SLOW ${d.toFixed(0)} ms ${st}`),
    ].sort((a, b) => Number(a.split(' ')[0]) - Number(b.split(' ')[0]));
    console.log(`T0 ${epoch}`);
    console.log(timeline.join('\n'));
  } finally {
    // The proxy first: a network it is attached to cannot be removed.
    if (mode !== 'publish') await onHost(`${sharedProxy.join('\n')}\ntrue`);
    await clean();
    await cleanControl?.();
    // Each bundle run's RUNNER_TEMP (secrets first): outside vitest nothing else removes them.
    removeTempDirs();
  }
}
void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
