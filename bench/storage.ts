/**
 * Storage bench: bytes on disk per stored row (observation, canary, hourly
 * and daily aggregate, indexes and page slack included, read from SQLite's
 * dbstat) and the projected database size for 1,000 sites after a year with
 * the default retention (observations 30 days raw; canaries and aggregates
 * 90 days). The rows come from storage-sim.ts: the real core at the default
 * cadence (a canary every 30 minutes, edge + origin probed every 60 s).
 *
 *   npm run bench:storage                       # latency 60 s, 2 sites x 2 days
 *   npm run bench:storage -- --latency 300 --write
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseConfigObject } from '../src/config.js';
import { DAY_MS } from '../src/core/time.js';
import { MIN_HISTORY_MS } from '../src/storage/retention.js';
import { openSqliteStore } from '../src/storage/sqlite.node.js';
import { numberFlag, writeMarkedSection } from './ops-sections.js';
import { simulateSite } from './storage-sim.js';

const TABLES = ['observations', 'canaries', 'hourly_vantage', 'daily_freshness'] as const;
type Table = (typeof TABLES)[number];
const FLEET = 1_000;
const TARGET_BYTES = 2 * 1024 ** 3;

interface Measured {
  rows: Record<Table, number>;
  bytes: Record<Table, number>;
  fileBytes: number;
  steps: number;
  seconds: number;
}

async function measure(latencySec: number, sites: number, days: number): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'freshprobe-storage-'));
  const file = join(dir, 'db.sqlite');
  const db = openSqliteStore(file);
  // Sizes do not depend on durability; the simulation runs several times faster without fsync.
  db.sqlite.pragma('synchronous = OFF');
  const started = performance.now();
  try {
    const raw = Array.from({ length: sites }, (_, i) => ({
      id: `site-${i}`,
      url: `https://site-${i}.example.com/`,
      deploy: { kind: 'local-dir', dir: '/srv/unused' },
    }));
    const { config } = parseConfigObject({ sites: raw }, {});
    let steps = 0;
    for (const [i, spec] of config.sites.entries()) {
      const from = Date.UTC(2026, 0, 1);
      steps += await simulateSite({
        store: db.store,
        spec,
        latencyMs: latencySec * 1000,
        from,
        days,
        seed: i + 1,
      });
    }
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const sizes = db.sqlite
      .prepare(
        `SELECT m.tbl_name AS t, SUM(s.pgsize) AS bytes, SUM(s.pgsize - s.unused) AS used
         FROM dbstat s JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name`,
      )
      .all() as Array<{ t: string; bytes: number; used: number }>;
    // Small tables sit in mostly empty pages: size them by the bytes they use, at the page
    // fill the big observations table reaches (what they will look like once grown).
    const big = sizes.find((x) => x.t === 'observations');
    const fill = big ? big.used / big.bytes : 1;
    const size = (t: Table) => {
      const x = sizes.find((row) => row.t === t);
      if (!x) return 0;
      return t === 'observations' ? x.bytes : x.used / fill;
    };
    const count = (t: Table) =>
      (db.sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return {
      rows: Object.fromEntries(TABLES.map((t) => [t, count(t)])) as Record<Table, number>,
      bytes: Object.fromEntries(TABLES.map((t) => [t, size(t)])) as Record<Table, number>,
      fileBytes: (await stat(file)).size,
      steps,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

interface Retention {
  observationDays: number;
  historyDays: number;
}

function project(m: Measured, sites: number, days: number, keep: Retention) {
  const keptDays = (t: Table) => (t === 'observations' ? keep.observationDays : keep.historyDays);
  return TABLES.map((t) => {
    const perRow = m.rows[t] ? m.bytes[t] / m.rows[t] : 0;
    const perSiteDay = m.rows[t] / sites / days;
    const fleetRows = perSiteDay * keptDays(t) * FLEET;
    return {
      table: t,
      perRow,
      perSiteDay,
      keptDays: keptDays(t),
      fleetRows,
      fleetBytes: fleetRows * perRow,
    };
  });
}

const mb = (b: number) => `${(b / 1024 ** 2).toFixed(b < 10 * 1024 ** 2 ? 2 : 0)} MB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const total = (rows: ReturnType<typeof project>) => rows.reduce((a, r) => a + r.fleetBytes, 0);

/** Other retention settings, for sizing: the same measured rows, kept for other spans. */
function whatIf(m: Measured, sites: number, days: number): string[] {
  const spans: Retention[] = [
    { observationDays: 7, historyDays: 90 },
    { observationDays: 3, historyDays: 28 },
    { observationDays: 1, historyDays: 28 },
  ];
  return spans.map((keep) => {
    const bytes = total(project(m, sites, days, keep));
    return `- observations ${keep.observationDays} d, history ${keep.historyDays} d: ${mb(bytes)}`;
  });
}

function report(opts: Flags, m: Measured): string {
  const { latency, sites, days } = opts;
  const rows = project(m, sites, days, {
    observationDays: 30,
    historyDays: MIN_HISTORY_MS / DAY_MS,
  });
  const sum = total(rows);
  const lines = rows.map(
    (r) =>
      `| ${r.table} | ${r.perRow.toFixed(0)} | ${int(r.perSiteDay)} | ${r.keptDays} d | ${int(r.fleetRows)} | ${mb(r.fleetBytes)} |`,
  );
  return `### Storage: bytes per row, and 1,000 sites for a year

\`npm run bench:storage -- --latency ${latency} --sites ${sites} --days ${days}\`: the real core
and store on SQLite, a fake clock, canaries every 30 min, edge + origin every 60 s, edge latency
${latency} s median (0.5x to 1.5x; origin a third of it). Bytes per row include indexes and page
slack (dbstat; the small tables at the page fill the observations table reaches). Simulated ${sites} site(s) x ${days} day(s) in ${m.seconds.toFixed(0)} s (${int(m.steps)} steps).

| table | bytes/row | rows per site-day | kept | rows, 1,000 sites | size, 1,000 sites |
|---|---:|---:|---:|---:|---:|
${lines.join('\n')}
| **total** | | | | | **${mb(sum)}** |

Target: at most 2 GB for 1,000 sites: **${sum <= TARGET_BYTES ? 'met' : 'missed'}** at the default
retention (raw observations 30 days; canaries and aggregates 90 days, the history window, at least
the SLO window); ${int((TARGET_BYTES / sum) * FLEET)} sites fit in 2 GB. The same rows under other
retention settings (\`storage.retainObservationsDays\`; history is fixed at 90 days today):

${whatIf(m, sites, days).join('\n')}

Observation rows are stored for every probe inside a canary window (about
${int(m.rows.observations / Math.max(1, m.rows.canaries))} per canary here, both vantages), so the
raw span dominates; incidents and the notification outbox are a few rows per incident, left out.`;
}

interface Flags {
  latency: number;
  sites: number;
  days: number;
}

async function main(argv: string[]): Promise<void> {
  const flags: Flags = {
    latency: numberFlag(argv, 'latency', 60),
    sites: numberFlag(argv, 'sites', 2),
    days: numberFlag(argv, 'days', 2),
  };
  const m = await measure(flags.latency, flags.sites, flags.days);
  const text = report(flags, m);
  console.log(text);
  if (argv.includes('--write')) {
    await writeMarkedSection(resolve(import.meta.dirname, '..', 'BENCHMARKS.md'), 'storage', text);
    console.log('\nBENCHMARKS.md updated');
  }
}

await main(process.argv.slice(2));
