/**
 * Loads freshprobe.yaml: YAML → `${ENV}` interpolation → one zod schema with
 * defaults → cross-field rules. Every problem is collected and thrown at once
 * as a ConfigError, each located by path (`sites[1].deploy.remote`).
 * No node:* imports: this also runs on Cloudflare Workers.
 */

import { crossFieldProblems } from './config/cross.js';
import { type Env, interpolateEnv, type ReadSecretFile } from './config/env.js';
import { finishProblems, formatPath, runSchema } from './config/problems.js';
import type { Config } from './config/resolve.js';
import { configInputSchema, configSchema } from './config/schema.js';
import { readYaml } from './config/yaml.js';
import { ConfigError } from './core/errors.js';

export type { DeployConfig, NotifierConfig } from './config/adapters.js';
export { deploySchemas, notifierSchemas } from './config/adapters.js';
export type { AgentConfig } from './config/agents.js';
export type {
  CanaryConfig,
  Config,
  ProbeConfig,
  SiteConfig,
  SloConfig,
  VantageKind,
} from './config/resolve.js';
export { BUILTIN, configInputSchema, configSchema, VANTAGES } from './config/schema.js';

/** A validated config plus what must never be logged. */
export interface LoadedConfig {
  config: Config;
  /** Every non-empty value that came from `${ENV}` interpolation, for redaction in logs. */
  secrets: string[];
}

/** Top-level sections in file order, to sort problems the way the file reads. */
const SECTION_ORDER = Object.keys(configInputSchema.shape);

/**
 * Parses a YAML config. Throws ConfigError listing every problem: YAML syntax
 * errors alone if the text does not parse, else all env, schema and
 * cross-field problems together.
 */
export function parseConfigText(
  yamlText: string,
  env: Env,
  readFile?: ReadSecretFile,
): LoadedConfig {
  const { value, problems } = readYaml(yamlText);
  if (problems.length > 0) throw new ConfigError(finishProblems(problems, SECTION_ORDER));
  return parseConfigObject(value, env, readFile);
}

/**
 * Validates an already-parsed config tree (from YAML, JSON or code). Throws
 * ConfigError. `readFile` enables VAR_FILE secrets (Node passes fs).
 */
export function parseConfigObject(raw: unknown, env: Env, readFile?: ReadSecretFile): LoadedConfig {
  // An empty file parses to null: report the missing sites rather than "not a mapping".
  const interpolated = interpolateEnv(raw ?? {}, env, readFile);
  const checked = runSchema(configSchema, interpolated.value, interpolated.secretPaths);
  // A failed ${VAR} left a placeholder: do not also blame the placeholder's shape.
  const envPaths = new Set(interpolated.problems.map((p) => formatPath(p.path)));
  const derived = [...checked.problems, ...crossFieldProblems(interpolated.value)].filter(
    (p) => !envPaths.has(formatPath(p.path)),
  );
  const problems = [...interpolated.problems, ...derived];
  if (problems.length > 0 || checked.value === undefined) {
    throw new ConfigError(finishProblems(problems, SECTION_ORDER));
  }
  return { config: checked.value, secrets: interpolated.secrets };
}
