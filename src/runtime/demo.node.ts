/**
 * `npm start` with no config: a demo site on loopback, watched with a short
 * cadence so a newcomer sees canaries go from deployed to visible in a minute.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LoadedConfig, parseConfigObject } from '../config.js';
import { type DemoSite, startDemoSite } from './demo-site.node.js';

export interface Demo {
  loaded: LoadedConfig;
  site: DemoSite;
  close(): Promise<void>;
}

/** The demo's config goes through the same schema as a user's, defaults and all. */
export function demoConfig(site: DemoSite, dbFile: string): unknown {
  return {
    storage: { sqlite: dbFile },
    sites: [
      {
        id: 'demo',
        name: 'Demo pages site',
        group: 'Demo',
        url: site.url,
        deploy: { kind: 'local-dir', dir: site.stagingDir },
        probe: {
          vantages: ['edge', 'origin', 'nodes'],
          nodes: site.nodes,
          interval: '10s',
          timeout: '5s',
        },
        schedule: '* * * * *',
        timeout: '3m',
        slo: { threshold: '20s' },
        runbook: 'https://github.com/freshprobe/freshprobe#states',
      },
    ],
  };
}

export async function startDemo(): Promise<Demo> {
  const dir = await mkdtemp(join(tmpdir(), 'freshprobe-demo-'));
  // Worst case (8 s plus a 22 s lag) keeps a first full verdict well inside a minute.
  const site = await startDemoSite({
    baseDir: dir,
    minDelayMs: 2_000,
    maxDelayMs: 8_000,
    lagMinMs: 12_000,
    lagMaxMs: 22_000,
  });
  const loaded = parseConfigObject(demoConfig(site, join(dir, 'demo.db')), {});
  return {
    loaded,
    site,
    close: async () => {
      await site.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
