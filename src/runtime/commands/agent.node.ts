/**
 * `freshprobe agent --server URL`: a remote vantage. It asks the central
 * server (Node or Worker) what to probe, probes with the same http prober as
 * the server, and posts the raw results, which the server judges and stores
 * under this agent's vantage. It holds no state and no site secrets: the token
 * only names the agent. Probing speeds up to about 1 s while the server says
 * a new canary is unseen from here, so remote latency gets a tight bound.
 */
import type { Logger } from '../../core/deps.js';
import { errorMessage } from '../../core/deps.js';
import type { AgentPostResponse, AgentSite, AgentSitesResponse } from '../../http/agent-wire.js';
import { MAX_RESULT_BODY } from '../../http/agent-wire.js';
import { DEFAULT_USER_AGENT, probeOnce } from '../../probers/http.js';
import { createNodeFetch } from '../../probers/node-fetch.node.js';
import { type CliValues, UsageError } from '../cli-args.node.js';
import { createLogger } from '../logger.node.js';
import { type AgentResult, clampResult, PostQueue } from './agent-post.node.js';
import type { Io } from './io.node.js';

export interface AgentOptions {
  /** Central server base URL. */
  server: string;
  token: string;
  /** What probes go through (undici pool in the CLI). */
  fetch: typeof fetch;
  /** What server calls go through; default the global fetch. */
  api?: typeof fetch;
  log: Logger;
  signal: AbortSignal;
}

/** When the site list cannot be read, try again after this long. */
const RETRY_MS = 5_000;

/** Runs until `signal` aborts; a failing server or site never ends it. */
export async function runAgent(opts: AgentOptions): Promise<void> {
  const api = opts.api ?? fetch;
  const base = opts.server.replace(/\/+$/, '');
  const auth = { authorization: `Bearer ${opts.token}` };
  const nextAt = new Map<string, number>();
  const queue = new PostQueue(api, `${base}/api/v1/agent/observations`, auth, opts.log);
  let list: AgentSitesResponse | undefined;
  let refreshAt = 0;
  while (!opts.signal.aborted) {
    if (Date.now() >= refreshAt) {
      list = (await readSites(api, `${base}/api/v1/agent/sites`, auth, opts.log)) ?? list;
      refreshAt = Date.now() + (list?.refreshMs ?? RETRY_MS);
      if (list) plan(nextAt, list.sites);
    }
    const due = (list?.sites ?? []).filter((s) => (nextAt.get(s.id) ?? 0) <= Date.now());
    if (due.length && list) await probeAndPost(opts, list, due, nextAt, queue);
    const wake = Math.min(refreshAt, ...nextAt.values());
    await sleepUntil(wake, opts.signal);
  }
}

/** New sites are probed at once; a shorter poll from the server pulls the next probe in. */
function plan(nextAt: Map<string, number>, sites: AgentSite[]): void {
  const now = Date.now();
  const ids = new Set(sites.map((s) => s.id));
  for (const id of [...nextAt.keys()]) if (!ids.has(id)) nextAt.delete(id);
  for (const s of sites) nextAt.set(s.id, Math.min(nextAt.get(s.id) ?? now, now + s.pollMs));
}

async function probeAndPost(
  opts: AgentOptions,
  list: AgentSitesResponse,
  due: AgentSite[],
  nextAt: Map<string, number>,
  queue: PostQueue,
): Promise<void> {
  const results = await Promise.all(due.map((site) => probeSite(opts, list.vantage, site)));
  for (const site of due) nextAt.set(site.id, Date.now() + site.probe.intervalMs);
  const answer: AgentPostResponse | undefined = await queue.post(results);
  for (const [id, { pollMs }] of Object.entries(answer?.sites ?? {}))
    if (nextAt.has(id)) nextAt.set(id, Date.now() + pollMs);
}

async function probeSite(opts: AgentOptions, vantage: string, site: AgentSite) {
  const outcome = await probeOnce(
    opts.fetch,
    site.url,
    { headers: { 'user-agent': DEFAULT_USER_AGENT }, signal: opts.signal },
    {
      timeoutMs: site.probe.timeoutMs,
      maxBodyBytes: site.probe.maxBodyBytes,
      maxRedirects: site.probe.maxRedirects,
    },
  );
  opts.log.info({ event: 'probe.done', site: site.id, vantage, status: outcome.status });
  const result: AgentResult = { siteId: site.id, vantage, ...outcome };
  return clampResult(result, MAX_RESULT_BODY);
}

async function readSites(
  api: typeof fetch,
  url: string,
  headers: Record<string, string>,
  log: Logger,
): Promise<AgentSitesResponse | undefined> {
  try {
    const res = await api(url, { headers, signal: AbortSignal.timeout(30_000) });
    if (res.ok) return (await res.json()) as AgentSitesResponse;
    log.warn({ event: 'agent.sites_failed', status: res.status, error: await res.text() });
  } catch (error) {
    log.warn({ event: 'agent.sites_failed', error: errorMessage(error) });
  }
  return undefined;
}

function sleepUntil(at: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, at - Date.now()));
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** The CLI command; returns -1 (keeps running) and stops on SIGTERM/SIGINT. */
export async function agentCommand(values: CliValues, _p: string[], _io: Io): Promise<number> {
  if (!values.server) throw new UsageError('agent needs --server <url>');
  const token = values.token ?? process.env.FRESHPROBE_AGENT_TOKEN;
  if (!token) throw new UsageError('agent needs --token or FRESHPROBE_AGENT_TOKEN');
  const log = createLogger({ secrets: [token] });
  const net = createNodeFetch({ connectTimeoutMs: 10_000 });
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => stop.abort());
  log.info({ event: 'agent.start', server: values.server });
  void runAgent({ server: values.server, token, fetch: net.fetch, log, signal: stop.signal })
    .finally(() => net.close())
    .then(() => process.exit(0));
  return -1;
}
