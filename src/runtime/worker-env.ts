/**
 * The Worker's bindings and the few platform types it touches, declared here
 * instead of depending on @cloudflare/workers-types (whose globals clash with
 * the DOM and Node types the rest of the project compiles against). Only what
 * worker.ts uses, structurally compatible with the real objects.
 */
import type { D1Binding } from '../storage/d1.js';

export interface KvBinding {
  get(key: string): Promise<string | null>;
}

export interface FetcherBinding {
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
}

export interface DurableObjectNamespaceBinding {
  idFromName(name: string): unknown;
  get(id: unknown): FetcherBinding;
}

export interface DurableObjectStateLike {
  storage: {
    getAlarm(): Promise<number | null>;
    setAlarm(scheduledTime: number): Promise<void>;
  };
}

export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
}

export interface ScheduledControllerLike {
  /** The cron minute this invocation is for, epoch ms. */
  scheduledTime: number;
  cron: string;
}

/** Bindings and vars (wrangler.toml), plus secrets, which `${VAR}` in the config reads. */
export interface WorkerEnv {
  /** The D1 database (`[[d1_databases]] binding = "DB"`). */
  DB?: D1Binding;
  /** The config as YAML (or JSON) text: a var or a secret. */
  FRESHPROBE_CONFIG?: string;
  /** Or a KV namespace holding it under the key `freshprobe.yaml` (no 5 KiB var limit). */
  FRESHPROBE_CONFIG_KV?: KvBinding;
  /** Where this Worker probes from, as a Cloudflare colo code (e.g. FRA); see README. */
  FRESHPROBE_COLO?: string;
  /** Static assets (`[assets] binding = "ASSETS"`, web/dist). */
  ASSETS?: FetcherBinding;
  /** The probe loop's Durable Object: sub-minute polling through alarms. */
  PROBE_LOOP?: DurableObjectNamespaceBinding;
  [name: string]: unknown;
}

/** The key under which FRESHPROBE_CONFIG_KV holds the config. */
export const CONFIG_KV_KEY = 'freshprobe.yaml';

/** String vars and secrets only: what `${VAR}` may read. */
export function stringEnv(env: WorkerEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}
