#!/usr/bin/env node
// Packs the slipway CLI as an npm package: bin/slipway and the bundle dist/cli (every dependency is
// inside it, so the package has none), with this repository's name and version. Install it with
//   npm install -g ./slipway-<version>.tgz
// Usage: node scripts/pack-cli.mjs [directory for the tarball, default .]; prints the tarball's path.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export function packCli(destination = '.', root = '.') {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const stage = mkdtempSync(join(tmpdir(), 'slipway-pack-'));
  try {
    cpSync(join(root, 'bin', 'slipway'), join(stage, 'bin', 'slipway'));
    cpSync(join(root, 'dist', 'cli'), join(stage, 'dist', 'cli'), { recursive: true });
    cpSync(join(root, 'README.md'), join(stage, 'README.md'));
    const manifest = {
      name: pkg.name,
      version: pkg.version,
      description: pkg.description,
      license: pkg.license,
      engines: pkg.engines,
      bin: { slipway: 'bin/slipway' },
      files: ['bin/', 'dist/cli/'],
    };
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', resolve(destination)], {
      cwd: stage,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    return join(resolve(destination), out.trim().split('\n').pop());
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${packCli(process.argv[2] ?? '.')}\n`);
}
