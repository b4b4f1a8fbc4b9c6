/**
 * `npm run bench:status`: the status page, the Statuspage API and one badge
 * under load, with 1,000 sites and 90 days of history. The server runs in its
 * own process (bench/status-page-server.ts) and times every request around
 * app.fetch; autocannon drives it over loopback from this process, so the
 * two share the machine's two cores as a server and its clients would.
 * `--write` records the figures in BENCHMARKS.md between its own markers.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Client, load, wrkAvailable } from './load-client.js';
import { cpuSnapshot, machineLoad, waitQuiet } from './machine-load.js';
import { writeMarkedSection } from './ops-sections.js';
import { machine, revision } from './report.js';
import { percentile } from './stats.js';
import {
  type Figures,
  type RouteFigures,
  section,
  TARGETS,
  verdicts,
} from './status-page-report.js';
import type { ServerOptions } from './status-page-server.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');

function options() {
  const { values } = parseArgs({
    options: {
      sites: { type: 'string', default: '1000' },
      'per-day': { type: 'string', default: '4' },
      seconds: { type: 'string', default: '10' },
      connections: { type: 'string', default: '25' },
      write: { type: 'boolean', default: false },
      'wait-quiet': { type: 'boolean', default: false },
      only: { type: 'string' },
      client: { type: 'string' },
      'hono-only': { type: 'boolean', default: false },
    },
  });
  const int = (v: string | undefined, name: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    sites: int(values.sites, 'sites'),
    perDay: int(values['per-day'], 'per-day'),
    seconds: int(values.seconds, 'seconds'),
    connections: int(values.connections, 'connections'),
    write: values.write ?? false,
    waitQuiet: values['wait-quiet'] ?? false,
    /** `index`, `summary` or `badge`: measure one route (for profiling; never written). */
    only: values.only,
    client: values.client as Client | undefined,
    /** Without the Node badge fast path, to compare with it. */
    honoOnly: values['hono-only'] ?? false,
  };
}

async function startServer(o: ServerOptions): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(join(HERE, 'status-page-server.ts'), [JSON.stringify(o)], {
    execArgv: process.execArgv,
  });
  const [message] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(() => {
      throw new Error('bench server exited before listening');
    }),
  ])) as [{ port: number }];
  return { child, url: `http://127.0.0.1:${message.port}` };
}

function serverTimes(child: ChildProcess): Promise<Record<string, number[]>> {
  const reply = once(child, 'message') as Promise<[{ stats: Record<string, number[]> }]>;
  child.send({ stats: true });
  return reply.then(([m]) => m.stats);
}

async function measure(
  client: Client,
  url: string,
  child: ChildProcess,
  route: string,
  seconds: number,
  connections: number,
): Promise<RouteFigures> {
  await load(client, url, 3, connections); // warm-up: caches, JIT
  await serverTimes(child);
  const cpuBefore = cpuSnapshot(child.pid);
  const result = await load(client, url, seconds, connections);
  const cpuAfter = cpuSnapshot(child.pid);
  const times = (await serverTimes(child))[route] ?? [];
  const body = await (await fetch(url)).text();
  // Everything but the server, the load client included: on 2 cores they compete.
  const cores = cpuBefore && cpuAfter ? machineLoad(cpuBefore, cpuAfter, 0) : undefined;
  return {
    ...result,
    connections,
    bytes: Buffer.byteLength(body),
    serverP95: percentile(times, 95),
    serverP99: percentile(times, 99),
    requests: times.length,
    serverCores: cores?.serverCores ?? Number.NaN,
    otherCores: cores?.otherCores ?? Number.NaN,
  };
}

async function main(): Promise<void> {
  const o = options();
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
  const db = join(ROOT, 'bench', 'results', `status-${o.sites}x${o.perDay}.db`);
  process.stdout.write(
    `server: ${o.sites} sites, 90 days x ${o.perDay} canaries/day (${db}; seeding once takes minutes)\n`,
  );
  const client: Client = o.client ?? ((await wrkAvailable()) ? 'wrk' : 'autocannon');
  process.stdout.write(`load client: ${client}\n`);
  const { child, url } = await startServer({
    sites: o.sites,
    perDay: o.perDay,
    db,
    honoOnly: o.honoOnly,
  });
  try {
    if (o.waitQuiet)
      await waitQuiet(0.25, 15 * 60_000, new AbortController().signal, (m) =>
        process.stdout.write(`${m}\n`),
      );
    const routes = {
      index: [`${url}/`, '/', 10],
      summary: [`${url}/api/v2/summary.json`, '/api/v2/summary.json', 10],
      badge: [`${url}/badge/site-0007/status.svg`, 'badge', o.connections],
    } as const;
    if (o.only) {
      const [target, route, connections] = routes[o.only as keyof typeof routes];
      const f = await measure(client, target, child, route, o.seconds, connections);
      process.stdout.write(`${JSON.stringify({ [o.only]: f })}\n`);
      return;
    }
    const figures = {} as Figures;
    for (const [name, [target, route, connections]] of Object.entries(routes))
      figures[name as keyof Figures] = await measure(
        client,
        target,
        child,
        route,
        o.seconds,
        connections,
      );
    const command = `npm run bench:status -- --sites ${o.sites} --per-day ${o.perDay} --seconds ${o.seconds} --client ${client} --connections ${o.connections}${o.waitQuiet ? ' --wait-quiet' : ''}${o.honoOnly ? ' --hono-only' : ''}`;
    const text = section(figures, {
      command,
      machine: machine(),
      revision: revision(),
      date: new Date().toISOString(),
    });
    process.stdout.write(`${text}\n`);
    process.stdout.write(
      `${JSON.stringify({ figures, targets: TARGETS, verdicts: verdicts(figures) })}\n`,
    );
    if (o.write) await writeMarkedSection(join(ROOT, 'BENCHMARKS.md'), 'status-page', text);
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

await main();
