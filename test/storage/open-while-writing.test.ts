/**
 * A second process opens the database while `serve` holds a write transaction: grouped commits
 * keep one open up to 50 ms after every write, and a frozen `serve` (SIGSTOP) keeps it open
 * indefinitely. Opening an existing database must therefore only read, so a status replica or
 * an operator's script can still open it and read.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';

const handles: SqliteHandle[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const h of handles.splice(0)) h.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('opens and reads an existing database while another connection holds a write transaction', async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-open-'));
  const file = join(dir, 'db.sqlite');
  const serve = openSqliteStore(file);
  handles.push(serve);
  // Chosen while the file was new (retention's incremental vacuum needs it); 2 = INCREMENTAL.
  expect(serve.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
  await serve.store.upsertSite({ id: 'docs', name: 'Docs', url: 'https://docs.example.com/' }, 1);
  serve.flush();
  await serve.store.setPaused('docs', true); // a grouped write: its transaction stays open
  expect(serve.sqlite.inTransaction).toBe(true);

  const started = Date.now();
  const reader = openSqliteStore(file);
  handles.push(reader);
  expect(await reader.store.getSite('docs')).toMatchObject({ name: 'Docs', paused: false });
  expect(Date.now() - started).toBeLessThan(1_000); // no wait for the writer's lock
  expect(reader.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
});
