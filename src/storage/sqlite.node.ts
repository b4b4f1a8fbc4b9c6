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
import {
  type CheckpointerOptions,
  checkpointInBackground,
  DEFAULT_CHECKPOINTER,
} from './checkpointer.node.js';
import * as schema from './schema.js';
import { withSiteCache } from './site-cache.js';
import { createStore } from './store.js';

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface SqliteHandle {
  store: FullStore;
  sqlite: Database.Database;
  /** Commits the writes of the current group now (see groupCommits). */
  flush(): void;
  close(): void;
}

/**
 * Group commit. A probe round writes about six rows, and in autocommit mode each is its own
 * transaction: WAL frames and a commit per row, most of SQLite's cost at thousands of probes
 * a second. Instead the first write begins a transaction and a timer commits it
 * GROUP_COMMIT_MS later, so every write in that span shares one commit (and the hot pages
 * are written once). Writes stay single statements (as on D1); only their commits are
 * grouped. A crash loses at most that span of probe results, which only widens a latency
 * bound (the miss or hit is seen again by the next poll); the Store's `flush` commits at
 * once, and the core calls it before anything leaves the process that must not be lost
 * (a new canary, the start of its deploy). Reads never begin a group, so a reading request
 * never takes the write lock.
 */
const GROUP_COMMIT_MS = 50;

function groupCommits(sqlite: Database.Database): () => void {
  let open = false;
  const commit = () => {
    if (!open) return;
    open = false;
    // An error that rolled the transaction back already ended it.
    if (sqlite.inTransaction) sqlite.exec('COMMIT');
  };
  const begin = () => {
    if (open || sqlite.inTransaction) return;
    sqlite.exec('BEGIN IMMEDIATE');
    open = true;
    // Unref'd: a process with nothing else to do exits (close() commits what is left).
    setTimeout(commit, GROUP_COMMIT_MS).unref();
  };
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const statement = prepare(source);
    if (statement.reader) return statement;
    // Looked up per call, not bound once: instrumentation of the prototype (the bench's
    // statement counter) still sees these statements.
    const proto = Object.getPrototypeOf(statement) as typeof statement;
    statement.run = (...params: unknown[]) => {
      begin();
      return proto.run.apply(statement, params);
    };
    return statement;
  }) as typeof sqlite.prepare;
  return commit;
}

export interface OpenOptions {
  /** WAL checkpoints in a worker thread (checkpointer.node.ts); `false` leaves them to SQLite. */
  checkpointer?: CheckpointerOptions | false;
}

/** Opens (creating if needed) and migrates. `:memory:` works for tests. */
export function openSqliteStore(file: string, options: OpenOptions = {}): SqliteHandle {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  // Before anything writes the header: auto_vacuum can only be chosen while the file is empty
  // (switching later takes a full VACUUM), and journal_mode = WAL already writes page 1. Only
  // then: setting it opens a write transaction, which would wait on a `serve` that holds one.
  if (sqlite.pragma('page_count', { simple: true }) === 0)
    sqlite.pragma('auto_vacuum = INCREMENTAL');
  // WAL: readers (the HTTP server) never block the prober's writes.
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode is durable across process crashes (kill -9); only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  const flush = groupCommits(sqlite);
  const dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  let seenVersion = dataVersion.get();
  // Another connection committed (another process, a second handle on the file): caches are void.
  // Checked at most once per event-loop turn: a turn's reads see one snapshot of the others.
  let checked = false;
  const changedElsewhere = () => {
    if (checked) return false;
    checked = true;
    setImmediate(() => {
      checked = false;
    });
    const now = dataVersion.get();
    if (now === seenVersion) return false;
    seenVersion = now;
    return true;
  };
  const store = withSiteCache({ ...createStore(db), flush: async () => flush() }, changedElsewhere);
  const checkpointer = options.checkpointer ?? DEFAULT_CHECKPOINTER;
  const stopCheckpoints =
    file === ':memory:' || !checkpointer
      ? () => {}
      : checkpointInBackground(sqlite, file, checkpointer);
  return {
    store,
    sqlite,
    flush,
    close: () => {
      stopCheckpoints();
      flush();
      sqlite.close();
    },
  };
}
