/**
 * The Node adapter table: config `kind` → factory, one entry per file in
 * src/deployers and src/probers. No if-chains: adding a kind is one line.
 */
import { join } from 'node:path';
import type { DeployConfig, SiteConfig } from '../config.js';
import { DEFAULT_DEPLOY_TIMEOUT_MS } from '../core/deploy.js';
import { ConfigError } from '../core/errors.js';
import type { Deployer, Prober } from '../core/ports.js';
import { canaryUrl, type SiteRuntime } from '../core/site.js';
import { createCommandDeployer } from '../deployers/command.node.js';
import { createGitDeployer } from '../deployers/git.node.js';
import { createGithubApiDeployer } from '../deployers/github-api.js';
import { createGitlabApiDeployer } from '../deployers/gitlab-api.js';
import { createLocalDirDeployer } from '../deployers/local-dir.node.js';
import { withRedaction } from '../deployers/redacting.js';
import { createWebhookDeployer } from '../deployers/webhook.js';
import { publicOnlyFetch } from '../net/resolve-guard.node.js';
import { createBrowserProber } from '../probers/browser.node.js';
import { createFleetProber } from '../probers/fleet.node.js';
import { createSiteHttpProber } from '../probers/site-http.js';

export interface AdapterContext {
  /** Where deployers keep working state (git clones). */
  dataDir: string;
  fetch: typeof fetch;
  /** For the edge and origin probers: the same pool, through lean-fetch.node.ts (4x less CPU). */
  probeFetch?: typeof fetch;
  /** Values from ${ENV} in the config: redacted from everything a deployer reports. */
  secrets?: readonly string[];
}

type DeployerFactory<K extends DeployConfig['kind']> = (
  cfg: Extract<DeployConfig, { kind: K }>,
  site: SiteConfig,
  ctx: AdapterContext,
) => Deployer;

const deployers: { [K in DeployConfig['kind']]: DeployerFactory<K> } = {
  'local-dir': (cfg) => createLocalDirDeployer({ dir: cfg.dir }),
  git: (cfg, site, ctx) =>
    createGitDeployer({
      remote: cfg.remote,
      branch: cfg.branch,
      file: cfg.file,
      token: cfg.token,
      username: cfg.username,
      author: {
        name: cfg.author?.name ?? 'freshprobe',
        email: cfg.author?.email ?? 'freshprobe@localhost',
      },
      workdir: join(ctx.dataDir, 'git', site.id),
    }),
  // API deployers get the injected fetch behind the SSRF guard unless allowPrivateAddresses.
  'gitlab-api': (cfg, _site, ctx) =>
    createGitlabApiDeployer({
      ...cfg,
      pipelineTimeoutMs: cfg.pipelineTimeout,
      fetch: publicOnlyFetch(ctx.fetch, cfg),
    }),
  'github-api': (cfg, _site, ctx) =>
    createGithubApiDeployer({
      ...cfg,
      pagesTimeoutMs: cfg.pagesTimeout,
      fetch: publicOnlyFetch(ctx.fetch, cfg),
    }),
  command: (cfg) => createCommandDeployer({ ...cfg, timeoutMs: cfg.timeout }),
  webhook: (cfg, _site, ctx) =>
    createWebhookDeployer({ ...cfg, fetch: publicOnlyFetch(ctx.fetch, cfg) }),
};

type ProberFactory = (site: SiteConfig, ctx: AdapterContext) => Prober;

function httpProber(vantage: 'edge' | 'origin'): ProberFactory {
  return (site, ctx) => createSiteHttpProber(site, vantage, ctx.probeFetch ?? ctx.fetch);
}

const probers: Record<string, ProberFactory> = {
  edge: httpProber('edge'),
  origin: httpProber('origin'),
  nodes: (site) =>
    createFleetProber({
      url: canaryUrl(site),
      nodes: site.probe.nodes,
      timeoutMs: site.probe.timeout,
      maxBodyBytes: site.probe.maxBodyBytes,
      maxRedirects: site.probe.maxRedirects,
      headers: site.probe.headers,
    }),
  browser: (site, ctx) =>
    createBrowserProber({
      url: canaryUrl(site),
      landingUrl: site.url,
      format: site.canary.format,
      // markerProbers re-point canary.path at the marker page, which has no freshprobe meta.
      awaitMarker: site.canary.path !== site.marker?.path,
      timeoutMs: site.probe.timeout,
      maxBodyBytes: site.probe.maxBodyBytes,
      headers: site.probe.headers,
      // One profile for every site: one Chromium, and origins keep sites' workers apart.
      profileDir: join(ctx.dataDir, 'browser'),
    }),
};

function buildDeployer(site: SiteConfig, ctx: AdapterContext): Deployer | undefined {
  if (!site.deploy) return undefined;
  const factory = deployers[site.deploy.kind] as DeployerFactory<DeployConfig['kind']>;
  return withRedaction(factory(site.deploy, site, ctx), ctx.secrets ?? []);
}

/** Deployers that wait for a pipeline get that long plus a minute; the rest the core default. */
function deployTimeoutOf(site: SiteConfig): number | undefined {
  const d = site.deploy as
    | { pipelineTimeout?: number; pagesTimeout?: number; timeout?: number }
    | undefined;
  const wait = Math.max(d?.pipelineTimeout ?? 0, d?.pagesTimeout ?? 0, d?.timeout ?? 0);
  return wait > 0 ? Math.max(DEFAULT_DEPLOY_TIMEOUT_MS, wait + 60_000) : undefined;
}

/** Builds every site's adapters; an unavailable vantage is a config error, not a silent gap. */
/** The same vantages pointed at the marker path, for external deploys. */
function markerProbers(site: SiteConfig, ctx: AdapterContext): Prober[] | undefined {
  if (!site.marker) return undefined;
  const atMarker: SiteConfig = {
    ...site,
    canary: { ...site.canary, path: site.marker.path },
    probe: { ...site.probe, originUrl: undefined },
  };
  return site.probe.vantages.flatMap((v) => (probers[v] ? [probers[v](atMarker, ctx)] : []));
}

export function buildSiteRuntimes(sites: SiteConfig[], ctx: AdapterContext): SiteRuntime[] {
  const problems: { path: string; message: string }[] = [];
  const runtimes = sites.map((site, i) => {
    const list: Prober[] = [];
    site.probe.vantages.forEach((vantage, j) => {
      const factory = probers[vantage];
      if (factory) list.push(factory(site, ctx));
      else
        problems.push({
          path: `sites[${i}].probe.vantages[${j}]`,
          message: `the ${vantage} vantage is not available in this build`,
        });
    });
    return {
      spec: site,
      deployer: buildDeployer(site, ctx),
      probers: list,
      markerProbers: markerProbers(site, ctx),
      deployTimeoutMs: deployTimeoutOf(site),
    };
  });
  if (problems.length) throw new ConfigError(problems);
  return runtimes;
}
