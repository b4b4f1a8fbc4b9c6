/**
 * `npx tsx bench/micro.ts`: the two costs that dominate the canary loop's
 * profile, measured alone, next to what they would cost done differently.
 * Backs the recommendations in BENCHMARKS.md; prints, never writes.
 * - store: one statement through today's Store (drizzle builds the SQL and
 *   better-sqlite3 prepares it on every call) vs a drizzle prepared statement,
 *   and a round's ~8 writes in one transaction.
 * - http: CPU per probe of freshprobe's http prober, plain undici fetch, and
 *   undici.request, against the bench target server in its own process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { Agent, request, fetch as undiciFetch } from 'undici';
import { createHttpProber } from '../src/probers/http.js';
import { createNodeFetch } from '../src/probers/node-fetch.node.js';
import * as schema from '../src/storage/schema.js';
import { openSqliteStore } from '../src/storage/sqlite.node.js';
import { startTargetServer } from './processes.js';

const SITES = 50;
const id = (i: number) => `s${i % SITES}`;

/** Wall time per call, µs (the store is synchronous underneath, so wall time is CPU time). */
async function perCall(name: string, n: number, call: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < n / 10; i++) await call(i); // warm the JIT and the page cache
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call(i);
  const us = Number(process.hrtime.bigint() - t0) / n / 1000;
  console.log(`  ${us.toFixed(1).padStart(7)} µs  ${name}`);
}

async function storeCosts(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'freshprobe-micro-'));
  const h = openSqliteStore(join(dir, 'micro.db')); // a file in WAL mode, as in production
  const { store } = h;
  for (let i = 0; i < SITES; i++)
    await store.upsertSite({ id: id(i), name: id(i), url: 'http://x/' }, 0);
  const db = drizzle(h.sqlite, { schema });
  const select = db
    .select()
    .from(schema.sites)
    .where(eq(schema.sites.id, sql.placeholder('id')))
    .prepare();
  const update = db
    .update(schema.sites)
    .set({
      nextProbeAt: sql`${sql.placeholder('next')}`,
      lastProbeAt: sql`${sql.placeholder('last')}`,
    })
    .where(eq(schema.sites.id, sql.placeholder('id')))
    .prepare();
  const round = h.sqlite.transaction((i: number) => {
    for (let k = 0; k < 8; k++) update.run({ id: id(i + k), next: i, last: i });
  });
  console.log(`store, per call (SQLite file, WAL, ${SITES} sites):`);
  await perCall('store.getSite (today)', 20_000, (i) => store.getSite(id(i)));
  await perCall('same SELECT, drizzle prepared once', 20_000, (i) => select.get({ id: id(i) }));
  await perCall('store.setProbeTimes (today)', 20_000, (i) =>
    store.setProbeTimes(id(i), { nextProbeAt: i }),
  );
  await perCall('same UPDATE, drizzle prepared once', 20_000, (i) =>
    update.run({ id: id(i), next: i, last: i }),
  );
  await perCall('8 such UPDATEs in one transaction (a round)', 5_000, (i) => round(i));
  h.close();
  await rm(dir, { recursive: true, force: true });
}

/** Process CPU per probe, µs, with 200 probes in flight at a time. */
async function perProbe(name: string, probe: (i: number) => Promise<unknown>): Promise<void> {
  const wave = () => Promise.all(Array.from({ length: 200 }, (_, i) => probe(i)));
  for (let i = 0; i < 20; i++) await wave();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let n = 0;
  for (; Date.now() - t0 < 4_000; n += 200) await wave();
  const cpu = process.cpuUsage(cpu0);
  const rate = n / ((Date.now() - t0) / 1000);
  console.log(
    `  ${((cpu.user + cpu.system) / n).toFixed(0).padStart(7)} µs  ${name} (${rate.toFixed(0)}/s)`,
  );
}

async function httpCosts(): Promise<void> {
  const server = await startTargetServer('404', tmpdir());
  const url = (i: number) => `http://127.0.0.1:${server.port}/${id(i)}/freshprobe/canary.json`;
  const net = createNodeFetch({ connectTimeoutMs: 10_000 });
  const agent = new Agent({ connect: { timeout: 10_000 } });
  const limits = { timeoutMs: 5_000, maxBodyBytes: 1_048_576, maxRedirects: 5 };
  const probers = Array.from({ length: 200 }, (_, i) =>
    createHttpProber({
      vantage: i % 2 ? 'origin' : 'edge',
      url: url(i),
      fetch: net.fetch,
      ...limits,
    }),
  );
  console.log('http, CPU per probe (target server in its own process, 200 in flight):');
  try {
    await perProbe('freshprobe http prober (today)', (i) =>
      probers[i]!.probe(AbortSignal.timeout(60_000)),
    );
    await perProbe('undici fetch + text()', async (i) =>
      (await undiciFetch(url(i), { dispatcher: agent })).text(),
    );
    await perProbe('undici request + text()', async (i) =>
      (await request(url(i), { dispatcher: agent })).body.text(),
    );
  } finally {
    await net.close();
    await agent.close();
    await server.stop();
  }
}

await storeCosts();
await httpCosts();
