/** The built CLI (bin/slipway → dist/cli) as a user runs it: help, version, refusals before anything runs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTION_METADATA } from '../../../src/cli/metadata';
import { runCli } from '../../helpers/cli';
import { REPO_ROOT } from '../../helpers/run-bundle';

const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
  .version;

describe('slipway help and version', () => {
  it('--version and version print the package version', async () => {
    for (const args of [['--version'], ['version']]) {
      const run = await runCli(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`slipway ${VERSION}\n`);
    }
  });

  it('--help and help list the commands', async () => {
    for (const args of [['--help'], ['help'], ['-h']]) {
      const run = await runCli(args);
      expect(run.code, run.stderr).toBe(0);
      for (const command of [
        'build',
        'test',
        'push',
        'pipeline',
        'promote',
        'deploy',
        'rollback',
        'status',
        'logs',
      ])
        expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  it('ci is the one-step pipeline under its first name: the same help, not listed twice', async () => {
    const [pipeline, ci, list] = await Promise.all([
      runCli(['help', 'pipeline']),
      runCli(['ci', '--help']),
      runCli(['help']),
    ]);
    expect(ci.code, ci.stderr).toBe(0);
    expect(ci.stdout).toBe(pipeline.stdout);
    expect(pipeline.stdout).toContain('--push');
    expect(list.stdout).not.toMatch(/^ {2}ci /m);
  });

  it("<command> --help, -h and help <command> print every input of the command's action.yml, exit 0", async () => {
    const outputs = await Promise.all(
      [
        ['deploy', '--help'],
        ['deploy', '-h'],
        ['help', 'deploy'],
        ['deploy', '--hosts', 'x', '--help'],
      ].map((a) => runCli(a)),
    );
    for (const run of outputs) {
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(outputs[0]?.stdout);
    }
    const help = (outputs[0]?.stdout as string).replace(/\s+/g, ' ');
    for (const [name, input] of Object.entries(ACTION_METADATA['remote-deploy-ssh']?.inputs ?? {})) {
      expect(help).toContain(`--${name}`);
      if (input.default) expect(help).toContain(`default: ${input.default}`);
    }
    expect(help).toContain(
      '--hosts <value> Hosts, one a line, host or host:port (Swarm mode: managers; the first that answers is used). (required)',
    );
    expect(help).toMatch(/--private-key-file <path>/);
    const push = await runCli(['push', '--help']);
    expect(push.stdout.replace(/\s+/g, ' ')).toMatch(
      /--allow-overwrite\[=true\|false\] Allow moving .*\(default: false\)/,
    );
  });

  it('an unknown command is refused with exit 2 and a suggestion', async () => {
    const run = await runCli(['deplyo']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command "deplyo" (did you mean deploy?)');
  });
});

describe('refusals before anything runs (exit 2)', () => {
  it('unknown options, naming the option and the closest real one', async () => {
    const run = await runCli(['deploy', '--publsh', '8089', '--helth-path', '/health']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown option --publsh (did you mean --publish?)');
    expect(run.stdout).toBe('');
  });

  it('secrets as arguments, without echoing them', async () => {
    const run = await runCli([
      'promote',
      '--source',
      'r/a:1',
      '--destination',
      'r/b',
      '--destination-password',
      'hunter22',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--destination-password-file');
    expect(run.stderr).toContain('SLIPWAY_DESTINATION_PASSWORD');
    expect(run.stderr + run.stdout).not.toContain('hunter22');
  });
});

describe('output at a terminal', () => {
  it('a failure is a plain message, never a workflow command', async () => {
    const run = await runCli(
      ['promote', '--source', '127.0.0.1:9/a:1', '--destination', '127.0.0.1:9/b', '--dry-run'],
      { SLIPWAY_RETRY_BASE_MS: '1' },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^slipway promote: /m);
    expect(run.stderr).not.toMatch(/::error|::warning|%0A/);
  });
});
