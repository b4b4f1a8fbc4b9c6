/**
 * Migrations apply on an existing database: a file created by an older
 * release (drizzle migrations up to 0002, with rows in the older canary
 * format) opens, gains the canaries (site_id, intent_at) index, and reads
 * the same. (D1 applies the same files: test/workers/pool/d1-store.test.ts.)
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, openSqliteStore } from '../../src/storage/sqlite.node.js';

const OLD_RELEASE = '0002_screenshots';
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-migrate-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The migrations folder as an older release shipped it: every entry up to `last`. */
async function oldMigrations(last: string): Promise<string> {
  const out = join(dir, 'drizzle');
  await mkdir(join(out, 'meta'), { recursive: true });
  const journal = JSON.parse(await readFile(join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8'));
  const upTo = journal.entries.findIndex((e: { tag: string }) => e.tag === last);
  expect(upTo).toBeGreaterThanOrEqual(0);
  journal.entries = journal.entries.slice(0, upTo + 1);
  await writeFile(join(out, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries as Array<{ tag: string }>)
    await copyFile(join(MIGRATIONS_DIR, `${e.tag}.sql`), join(out, `${e.tag}.sql`));
  return out;
}

function seedOld(file: string, migrations: string): void {
  const sqlite = new Database(file);
  migrate(drizzle(sqlite), { migrationsFolder: migrations });
  sqlite
    .prepare(
      `INSERT INTO sites (id, name, url, created_at) VALUES ('docs', 'Docs', 'https://d/', 0)`,
    )
    .run();
  const insert =
    sqlite.prepare(`INSERT INTO canaries (site_id, seq, token, reason, intent_at, state,
      deployed_at, deploy_detail, visible_at, closed_at, vantages, phases)
    VALUES ('docs', ?, ?, 'schedule', ?, 'visible', ?, 'abc123', ?, ?, ?, ?)`);
  const hasIndex = sqlite.prepare(
    `SELECT count(*) AS n FROM sqlite_master WHERE name = 'canaries_intent'`,
  );
  expect(hasIndex.get()).toEqual({ n: 0 });
  for (let seq = 1; seq <= 3; seq++) {
    const at = seq * 1_000_000;
    insert.run(
      seq,
      `token-${seq}`,
      at,
      at + 100,
      at + 5_000,
      at + 5_000,
      JSON.stringify({ edge: { vantage: 'edge', lastMissAt: at + 4_000, visibleAt: at + 5_000 } }),
      JSON.stringify([{ name: 'accepted', at: at + 100, detail: 'abc123' }]),
    );
  }
  sqlite.close();
}

describe('migrations on an existing database', () => {
  it('add the intent-time index to a database from an older release and keep its rows', async () => {
    const file = join(dir, 'old.db');
    seedOld(file, await oldMigrations(OLD_RELEASE));

    const handle = openSqliteStore(file);
    try {
      const { sqlite, store } = handle;
      const applied = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get();
      const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'));
      expect(applied).toEqual({ n: files.length });
      const index = sqlite
        .prepare(`SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'canaries_intent'`)
        .get() as { sql: string } | undefined;
      expect(index?.sql).toContain('(`site_id`,`intent_at`)');
      const plan = sqlite
        .prepare(
          'EXPLAIN QUERY PLAN SELECT * FROM canaries WHERE site_id = ? AND intent_at >= ? ORDER BY seq',
        )
        .all('docs', 0) as Array<{ detail: string }>;
      expect(plan.map((p) => p.detail).join(' ')).toContain('canaries_intent');

      // Rows in the older JSON forms read as before.
      const since = await store.canariesSince('docs', 2_000_000);
      expect(since.map((c) => c.seq)).toEqual([2, 3]);
      expect(since[0]).toMatchObject({
        deployedAt: 2_000_100,
        vantages: { edge: { vantage: 'edge', lastMissAt: 2_004_000, visibleAt: 2_005_000 } },
        phases: [{ name: 'accepted', at: 2_000_100, detail: 'abc123' }],
      });
      // Rewritten in the compact form, the canary reads back the same.
      await store.updateCanary(since[0]!);
      expect(await store.getCanary('docs', 2)).toEqual(since[0]);
      const raw = sqlite
        .prepare(`SELECT vantages, phases FROM canaries WHERE site_id = 'docs' AND seq = 2`)
        .get();
      expect(raw).toEqual({ vantages: '{"edge":[2004000,2005000]}', phases: '[]' });
    } finally {
      handle.close();
    }
    // Opening again applies nothing twice.
    const again = openSqliteStore(file);
    expect((await again.store.canariesSince('docs', 0)).length).toBe(3);
    again.close();
  });
});
