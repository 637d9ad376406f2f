import { describe, expect, it } from 'vitest';
import type { DeployResult, HostResult } from '../../../src/deploy-core/result';
import { deploySummary } from '../../../src/remote-deploy-ssh/operation';
import type { AnyDeployRequest } from '../../../src/remote-deploy-ssh/request';

const D1 = `sha256:${'1'.repeat(64)}`;
const D0 = `sha256:${'0'.repeat(64)}`;
const host = (name: string, image: string): HostResult => ({
  host: name,
  previous: `reg.test/app@${D0}`,
  image,
  container: 'web-2',
  durationMs: 1200,
  result: 'deployed',
});

describe('the deploy summary', () => {
  it('says per host whether what it now runs was verified, with its test run', () => {
    const hosts = [host('h1', `reg.test/app@${D1}`), host('h2', `reg.test/app:tag`)];
    const result: DeployResult = {
      digest: D1,
      changed: true,
      hosts,
      previousImage: null,
      verified: [
        {
          image: 'reg.test/app',
          digest: D1,
          ok: true,
          signatures: [],
          attestations: [],
          problems: [],
          ignored: [],
          tests: { result: 'PASSED', passed: 3, failed: 0, url: 'https://ci.test/run/7' },
        },
      ],
    };
    const text = deploySummary(
      { mode: 'container', name: 'web' } as unknown as AnyDeployRequest,
      result,
      hosts,
    ).join('\n');
    expect(text).toContain('| Verified |');
    expect(text).toMatch(
      /\| h1 \|.*\| yes; tests PASSED \(3 passed, 0 failed\) https:\/\/ci\.test\/run\/7 \|/,
    );
    expect(text).toMatch(/\| h2 \|.*\| — \|/);
    // without verify-key, no column
    const plain = deploySummary(
      { mode: 'container', name: 'web' } as unknown as AnyDeployRequest,
      { ...result, verified: [] },
      hosts,
    );
    expect(plain.join('\n')).not.toContain('Verified');
    expect(plain.join('\n')).not.toContain('Promotion');
  });

  it('says per host which promotion put what it now runs in its registry, when a record says so', () => {
    const hosts = [host('h1', `reg.test/app@${D1}`), host('h2', `reg.test/app@${D0}`)];
    const result: DeployResult = { digest: D1, changed: true, hosts, previousImage: null };
    const line = 'promoted from staging.test/app:1 by https://ci.test/run/8 at 2026-12-01T10:00:00.000Z';
    const text = deploySummary(
      { mode: 'container', name: 'web' } as unknown as AnyDeployRequest,
      result,
      hosts,
      undefined,
      new Map([[`reg.test/app@${D1}`, line]]),
    ).join('\n');
    expect(text).toContain('| Promotion |');
    expect(text).toContain(`| \`${line}\` |`); // registry text as code, never as markdown
    expect(text).toMatch(/\| h2 \|.*\| — \|/);
  });

  it('titles a deploy that only set routes again as rerouted, not deployed', () => {
    const same = `reg.test/app@${D1}`;
    const rerouted: HostResult = { ...host('h1', same), previous: same, result: 'rerouted' };
    const unchanged: HostResult = { ...host('h2', same), previous: same, result: 'unchanged' };
    const request = { mode: 'container', name: 'web' } as unknown as AnyDeployRequest;
    const summary = (hosts: HostResult[]) =>
      deploySummary(request, { digest: D1, changed: true, hosts, previousImage: null }, hosts)[0];
    expect(summary([rerouted, unchanged])).toContain('Rerouted web (the running version kept)');
    expect(summary([rerouted, host('h3', same)])).toContain('Deployed web');
    expect(summary([unchanged])).toContain('Deployed web'); // changed without a reroute: as before
  });
});
