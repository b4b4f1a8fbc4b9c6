/**
 * Builds a real site runtime from a config object (the same schema and
 * adapter table as `serve`), on an in-memory store, for scenario tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfigObject } from '../../src/config.js';
import { newToken } from '../../src/core/canary.js';
import { type CoreDeps, silentLogger } from '../../src/core/deps.js';
import type { SiteRuntime } from '../../src/core/site.js';
import { createNodeFetch } from '../../src/probers/node-fetch.node.js';
import { buildSiteRuntimes } from '../../src/runtime/adapters.node.js';
import { openSqliteStore } from '../../src/storage/sqlite.node.js';

export interface Harness {
  deps: CoreDeps;
  runtimes: SiteRuntime[];
  site(id: string): SiteRuntime;
  close(): Promise<void>;
}

export async function harness(config: unknown): Promise<Harness> {
  const { config: parsed } = parseConfigObject(config, {});
  const dataDir = await mkdtemp(join(tmpdir(), 'freshprobe-harness-'));
  const net = createNodeFetch({ connectTimeoutMs: 2_000 });
  const runtimes = buildSiteRuntimes(parsed.sites, { dataDir, fetch: net.fetch });
  const db = openSqliteStore(':memory:');
  const deps: CoreDeps = {
    store: db.store,
    clock: { now: () => Date.now() },
    log: silentLogger,
    newToken,
  };
  for (const s of parsed.sites) await db.store.upsertSite(s, Date.now());
  return {
    deps,
    runtimes,
    site: (id) => runtimes.find((r) => r.spec.id === id)!,
    close: async () => {
      await Promise.allSettled(runtimes.map((r) => r.deployer?.close?.()));
      await net.close();
      db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
