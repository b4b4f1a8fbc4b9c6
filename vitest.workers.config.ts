/**
 * The Workers suite: tests that run inside workerd through
 * @cloudflare/vitest-pool-workers, against the real wrangler.toml (D1, the
 * probe loop Durable Object, assets) with the Worker as `main`. D1 gets
 * drizzle's migrations, read here and applied in the pool by the tests.
 * `npm test` runs it after the Node suite (vitest.config.ts excludes it).
 */
import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import { workerConfig } from './test/workers/pool/worker-config.js';

// Wrangler, inside the pool: no telemetry, no request.cf download (there is no internet here).
process.env.WRANGLER_SEND_METRICS = 'false';
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';

export default defineConfig(async () => {
  const migrations = await readD1Migrations(fileURLToPath(new URL('./drizzle', import.meta.url)));
  return {
    plugins: [
      cloudflareTest(({ inject }) => ({
        main: './src/runtime/worker.ts',
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            FRESHPROBE_CONFIG: JSON.stringify(workerConfig(inject('hookSite'))),
          },
        },
      })),
    ],
    test: {
      include: ['test/workers/pool/**/*.test.ts'],
      globalSetup: ['test/workers/pool/global-setup.ts'],
      // workerd starts slowly on two shared cores.
      testTimeout: 60_000,
      hookTimeout: 120_000,
      // One file at a time: the files share one D1 database and the store contract resets it.
      fileParallelism: false,
      // The Worker logs JSON lines (event names) to the console; keep test output readable.
      onConsoleLog: (log: string) => !log.includes('"event":'),
      reporters: ['default'],
    },
  };
});
