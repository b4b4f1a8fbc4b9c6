import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // These run inside workerd: vitest.workers.config.ts.
    exclude: ['**/node_modules/**', 'test/workers/pool/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most suites wait on real servers and timers rather than burn CPU: run three files at once.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
