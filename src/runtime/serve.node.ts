/**
 * `freshprobe serve`: everything is loaded (migrations, config, state) before
 * the listener opens, so the server never answers from a half-loaded state.
 */
import { type ServerType, serve as serveHttp } from '@hono/node-server';
import type { LoadedConfig } from '../config.js';
import type { Logger } from '../core/deps.js';
import { createApp, type Readiness } from '../http/app.js';
import { loadWebAssets } from '../http/assets.node.js';
import { type Bootstrapped, bootstrap } from './bootstrap.node.js';
import { type Background, startBackground } from './background.node.js';
import { Scheduler } from './scheduler.node.js';

export interface ServeOptions {
  loaded: LoadedConfig;
  log: Logger;
  port?: number;
  host?: string;
  demo?: boolean;
}

export interface RunningServer {
  port: number;
  scheduler: Scheduler;
  background: Background;
  boot: Bootstrapped;
  close(): Promise<void>;
}

/** Stalled = no step for 2x the shortest probe interval (plus slack for slow deploys). */
function readiness(scheduler: Scheduler, boot: Bootstrapped): () => Readiness {
  const intervals = boot.config.sites.map((s) => s.probe.interval);
  const limit = 2 * Math.min(...intervals, 60_000) + 5_000;
  return () => {
    if (!boot.config.sites.length) return { ready: true };
    const silent = Date.now() - scheduler.lastStepAt;
    if (scheduler.lastStepAt && silent > limit) {
      return {
        ready: false,
        reason: `scheduler stalled: no step for ${Math.round(silent / 1000)} s`,
      };
    }
    return { ready: true };
  };
}

async function startScheduler(boot: Bootstrapped): Promise<Scheduler> {
  const scheduler = new Scheduler(boot.deps);
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

function listen(
  app: ReturnType<typeof createApp>,
  port: number,
  host: string,
): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serveHttp({ fetch: app.fetch, port, hostname: host }, (info) =>
      resolve({ server, port: info.port }),
    );
    server.once('error', reject);
  });
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { config, secrets: _secrets } = options.loaded;
  const boot = await bootstrap(config, options.log);
  const scheduler = await startScheduler(boot);
  const background = startBackground(boot.deps, () => boot.notifiers, () => boot.runtimes);
  const app = createApp({
    store: boot.deps.store,
    clock: boot.deps.clock,
    log: options.log,
    publicUrl: config.server.publicUrl,
    sites: () => config.sites,
    adminToken: () => config.server.adminToken,
    readiness: readiness(scheduler, boot),
    requestCanary: (siteId, reason) => scheduler.requestCanary(siteId, reason),
    registerDeploy: (siteId, input) => scheduler.registerDeploy(siteId, input),
    demo: options.demo,
    assets: await loadWebAssets(options.log),
  });
  const host = options.host ?? config.server.host;
  const { server, port } = await listen(app, options.port ?? config.server.port, host);
  options.log.info({
    event: 'server.listening',
    port,
    host,
    sites: config.sites.length,
    demo: options.demo ?? false,
  });
  return {
    port,
    scheduler,
    background,
    boot,
    close: async () => {
      await scheduler.stop();
      await background.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await boot.close();
    },
  };
}
