/**
 * The Store contract (test/storage/store-contract.ts) against D1 inside
 * workerd: drizzle's migrations applied the way D1 applies them, then the
 * same suite that runs on better-sqlite3.
 */
import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { openD1Store } from '../../../src/storage/d1.js';
import { storeContract } from '../../storage/store-contract.js';

/** A fresh database per test: wipe every binding, then migrate from scratch. */
async function freshD1() {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  return openD1Store(env.DB);
}

describe('D1 migrations', () => {
  it('apply every drizzle migration, in order, and create every table', async () => {
    await freshD1();
    const applied = await env.DB.prepare('SELECT name FROM d1_migrations ORDER BY id').all();
    expect(applied.results.map((r) => r.name)).toEqual(env.TEST_MIGRATIONS.map((m) => m.name));
    const tables = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
    ).all();
    expect(tables.results.map((t) => t.name)).toEqual(
      expect.arrayContaining(['canaries', 'observations', 'sites', 'vantage_status']),
    );
  });

  it('apply on an existing database: the newer ones only, rows kept', async () => {
    await reset();
    const older = env.TEST_MIGRATIONS.slice(0, -1);
    await applyD1Migrations(env.DB, older);
    const store = openD1Store(env.DB);
    await store.createCanary({ siteId: 'a', token: 't', intentAt: 5, reason: 'x' });
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
    const applied = await env.DB.prepare('SELECT name FROM d1_migrations ORDER BY id').all();
    expect(applied.results.map((r) => r.name)).toEqual(env.TEST_MIGRATIONS.map((m) => m.name));
    expect((await store.canariesSince('a', 0)).map((c) => c.token)).toEqual(['t']);
    const index = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'canaries_intent'",
    ).all();
    expect(index.results).toHaveLength(1);
  });
});

storeContract('D1', freshD1);
