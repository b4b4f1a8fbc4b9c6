/**
 * WAL checkpoints in a worker thread (checkpointer.node.ts), on a real database file: the
 * worker copies the log into the database while the main connection has stopped doing it
 * inside its commits, and a worker that cannot start leaves the main connection in charge.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openSqliteStore, type SqliteHandle } from '../../src/storage/sqlite.node.js';

const handles: SqliteHandle[] = [];
let dir: string | undefined;
afterEach(async () => {
  for (const h of handles.splice(0)) h.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function tempDir(): Promise<string> {
  dir ??= await mkdtemp(join(tmpdir(), 'freshprobe-checkpoint-'));
  return dir;
}

async function open(options: { everyMs: number; driver?: string }) {
  const file = join(await tempDir(), 'db.sqlite');
  const handle = openSqliteStore(file, { checkpointer: { startAfterMs: 0, ...options } });
  handles.push(handle);
  return { handle, file };
}

const autocheckpoint = (h: SqliteHandle) => h.sqlite.pragma('wal_autocheckpoint', { simple: true });

async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** About 4 MB in one commit: past SQLite's own 1,000-page checkpoint threshold. */
function writeMegabytes(h: SqliteHandle): void {
  h.sqlite.exec('CREATE TABLE filler (x BLOB)');
  const insert = h.sqlite.prepare('INSERT INTO filler VALUES (randomblob(16384))');
  h.sqlite.transaction(() => {
    for (let i = 0; i < 256; i++) insert.run();
  })();
  h.flush();
}

it('checkpoints in the worker while the main connection no longer does', async () => {
  // The worker's first checkpoint comes a second after it is ready: the commit below is
  // long done by then, so what it copied itself can be told apart.
  const { handle, file } = await open({ everyMs: 1_000 });
  await until(() => autocheckpoint(handle) === 0);
  const before = (await stat(file)).size;
  writeMegabytes(handle);
  expect((await stat(`${file}-wal`)).size).toBeGreaterThan(4_000_000);
  expect((await stat(file)).size).toBe(before); // the commit itself copied nothing back
  await until(async () => (await stat(file)).size > before + 4_000_000);
});

it('leaves checkpoints to the main connection when the worker cannot start', async () => {
  const { handle, file } = await open({ everyMs: 50, driver: join(tmpdir(), 'no-such-driver.js') });
  await new Promise((r) => setTimeout(r, 500)); // the worker has failed by now
  expect(autocheckpoint(handle)).toBe(1_000);
  const before = (await stat(file)).size;
  writeMegabytes(handle);
  expect((await stat(file)).size).toBeGreaterThan(before + 4_000_000); // copied in the commit
});

it('takes the checkpoints back when the worker fails after it started', async () => {
  // A driver that opens but cannot checkpoint: the worker is ready, then throws on its first tick.
  const driver = join(await tempDir(), 'failing-driver.cjs');
  await writeFile(
    driver,
    "module.exports = class { pragma() { throw new Error('checkpoint failed'); } close() {} };",
  );
  const { handle } = await open({ everyMs: 300, driver });
  await until(() => autocheckpoint(handle) === 0);
  await until(() => autocheckpoint(handle) === 1_000);
});
