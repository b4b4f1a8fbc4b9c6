/**
 * Builds the dependencies once from a loaded config: store (migrated), clock,
 * logger, fetch, site runtimes. Shared by `serve` and `canary`.
 */
import { dirname, resolve } from 'node:path';
import type { Config } from '../config.js';
import { newToken } from '../core/canary.js';
import type { CoreDeps, Logger } from '../core/deps.js';
import type { Notifier } from '../core/ports.js';
import type { SiteRuntime } from '../core/site.js';
import { createNodeFetch } from '../probers/node-fetch.node.js';
import { openSqliteStore, type SqliteHandle } from '../storage/sqlite.node.js';
import { buildSiteRuntimes } from './adapters.node.js';
import { buildNotifiers } from './notifiers.node.js';

export interface Bootstrapped {
  config: Config;
  deps: CoreDeps;
  db: SqliteHandle;
  runtimes: SiteRuntime[];
  notifiers: Map<string, Notifier>;
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
  const notifiers = buildNotifiers(config.notifiers, { fetch: nodeFetch.fetch, now: () => Date.now() });
  const db = openSqliteStore(dbFile);
  const deps: CoreDeps = {
    store: db.store,
    clock: { now: () => Date.now() },
    log,
    newToken,
    publicUrl: config.server.publicUrl,
  };
  const now = deps.clock.now();
  for (const site of config.sites) await db.store.upsertSite(site, now);
  return {
    config,
    deps,
    db,
    runtimes,
    notifiers,
    close: async () => {
      await Promise.allSettled(
        runtimes.flatMap((rt) => [rt.deployer?.close?.(), ...rt.probers.map((p) => p.close?.())]),
      );
      await Promise.allSettled([...notifiers.values()].map((n) => n.close?.()));
      await nodeFetch.close();
      db.close();
    },
  };
}
