/** Everything the core step needs, built once by a runtime and passed in. */
import type { DeploySlots } from './deploy-slots.js';
import type { Clock, TokenSource } from './ports.js';
import type { FullStore } from './store.js';

/** pino-compatible: structured fields first, greppable `event` names. */
export interface Logger {
  /** Per-probe detail; optional so a plain logger can drop it (at 2,000 probes/s it is a cost). */
  debug?(fields: Record<string, unknown>, message?: string): void;
  info(fields: Record<string, unknown>, message?: string): void;
  warn(fields: Record<string, unknown>, message?: string): void;
  error(fields: Record<string, unknown>, message?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface CoreDeps {
  store: FullStore;
  clock: Clock;
  log: Logger;
  newToken: TokenSource;
  /** server.publicUrl: alert messages link to the site page there. */
  publicUrl?: string;
  /** Max time one deploy may take before it counts as failed. */
  deployTimeoutMs?: number;
  /** Caps deploys running at once across sites (server.maxConcurrentDeploys); none: no cap. */
  deploySlots?: DeploySlots;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
