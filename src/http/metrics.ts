/**
 * `GET /metrics`: Prometheus text exposition. The registry lives in the
 * runtime (prom-client is Node-only); the app only serves what it renders,
 * so a Worker build without metrics answers 404 like any unknown path.
 */
import type { Hono } from 'hono';

/** Renders the current metrics; implemented by the Node runtime. */
export interface MetricsSource {
  /** e.g. `text/plain; version=0.0.4; charset=utf-8`. */
  contentType: string;
  render(): Promise<string>;
}

export function metricsRoute(app: Hono, source: MetricsSource | undefined): void {
  if (!source) return;
  app.get('/metrics', async (c) => {
    const body = await source.render();
    c.header('Content-Type', source.contentType);
    c.header('Cache-Control', 'no-store');
    return c.body(body);
  });
}
