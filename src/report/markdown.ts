/** The report as Markdown, ready to paste into a post-mortem. Times in UTC. */
import type { Incident } from '../core/model.js';
import type { Sli } from '../core/slo.js';
import type { Report } from './build.js';

function utc(at: number): string {
  return new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function duration(ms: number | undefined): string {
  if (ms === undefined) return 'n/a';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

function sli(s: Sli, unit: string): string {
  if (s.ratio === undefined) return `no data (0 ${unit})`;
  return `${(s.ratio * 100).toFixed(2)}% (${s.good} of ${s.total} ${unit})`;
}

/** Escapes text that goes into a table cell. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function incidentSection(i: Incident): string[] {
  const span = i.resolvedAt
    ? `${utc(i.openedAt)} to ${utc(i.resolvedAt)} (${duration(i.resolvedAt - i.openedAt)})`
    : `${utc(i.openedAt)}, still open`;
  return [
    `### ${cell(i.title)}`,
    '',
    `- ${i.state}, ${span}; impact ${i.impact}; cause \`${i.cause}\``,
    ...(i.vantages.length ? [`- vantages: ${i.vantages.join(', ')}`] : []),
    ...(i.acknowledgedAt
      ? [`- acknowledged ${utc(i.acknowledgedAt)} by ${i.acknowledgedBy ?? 'admin'}`]
      : []),
    '',
    '| time (UTC) | event | detail |',
    '|---|---|---|',
    ...i.timeline.map((e) => `| ${utc(e.at)} | ${e.kind} | ${cell(e.message)} |`),
    '',
  ];
}

export function renderMarkdown(r: Report): string {
  const target = `${(r.slo.target * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
  const budget =
    r.errorBudgetRemaining === undefined
      ? 'no data'
      : `${(r.errorBudgetRemaining * 100).toFixed(1)}%`;
  const lines = [
    `# ${r.site.name}: freshness report`,
    '',
    `${r.site.url}, ${utc(r.from)} to ${utc(r.generatedAt)}. SLO: ${target} of canaries visible at the edge within ${duration(r.slo.thresholdMs)}, over ${duration(r.slo.windowMs)}.`,
    '',
    '| measure | value |',
    '|---|---|',
    `| freshness SLI | ${sli(r.freshness, 'canaries')} |`,
    `| availability SLI (edge) | ${sli(r.availability, 'probes')} |`,
    `| error budget left (SLO window) | ${budget} |`,
    `| deploy-to-visible latency p50 / p95 / max | ${duration(r.latency.p50Ms)} / ${duration(r.latency.p95Ms)} / ${duration(r.latency.maxMs)} |`,
    `| canaries | ${r.canaries.total}: ${r.canaries.visible} visible, ${r.canaries.timedOut} timed out, ${r.canaries.deployFailed} deploy failed, ${r.canaries.open} open |`,
    '',
    `## Incidents (${r.incidents.length})`,
    '',
    ...(r.incidents.length ? r.incidents.flatMap(incidentSection) : ['None in this period.', '']),
    ...(r.site.runbook ? [`Runbook: ${r.site.runbook}`, ''] : []),
  ];
  return lines.join('\n');
}
