/**
 * The HTTP app over an in-memory store, in process: for status page tests
 * that seed history and must not have a scheduler move it under them.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { silentLogger } from '../../src/core/deps.js';
import type { SiteSpec } from '../../src/core/site.js';
import type { FullStore } from '../../src/core/store.js';
import { type AppServices, createApp } from '../../src/http/app.js';
import { loadWebAssets } from '../../src/http/assets.node.js';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';

export interface StatusApp {
  app: Hono;
  store: FullStore;
  handle: SqliteHandle;
  specs: SiteSpec[];
  close(): void;
}

/** What every read-only test app shares: no admin token, always ready, no deploys. */
export function readOnlyServices(store: FullStore, specs: SiteSpec[], now: () => number) {
  return {
    store,
    clock: { now },
    log: silentLogger,
    sites: () => specs,
    adminToken: () => undefined,
    readiness: () => ({ ready: true }),
    requestCanary: () => Promise.reject(new Error('not in this test')),
    registerDeploy: () => Promise.reject(new Error('not in this test')),
  } satisfies Partial<AppServices>;
}

export async function statusApp(
  specs: SiteSpec[],
  options: { now?: () => number; assets?: boolean; services?: Partial<AppServices> } = {},
): Promise<StatusApp> {
  const handle = openSqliteStore(':memory:');
  const app = createApp({
    ...readOnlyServices(handle.store, specs, options.now ?? (() => Date.now())),
    assets: options.assets === false ? undefined : await loadWebAssets(silentLogger),
    stateMaxAgeMs: 0,
    ...options.services,
  });
  return { app, store: handle.store, handle, specs, close: () => handle.close() };
}

export interface Listening {
  url: string;
  close(): Promise<void>;
}

export function listen(app: Hono): Promise<Listening> {
  return new Promise((resolve) => {
    const server = serve(
      { fetch: app.fetch, port: 0, hostname: '127.0.0.1' },
      (info: AddressInfo) =>
        resolve({
          url: `http://127.0.0.1:${info.port}`,
          close: () => new Promise<void>((done) => server.close(() => done())),
        }),
    );
  });
}
