import { defineConfig } from 'vitest/config';

// Unit tests (*.test.ts) are pure and fast; integration tests (*.int.test.ts) run against the lab:
// a real Docker engine, real registries and real sshd hosts, brought up by test/lab.
export default defineConfig({
  test: {
    reporters: ['default', './test/plain-summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.int.test.ts'],
          globalSetup: ['test/lab/global-setup.ts'],
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
