/**
 * The route users take: pack the CLI, install the tarball globally into an empty prefix without the
 * network, and run the installed `slipway`. The package must carry everything it needs (no dependencies).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/temp';
import { packCli } from '../../../scripts/pack-cli.mjs';
import { REPO_ROOT } from '../../helpers/run-bundle';

describe('installing the CLI from its package', () => {
  it('npm pack, npm install -g --offline into an empty prefix: slipway --version and help deploy work', () => {
    const dir = tempDir('install');
    const tarball = packCli(dir, REPO_ROOT);
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' });
    expect(listing).toContain('package/bin/slipway');
    expect(listing).toContain('package/dist/cli/index.js');
    // The `files` list: the CLI and what npm always adds, nothing of the actions, sources or tests.
    const outside = listing
      .split('\n')
      .filter(
        (f) => f && !/^package\/(bin\/slipway|dist\/cli\/.*|package\.json|README\.md|LICENSE)$/.test(f),
      );
    expect(outside).toEqual([]);
    expect(listing).toContain('package/LICENSE');
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    ) as Record<string, unknown>;
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.private).toBeUndefined();
    const prefix = join(dir, 'prefix');
    const env = {
      ...process.env,
      npm_config_cache: join(dir, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    execFileSync('npm', ['install', '--global', '--offline', '--prefix', prefix, tarball], {
      env,
      stdio: 'pipe',
    });
    const slipway = join(prefix, 'bin', 'slipway');
    const version = (
      JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' })) as {
        version: string;
      }
    ).version;
    const run = (...args: string[]) => execFileSync(slipway, args, { encoding: 'utf8', cwd: dir, env });
    expect(run('--version').trim()).toBe(`slipway ${version}`);
    const help = run('help', 'deploy');
    expect(help).toContain('usage: slipway deploy');
    expect(help).toContain('--private-key-file <path>');
  }, 120_000);
});
