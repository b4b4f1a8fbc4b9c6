/**
 * Dumps the data rows of a SQLite database as INSERT statements, so exactly
 * the rows a Node store holds can be loaded into D1 (`wrangler d1 execute
 * --file`). Schema comes from the migrations on both sides; drizzle's own
 * bookkeeping table stays behind.
 */
import type Database from 'better-sqlite3';

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Uint8Array) return `X'${Buffer.from(value).toString('hex')}'`;
  return `'${String(value).replaceAll("'", "''")}'`;
}

export function dumpRows(sqlite: Database.Database): string {
  const tables = sqlite
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table'
       AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name`,
    )
    .all() as Array<{ name: string }>;
  const lines: string[] = [];
  for (const { name } of tables) {
    for (const row of sqlite.prepare(`SELECT * FROM "${name}"`).all() as Record<
      string,
      unknown
    >[]) {
      const columns = Object.keys(row).map((c) => `"${c}"`);
      const values = Object.values(row).map(literal);
      lines.push(`INSERT INTO "${name}" (${columns.join(', ')}) VALUES (${values.join(', ')});`);
    }
  }
  return `${lines.join('\n')}\n`;
}
