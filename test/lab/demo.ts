/**
 * `npm run demo`: the main job, locally. Brings the lab up and carries the fixture app through the
 * whole pipeline with the bundled actions, run exactly as a GitHub runner runs them: build and tag,
 * test in the image beside a database-like service, push to the staging registry, deploy to the
 * staging host, promote the same digest to the production registry, deploy it to the production
 * hosts with zero downtime. Prints each step's job summary.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BundleRun, runBundle } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';
import { LAB_SRC } from './config';
import { ensureLab, type LabInfo } from './lab';
import { holdLab } from './run-lock';

function step(title: string): () => void {
  const started = performance.now();
  process.stdout.write(`\n▶ ${title}\n`);
  return () => process.stdout.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

function check(name: string, run: BundleRun): BundleRun {
  if (run.exitCode !== 0) {
    process.stdout.write(run.log);
    throw new Error(`${name} failed`);
  }
  return run;
}

function deployInputs(lab: LabInfo, hosts: LabInfo['hosts'], image: string, publish: string, name: string) {
  return {
    hosts: hosts.map((h) => `${h.address}:${h.sshPort}`).join('\n'),
    username: lab.ssh.user,
    'private-key': readFileSync(lab.ssh.privateKeyPath, 'utf8'),
    'known-hosts': readFileSync(lab.ssh.knownHostsPath, 'utf8'),
    image,
    name,
    port: '8080',
    publish,
    'health-path': '/health',
    'proxy-image': lab.images.proxy,
    'secret-env': 'DATABASE_PASSWORD=demo-only-secret',
    volumes: `${name}-data:/data`,
  };
}

/** The demo's staging and production ports: none of the integration tests' (8080–8089). */
const STAGING_PORT = '8090';
const PRODUCTION_PORT = '8091';

/** Runs the demo while holding the lab (as a test run does): a test run beside it waits, and the reverse. */
export async function runDemo(): Promise<void> {
  const release = await holdLab((message) => process.stderr.write(`[lab] ${message}\n`));
  try {
    await demo();
  } finally {
    release();
  }
}

async function demo(): Promise<void> {
  const lab = await ensureLab();
  const { staging, production } = lab.registries;
  const run = Math.floor(Date.now() / 1000) % 100000;
  const event = join(tempDir('demo'), 'event.json');
  writeFileSync(event, JSON.stringify({ ref: 'refs/heads/main', repository: { default_branch: 'main' } }));
  const env = {
    SLIPWAY_DOCKER: lab.docker,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: event,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_SHA: '5117a7e0000000000000000000000000000d3m0',
    GITHUB_RUN_NUMBER: String(run),
    GITHUB_RUN_ID: String(run),
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_ACTOR: 'demo',
  };
  const summaries: string[] = [];

  let done = step('build-and-tag: BuildKit build of the fixture app, tagged for the staging registry');
  const build = check(
    'build-and-tag',
    await runBundle(
      'build-and-tag',
      {
        image: `${staging.host}/demo/shop`,
        context: join(LAB_SRC, 'fixtures', 'app'),
        'build-args': `BASE=${lab.images.busyboxInRegistry}\nVERSION=demo-${run}`,
      },
      { env },
    ),
  );
  summaries.push(build.summary);
  const version = build.outputs.version as string;
  process.stdout.write(`  version ${version}; tags:\n${(build.outputs.tags ?? '').replace(/^/gm, '    ')}\n`);
  done();

  done = step('test-in-container: the image’s test suite beside a database that takes 2 s to become healthy');
  const tests = check(
    'test-in-container',
    await runBundle(
      'test-in-container',
      {
        image: build.outputs['image-id'] as string,
        run: '/app/test.sh',
        services: `- name: db\n  image: ${lab.images.slowDb}\n  env: { DELAY: "2" }\n`,
        env: 'DB_HOST=db\nDB_PORT=6379\nREPORT=/reports/junit.xml',
        reports: '/reports',
      },
      { env },
    ),
  );
  summaries.push(tests.summary);
  process.stdout.write(`  ${tests.outputs.passed} passed, ${tests.outputs.failed} failed\n`);
  done();

  done = step('push-registry: push to the staging registry, digest read back');
  const push = check(
    'push-registry',
    await runBundle('push-registry', { tags: build.outputs.tags as string }, { env }),
  );
  summaries.push(push.summary);
  const digest = push.outputs.digest as string;
  process.stdout.write(`  ${digest}\n`);
  done();

  const [stagingHost, ...rest] = lab.hosts;
  done = step(
    `remote-deploy-ssh: deploy ${version} to the staging host ${stagingHost?.address}:${STAGING_PORT}`,
  );
  const stagingDeploy = check(
    'remote-deploy-ssh (staging)',
    await runBundle(
      'remote-deploy-ssh',
      deployInputs(
        lab,
        [stagingHost as LabInfo['hosts'][number]],
        `${staging.host}/demo/shop@${digest}`,
        STAGING_PORT,
        'demo-shop-staging',
      ),
      { env },
    ),
  );
  summaries.push(stagingDeploy.summary);
  done();

  done = step('promote-between-registries: the tested digest to the production registry (no daemon)');
  const promote = check(
    'promote-between-registries',
    await runBundle(
      'promote-between-registries',
      {
        source: `${staging.host}/demo/shop:${version}`,
        destination: `${production.host}/demo/shop`,
        tags: `${version}\nlatest`,
        'expected-digest': digest,
        'allow-overwrite': 'true',
        'destination-username': production.username as string,
        'destination-password': production.password as string,
      },
      { env },
    ),
  );
  summaries.push(promote.summary);
  process.stdout.write(
    `  ${promote.outputs['blobs-copied']} blobs copied, ${promote.outputs['blobs-skipped']} skipped\n`,
  );
  done();

  done = step(
    `remote-deploy-ssh: deploy ${version} to ${lab.hosts.length} production hosts (:${PRODUCTION_PORT}), zero downtime`,
  );
  const prod = check(
    'remote-deploy-ssh (production)',
    await runBundle(
      'remote-deploy-ssh',
      {
        ...deployInputs(
          lab,
          [stagingHost as LabInfo['hosts'][number], ...rest],
          `${production.host}/demo/shop:${version}`,
          PRODUCTION_PORT,
          'demo-shop',
        ),
        'registry-username': production.username as string,
        'registry-password': production.password as string,
      },
      { env },
    ),
  );
  summaries.push(prod.summary);
  done();

  const answers = await Promise.all(
    lab.hosts.map(
      async (h) =>
        `${h.address}:${PRODUCTION_PORT} → ${(await (await fetch(`http://${h.address}:${PRODUCTION_PORT}/version`)).text()).trim()}`,
    ),
  );
  process.stdout.write(`\nProduction answers:\n${answers.map((a) => `  ${a}`).join('\n')}\n`);
  process.stdout.write(
    `\n${'='.repeat(72)}\nThe job summaries a user would see on GitHub:\n${'='.repeat(72)}\n\n${summaries.join('\n')}`,
  );
}
