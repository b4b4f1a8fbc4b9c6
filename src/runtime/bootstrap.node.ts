/**
 * Builds the dependencies once from a loaded config: store (migrated), clock,
 * logger, fetch, site runtimes. Shared by `serve` and `canary`.
 */
import { dirname, resolve } from 'node:path';
import type { Config, NotifierConfig } from '../config.js';
import { newToken } from '../core/canary.js';
import { createDeploySlots } from '../core/deploy-slots.js';
import type { CoreDeps, Logger } from '../core/deps.js';
import type { Notifier } from '../core/ports.js';
import type { SiteRuntime } from '../core/site.js';
import { assertPublicUrl } from '../net/address-guard.js';
import { publicOnlyFetch, resolveHost } from '../net/resolve-guard.node.js';
import { createNodeFetch } from '../probers/node-fetch.node.js';
import { type OpenOptions, openSqliteStore, type SqliteHandle } from '../storage/sqlite.node.js';
import { type AdapterContext, buildSiteRuntimes } from './adapters.node.js';
import { buildNotifier } from './notifiers.node.js';

export interface Bootstrapped {
  /** The config in force; a reload replaces it, with runtimes and notifiers. */
  config: Config;
  deps: CoreDeps;
  db: SqliteHandle;
  runtimes: SiteRuntime[];
  notifiers: Map<string, Notifier>;
  /** What site adapters are built with (a reload builds new ones the same way). */
  adapters: AdapterContext;
  close(): Promise<void>;
}

export const CONNECT_TIMEOUT_MS = 10_000;

/** Refuses private destinations unless this notifier allows them (SMTP hosts included). */
function guardNotifier(cfg: NotifierConfig, notifier: Notifier): Notifier {
  if (cfg.kind !== 'email' || cfg.allowPrivateAddresses) return notifier;
  const check = () => assertPublicUrl(cfg.smtp, { resolve: resolveHost });
  return Object.assign(Object.create(notifier) as Notifier, {
    send: async (...args: Parameters<Notifier['send']>) => {
      await check();
      return notifier.send(...args);
    },
  });
}

/**
 * Every configured notifier, each with its own SSRF-guarded fetch: private,
 * loopback and link-local addresses are refused (redirect hops included)
 * unless that notifier says `allowPrivateAddresses: true`.
 */
export function buildGuardedNotifiers(
  cfgs: readonly NotifierConfig[],
  fetch: typeof globalThis.fetch,
): Map<string, Notifier> {
  const now = () => Date.now();
  return new Map(
    cfgs.map((cfg) => {
      const notifier = buildNotifier(cfg, { fetch: publicOnlyFetch(fetch, cfg), now });
      return [cfg.id, guardNotifier(cfg, notifier)];
    }),
  );
}

export async function bootstrap(
  config: Config,
  log: Logger,
  secrets: readonly string[] = [],
  baseDir = process.cwd(),
  storeOptions: OpenOptions = {},
): Promise<Bootstrapped> {
  const dbFile = resolve(baseDir, config.storage.sqlite);
  const nodeFetch = createNodeFetch({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
  const adapters: AdapterContext = {
    dataDir: dirname(dbFile),
    fetch: nodeFetch.fetch,
    probeFetch: nodeFetch.probeFetch,
    secrets,
  };
  const runtimes = buildSiteRuntimes(config.sites, adapters);
  const notifiers = buildGuardedNotifiers(config.notifiers, nodeFetch.fetch);
  const db = openSqliteStore(dbFile, storeOptions);
  const deps: CoreDeps = {
    store: db.store,
    clock: { now: () => Date.now() },
    log,
    newToken,
    publicUrl: config.server.publicUrl,
    deploySlots: createDeploySlots(config.server.maxConcurrentDeploys),
  };
  const now = deps.clock.now();
  for (const site of config.sites) await db.store.upsertSite(site, now);
  const boot: Bootstrapped = {
    config,
    deps,
    db,
    runtimes,
    notifiers,
    adapters,
    // Reads the fields at close time: a reload may have swapped runtimes and notifiers.
    close: async () => {
      await closeRuntimes(boot.runtimes);
      await closeNotifiers(boot.notifiers);
      await nodeFetch.close();
      db.close();
    },
  };
  return boot;
}

export async function closeRuntimes(runtimes: readonly SiteRuntime[]): Promise<void> {
  await Promise.allSettled(
    runtimes.flatMap((rt) => [
      rt.deployer?.close?.(),
      // Marker probers hold resources too (a browser prober's share of Chromium).
      ...[...rt.probers, ...(rt.markerProbers ?? [])].map((p) => p.close?.()),
    ]),
  );
}

export async function closeNotifiers(notifiers: Map<string, Notifier>): Promise<void> {
  await Promise.allSettled([...notifiers.values()].map((n) => n.close?.()));
}
