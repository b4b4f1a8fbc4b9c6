/**
 * Test bed: a whole Pages-like host on loopback. A fleet of nginx nodes
 * (fleet.ts) fed by a git pipeline, behind a varnish edge (varnish.ts) on
 * 127.0.0.1 at the fleet's port, so the site URL is the edge and each node is
 * `node:127.0.0.x` to the `nodes` vantage. Builds the freshprobe site config
 * for it too, with the short intervals scenario tests use.
 */
import { type Fleet, type FleetOptions, startFleet } from './fleet.js';
import { startVarnish, type VarnishEdge } from './varnish.js';

export interface PagesFleetOptions extends FleetOptions {
  /** TTL of the edge for 200 responses, seconds; 0 passes every request to a node. */
  edgeTtlSeconds: number;
}

export interface PagesFleet {
  fleet: Fleet;
  edge: VarnishEdge;
  /** The site's public URL: the edge. */
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the fleet, then the edge on 127.0.0.1 at the fleet's port. That port was free on every
 * address a moment before; if another process took one meanwhile, everything starts over once.
 */
export async function startPagesFleet(opts: PagesFleetOptions): Promise<PagesFleet> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(opts);
    } catch (err) {
      if (attempt >= 2) throw err;
    }
  }
}

async function startOnce(opts: PagesFleetOptions): Promise<PagesFleet> {
  const fleet = await startFleet(opts);
  let edge: VarnishEdge;
  try {
    edge = await startVarnish({
      backends: fleet.nodes.map((n) => ({ host: n.address, port: fleet.port })),
      ttlSeconds: opts.edgeTtlSeconds,
      port: fleet.port,
    });
  } catch (err) {
    await fleet.close();
    throw err;
  }
  return {
    fleet,
    edge,
    url: edge.url,
    close: async () => {
      await edge.close();
      await fleet.close();
    },
  };
}

export interface SiteOverrides {
  id?: string;
  vantages?: string[];
  /** Probe this URL as `origin` instead of cache-busting the edge. */
  originUrl?: string;
  threshold?: string;
  timeout?: string;
  interval?: string;
  probeTimeout?: string;
}

/** A freshprobe config with one git-deployed site on this host. */
export function pagesSiteConfig(pages: PagesFleet, o: SiteOverrides = {}) {
  return {
    sites: [
      {
        id: o.id ?? 'pages',
        url: pages.url,
        deploy: {
          kind: 'git',
          remote: pages.fleet.remote,
          branch: 'main',
          file: 'public/freshprobe/canary.json',
        },
        probe: {
          vantages: o.vantages ?? ['edge', 'origin', 'nodes'],
          nodes: pages.fleet.nodes.map((n) => n.address),
          interval: o.interval ?? '1s',
          timeout: o.probeTimeout ?? '3s',
          ...(o.originUrl ? { originUrl: o.originUrl } : {}),
        },
        timeout: o.timeout ?? '1m',
        slo: { threshold: o.threshold ?? '5s' },
      },
    ],
  };
}
