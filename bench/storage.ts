/**
 * Storage bench: bytes on disk per stored row (observation, canary, hourly
 * and daily aggregate, indexes and page slack included, read from SQLite's
 * dbstat) and the projected database size for 1,000 sites after a year with
 * the default retention (retention.ts: observations 30 days; canaries and
 * hourly rows as long, at least the SLO window; daily rows 90 days). The rows
 * come from storage-sim.ts: the real core at the default cadence (a canary
 * every 30 minutes, edge + origin probed every 60 s).
 *
 *   npm run bench:storage                       # latency 60 s, 2 sites x 7 days
 *   npm run bench:storage -- --latency 300 --write
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { parseConfigObject } from '../src/config.js';
import { DAY_MS } from '../src/core/time.js';
import { historyWindowsMs, retentionPolicy } from '../src/storage/retention.js';
import { openSqliteStore } from '../src/storage/sqlite.node.js';
import { markdownTable, numberFlag, writeMarkedSection } from './ops-sections.js';
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

/** Sizes and counts per table, read from a closed database file through a fresh connection. */
function sizesOf(file: string): Pick<Measured, 'rows' | 'bytes'> {
  const sqlite = new Database(file);
  try {
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    const sizes = sqlite
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
      (sqlite.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    return {
      rows: Object.fromEntries(TABLES.map((t) => [t, count(t)])) as Record<Table, number>,
      bytes: Object.fromEntries(TABLES.map((t) => [t, size(t)])) as Record<Table, number>,
    };
  } finally {
    sqlite.close();
  }
}

async function measure(latencySec: number, sites: number, days: number): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'freshprobe-storage-'));
  const file = join(dir, 'db.sqlite');
  const started = performance.now();
  try {
    const db = openSqliteStore(file);
    // Sizes do not depend on durability; the simulation runs several times faster without fsync.
    db.sqlite.pragma('synchronous = OFF');
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
    // Writes may be grouped into a transaction committed at the end of the event-loop turn.
    await new Promise((r) => setImmediate(r));
    db.close();
    return {
      ...sizesOf(file),
      fileBytes: (await stat(file)).size,
      steps,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Days each table keeps, from the retention policy (retention.ts) for these settings. */
type Kept = Record<Table, number>;

function keptDays(storage: { retainObservationsDays?: number; retainHistoryDays?: number }): Kept {
  const { config } = parseConfigObject(
    {
      storage,
      sites: [{ id: 'a', url: 'https://a.example/', deploy: { kind: 'local-dir', dir: '/x' } }],
    },
    {},
  );
  const now = 1_000 * DAY_MS;
  const policy = retentionPolicy(
    {
      retainObservationsDays: config.storage.retainObservationsDays,
      retainHistoryDays: config.storage.retainHistoryDays,
      windowsMs: historyWindowsMs(config.sites),
      siteIds: [],
    },
    now,
  );
  const days = (before: number) => (now - before) / DAY_MS;
  return {
    observations: days(policy.observationsBefore),
    canaries: days(policy.historyBefore),
    hourly_vantage: days(policy.historyBefore),
    daily_freshness: days(policy.dailyBefore),
  };
}

function project(m: Measured, sites: number, days: number, kept: Kept) {
  return TABLES.map((t) => {
    const perRow = m.rows[t] ? m.bytes[t] / m.rows[t] : 0;
    const perSiteDay = m.rows[t] / sites / days;
    const fleetRows = perSiteDay * kept[t] * FLEET;
    return {
      table: t,
      perRow,
      perSiteDay,
      keptDays: kept[t],
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
  const settings = [
    { retainObservationsDays: 7 },
    { retainObservationsDays: 30, retainHistoryDays: 90 },
    { retainObservationsDays: 90 },
  ];
  return settings.map((storage) => {
    const kept = keptDays(storage);
    const bytes = total(project(m, sites, days, kept));
    const keys = Object.entries(storage)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return `- \`storage: { ${keys} }\` (canaries and hours ${kept.canaries} d): ${mb(bytes)}`;
  });
}

function report(opts: Flags, m: Measured): string {
  const { latency, sites, days } = opts;
  const rows = project(m, sites, days, keptDays({}));
  const sum = total(rows);
  const table = markdownTable(
    ['table', 'bytes/row', 'rows per site-day', 'kept', 'rows, 1,000 sites', 'size, 1,000 sites'],
    [
      ...rows.map((r) => [
        r.table,
        r.perRow.toFixed(0),
        int(r.perSiteDay),
        `${r.keptDays} d`,
        int(r.fleetRows),
        mb(r.fleetBytes),
      ]),
      ['**total**', '', '', '', '', `**${mb(sum)}**`],
    ],
  );
  const perCanary = m.rows.observations / Math.max(1, m.rows.canaries);
  return `### Storage: bytes per row, and 1,000 sites for a year

\`npm run bench:storage -- --latency ${latency} --sites ${sites} --days ${days}\`: the real core
and store on SQLite, a fake clock, canaries every 30 min, edge + origin every 60 s, edge latency
${latency} s median (0.5x to 1.5x; origin a third of it); tokens of 32 hex digits and a 40-digit
commit SHA as the deploy detail, as git deploys have. Bytes per row include indexes and page
slack (dbstat; the small tables at the page fill the observations table reaches). Simulated ${sites} site(s) x ${days} day(s) in ${m.seconds.toFixed(0)} s (${int(m.steps)} steps).

${table}

Target: at most 2 GB for 1,000 sites: **${sum <= TARGET_BYTES ? 'met' : 'missed'}** at the default
retention (${(sum / FLEET / 1024 ** 2).toFixed(2)} MB per site; ${int((TARGET_BYTES / sum) * FLEET)} sites fit in 2 GB): observations
\`storage.retainObservationsDays\` (30); canaries and hourly rows \`storage.retainHistoryDays\`,
by default as long as the observations and never shorter than the longest SLO or burn-rate
window (28 d default) or the site page's 7-day chart; daily rows 90 days for the status bar.
The same rows under other settings:

${whatIf(m, sites, days).join('\n')}

Inside a canary window an observation is stored only when it says something new at its vantage
(src/core/keep.ts): a change of state, seen seq, HTTP status or error class, the first hit, and
every error; the identical "still propagating" polls in between (about 1 s apart at first) only
count in the hourly rows, and the canary keeps the last miss and first hit as its latency
bounds. Between canaries only state changes are stored. Here that is ${perCanary.toFixed(1)} rows per canary
(the first miss and the first hit at edge and origin); a fleet site adds two per node and
canary. A canary row stores its vantages as \`{"edge":[lastMissAt,visibleAt]}\` and rebuilds
the \`accepted\` deploy phase from \`deployed_at\`; incidents and the notification outbox are a
few rows per incident, left out.`;
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
    days: numberFlag(argv, 'days', 7),
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
