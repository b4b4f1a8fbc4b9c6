/**
 * Remote vantages (`freshprobe agent`): an agent fetches what to probe and
 * posts raw results, which are judged and stored with the same core as local
 * probes (core/ingest.ts), under the agent's own vantage. An agent is known by
 * its bearer token (constant-time compare) and may only post for its vantage
 * and its sites. Runtime-independent: the same routes on Node and Workers.
 */
import type { Context, Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { newToken } from '../core/canary.js';
import type { CoreDeps, Logger } from '../core/deps.js';
import { AuthError } from '../core/errors.js';
import { ingestRemoteResults, remotePollMs } from '../core/ingest.js';
import type { ProbeResult } from '../core/model.js';
import type { Clock } from '../core/ports.js';
import { canaryUrl, type SiteRuntime, type SiteSpec } from '../core/site.js';
import type { FullStore } from '../core/store.js';
import {
  type AgentPostResponse,
  type AgentSite,
  type AgentSitesResponse,
  agentPostSchema,
  MAX_POST_BYTES,
  timeProblem,
} from './agent-wire.js';
import { bearer, constantTimeEqual } from './auth.js';

/** One configured agent (config `agents[]`, resolved). */
export interface AgentSpec {
  id: string;
  token: string;
  vantage: string;
  /** Undefined: every site. */
  sites?: string[];
}

export interface AgentRouteServices {
  store: FullStore;
  clock: Clock;
  log: Logger;
  sites(): SiteSpec[];
  /** Configured agents (changes on reload); absent or empty closes the agent API. */
  agents?(): AgentSpec[];
}

/** How often agents re-read the site list: new canaries are noticed within this. */
export const AGENT_REFRESH_MS = 5_000;

/** Probe limits live in the full site config; a bare SiteSpec gets the built-in defaults. */
type ProbeLimits = { timeout?: number; maxBodyBytes?: number; maxRedirects?: number };

export function registerAgentRoutes(app: Hono, services: AgentRouteServices): void {
  const deps: CoreDeps = {
    store: services.store,
    clock: services.clock,
    log: services.log,
    newToken,
  };
  app.get('/api/v1/agent/sites', async (c) => {
    const agent = authenticate(c, services);
    const specs = await agentSites(services, agent);
    const sites = await Promise.all(specs.map((spec) => siteFor(deps, spec, agent)));
    const body: AgentSitesResponse = {
      agent: agent.id,
      vantage: agent.vantage,
      refreshMs: AGENT_REFRESH_MS,
      sites,
    };
    return c.json(body);
  });
  app.post('/api/v1/agent/observations', async (c) => {
    const agent = authenticate(c, services);
    const results = parseResults(await readCapped(c.req.raw, MAX_POST_BYTES));
    const foreign = results.find((r) => r.vantage !== agent.vantage);
    if (foreign) {
      const message = `agent ${agent.id} posts for vantage "${agent.vantage}" only, got "${foreign.vantage}"`;
      throw new HTTPException(403, { message });
    }
    const allowed = new Map((await agentSites(services, agent)).map((s) => [s.id, s]));
    const answer = await ingestAll(deps, agent, allowed, results);
    services.log.info({
      event: 'agent.results',
      agent: agent.id,
      accepted: answer.accepted,
      rejected: answer.rejected.length,
    });
    return c.json(answer);
  });
}

/** Tries every agent's token, never stopping early: the time says nothing about which matched. */
function authenticate(c: Context, services: AgentRouteServices): AgentSpec {
  const agents = services.agents?.() ?? [];
  if (!agents.length) throw new AuthError('agent API disabled: no agents in config');
  const given = bearer(c.req.header('authorization'));
  let found: AgentSpec | undefined;
  for (const agent of agents) if (constantTimeEqual(given, agent.token)) found ??= agent;
  if (!found) throw new AuthError('missing or wrong agent token');
  return found;
}

async function agentSites(services: AgentRouteServices, agent: AgentSpec): Promise<SiteSpec[]> {
  const specs = services
    .sites()
    .filter((s) => !s.paused && (!agent.sites || agent.sites.includes(s.id)));
  const records = await Promise.all(specs.map((s) => services.store.getSite(s.id)));
  return specs.filter((_, i) => !records[i]?.paused);
}

async function siteFor(deps: CoreDeps, spec: SiteSpec, agent: AgentSpec): Promise<AgentSite> {
  const limits = spec.probe as SiteSpec['probe'] & ProbeLimits;
  return {
    id: spec.id,
    url: canaryUrl(spec),
    format: spec.canary.format,
    pollMs: await remotePollMs(deps, runtime(spec), agent.vantage),
    probe: {
      timeoutMs: limits.timeout ?? 10_000,
      maxBodyBytes: limits.maxBodyBytes ?? 1_048_576,
      maxRedirects: limits.maxRedirects ?? 5,
      intervalMs: spec.probe.interval,
    },
  };
}

/** Ingest needs only the spec: the results were probed elsewhere. */
function runtime(spec: SiteSpec): SiteRuntime {
  return { spec, probers: [] };
}

function parseResults(text: string) {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HTTPException(400, { message: 'body is not JSON' });
  }
  const parsed = agentPostSchema.safeParse(json);
  if (parsed.success) return parsed.data.results;
  const issue = parsed.error.issues[0]!;
  const message = `invalid results: ${issue.path.join('.') || 'body'}: ${issue.message}`;
  throw new HTTPException(400, { message });
}

async function ingestAll(
  deps: CoreDeps,
  agent: AgentSpec,
  allowed: Map<string, SiteSpec>,
  results: Array<ProbeResult & { siteId: string }>,
): Promise<AgentPostResponse> {
  const now = deps.clock.now();
  const answer: AgentPostResponse = { accepted: 0, rejected: [], sites: {} };
  const bySite = new Map<string, ProbeResult[]>();
  results.forEach(({ siteId, ...result }, index) => {
    const reason = allowed.has(siteId)
      ? timeProblem(result, now)
      : `site "${siteId}" is not probed by agent ${agent.id}`;
    if (reason) answer.rejected.push({ index, reason });
    else bySite.set(siteId, [...(bySite.get(siteId) ?? []), result]);
  });
  for (const [siteId, list] of bySite) {
    const rt = runtime(allowed.get(siteId)!);
    await ingestRemoteResults(deps, rt, list);
    answer.accepted += list.length;
    answer.sites[siteId] = { pollMs: await remotePollMs(deps, rt, agent.vantage) };
  }
  return answer;
}

/** The body as text, refusing more than `cap` bytes whether or not Content-Length says so. */
async function readCapped(request: Request, cap: number): Promise<string> {
  const tooLarge = () => new HTTPException(413, { message: `body larger than ${cap} bytes` });
  if (Number(request.headers.get('content-length') ?? 0) > cap) throw tooLarge();
  const reader = request.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}
