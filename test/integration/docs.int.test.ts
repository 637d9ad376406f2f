/**
 * The documentation's shell blocks that run against the lab (marked <!-- runs against the lab: … -->)
 * run here, as a reader would paste them: CONTRIBUTING's "Trying the CLI against the lab" deploys a
 * service, a second version is deployed, the rollback how-to's commands put the first back, and
 * the retire how-to's command removes the service. The example hosts, key, known_hosts and service
 * name are replaced by the lab's and this test's own; `slipway` is bin/slipway under Node 24.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { codeBlocks } from '../../scripts/doc-blocks.mjs';
import { publishFixtureApp } from '../lab/lab';
import { hostCleanup, serviceCleanup } from '../helpers/host-cleanup';
import { REPO_ROOT } from '../helpers/run-bundle';
import { tempDir } from '../helpers/temp';

const lab = inject('lab');
const ID = randomBytes(3).toString('hex');
const SERVICE = `test-docs-${ID}`;
const REPOSITORY = `docs/shop-${ID}`;
const host = lab.hosts[0] as (typeof lab.hosts)[number];
const bin = tempDir('docs-bin');
let first = '';
let second = '';

/** The blocks of a page marked to run against the lab. */
function labBlocks(page: string): string[] {
  const blocks = codeBlocks(readFileSync(join(REPO_ROOT, page), 'utf8')).filter((b) => b.lab);
  expect(blocks.length, `${page} has a block marked to run against the lab`).toBeGreaterThan(0);
  return blocks.map((b) => b.text);
}

/** The block with the example values replaced by the lab's, run by bash as a reader would. */
function run(block: string, replacements: ReadonlyArray<[string | RegExp, string]>): string {
  let script = block;
  for (const [from, to] of [
    ...replacements,
    [/\bweb1\.example\.com\b|\bold1\.example\.com\b/g, `${host.address}:${host.sshPort}`],
    [/--username deploy\b/g, `--username ${lab.ssh.user}`],
    [/~\/\.ssh\/deploy\b/g, lab.ssh.privateKeyPath],
    [/--known-hosts-file known_hosts\b/g, `--known-hosts-file ${lab.ssh.knownHostsPath}`],
    [/--name web\b/g, `--name ${SERVICE}`],
  ] as Array<[string | RegExp, string]>)
    script = script.replaceAll(from, to);
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      PATH: `${bin}:${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH}`,
      GITHUB_ACTIONS: '',
      TMPDIR: tempDir('docs-run'),
    },
    timeout: 240_000,
  });
  expect(result.status, `${script}\n---\n${result.stdout}\n${result.stderr}`).toBe(0);
  return `${result.stdout}${result.stderr}`;
}

const version = () =>
  spawnSync('curl', ['-fsS', `http://${host.address}:8080/version`], { encoding: 'utf8' }).stdout.trim();

beforeAll(async () => {
  writeFileSync(
    join(bin, 'slipway'),
    `#!/bin/sh\nexec "${join(REPO_ROOT, 'node_modules', '.bin', 'node')}" "${join(REPO_ROOT, 'bin', 'slipway')}" "$@"\n`,
  );
  chmodSync(join(bin, 'slipway'), 0o755);
  first = await publishFixtureApp(lab.registries.staging, REPOSITORY, `docs-1-${ID}`);
  second = await publishFixtureApp(lab.registries.staging, REPOSITORY, `docs-2-${ID}`);
});

/**
 * The service this test deploys, by exact name (its per-service proxy carries the same label), and
 * the images of this test's own repository, on the hosts and here.
 */
afterAll(
  hostCleanup(lab, SERVICE, [
    ...serviceCleanup(SERVICE),
    `docker images -q ${lab.registries.staging.host}/${REPOSITORY} | sort -u | xargs -r docker rmi -f >/dev/null 2>&1`,
  ]),
);
afterAll(() => {
  spawnSync(lab.docker, ['rmi', first, second].filter(Boolean), { stdio: 'ignore' });
});

describe('the docs’ shell blocks, against the lab', () => {
  it('CONTRIBUTING: trying the CLI deploys a service; roll-back: status and rollback put the previous version back; freeze: lock acquire, status, release; retire: remove takes it away', async () => {
    const started = performance.now();
    const [trying = ''] = labBlocks('CONTRIBUTING.md');
    const out = run(trying, [
      ['try-shop', SERVICE],
      ['127.0.0.1:5000/demo/shop:latest', first],
    ]);
    expect(out).toContain(`docs-1-${ID}`); // the block's curl of /version
    expect(version()).toBe(`docs-1-${ID}`);

    // A second version, the way the block deployed the first.
    run(
      trying
        .split('\n')
        .filter((l) => !/^(npm run lab|curl|npm run slipway -- status)/.test(l))
        .join('\n'),
      [
        ['try-shop', SERVICE],
        ['127.0.0.1:5000/demo/shop:latest', second],
      ],
    );
    expect(version()).toBe(`docs-2-${ID}`);

    const [rollback = ''] = labBlocks('docs/how-to/roll-back.md');
    const rolled = run(rollback, []);
    expect(rolled).toContain(`docs-1-${ID}`);
    expect(version()).toBe(`docs-1-${ID}`);

    const [freeze = ''] = labBlocks('docs/how-to/freeze-deploys.md');
    const frozen = run(freeze, []);
    expect(frozen).toContain('frozen=true');
    expect(frozen).toContain('"release week: only hotfixes, ask #ops"');
    expect(frozen).toContain('frozen=false'); // released at the end of the block

    const [retire = ''] = labBlocks('docs/how-to/add-or-retire-a-host.md');
    run(retire, []);
    const left = spawnSync(
      lab.docker,
      ['exec', host.container, 'docker', 'ps', '-aq', '--filter', `label=dev.slipway.service=${SERVICE}`],
      { encoding: 'utf8' },
    ).stdout.trim();
    expect(left).toBe('');
    console.log(`docs shell blocks against the lab: ${Math.round((performance.now() - started) / 1000)} s`);
  }, 600_000);
});
