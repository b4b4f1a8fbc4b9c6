/**
 * `freshprobe verify <url> --expect <marker>`: the post-deploy check for CI.
 * Polls edge and origin until the edge serves the marker. Every latency is
 * measured from the start of verify, with its bound. Exit 0 visible,
 * 1 not visible by the timeout, 2 error (bad arguments, or no HTTP answer at all).
 */
import { parseDuration } from '../../core/duration.js';
import type { ProbeResult } from '../../core/model.js';
import { pollIntervalMs } from '../../core/progress.js';
import { formatMs } from '../../http/index-page.js';
import { createHttpProber } from '../../probers/http.js';
import { createNodeFetch } from '../../probers/node-fetch.node.js';
import { type CliValues, UsageError } from '../cli-args.node.js';
import { type Io, sleep } from './io.node.js';
import { verifyWithServer } from './verify-server.node.js';

interface VantageProgress {
  lastMissAt?: number;
  visibleAt?: number;
  lastStatus?: number;
  lastError?: string;
}

export interface VerifyReport {
  url: string;
  marker: string;
  visible: boolean;
  startedAt: number;
  elapsedMs: number;
  vantages: Record<
    string,
    VantageProgress & { latencyMs?: number; latencyBoundsMs?: [number, number] }
  >;
}

function fold(p: VantageProgress, r: ProbeResult, marker: string): VantageProgress {
  if (p.visibleAt !== undefined) return p;
  if (r.error)
    return { ...p, lastError: `${r.error.class}: ${r.error.message}`, lastStatus: r.status };
  const next = { ...p, lastStatus: r.status, lastError: undefined };
  const hit = r.status !== undefined && r.status < 300 && (r.body ?? '').includes(marker);
  return hit
    ? { ...next, visibleAt: r.startedAt + r.durationMs }
    : { ...next, lastMissAt: r.startedAt };
}

function report(
  url: string,
  marker: string,
  startedAt: number,
  progress: Record<string, VantageProgress>,
): VerifyReport {
  const vantages: VerifyReport['vantages'] = {};
  for (const [name, p] of Object.entries(progress)) {
    vantages[name] =
      p.visibleAt === undefined
        ? p
        : {
            ...p,
            latencyMs: p.visibleAt - startedAt,
            latencyBoundsMs: [
              Math.max(0, (p.lastMissAt ?? startedAt) - startedAt),
              p.visibleAt - startedAt,
            ],
          };
  }
  const visible = progress.edge?.visibleAt !== undefined;
  return { url, marker, visible, startedAt, elapsedMs: Date.now() - startedAt, vantages };
}

function progressLine(r: VerifyReport): string {
  const parts = Object.entries(r.vantages).map(([name, v]) =>
    v.visibleAt !== undefined
      ? `${name} visible`
      : `${name} ${v.lastError ?? `HTTP ${v.lastStatus ?? '-'}, not yet`}`,
  );
  return `waiting ${formatMs(r.elapsedMs)} for "${r.marker}": ${parts.join('; ')}`;
}

function parseOptions(values: CliValues, positionals: string[]) {
  const url = positionals[0];
  if (!url || !/^https?:\/\//.test(url)) throw new UsageError('verify needs an http(s) URL');
  if (!values.expect) throw new UsageError('verify needs --expect <marker>');
  return {
    url,
    marker: values.expect,
    timeoutMs: parseDuration(values.timeout ?? '10m'),
    steadyMs: parseDuration(values.interval ?? '10s'),
  };
}

export async function verifyCommand(
  values: CliValues,
  positionals: string[],
  io: Io,
): Promise<number> {
  if (values.server) {
    if (!values.expect) throw new UsageError('verify needs --expect <marker>');
    return verifyWithServer(values, parseDuration(values.timeout ?? '10m'), io);
  }
  const opts = parseOptions(values, positionals);
  const net = createNodeFetch({ connectTimeoutMs: 10_000 });
  const limits = {
    url: opts.url,
    timeoutMs: Math.min(30_000, opts.timeoutMs),
    maxBodyBytes: 1 << 20,
    maxRedirects: 5,
    fetch: net.fetch,
  };
  const probers = [
    createHttpProber({ ...limits, vantage: 'edge' }),
    createHttpProber({ ...limits, vantage: 'origin' }),
  ];
  const startedAt = Date.now();
  const progress: Record<string, VantageProgress> = { edge: {}, origin: {} };
  const live = Boolean(io.out.isTTY) && !values.json;
  try {
    for (;;) {
      const results = (
        await Promise.all(probers.map((p) => p.probe(AbortSignal.timeout(60_000))))
      ).flat();
      for (const r of results)
        progress[r.vantage] = fold(progress[r.vantage] ?? {}, r, opts.marker);
      const current = report(opts.url, opts.marker, startedAt, progress);
      if (current.visible || current.elapsedMs >= opts.timeoutMs)
        return finish(current, values, io, live);
      if (live) io.out.write(`\r\x1b[2K${progressLine(current)}`);
      else io.err.write(`${progressLine(current)}\n`);
      await sleep(
        Math.min(
          pollIntervalMs(current.elapsedMs, opts.steadyMs),
          opts.timeoutMs - current.elapsedMs,
        ),
      );
    }
  } finally {
    await net.close();
  }
}

function finish(r: VerifyReport, values: CliValues, io: Io, live: boolean): number {
  if (live) io.out.write('\r\x1b[2K');
  const answered = Object.values(r.vantages).some((v) => v.lastStatus !== undefined);
  const code = r.visible ? 0 : answered ? 1 : 2;
  if (values.json) {
    io.out.write(`${JSON.stringify({ ...r, exitCode: code })}\n`);
    return code;
  }
  const edge = r.vantages.edge;
  if (r.visible && edge?.latencyBoundsMs) {
    const [lo, hi] = edge.latencyBoundsMs;
    io.out.write(
      `visible: "${r.marker}" at ${r.url} after ${formatMs(edge.latencyMs ?? hi)} (between ${formatMs(lo)} and ${formatMs(hi)} after verify started)\n`,
    );
  } else {
    io.out.write(
      `not visible: "${r.marker}" not served by ${r.url} within ${formatMs(r.elapsedMs)}${edge?.lastError ? ` (last error: ${edge.lastError})` : ''}\n`,
    );
  }
  return code;
}
