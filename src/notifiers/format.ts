/**
 * The words of an alert, shared by every notifier so Slack, email and PagerDuty say the same
 * thing: a title line, then the facts every message must carry (site, state, since when, how
 * stale, which vantages, latency against the SLO), the summary, and the links (site page,
 * runbook). Each notifier only lays these out in its wire format. Runtime-independent.
 */
import type { AlertMessage, SiteState } from '../core/model.js';

/** One labelled fact, e.g. `{ label: 'How stale', value: '12m 5s' }`. */
export interface Fact {
  label: string;
  value: string;
}

/** A link with its text; `url` is always an http(s) URL from config or the status server. */
export interface Link {
  text: string;
  url: string;
}

/** Everything a notifier needs to render one message. */
export interface AlertWords {
  /** `FIRING`, `RESOLVED` or `TEST`; repeats are still `FIRING`. */
  status: 'FIRING' | 'RESOLVED' | 'TEST';
  /** `<site name>: <incident title>`: one line that makes sense alone (email subject, push). */
  titleLine: string;
  /** `FIRING: <title line>`. */
  headline: string;
  summary: string;
  /** Site, State, Since, How stale, Vantages, Latency: always all six, in this order. */
  facts: Fact[];
  /** Site page (status server, else the site itself) and runbook when configured. */
  links: Link[];
  /** Said in words when a link is missing, so its absence is visible rather than silent. */
  missing: string[];
}

const STATUS: Record<AlertMessage['kind'], AlertWords['status']> = {
  firing: 'FIRING',
  repeat: 'FIRING',
  resolved: 'RESOLVED',
  test: 'TEST',
};

const STATE_WORDS: Record<SiteState, string> = {
  fresh: 'fresh (serves the newest deploy)',
  propagating: 'propagating (newest deploy not visible yet, within the SLO threshold)',
  stale: 'stale (serves an older deploy past the SLO threshold)',
  missing: 'missing (404/410 where the canary should be)',
  error: 'error (5xx, timeout, or no marker)',
  deploy_failing: 'deploy failing (the deployer could not publish)',
  no_data: 'no data (the monitor itself has not observed the site)',
  paused: 'paused',
};

/** Milliseconds in words a person reads at a glance: "850ms", "4.2s", "7m 12s", "2d 3h". */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  const abs = Math.abs(ms);
  const sign = ms < 0 ? '-' : '';
  if (abs < 1_000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 10_000) return `${sign}${(Math.floor(abs / 100) / 10).toFixed(1)}s`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const parts: string[] = [];
  let rest = Math.floor(abs / 1_000) * 1_000;
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0 || parts.length > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
    if (parts.length === 2) break;
  }
  return sign + parts.filter((p) => !/^0/.test(p)).join(' ');
}

/** Epoch ms as `2026-05-03 09:12:00 UTC`: alerts cross time zones, UTC is unambiguous. */
export function utcTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "7m 12s (between 6m 58s and 7m 30s) against the SLO threshold 5m: outside the SLO". */
export function latencyWords(latency: AlertMessage['latency']): string {
  if (!latency) return 'no canary latency measured yet';
  const threshold = `against the SLO threshold ${humanDuration(latency.thresholdMs)}`;
  const { latencyMs, latencyBoundsMs } = latency;
  if (latencyMs === undefined) return `not visible yet, ${threshold}`;
  const bounds = latencyBoundsMs
    ? ` (between ${humanDuration(latencyBoundsMs[0])} and ${humanDuration(latencyBoundsMs[1])})`
    : '';
  const verdict = latencyMs <= latency.thresholdMs ? 'within the SLO' : 'outside the SLO';
  return `${humanDuration(latencyMs)}${bounds} ${threshold}: ${verdict}`;
}

function facts(m: AlertMessage): Fact[] {
  const ago = m.at - m.since;
  return [
    { label: 'Site', value: `${m.site.name} (${m.site.url})` },
    { label: 'State', value: STATE_WORDS[m.state] ?? m.state },
    {
      label: m.kind === 'resolved' ? 'Bad since' : 'Since',
      value: `${utcTime(m.since)} (${ago >= 0 ? `${humanDuration(ago)} ago` : 'just now'})`,
    },
    {
      label: 'How stale',
      value:
        m.stalenessMs !== undefined && m.stalenessMs > 0
          ? `serves content ${humanDuration(m.stalenessMs)} older than the newest deploy`
          : 'not stale',
    },
    { label: 'Vantages', value: m.vantages.length ? m.vantages.join(', ') : 'none affected' },
    { label: 'Latency', value: latencyWords(m.latency) },
  ];
}

/** The words of one message; pure, so every notifier renders the same facts. */
export function alertWords(m: AlertMessage): AlertWords {
  const status = STATUS[m.kind];
  const titleLine = m.title.includes(m.site.name) ? m.title : `${m.site.name}: ${m.title}`;
  const links: Link[] = [{ text: 'Site page', url: m.siteUrl ?? m.site.url }];
  const missing: string[] = [];
  if (!m.siteUrl) missing.push('no status page link: set server.publicUrl');
  if (m.runbook) links.push({ text: 'Runbook', url: m.runbook });
  else missing.push('no runbook for this site: set sites[].runbook');
  return {
    status,
    titleLine,
    headline: `${status}: ${titleLine}`,
    summary: m.kind === 'resolved' ? `Resolved. ${m.summary}` : m.summary,
    facts: facts(m),
    links,
    missing,
  };
}

/**
 * Cuts `text` to at most `max` UTF-16 code units, ending with "…" when cut. Services count
 * characters differently; code units are never fewer, so the result fits all of them.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  // Never leave half a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/** Plain-text body shared by email and any text-only channel. */
export function plainText(words: AlertWords): string {
  const lines = [words.headline, '', words.summary, ''];
  for (const f of words.facts) lines.push(`${f.label}: ${f.value}`);
  lines.push('');
  for (const l of words.links) lines.push(`${l.text}: ${l.url}`);
  for (const note of words.missing) lines.push(`(${note})`);
  return `${lines.join('\n')}\n`;
}

/** What `testMessage` needs to know about the site it pretends to alert on. */
export interface TestSite {
  id: string;
  name: string;
  url: string;
  runbook?: string;
  slo: { threshold: number };
}

/**
 * A `kind: 'test'` message with realistic numbers, so `freshprobe notify-test` shows exactly
 * how a real alert will look, every fact filled. `publicUrl` is the status server's base URL.
 */
export function testMessage(site: TestSite, at: number, publicUrl?: string): AlertMessage {
  const threshold = site.slo.threshold;
  return {
    kind: 'test',
    incidentId: `${site.id}:test:${at}`,
    dedupKey: `freshprobe-test-${site.id}-${at}`,
    site: { id: site.id, name: site.name, url: site.url },
    state: 'stale',
    cause: 'stale',
    title: 'Test alert from freshprobe (no action needed)',
    summary:
      'This is a test sent by `freshprobe notify-test` to check that alerts reach this channel. ' +
      'The numbers below are examples; nothing is wrong with the site.',
    since: at - 2 * threshold,
    stalenessMs: threshold + 60_000,
    vantages: ['edge', 'node:192.0.2.10'],
    latency: {
      latencyMs: threshold + 30_000,
      latencyBoundsMs: [threshold, threshold + 60_000],
      thresholdMs: threshold,
    },
    ...(publicUrl && {
      siteUrl: new URL(`sites/${encodeURIComponent(site.id)}`, withSlash(publicUrl)).href,
    }),
    ...(site.runbook && { runbook: site.runbook }),
    at,
  };
}

function withSlash(base: string): string {
  return base.endsWith('/') ? base : `${base}/`;
}
