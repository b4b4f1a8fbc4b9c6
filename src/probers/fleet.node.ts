/**
 * The `nodes` vantage: the same GET as `edge`, sent to every server of the fleet directly, so a
 * node that serves old content is seen every time instead of sometimes (DESIGN.md section 1.2).
 * The URL, Host header and TLS SNI stay the site's; only the TCP destination changes, through a
 * per-node undici Agent whose connector dials the node's address and checks the certificate
 * against the site's hostname. Node-only (DNS resolution, sockets).
 */
import { lookup, Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkServerIdentity } from 'node:tls';
import { Agent, buildConnector } from 'undici';
import { ConfigError } from '../core/errors.js';
import type { ProbeResult } from '../core/model.js';
import type { Prober } from '../core/ports.js';
import { DEFAULT_USER_AGENT, type ProbeLimits, probeOnce } from './http.js';
import { probeFetchVia } from './lean-fetch.node.js';
import { createNodeFetch, type NodeFetch } from './node-fetch.node.js';

/** Options of the `nodes` prober; the limits apply to each node's probe. */
export interface FleetProberOptions extends ProbeLimits {
  /** Full canary URL on the site, e.g. https://docs.example.com/freshprobe/canary.json */
  url: string;
  /** `resolve`: every A and AAAA record of the site's hostname, looked up at each probe. Or a
   * list of "IPv4", "IPv6", "IPv4:port", "[IPv6]:port" (port defaults to the URL's). */
  nodes: 'resolve' | string[];
  headers?: Record<string, string>;
  /** TCP + TLS connect budget per node, ms; default min(timeoutMs, 10 s). */
  connectTimeoutMs?: number;
  userAgent?: string;
  /** Trusted CA certificates (PEM) for fleets behind a private CA; replaces the public roots. */
  ca?: string | string[];
}

/** One server of the fleet and the vantage name its results carry. */
export interface FleetNode {
  address: string;
  port: number;
  /** `node:<ip>` on the URL's port, else `node:<ip>:<port>` (`node:[<ipv6>]:<port>`). */
  vantage: string;
}

const portOf = (u: URL) => Number(u.port) || (u.protocol === 'https:' ? 443 : 80);
/** URL.hostname keeps the brackets of an IPv6 literal; sockets and certificates want it bare. */
const bareHost = (u: URL) => u.hostname.replace(/^\[|\]$/g, '');

function fleetNode(address: string, port: number, site: URL): FleetNode {
  if (port === portOf(site)) return { address, port, vantage: `node:${address}` };
  const where = isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
  return { address, port, vantage: `node:${where}` };
}

/** Parses one configured node entry; undefined when it is not an IP with an optional port. */
export function parseNode(entry: string, site: URL): FleetNode | undefined {
  const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+):(\d+)$/.exec(entry);
  const address = match ? match[1]! : entry;
  const port = match?.[2] === undefined ? portOf(site) : Number(match[2]);
  if (!isIP(address) || port < 1 || port > 65535) return undefined;
  return fleetNode(address, port, site);
}

/** Rejects after `ms`, so a hung resolver cannot hold the probe past its budget. */
function deadline<T>(task: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('timed out'), { code: 'ETIMEOUT' })),
      ms,
    );
  });
  return Promise.race([task, expired]).finally(() => clearTimeout(timer));
}

/**
 * Every address of `host`: A and AAAA records from DNS; the OS resolver for `localhost`, and as
 * a fallback for names only /etc/hosts (or similar) knows. IP literals are their own node.
 */
export async function resolveAddresses(host: string, timeoutMs: number): Promise<string[]> {
  if (isIP(host)) return [host];
  if (host !== 'localhost' && !host.endsWith('.localhost')) {
    const resolver = new Resolver({ timeout: Math.max(100, Math.floor(timeoutMs / 2)), tries: 1 });
    const found = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const all = found.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    if (all.length > 0) return [...new Set(all)];
  }
  const found = await deadline(lookup(host, { all: true }), timeoutMs);
  return [...new Set(found.map((a) => a.address))];
}

/**
 * A pool whose every connection to the site goes to `node`: same Host header, SNI = the site's
 * hostname, certificate checked against the site's hostname (not the IP we dialed). Another
 * port on the site host (an http→https redirect) goes to that port on the same node.
 */
function nodeAgent(site: URL, node: FleetNode, opts: FleetProberOptions): Agent {
  const host = bareHost(site);
  const connector = buildConnector({
    timeout: opts.connectTimeoutMs ?? Math.min(opts.timeoutMs, 10_000),
    ...(opts.ca ? { ca: opts.ca } : {}),
    checkServerIdentity: (_dialed: string, cert) => checkServerIdentity(host, cert),
  });
  const sitePort = portOf(site);
  return new Agent({
    connect: (target, callback) => {
      const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
      const servername = isIP(host) ? undefined : host;
      const dialed = String(port === sitePort ? node.port : port);
      connector({ ...target, hostname: node.address, port: dialed, servername }, callback);
    },
  });
}

/**
 * One keep-alive pool per node, kept across probes (pools of nodes that went away are closed),
 * plus a shared plain pool for redirects that leave the site host.
 */
class NodePools {
  private readonly agents = new Map<string, Agent>();
  private readonly plain: NodeFetch;

  constructor(
    private readonly site: URL,
    private readonly opts: FleetProberOptions,
  ) {
    const connectTimeoutMs = opts.connectTimeoutMs ?? Math.min(opts.timeoutMs, 10_000);
    this.plain = createNodeFetch({ connectTimeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) });
  }

  /** A fetch per node vantage: the site host goes to the node, any other host normally. */
  fetchFor(nodes: FleetNode[]): Map<string, typeof fetch> {
    const current = new Set(nodes.map((n) => n.vantage));
    for (const [vantage, agent] of this.agents) {
      if (current.has(vantage)) continue;
      this.agents.delete(vantage);
      agent.close().catch(() => {});
    }
    const fetches = new Map<string, typeof fetch>();
    for (const node of nodes) {
      const agent = this.agents.get(node.vantage) ?? nodeAgent(this.site, node, this.opts);
      this.agents.set(node.vantage, agent);
      const direct = probeFetchVia(agent);
      const route = (input: RequestInfo | URL, init?: RequestInit) => {
        const target = new URL(input instanceof Request ? input.url : String(input));
        return (target.hostname === this.site.hostname ? direct : this.plain.probeFetch)(
          input,
          init,
        );
      };
      fetches.set(node.vantage, route as typeof fetch);
    }
    return fetches;
  }

  async close(): Promise<void> {
    const pools = [...this.agents.values()];
    this.agents.clear();
    await Promise.all([this.plain.close(), ...pools.map((agent) => agent.close())]);
  }
}

/** The nodes to probe now, or the `dns` result that replaces them when resolving fails. */
async function findNodes(site: URL, opts: FleetProberOptions): Promise<FleetNode[] | ProbeResult> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  try {
    const addresses = await resolveAddresses(bareHost(site), opts.timeoutMs);
    return addresses.map((address) => fleetNode(address, portOf(site), site));
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    const error = { class: 'dns' as const, message: `cannot resolve ${bareHost(site)} (${code})` };
    return { vantage: 'nodes', startedAt, durationMs: now() - startedAt, cache: {}, error };
  }
}

/**
 * The `nodes` prober: one ProbeResult per node, all nodes probed concurrently. A failed
 * `resolve` gives a single `nodes` result with error class `dns`. Throws ConfigError at
 * creation for a node entry that is not an IP (with optional port).
 */
export function createFleetProber(opts: FleetProberOptions): Prober {
  const site = new URL(opts.url);
  const configured = opts.nodes === 'resolve' ? undefined : parseNodes(opts.nodes, site);
  const headers = { 'user-agent': opts.userAgent ?? DEFAULT_USER_AGENT, ...opts.headers };
  const pools = new NodePools(site, opts);
  return {
    kind: 'nodes',
    async probe(signal: AbortSignal): Promise<ProbeResult[]> {
      const began = Date.now();
      const nodes = configured ?? (await findNodes(site, opts));
      if (!Array.isArray(nodes)) return [nodes];
      // DNS time counts against the budget, so the whole probe stays within timeoutMs.
      const limits = { ...opts, timeoutMs: Math.max(1, opts.timeoutMs - (Date.now() - began)) };
      const fetches = pools.fetchFor(nodes);
      const probeNode = async (node: FleetNode): Promise<ProbeResult> => {
        const init = { headers, signal };
        const outcome = await probeOnce(fetches.get(node.vantage)!, opts.url, init, limits);
        return { vantage: node.vantage, ...outcome };
      };
      return Promise.all(nodes.map(probeNode));
    },
    close: () => pools.close(),
  };
}

function parseNodes(entries: string[], site: URL): FleetNode[] {
  const problems: { path: string; message: string }[] = [];
  const nodes = entries.flatMap((entry, i) => {
    const node = parseNode(entry, site);
    if (!node)
      problems.push({ path: `probe.nodes[${i}]`, message: `not an IP or IP:port: ${entry}` });
    return node ? [node] : [];
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return nodes;
}
