/**
 * Builds the Worker's runtime from its bindings, once per isolate and config:
 * config (validated, `${VAR}` read from vars and secrets), D1 store, adapters,
 * notifiers, and the same Hono app as Node. A bad config does not crash the
 * Worker: every route answers 503 with the problem list until it is fixed.
 */
import type { Hono } from 'hono';
import { type Config, parseConfigText } from '../config.js';
import { newToken } from '../core/canary.js';
import { requestCanary } from '../core/deploy.js';
import type { CoreDeps } from '../core/deps.js';
import { errorMessage } from '../core/deps.js';
import { ConfigError, type ConfigProblem, NotFoundError } from '../core/errors.js';
import { registerDeploy } from '../core/external.js';
import { createApp } from '../http/app.js';
import { openD1Store } from '../storage/d1.js';
import { buildWorkerAdapters } from './adapters.worker.js';
import type { CycleContext } from './worker-cycle.js';
import { CONFIG_KV_KEY, stringEnv, type WorkerEnv } from './worker-env.js';
import { createProblemApp, loadWorkerAssets, workerLogger } from './worker-support.js';

export type WorkerRuntime =
  | { ok: true; app: Hono; config: Config; cycle: Omit<CycleContext, 'dueAt'> }
  | { ok: false; app: Hono; problems: ConfigProblem[] };

/** Wakes the probe loop for one site (a manual canary); a no-op in cron-only mode. */
export type Wake = (env: WorkerEnv, siteId: string) => Promise<void>;

let cached: { key: string; built: Promise<WorkerRuntime> } | undefined;

/**
 * The runtime for these bindings; rebuilt when the config text or any var or
 * secret changes (in production that is a new deployment anyway).
 */
export async function workerRuntime(env: WorkerEnv, wake: Wake): Promise<WorkerRuntime> {
  const text = env.FRESHPROBE_CONFIG ?? (await env.FRESHPROBE_CONFIG_KV?.get(CONFIG_KV_KEY));
  const key = JSON.stringify([text ?? null, stringEnv(env)]);
  let entry = cached;
  if (!entry || entry.key !== key) {
    entry = { key, built: build(env, text ?? undefined, wake) };
    cached = entry;
  }
  const runtime = await entry.built;
  // A database that was not ready (migrations not applied yet) is tried again next time.
  if (!runtime.ok && runtime.problems.some((p) => p.path === 'env.DB') && cached === entry)
    cached = undefined;
  return runtime;
}

async function build(env: WorkerEnv, text: string | undefined, wake: Wake): Promise<WorkerRuntime> {
  const log = workerLogger([]);
  try {
    if (!text) throw new ConfigError([{ path: '', message: NO_CONFIG }]);
    const { config, secrets } = parseConfigText(text, stringEnv(env));
    if (!env.DB) throw new ConfigError([{ path: 'env.DB', message: NO_DB }]);
    const colo = typeof env.FRESHPROBE_COLO === 'string' ? env.FRESHPROBE_COLO : undefined;
    const adapters = buildWorkerAdapters(config.sites, config.notifiers, {
      fetch: (input, init) => fetch(input, init),
      colo,
    });
    const deps: CoreDeps = {
      store: openD1Store(env.DB),
      clock: { now: () => Date.now() },
      log: workerLogger(secrets),
      newToken,
      publicUrl: config.server.publicUrl,
    };
    await upsertSites(deps, config);
    const app = createApp({
      store: deps.store,
      clock: deps.clock,
      log: deps.log,
      publicUrl: config.server.publicUrl,
      sites: () => config.sites,
      adminToken: () => config.server.adminToken,
      agents: () => config.agents,
      readiness: () => ({ ready: true }),
      requestCanary: async (siteId, reason) => {
        const canary = await requestCanary(deps, findSite(config, siteId), reason);
        await wake(env, siteId);
        return canary;
      },
      registerDeploy: async (siteId, input) => {
        const canary = await registerDeploy(deps, findSite(config, siteId), input);
        await wake(env, siteId);
        return canary;
      },
      assets: await loadWorkerAssets(env.ASSETS, log),
      rateLimit: () => config.server.rateLimit,
      clientAddress: (c) => c.req.header('cf-connecting-ip'),
    });
    const cycle = { deps, sites: config.sites, ...adapters };
    return { ok: true, app, config, cycle };
  } catch (error) {
    const problems = error instanceof ConfigError ? error.problems : [unexpected(error)];
    log.error({ event: 'config.invalid', problems });
    return { ok: false, app: createProblemApp(problems), problems };
  }
}

const NO_CONFIG =
  'no config: set the FRESHPROBE_CONFIG var or secret (YAML or JSON), or put freshprobe.yaml into the FRESHPROBE_CONFIG_KV namespace';
const NO_DB = 'no D1 binding "DB": add [[d1_databases]] with binding = "DB" to wrangler.toml';

function unexpected(error: unknown): ConfigProblem {
  return {
    path: 'env.DB',
    message: `D1 not ready: ${errorMessage(error)} (did wrangler d1 migrations apply run?)`,
  };
}

function findSite(config: Config, siteId: string) {
  const site = config.sites.find((s) => s.id === siteId);
  if (!site) throw new NotFoundError(`no site with id "${siteId}"`);
  return site;
}

async function upsertSites(deps: CoreDeps, config: Config): Promise<void> {
  const now = deps.clock.now();
  for (const site of config.sites) await deps.store.upsertSite(site, now);
}
