/**
 * Canary files: what is written to the site and how a served copy is read back.
 * JSON form: {"freshprobe":1,"site":..,"seq":N,"token":"..","deployedAt":"ISO"};
 * HTML form carries the same JSON in <meta name="freshprobe" content="...">.
 */
import type { SeenMarker } from './model.js';

/** 128 random bits as 32 hex chars (Web Crypto: same on Node and Workers). */
export function newToken(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface CanaryFileInput {
  siteId: string;
  seq: number;
  token: string;
  /** Intent time, epoch ms. */
  deployedAt: number;
}

export function renderCanaryFile(input: CanaryFileInput, format: 'json' | 'html'): string {
  const payload = {
    freshprobe: 1,
    site: input.siteId,
    seq: input.seq,
    token: input.token,
    deployedAt: new Date(input.deployedAt).toISOString(),
  };
  const json = JSON.stringify(payload);
  if (format === 'json') return `${json}\n`;
  const attr = json.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
  return [
    '<!doctype html>',
    '<html><head><meta charset="utf-8">',
    `<meta name="freshprobe" content="${attr}">`,
    `<title>freshprobe canary ${input.seq}</title></head>`,
    `<body><p>freshprobe canary ${input.seq} for ${input.siteId}</p></body></html>`,
    '',
  ].join('\n');
}

const META_RE = /<meta\s+[^>]*name=["']freshprobe["'][^>]*>/i;
const CONTENT_RE = /content=(?:"([^"]*)"|'([^']*)')/i;

/** Finds a marker in a served body, whichever form it has; undefined when none. */
export function readMarker(body: string): (SeenMarker & { site?: string }) | undefined {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) return markerFromJson(trimmed);
  const meta = META_RE.exec(body)?.[0];
  const content = meta ? CONTENT_RE.exec(meta) : null;
  const raw = content?.[1] ?? content?.[2];
  return raw === undefined ? undefined : markerFromJson(unescapeAttr(raw));
}

function unescapeAttr(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function markerFromJson(text: string): (SeenMarker & { site?: string }) | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const p = parsed as Record<string, unknown>;
  if (p.freshprobe !== 1 || !Number.isSafeInteger(p.seq) || typeof p.token !== 'string')
    return undefined;
  const deployedAt = typeof p.deployedAt === 'string' ? Date.parse(p.deployedAt) : Number.NaN;
  return {
    seq: p.seq as number,
    token: p.token,
    ...(Number.isFinite(deployedAt) ? { deployedAt } : {}),
    ...(typeof p.site === 'string' ? { site: p.site } : {}),
  };
}
