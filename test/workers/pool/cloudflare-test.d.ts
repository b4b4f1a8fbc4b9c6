/**
 * The part of `cloudflare:test` these tests use. The Workers type package is
 * not a dependency (its globals clash with the DOM and Node types the project
 * compiles with), and an ambient module cannot import by relative path, so
 * the shapes are restated here, structurally equal to src/runtime/worker-env.ts.
 */
declare module 'cloudflare:test' {
  interface D1Migration {
    name: string;
    queries: string[];
  }
  interface Database {
    prepare(query: string): { all(): Promise<{ results: Array<Record<string, unknown>> }> };
    batch(statements: unknown[]): Promise<unknown>;
  }
  interface Context {
    waitUntil(promise: Promise<unknown>): void;
  }
  interface Stub {
    fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  }

  export const env: {
    DB: Database;
    PROBE_LOOP: { idFromName(name: string): unknown; get(id: unknown): Stub };
    ASSETS: Stub;
    FRESHPROBE_CONFIG: string;
    TEST_MIGRATIONS: D1Migration[];
    [name: string]: unknown;
  };
  export function createExecutionContext(): Context;
  export function waitOnExecutionContext(ctx: Context): Promise<void>;
  export function createScheduledController(options?: { scheduledTime?: number; cron?: string }): {
    scheduledTime: number;
    cron: string;
  };
  export function applyD1Migrations(db: Database, migrations: D1Migration[]): Promise<void>;
  export function reset(): Promise<void>;
  export function runDurableObjectAlarm(stub: Stub): Promise<boolean>;
}
