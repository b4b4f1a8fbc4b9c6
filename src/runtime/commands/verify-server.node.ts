/**
 * `freshprobe verify --server URL --site ID --expect MARKER`: registers this
 * deploy with a running freshprobe server (admin token) and waits for the
 * server's verdict, so the deploy is tracked, alerted on and kept in history.
 */
import { formatMs } from '../../http/index-page.js';
import type { CanaryView } from '../../http/views.js';
import { type CliValues, UsageError } from '../cli-args.node.js';
import { type Io, sleep } from './io.node.js';

const POLL_MS = 1_000;

async function call(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, init);
  const body = await res.json().catch(() => ({}));
  return { status: res.status, body };
}

function describe(c: CanaryView): string {
  if (c.latencyMs === undefined || !c.latencyBoundsMs)
    return `#${c.seq} ${c.state.replace('_', ' ')}`;
  const [lo, hi] = c.latencyBoundsMs;
  return `#${c.seq} ${c.state}: visible after ${formatMs(c.latencyMs)} (between ${formatMs(lo)} and ${formatMs(hi)})`;
}

export async function verifyWithServer(
  values: CliValues,
  timeoutMs: number,
  io: Io,
): Promise<number> {
  const server = values.server!.replace(/\/+$/, '');
  if (!values.site) throw new UsageError('verify --server needs --site <id>');
  const token = values.token ?? process.env.FRESHPROBE_ADMIN_TOKEN;
  if (!token) throw new UsageError('verify --server needs --token or FRESHPROBE_ADMIN_TOKEN');
  const site = encodeURIComponent(values.site);
  const registered = await call(`${server}/api/v1/sites/${site}/deploys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ marker: values.expect, deployedAt: Date.now() }),
  });
  if (registered.status !== 202) {
    io.err.write(`register failed: HTTP ${registered.status} ${JSON.stringify(registered.body)}\n`);
    return 2;
  }
  const { seq } = registered.body as CanaryView;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await call(`${server}/api/v1/sites/${site}/canaries?limit=50`, {});
    const canary = (list.body as { canaries?: CanaryView[] }).canaries?.find((c) => c.seq === seq);
    const done = canary && (canary.state === 'visible' || canary.state === 'timed_out');
    if (done || Date.now() >= deadline) {
      if (values.json) io.out.write(`${JSON.stringify(canary ?? { seq, state: 'unknown' })}\n`);
      else io.out.write(`${values.site} ${canary ? describe(canary) : `#${seq} not found`}\n`);
      return canary?.state === 'visible' ? 0 : 1;
    }
    await sleep(POLL_MS);
  }
}
