#!/usr/bin/env node
// Packs the slipway CLI as an npm package: `npm pack` of this repository, whose `files` list keeps
// it to bin/slipway and the bundle dist/cli (every dependency is inside it: package.json has only
// devDependencies, so the package installs nothing else), plus README, LICENSE and package.json.
// What this packs is what `npm publish` would publish. Install it with
//   npm install -g ./slipway-<version>.tgz
// Usage: node scripts/pack-cli.mjs [directory for the tarball, default .]; prints the tarball's path.
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export function packCli(destination = '.', root = '.') {
  const out = execFileSync(
    'npm',
    ['pack', '--silent', '--ignore-scripts', '--pack-destination', resolve(destination)],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, npm_config_update_notifier: 'false' },
    },
  );
  return join(resolve(destination), out.trim().split('\n').pop());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${packCli(process.argv[2] ?? '.')}\n`);
}
