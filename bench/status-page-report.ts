/**
 * The status page bench's targets, verdicts and its BENCHMARKS.md section.
 * Only the text between this bench's own markers is rewritten.
 */
import { num } from './stats.js';

export interface RouteFigures {
  /** Client side (autocannon): requests/s, latency in ms. */
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** Concurrent connections of the load client. */
  connections: number;
  /** Server side: around app.fetch, ms. */
  serverP95: number;
  serverP99: number;
  requests: number;
  /** Body size of one response. */
  bytes: number;
  /** Cores the server process used, and everything else on the machine (the load client too). */
  serverCores: number;
  otherCores: number;
}

export interface Figures {
  index: RouteFigures;
  summary: RouteFigures;
  badge: RouteFigures;
}

export const TARGETS = {
  indexServerP95Ms: 50,
  indexBytes: 300 * 1024,
  summaryServerP95Ms: 20,
  badgeRps: 10_000,
  badgeP99Ms: 10,
};

export function verdicts(f: Figures): Record<string, boolean> {
  return {
    indexServerP95: f.index.serverP95 <= TARGETS.indexServerP95Ms,
    indexBytes: f.index.bytes <= TARGETS.indexBytes,
    summaryServerP95: f.summary.serverP95 <= TARGETS.summaryServerP95Ms,
    badgeRps: f.badge.rps >= TARGETS.badgeRps,
    badgeP99: f.badge.p99 <= TARGETS.badgeP99Ms,
  };
}

const ok = (pass: boolean) => (pass ? 'met' : '**missed**');

function row(name: string, f: RouteFigures): string {
  return `| ${name} | ${f.connections} | ${num(f.rps)} | ${num(f.p50, 1)} | ${num(f.p99, 1)} | ${num(f.serverP95, 2)} | ${num(f.serverP99, 2)} | ${num(f.bytes / 1024, 1)} KB | ${f.errors} | ${num(f.serverCores, 2)} | ${num(f.otherCores, 2)} |`;
}

export function section(
  f: Figures,
  meta: { command: string; machine: string; revision: string; date: string },
): string {
  const v = verdicts(f);
  return [
    `Measured ${meta.date.slice(0, 10)} on ${meta.machine}, ${meta.revision}:`,
    '',
    '```sh',
    meta.command,
    '```',
    '',
    '| route | connections | req/s | client p50 ms | client p99 ms | server p95 ms | server p99 ms | body | errors | server cores | rest of machine (cores) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    row('`GET /`', f.index),
    row('`GET /api/v2/summary.json`', f.summary),
    row('`GET /badge/:id/status.svg`', f.badge),
    '',
    `- \`GET /\` server p95 <= ${TARGETS.indexServerP95Ms} ms: ${ok(v.indexServerP95!)}; HTML <= 300 KB: ${ok(v.indexBytes!)}`,
    `- \`GET /api/v2/summary.json\` server p95 <= ${TARGETS.summaryServerP95Ms} ms: ${ok(v.summaryServerP95!)}`,
    `- badge >= ${num(TARGETS.badgeRps)} req/s: ${ok(v.badgeRps!)}; client p99 <= ${TARGETS.badgeP99Ms} ms: ${ok(v.badgeP99!)}`,
  ].join('\n');
}
