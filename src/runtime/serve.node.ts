/**
 * `freshprobe serve`: everything is loaded (migrations, config, state) before
 * the app answers, so the server never serves from a half-loaded state. The
 * listener opens after loading, or, when it must exist first (socket
 * activation), answers 503 + Retry-After until then (listen.node.ts).
 */
import type { LoadedConfig } from '../config.js';
import type { Logger } from '../core/deps.js';
import { createApp, type Readiness } from '../http/app.js';
import { loadWebAssets } from '../http/assets.node.js';
import { nodeFastHandler, peerAddress } from '../http/fast-path.node.js';
import type { ReloadSummary } from '../http/ops-routes.js';
import { type Background, startBackground } from './background.node.js';
import { type Bootstrapped, bootstrap } from './bootstrap.node.js';
import { type HeartbeatMonitor, startHeartbeat } from './heartbeat.node.js';
import { type Listener, openListener } from './listen.node.js';
import {
  createMetrics,
  type Metrics,
  meteredLogger,
  metricsSource,
  observeGap,
  registerLiveGauges,
} from './metrics.node.js';
import { clientAddress, monitorView, retentionPass, siteStates } from './ops.node.js';
import { createReloader } from './reload.node.js';
import { Scheduler } from './scheduler.node.js';
import type { SystemdNotifier } from './systemd.node.js';

export interface ServeOptions {
  loaded: LoadedConfig;
  /** The base logger; `addSecrets` lets a reload extend redaction. */
  log: Logger & { addSecrets?(values: readonly string[]): void };
  port?: number;
  host?: string;
  demo?: boolean;
  /** The config file, re-read on reload; undefined for the demo. */
  configPath?: string;
  /** An already-open, gated listener (socket activation); else one opens after loading. */
  listener?: Listener;
  systemd?: SystemdNotifier;
  /** Heartbeat period, ms (tests shorten it). */
  heartbeatMs?: number;
}

export interface RunningServer {
  port: number;
  scheduler: Scheduler;
  background: Background;
  boot: Bootstrapped;
  metrics: Metrics;
  heartbeat: HeartbeatMonitor;
  reload(trigger: string): Promise<ReloadSummary>;
  close(): Promise<void>;
}

/** Ready while the scheduler's tick and due steps are on time (Scheduler.health). */
function readiness(scheduler: Scheduler): () => Readiness {
  return () => {
    const health = scheduler.health();
    return health.ok ? { ready: true } : { ready: false, reason: health.reason };
  };
}

async function startScheduler(boot: Bootstrapped, metrics: Metrics): Promise<Scheduler> {
  const scheduler = new Scheduler(boot.deps, { onLag: (ms) => metrics.lag.observe(ms / 1000) });
  for (const rt of boot.runtimes) {
    const site = boot.config.sites.find((s) => s.id === rt.spec.id)!;
    scheduler.add(rt, rt.deployer ? site.schedule : undefined);
    // A site that never had a canary gets one now, so a newcomer sees a verdict within minutes.
    const [any] = await boot.deps.store.listCanaries(rt.spec.id, { limit: 1 });
    if (!any && rt.deployer) await scheduler.requestCanary(rt.spec.id, 'startup');
  }
  scheduler.lastStepAt = Date.now();
  return scheduler;
}

/** Stops accepting, lets in-flight work write, then closes the database. */
function shutdown(parts: {
  listener: Listener;
  scheduler: Scheduler;
  background: Background;
  heartbeat: HeartbeatMonitor;
  boot: Bootstrapped;
  systemd?: SystemdNotifier;
}): () => Promise<void> {
  return async () => {
    await parts.systemd?.stopping();
    const closed = parts.listener.close();
    await parts.scheduler.stop();
    await parts.background.stop();
    await parts.heartbeat.stop();
    // A client holding a request open must not keep the process alive for ever.
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000).unref())]);
    await parts.boot.close();
  };
}

/** Everything `serve` runs, built in order: store, heartbeat, scheduler, background, reload. */
async function startParts(options: ServeOptions) {
  const { config, secrets } = options.loaded;
  const metrics = createMetrics();
  const log = meteredLogger(options.log, metrics);
  const boot = await bootstrap(config, log, secrets);
  const heartbeat = await startHeartbeat({
    store: boot.deps.store,
    log,
    periodMs: options.heartbeatMs,
    onGap: (gap) => observeGap(metrics, gap),
  });
  const scheduler = await startScheduler(boot, metrics);
  const now = () => boot.deps.clock.now();
  const retention = retentionPass({
    store: boot.deps.store,
    sqlite: boot.db.sqlite,
    config: () => boot.config,
    now,
    log,
    metrics,
  });
  const background = startBackground(
    boot.deps,
    () => boot.notifiers,
    () => boot.runtimes,
    {
      retention,
    },
  );
  const reload = createReloader({
    ...{ configPath: options.configPath, boot, scheduler, background, log, metrics },
    addSecrets: options.log.addSecrets,
    systemd: options.systemd,
  });
  const ready = readiness(scheduler);
  registerLiveGauges(metrics, {
    siteStates: () => siteStates(boot.deps.store, boot.config.sites, now()),
    ready: () => ready().ready,
    lastBeatAt: heartbeat.lastBeatAt,
  });
  return { metrics, log, boot, heartbeat, scheduler, background, reload, ready, now };
}

type Parts = Awaited<ReturnType<typeof startParts>>;

async function buildApp(parts: Parts, options: ServeOptions) {
  const { boot, scheduler, log, ready, now } = parts;
  return createApp({
    store: boot.deps.store,
    clock: boot.deps.clock,
    log,
    publicUrl: options.loaded.config.server.publicUrl,
    // Getters, not values: a reload swaps boot.config.
    sites: () => boot.config.sites,
    adminToken: () => boot.config.server.adminToken,
    agents: () => boot.config.agents,
    readiness: ready,
    requestCanary: (siteId, reason) => scheduler.requestCanary(siteId, reason),
    registerDeploy: (siteId, input) => scheduler.registerDeploy(siteId, input),
    demo: options.demo,
    assets: await loadWebAssets(log),
    reload: () => parts.reload('api'),
    monitor: (since) =>
      monitorView(boot.deps.store, ready, { now: now(), since, heartbeatMs: options.heartbeatMs }),
    metrics: metricsSource(parts.metrics),
    rateLimit: () => boot.config.server.rateLimit,
    clientAddress: (c) => clientAddress(c, boot.config.server.rateLimit.trustProxy),
  });
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { config } = options.loaded;
  const loadStart = performance.now();
  const parts = await startParts(options);
  const app = await buildApp(parts, options);
  const host = options.host ?? config.server.host;
  const listener =
    options.listener ?? (await openListener({ port: options.port ?? config.server.port, host }));
  // Hot badges are answered on node:http directly, from the app's own cache and rate limit.
  const fast = nodeFastHandler(app, (req) =>
    peerAddress(req, parts.boot.config.server.rateLimit.trustProxy),
  );
  listener.setApp(app.fetch, fast);
  const port = listener.port;
  parts.log.info({
    event: 'server.listening',
    port,
    host,
    sites: config.sites.length,
    demo: options.demo ?? false,
    socketActivated: Boolean(options.listener),
    // From process start (module loading included), and the loading itself (database, state).
    startupMs: Math.round(process.uptime() * 1000),
    loadMs: Math.round(performance.now() - loadStart),
  });
  await options.systemd?.ready();
  const { scheduler, background, heartbeat, boot, metrics, reload } = parts;
  const close = shutdown({
    listener,
    scheduler,
    background,
    heartbeat,
    boot,
    systemd: options.systemd,
  });
  return { port, scheduler, background, boot, metrics, heartbeat, reload, close };
}
