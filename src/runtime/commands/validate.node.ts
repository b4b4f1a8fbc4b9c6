/** `freshprobe validate`: every problem listed by path on stderr; exit 0 or 1. */
import { ConfigError } from '../../core/errors.js';
import type { CliValues } from '../cli-args.node.js';
import { loadConfigFile, resolveConfigPath } from '../config-file.node.js';
import type { Io } from './io.node.js';

export async function validateCommand(values: CliValues, io: Io): Promise<number> {
  const path = resolveConfigPath(values.config);
  if (!path) {
    io.err.write('no config: pass --config F or create freshprobe.yaml\n');
    return 1;
  }
  try {
    const { config } = loadConfigFile(path);
    io.out.write(
      `${path}: ok, ${config.sites.length} site(s), ${config.notifiers.length} notifier(s)\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err.write(`${path}: ${error.problems.length} problem(s)\n`);
    for (const p of error.problems) io.err.write(`${p.path ? `${p.path}: ` : ''}${p.message}\n`);
    return 1;
  }
}
