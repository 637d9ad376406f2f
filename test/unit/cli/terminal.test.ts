import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp';
import { formatStatus, statusError } from '../../../src/cli/commands';
import { ciEnvironment, localChanges } from '../../../src/cli/git';
import { summaryText } from '../../../src/cli/render';
import { Code, facts, heading, table } from '../../../src/common/summary';
import { Inputs } from '../../../src/common/inputs';
import { readLogsOptions } from '../../../src/remote-deploy-ssh/logs';
import type { HostStatus } from '../../../src/remote-deploy-ssh/status';

describe('summaries at a terminal', () => {
  it('renders headings, facts and tables as aligned plain text, without Markdown', () => {
    const text = [
      heading('Pushed'),
      table(
        ['Reference', 'Attempts'],
        [
          [new Code('r/app:1'), 1],
          [new Code('r/app:latest'), 2],
        ],
      ),
      facts([
        ['Digest', new Code('sha256:abc')],
        ['Pinned references', 'r/app@sha256:abc\nr/b@sha256:abc'],
        ['Note', 'a <b> | c'],
      ]),
    ]
      .map(summaryText)
      .join('\n\n');
    expect(text).toBe(
      [
        'Pushed',
        '',
        'Reference     Attempts',
        '------------  --------',
        'r/app:1       1',
        'r/app:latest  2',
        '',
        'Digest:            sha256:abc',
        'Pinned references: r/app@sha256:abc',
        '                   r/b@sha256:abc',
        'Note:              a <b> | c',
      ].join('\n'),
    );
    expect(text).not.toMatch(/^\||`|###|&lt;|<br>/m);
  });
});

const host = (over: Partial<HostStatus>): HostStatus => ({
  host: 'deploy@h1:22',
  containers: [],
  audit: [],
  ...over,
});

describe('status', () => {
  it('says when a service runs on no host (a failure), and when a host could not be read', () => {
    expect(statusError([host({}), host({ host: 'deploy@h2:22' })], 'nope')).toBe(
      'no service named nope on any of the 2 hosts',
    );
    expect(formatStatus([host({})])).toEqual(['deploy@h1:22: nothing of this service runs here']);
    expect(statusError([host({ error: 'boom' })], 'web')).toBe('some hosts could not be read');
    const running = host({
      containers: [
        {
          name: 'web-2',
          role: 'app',
          image: 'r/app@sha256:1',
          version: '2',
          state: 'running',
          since: 't2',
          health: 'healthy',
        },
        { name: 'web-1', role: 'app', image: 'r/app@sha256:0', version: '1', state: 'exited', since: 't1' },
      ],
    });
    expect(statusError([running], 'web')).toBeUndefined();
    expect(formatStatus([running])[0]).toBe(
      [
        'deploy@h1:22',
        '  running  web-2  r/app@sha256:1 (2)  since t2  healthy',
        '  exited   web-1  r/app@sha256:0 (1)  since t1',
      ].join('\n'),
    );
    // The ledger: verification, the promotion that put the digest in its registry, the deploy run.
    const [first, ...rest] = running.containers;
    const ledger = host({
      containers: [
        {
          ...(first as HostStatus['containers'][number]),
          verified: true,
          tests: 'PASSED (3 passed, 0 failed) https://ci/runs/1',
          promoted: 'promoted from s/app:2 by https://ci/runs/2 at 2026-12-01T10:00:00.000Z',
          run: 'https://ci/runs/3',
        },
        ...rest,
      ],
    });
    expect(formatStatus([ledger])[0]).toBe(
      [
        'deploy@h1:22',
        '  running  web-2  r/app@sha256:1 (2)  since t2  healthy',
        '           verified: PASSED (3 passed, 0 failed) https://ci/runs/1',
        '           promoted from s/app:2 by https://ci/runs/2 at 2026-12-01T10:00:00.000Z',
        '           deployed by https://ci/runs/3',
        '  exited   web-1  r/app@sha256:0 (1)  since t1',
      ].join('\n'),
    );
  });

  it("shows each host's platform and whether the platform image it runs was tested", () => {
    const variant = (tested: 'yes' | 'no' | 'unknown', detail: string) =>
      host({
        platform: 'linux/amd64',
        containers: [
          {
            name: 'web-2',
            role: 'app',
            image: 'r/app@sha256:1',
            version: '2',
            state: 'running',
            since: 't2',
            variant: { platform: 'linux/amd64', digest: 'sha256:a', tested, detail },
          },
        ],
      });
    expect(formatStatus([variant('yes', 'tested: PASSED (3 passed, 0 failed)')])[0]).toBe(
      [
        'deploy@h1:22 (linux/amd64)',
        '  running  web-2  r/app@sha256:1 (2)  since t2',
        '           runs the linux/amd64 image sha256:a: tested: PASSED (3 passed, 0 failed)',
      ].join('\n'),
    );
    expect(
      formatStatus([variant('unknown', 'unknown: no verify-key to check its attestations with')])[0],
    ).toContain('runs the linux/amd64 image sha256:a: unknown: no verify-key');
    expect(formatStatus([host({ platform: 'linux/arm64' })])).toEqual([
      'deploy@h1:22 (linux/arm64): nothing of this service runs here',
    ]);
  });
});

describe('logs options', () => {
  const read = (values: Record<string, string>) => readLogsOptions(new Inputs((n) => values[n]));
  it('reads since, tail and follow, and refuses a malformed since', () => {
    expect(read({})).toEqual({ follow: false, tail: 100 });
    expect(read({ since: '1h30m', tail: 'all', follow: 'true' })).toEqual({ follow: true, since: '1h30m' });
    expect(read({ since: '2026-11-22T10:00:00Z', tail: '5' })).toEqual({
      follow: false,
      tail: 5,
      since: '2026-11-22T10:00:00Z',
    });
    expect(() => read({ since: 'yesterday; rm -rf /' })).toThrow(/input "since": must be a duration/);
    expect(() => read({ tail: '-1' })).toThrow(/input "tail"/);
  });
});

describe('uncommitted changes off CI', () => {
  it('are empty for a clean tree and differ for different edits', () => {
    const dir = tempDir('git');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: dir,
        stdio: 'ignore',
      });
    git('init', '-q');
    writeFileSync(join(dir, 'a'), 'one');
    git('add', 'a');
    git('commit', '-qm', 'one');
    expect(localChanges(dir)).toBe('');
    writeFileSync(join(dir, 'a'), 'two');
    const edited = localChanges(dir);
    writeFileSync(join(dir, 'a'), 'three');
    const editedAgain = localChanges(dir);
    expect(edited).toMatch(/^[0-9a-f]{64}$/);
    expect(editedAgain).not.toBe(edited);
    writeFileSync(join(dir, 'a'), 'one');
    writeFileSync(join(dir, 'new'), 'untracked');
    expect(localChanges(dir)).toMatch(/^[0-9a-f]{64}$/);
    // Off CI without a build number, the version carries them; a build number or a given commit does not.
    expect(ciEnvironment({}, dir).SLIPWAY_LOCAL_CHANGES).toBe(localChanges(dir));
    expect(ciEnvironment({ SLIPWAY_BUILD_NUMBER: '3' }, dir).SLIPWAY_LOCAL_CHANGES).toBeUndefined();
    expect(ciEnvironment({ GITHUB_SHA: 'abc' }, dir).SLIPWAY_LOCAL_CHANGES).toBeUndefined();
  });
});
