/** Finding and reading the config file; parsing and validation live in src/config.ts. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type LoadedConfig, parseConfigText } from '../config.js';
import { ConfigError } from '../core/errors.js';

export const DEFAULT_CONFIG_FILE = 'freshprobe.yaml';

/** The --config flag, else ./freshprobe.yaml when present, else undefined (demo). */
export function resolveConfigPath(
  flag: string | undefined,
  cwd = process.cwd(),
): string | undefined {
  if (flag) return resolve(cwd, flag);
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(fallback) ? fallback : undefined;
}

export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError([{ path: '', message: `cannot read ${path}: ${code}` }]);
  }
  // VAR_FILE secrets (Docker secrets, systemd LoadCredential=) are read from disk here.
  return parseConfigText(text, env, (file) => readFileSync(resolve(dirname(path), file), 'utf8'));
}
