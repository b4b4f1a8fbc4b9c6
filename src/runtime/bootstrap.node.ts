/**
 * Builds the dependencies once from a loaded config: store (migrated), clock,
 * logger, fetch, site runtimes. Shared by `serve` and `canary`.
 */
import { dirname, resolve } from 'node:path';
import type { Config } from '../config.js';
import { newToken } from '../core/canary.js';
import type { CoreDeps, Logger } from '../core/deps.js';
import type { SiteRuntime } from '../core/site.js';
import { createNodeFetch } from '../probers/node-fetch.node.js';
import { openSqliteStore, type SqliteHandle } from '../storage/sqlite.node.js';
import { buildSiteRuntimes } from './adapters.node.js';

export interface Bootstrapped {
  config: Config;
  deps: CoreDeps;
  db: SqliteHandle;
  runtimes: SiteRuntime[];
  close(): Promise<void>;
}

export const CONNECT_TIMEOUT_MS = 10_000;

export async function bootstrap(
  config: Config,
  log: Logger,
  baseDir = process.cwd(),
): Promise<Bootstrapped> {
  const dbFile = resolve(baseDir, config.storage.sqlite);
  const nodeFetch = createNodeFetch({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
  const runtimes = buildSiteRuntimes(config.sites, {
    dataDir: dirname(dbFile),
    fetch: nodeFetch.fetch,
  });
  const db = openSqliteStore(dbFile);
  const deps: CoreDeps = { store: db.store, clock: { now: () => Date.now() }, log, newToken };
  const now = deps.clock.now();
  for (const site of config.sites) await db.store.upsertSite(site, now);
  return {
    config,
    deps,
    db,
    runtimes,
    close: async () => {
      await Promise.allSettled(
        runtimes.flatMap((rt) => [rt.deployer?.close?.(), ...rt.probers.map((p) => p.close?.())]),
      );
      await nodeFetch.close();
      db.close();
    },
  };
}
