/**
 * The Workers adapter table: config `kind` → factory, like adapters.node.ts,
 * but only adapters that run on fetch alone. A kind whose file ends in
 * `.node.ts` (git, local-dir, command, email, the nodes and browser vantages)
 * is simply absent, and asking for it is a ConfigError that says so, never a
 * runtime crash. No node:* imports here or below.
 *
 * The SSRF guard runs without DNS on Workers (there is no resolver API): IP
 * literals and localhost are refused unless allowPrivateAddresses; names are
 * resolved by Cloudflare, whose network does not route to private addresses.
 */
import type { DeployConfig, NotifierConfig, SiteConfig } from '../config.js';
import { ConfigError, type ConfigProblem } from '../core/errors.js';
import type { ProbeResult } from '../core/model.js';
import type { Deployer, Notifier, Prober } from '../core/ports.js';
import type { SiteRuntime } from '../core/site.js';
import { createGithubApiDeployer } from '../deployers/github-api.js';
import { createGitlabApiDeployer } from '../deployers/gitlab-api.js';
import { createWebhookDeployer } from '../deployers/webhook.js';
import { guardFetch } from '../net/guarded-fetch.js';
import { createDiscordNotifier } from '../notifiers/discord.js';
import type { HttpNotifierDeps } from '../notifiers/http-send.js';
import { createPagerdutyNotifier } from '../notifiers/pagerduty.js';
import { createSlackNotifier } from '../notifiers/slack.js';
import { createTeamsNotifier } from '../notifiers/teams.js';
import { createWebhookNotifier } from '../notifiers/webhook.js';
import { createSiteHttpProber } from '../probers/site-http.js';

export interface WorkerAdapterContext {
  fetch: typeof fetch;
  /** FRESHPROBE_COLO: named on observations whose response names no POP (README). */
  colo?: string;
}

type Guarded = { allowPrivateAddresses?: boolean };
const guarded = (ctx: WorkerAdapterContext, cfg: Guarded) =>
  guardFetch(ctx.fetch, { allowPrivate: cfg.allowPrivateAddresses });

type DeployerFactory<K extends DeployConfig['kind']> = (
  cfg: Extract<DeployConfig, { kind: K }>,
  ctx: WorkerAdapterContext,
) => Deployer;

const deployers: { [K in DeployConfig['kind']]?: DeployerFactory<K> } = {
  'gitlab-api': (cfg, ctx) =>
    createGitlabApiDeployer({
      ...cfg,
      pipelineTimeoutMs: cfg.pipelineTimeout,
      fetch: guarded(ctx, cfg),
    }),
  'github-api': (cfg, ctx) =>
    createGithubApiDeployer({ ...cfg, pagesTimeoutMs: cfg.pagesTimeout, fetch: guarded(ctx, cfg) }),
  webhook: (cfg, ctx) => createWebhookDeployer({ ...cfg, fetch: guarded(ctx, cfg) }),
};

type ProberFactory = (site: SiteConfig, ctx: WorkerAdapterContext) => Prober;

function httpProber(vantage: 'edge' | 'origin'): ProberFactory {
  return (site, ctx) => withColo(createSiteHttpProber(site, vantage, ctx.fetch), ctx.colo);
}

const probers: Record<string, ProberFactory> = {
  edge: httpProber('edge'),
  origin: httpProber('origin'),
};

/**
 * The POP comes from the response (cf-ray, x-served-by...). A site behind
 * Cloudflare answers from the colo the Worker runs in, so its cf-ray names
 * the probe's location truthfully. Otherwise, with FRESHPROBE_COLO set, the
 * location is recorded as `worker@<colo>`: marked as ours, never posing as
 * the site's POP.
 */
function withColo(prober: Prober, colo: string | undefined): Prober {
  if (!colo) return prober;
  const mark = (r: ProbeResult): ProbeResult =>
    r.cache.pop ? r : { ...r, cache: { ...r.cache, pop: `worker@${colo}` } };
  return { kind: prober.kind, probe: async (signal) => (await prober.probe(signal)).map(mark) };
}

type NotifierFactory<K extends NotifierConfig['kind']> = (
  cfg: Extract<NotifierConfig, { kind: K }>,
  deps: HttpNotifierDeps,
) => Notifier;

const notifiers: { [K in NotifierConfig['kind']]?: NotifierFactory<K> } = {
  webhook: createWebhookNotifier,
  slack: createSlackNotifier,
  discord: createDiscordNotifier,
  teams: createTeamsNotifier,
  pagerduty: createPagerdutyNotifier,
};

const unavailable = (path: string, kind: string): ConfigProblem => ({
  path,
  message: `${kind} is not available on Workers`,
});

function siteRuntime(site: SiteConfig, i: number, ctx: WorkerAdapterContext, out: ConfigProblem[]) {
  const list: Prober[] = [];
  site.probe.vantages.forEach((vantage, j) => {
    const factory = probers[vantage];
    if (factory) list.push(factory(site, ctx));
    else out.push(unavailable(`sites[${i}].probe.vantages[${j}]`, vantage));
  });
  const factory = deployers[site.deploy.kind] as DeployerFactory<DeployConfig['kind']> | undefined;
  if (!factory) out.push(unavailable(`sites[${i}].deploy.kind`, site.deploy.kind));
  // External-deploy marker probes need only the http prober: the same table, at the marker path.
  const atMarker = site.marker && {
    ...site,
    canary: { ...site.canary, path: site.marker.path },
    probe: { ...site.probe, originUrl: undefined },
  };
  const runtime: SiteRuntime = {
    spec: site,
    deployer: factory?.(site.deploy, ctx),
    probers: list,
    markerProbers: atMarker
      ? site.probe.vantages.flatMap((v) => (probers[v] ? [probers[v](atMarker, ctx)] : []))
      : undefined,
  };
  return runtime;
}

/** Every site's adapters and every notifier; throws one ConfigError listing each unavailable kind. */
export function buildWorkerAdapters(
  sites: SiteConfig[],
  notifierConfigs: NotifierConfig[],
  ctx: WorkerAdapterContext,
): { runtimes: SiteRuntime[]; notifiers: Map<string, Notifier> } {
  const problems: ConfigProblem[] = [];
  const runtimes = sites.map((site, i) => siteRuntime(site, i, ctx, problems));
  const built = new Map<string, Notifier>();
  notifierConfigs.forEach((cfg, i) => {
    const factory = notifiers[cfg.kind] as NotifierFactory<NotifierConfig['kind']> | undefined;
    if (!factory) problems.push(unavailable(`notifiers[${i}].kind`, cfg.kind));
    else built.set(cfg.id, factory(cfg, { fetch: guarded(ctx, cfg), now: () => Date.now() }));
  });
  if (problems.length) throw new ConfigError(problems);
  return { runtimes, notifiers: built };
}
