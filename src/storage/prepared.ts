/**
 * Prepared statements for the hot path. Building a drizzle query re-walks the
 * schema and re-renders SQL on every call, and better-sqlite3 then compiles
 * it again: together about ten times the cost of running the statement. A
 * query prepared once with placeholders skips both, on better-sqlite3 and D1
 * alike (drizzle's `.prepare()` exists on every SQLite driver).
 */
import { type Placeholder, type SQL, sql } from 'drizzle-orm';

/** Builds the value on first use and keeps it (the db is ready by then). */
export function once<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}

/** A named placeholder: `eq(t.id, param('id'))`, filled by `.get({ id })`. */
export function param(name: string): Placeholder<string, unknown> {
  return sql.placeholder(name);
}

/**
 * One placeholder per column key, named after the key: for `.values()` and
 * `.set()`. The keys come from rows.ts at runtime, so the static column types
 * cannot be checked here; rows.ts's own types check them.
 */
// biome-ignore lint/suspicious/noExplicitAny: accepted by both .values() and .set() of any table.
export function paramsFor(keys: readonly string[]): any {
  const wrap = (k: string): SQL => sql`${sql.placeholder(k)}`;
  return Object.fromEntries(keys.map((k) => [k, wrap(k)]));
}

/**
 * Placeholders skip drizzle's column encoders, so values must already be what
 * the driver binds: booleans become 0/1 (better-sqlite3 refuses booleans).
 */
export function driverValues<T extends object>(row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  return out;
}
