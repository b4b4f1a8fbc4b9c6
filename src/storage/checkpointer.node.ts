/**
 * WAL checkpoints off the event loop. SQLite copies the write-ahead log back into the database
 * file, and fsyncs it, inside whichever COMMIT grows the log past 1,000 pages. With
 * better-sqlite3 that COMMIT runs on the event loop: in the canary-loop bench such commits
 * took 30 ms to 1.2 s (the fsync waits for the disk), and every site's probe waited with them.
 * A worker thread with its own connection runs PASSIVE checkpoints instead (they never block
 * the writer or readers), and only once it is running does the main connection stop
 * checkpointing itself. If the worker fails, the main connection takes the checkpoints back,
 * so the log never grows without bound.
 */
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** SQLite's default: a commit that leaves the log longer than this many pages checkpoints. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1_000;

export interface CheckpointerOptions {
  /** Start after the handle has been open this long, so a short CLI command never starts it. */
  startAfterMs: number;
  everyMs: number;
  /** The better-sqlite3 entry file the worker loads (resolved from here by default). */
  driver?: string;
}

export const DEFAULT_CHECKPOINTER: CheckpointerOptions = { startAfterMs: 2_000, everyMs: 1_000 };

// CommonJS, evaluated by the worker: there is no separate file to find once the server is bundled.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => db.pragma('wal_checkpoint(PASSIVE)'), workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
`;

/** Starts checkpointing `file` in a worker after a delay; returns the function that stops it. */
export function checkpointInBackground(
  sqlite: Database.Database,
  file: string,
  options: CheckpointerOptions,
): () => void {
  let worker: Worker | undefined;
  let stopped = false;
  const takeBack = () => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
  };
  const start = () => {
    const driver = options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
    const workerData = { file: resolve(file), driver, everyMs: options.everyMs };
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    worker.unref();
    worker.once('message', () => {
      if (!stopped && sqlite.open) sqlite.pragma('wal_autocheckpoint = 0');
    });
    // A worker that throws or exits early hands the checkpoints back; nothing else is lost.
    worker.once('error', takeBack);
    worker.once('exit', () => {
      if (!stopped) takeBack();
    });
  };
  const timer = setTimeout(start, options.startAfterMs);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(timer);
    worker?.postMessage('stop');
    takeBack();
  };
}
