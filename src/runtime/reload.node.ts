/**
 * Live reload (SIGHUP, `POST /api/v1/admin/reload`): re-read the config file,
 * validate it whole, build every new adapter, and only then apply it as a
 * diff: sites added, removed and changed; notifiers rebuilt. Any problem
 * rejects the whole file and the running config stays as it was. Open
 * canaries live in the store, so a changed site resumes them with its new
 * adapters; a removed site keeps its history (re-adding it resumes it).
 */
import type { Config, SiteConfig } from '../config.js';
import { errorMessage, type Logger } from '../core/deps.js';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import type { SiteRuntime } from '../core/site.js';
import type { ReloadSummary } from '../http/ops-routes.js';
import { type AdapterContext, buildSiteRuntimes } from './adapters.node.js';
import type { Background } from './background.node.js';
import {
  type Bootstrapped,
  buildGuardedNotifiers,
  closeNotifiers,
  closeRuntimes,
} from './bootstrap.node.js';
import { loadConfigFile } from './config-file.node.js';
import { forgetSite, type Metrics } from './metrics.node.js';
import type { Scheduler } from './scheduler.node.js';
import type { SystemdNotifier } from './systemd.node.js';

export interface ReloadContext {
  /** undefined for the built-in demo, which has no file to re-read. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  boot: Bootstrapped;
  scheduler: Scheduler;
  background: Background;
  log: Logger;
  /** New `${ENV}` values join the log redaction before anything can log them. */
  addSecrets?(values: readonly string[]): void;
  metrics?: Metrics;
  systemd?: SystemdNotifier;
}

export interface SiteDiff {
  added: SiteConfig[];
  removed: string[];
  changed: SiteConfig[];
  unchanged: SiteConfig[];
}

export function diffSites(before: SiteConfig[], after: SiteConfig[]): SiteDiff {
  const old = new Map(before.map((s) => [s.id, JSON.stringify(s)]));
  const ids = new Set(after.map((s) => s.id));
  return {
    added: after.filter((s) => !old.has(s.id)),
    removed: before.filter((s) => !ids.has(s.id)).map((s) => s.id),
    changed: after.filter((s) => old.has(s.id) && old.get(s.id) !== JSON.stringify(s)),
    unchanged: after.filter((s) => old.get(s.id) === JSON.stringify(s)),
  };
}

/** Settings only read at start; a changed value is reported, not applied. */
const START_ONLY: Array<[string, (c: Config) => unknown]> = [
  ['server.port', (c) => c.server.port],
  ['server.host', (c) => c.server.host],
  ['server.publicUrl', (c) => c.server.publicUrl],
  ['server.maxConcurrentDeploys', (c) => c.server.maxConcurrentDeploys],
  ['storage.sqlite', (c) => c.storage.sqlite],
];

/** Builds each site's adapters, reporting problems at the site's index in the new file. */
function buildRuntimes(
  sites: SiteConfig[],
  all: SiteConfig[],
  adapters: AdapterContext,
): SiteRuntime[] {
  const problems: ConfigProblem[] = [];
  const built: SiteRuntime[] = [];
  for (const site of sites) {
    try {
      built.push(...buildSiteRuntimes([site], adapters));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const at = `sites[${all.indexOf(site)}]`;
      problems.push(
        ...error.problems.map((p) => ({ ...p, path: p.path.replace(/^sites\[0\]/, at) })),
      );
    }
  }
  if (problems.length) {
    void closeRuntimes(built);
    throw new ConfigError(problems);
  }
  return built;
}

const scheduleOf = (rt: SiteRuntime, site: SiteConfig) => (rt.deployer ? site.schedule : undefined);

/** Swaps everything in; old adapters close once the steps and deliveries using them are done. */
async function apply(
  ctx: ReloadContext,
  next: { config: Config; secrets: readonly string[] },
  diff: SiteDiff,
): Promise<void> {
  const { boot, scheduler } = ctx;
  // Deployers redact secrets from their output: old and new ones alike.
  const secrets = [...new Set([...(boot.adapters.secrets ?? []), ...next.secrets])];
  const adapters = { ...boot.adapters, secrets };
  const fresh = buildRuntimes([...diff.added, ...diff.changed], next.config.sites, adapters);
  const notifiers = buildGuardedNotifiers(next.config.notifiers, adapters.fetch);
  const byId = new Map(boot.runtimes.map((rt) => [rt.spec.id, rt]));
  for (const rt of fresh) byId.set(rt.spec.id, rt);
  const now = boot.deps.clock.now();
  for (const site of [...diff.added, ...diff.changed]) await boot.deps.store.upsertSite(site, now);
  const retired: Array<Promise<SiteRuntime | undefined>> = diff.removed.map((id) => {
    if (ctx.metrics) forgetSite(ctx.metrics, id);
    return scheduler.remove(id);
  });
  for (const site of diff.changed) {
    const rt = byId.get(site.id)!;
    retired.push(scheduler.replace(rt, scheduleOf(rt, site)));
  }
  for (const site of diff.added)
    scheduler.add(byId.get(site.id)!, scheduleOf(byId.get(site.id)!, site));
  const oldNotifiers = boot.notifiers;
  boot.config = next.config;
  boot.adapters = adapters;
  boot.runtimes = next.config.sites.map((s) => byId.get(s.id)!);
  boot.notifiers = notifiers;
  void Promise.all(retired).then((rts) => closeRuntimes(rts.filter((rt) => rt !== undefined)));
  void ctx.background.idle().then(() => closeNotifiers(oldNotifiers));
  for (const site of diff.added) await firstCanary(ctx, site.id);
}

/** A newly added site gets a canary right away, as at startup. */
async function firstCanary(ctx: ReloadContext, siteId: string): Promise<void> {
  const [any] = await ctx.boot.deps.store.listCanaries(siteId, { limit: 1 });
  const rt = ctx.boot.runtimes.find((r) => r.spec.id === siteId);
  if (!any && rt?.deployer) await ctx.scheduler.requestCanary(siteId, 'startup');
}

async function reloadOnce(ctx: ReloadContext, trigger: string): Promise<ReloadSummary> {
  if (!ctx.configPath)
    throw new ConfigError([
      { path: '', message: 'the built-in demo has no config file to reload' },
    ]);
  const loaded = loadConfigFile(ctx.configPath, ctx.env);
  const before = ctx.boot.config;
  const diff = diffSites(before.sites, loaded.config.sites);
  ctx.addSecrets?.(loaded.secrets);
  await apply(ctx, loaded, diff);
  const summary: ReloadSummary = {
    status: JSON.stringify(before) === JSON.stringify(loaded.config) ? 'unchanged' : 'reloaded',
    sites: {
      added: diff.added.map((s) => s.id),
      removed: diff.removed,
      changed: diff.changed.map((s) => s.id),
      unchanged: diff.unchanged.length,
    },
    notifiers: loaded.config.notifiers.length,
    restartRequired: START_ONLY.filter(([, get]) => get(before) !== get(loaded.config)).map(
      ([name]) => name,
    ),
  };
  ctx.log.info({ event: 'config.reloaded', trigger, ...summary });
  return summary;
}

/** Reloads one at a time: a SIGHUP during an API reload waits for it, then runs. */
export function createReloader(ctx: ReloadContext): (trigger: string) => Promise<ReloadSummary> {
  let chain: Promise<unknown> = Promise.resolve();
  return (trigger) => {
    const run = chain.then(async () => {
      await ctx.systemd?.reloading();
      try {
        const summary = await reloadOnce(ctx, trigger);
        ctx.metrics?.reloads.inc({ outcome: 'applied' });
        return summary;
      } catch (error) {
        ctx.metrics?.reloads.inc({ outcome: 'rejected' });
        const problems = error instanceof ConfigError ? error.problems : undefined;
        const detail = problems ? { problems } : { error: errorMessage(error) };
        ctx.log.warn({ event: 'config.rejected', trigger, ...detail });
        throw error;
      } finally {
        await ctx.systemd?.ready();
      }
    });
    chain = run.catch(() => undefined);
    return run;
  };
}
