/**
 * better-sqlite3 driver: opens the database file, sets pragmas for a
 * write-heavy single-process monitor, and applies drizzle migrations at start.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { FullStore } from '../core/store.js';
import * as schema from './schema.js';
import { createStore } from './store.js';

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface SqliteHandle {
  store: FullStore;
  sqlite: Database.Database;
  close(): void;
}

/** Opens (creating if needed) and migrates. `:memory:` works for tests. */
export function openSqliteStore(file: string): SqliteHandle {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // Before anything writes the header: auto_vacuum can only be chosen while the file is empty
  // (switching later takes a full VACUUM), and journal_mode = WAL already writes page 1.
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  // WAL: readers (the HTTP server) never block the prober's writes.
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode is durable across process crashes (kill -9); only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return { store: createStore(db), sqlite, close: () => sqlite.close() };
}
