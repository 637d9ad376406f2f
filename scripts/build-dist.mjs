#!/usr/bin/env node
// Bundles every action entry point (src/actions/<name>.ts) and the CLI (src/cli/main.ts) with
// @vercel/ncc into dist/<name>/.
// The bundles are CommonJS (they load under node24 and include the ESM-only @actions/* packages).
// ssh2's optional native addons (*.node, built for this machine's Node) and Windows helpers are
// left out, so dist/ is portable and reproducible: ssh2 falls back to its pure-JS crypto.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ENTRIES = {
  'build-and-tag': 'src/actions/build-and-tag.ts',
  'test-in-container': 'src/actions/test-in-container.ts',
  'push-registry': 'src/actions/push-registry.ts',
  'promote-between-registries': 'src/actions/promote-between-registries.ts',
  'remote-deploy-ssh': 'src/actions/remote-deploy-ssh.ts',
  'base-image-check': 'src/actions/base-image-check.ts',
  'merge-by-digest': 'src/actions/merge-by-digest.ts',
  pipeline: 'src/actions/pipeline.ts',
  cli: 'src/cli/main.ts',
};

const UNPORTABLE = [/\.node$/, /\.exe$/, /\.dll$/];

function prune(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) prune(path);
    else if (UNPORTABLE.some((re) => re.test(name))) rmSync(path);
  }
}

const only = process.argv.slice(2);
if (only.length === 0) rmSync('dist', { recursive: true, force: true, maxRetries: 3 });
for (const [name, entry] of Object.entries(ENTRIES)) {
  if (only.length > 0 && !only.includes(name)) continue;
  const out = join('dist', name);
  rmSync(out, { recursive: true, force: true, maxRetries: 3 });
  execFileSync(
    process.execPath,
    [
      'node_modules/@vercel/ncc/dist/ncc/cli.js',
      'build',
      entry,
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--quiet',
    ],
    { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '' } },
  );
  prune(out);
}
