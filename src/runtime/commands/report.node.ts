/** `freshprobe report <site> [--since 7d] [--format md|json]`: reads the database, changes nothing. */
import { parseDuration } from '../../core/duration.js';
import { ConfigError } from '../../core/errors.js';
import { buildReport } from '../../report/build.js';
import { renderMarkdown } from '../../report/markdown.js';
import { openSqliteStore } from '../../storage/sqlite.node.js';
import { type CliValues, UsageError } from '../cli-args.node.js';
import { loadConfigFile, resolveConfigPath } from '../config-file.node.js';
import type { Io } from './io.node.js';

export async function reportCommand(
  values: CliValues,
  positionals: string[],
  io: Io,
): Promise<number> {
  const siteId = positionals[0];
  if (!siteId) throw new UsageError('report needs a site id');
  const format = values.format ?? 'md';
  if (format !== 'md' && format !== 'json') throw new UsageError('--format is md or json');
  const path = resolveConfigPath(values.config);
  if (!path)
    throw new ConfigError([
      { path: '', message: 'no config: pass --config F or create freshprobe.yaml' },
    ]);
  const { config } = loadConfigFile(path);
  const spec = config.sites.find((s) => s.id === siteId);
  if (!spec) throw new UsageError(`no site "${siteId}" in ${path}`);
  const db = openSqliteStore(config.storage.sqlite);
  try {
    const report = await buildReport(
      db.store,
      spec,
      Date.now(),
      parseDuration(values.since ?? '7d'),
    );
    io.out.write(
      format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderMarkdown(report),
    );
    return 0;
  } finally {
    db.close();
  }
}
