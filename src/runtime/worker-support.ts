/**
 * Small Worker-side pieces: JSON log lines on the console (what Workers Logs
 * and `wrangler tail` show) with secrets redacted by value, web assets read
 * from the ASSETS binding, and the app that reports config problems.
 */
import { Hono } from 'hono';
import type { Logger } from '../core/deps.js';
import { errorMessage } from '../core/deps.js';
import type { ConfigProblem } from '../core/errors.js';
import { createWebAssets, type WebAssets } from '../http/assets.js';
import type { FetcherBinding } from './worker-env.js';

/** Shorter values would redact ordinary words. */
const MIN_SECRET_LENGTH = 4;

export function workerLogger(secrets: readonly string[]): Logger {
  const needles = secrets
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
    .sort((a, b) => b.length - a.length);
  const line = (level: string, fields: Record<string, unknown>, msg?: string) => {
    const text = JSON.stringify({ level, time: new Date().toISOString(), ...fields, msg });
    return needles.reduce((out, s) => out.split(s).join('[redacted]'), text);
  };
  return {
    info: (fields, msg) => console.log(line('info', fields, msg)),
    warn: (fields, msg) => console.warn(line('warn', fields, msg)),
    error: (fields, msg) => console.error(line('error', fields, msg)),
  };
}

/**
 * web/dist through the ASSETS binding, into memory once per isolate: the
 * app's /assets/ route then serves them exactly as on Node (hashed names,
 * immutable caching). Without the binding, pages work unstyled.
 */
export async function loadWorkerAssets(
  assets: FetcherBinding | undefined,
  log: Logger,
): Promise<WebAssets | undefined> {
  if (!assets) return undefined;
  try {
    const read = async (name: string) => {
      const res = await assets.fetch(`https://assets.local/${name}`);
      if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    };
    const manifest = JSON.parse(new TextDecoder().decode(await read('manifest.json'))) as Record<
      string,
      string
    >;
    const files = new Map<string, Uint8Array>();
    for (const file of Object.values(manifest)) files.set(file, await read(file));
    return createWebAssets(manifest, files);
  } catch (error) {
    log.warn({ event: 'assets.missing', error: errorMessage(error) });
    return undefined;
  }
}

/** Every route answers 503 with the problems: the Worker stays up and says what is wrong. */
export function createProblemApp(problems: ConfigProblem[]): Hono {
  const app = new Hono();
  app.all('*', (c) => {
    c.header('Retry-After', '60');
    return c.json({ error: 'invalid config', problems }, 503);
  });
  return app;
}
