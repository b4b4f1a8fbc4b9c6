/**
 * External deploys: reading a deploy's marker (a commit SHA, a version) out
 * of a served page, a JSON document or a header, and matching it.
 */
import type { ProbeResult } from './model.js';

export interface MarkerSpec {
  /** URL path to fetch. */
  path: string;
  kind: 'meta' | 'json' | 'header' | 'regex';
  /** Meta name, JSON dot path, header name, or the regex source. */
  name: string;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function fromMeta(body: string, name: string): string | undefined {
  const tag = new RegExp(`<meta\\s[^>]*name=["']${escapeRe(name)}["'][^>]*>`, 'i').exec(body)?.[0];
  return tag
    ? /content=(?:"([^"]*)"|'([^']*)')/i
        .exec(tag)
        ?.slice(1)
        .find((v) => v !== undefined)
    : undefined;
}

function fromJson(body: string, path: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function fromRegex(body: string, source: string): string | undefined {
  const m = new RegExp(source).exec(body);
  return m ? (m[1] ?? m[0]) : undefined;
}

/** The marker a response carries, or undefined (failed probe, non-2xx, not found). */
export function extractMarker(spec: MarkerSpec, result: ProbeResult): string | undefined {
  if (result.error || !result.status || result.status < 200 || result.status >= 300)
    return undefined;
  const body = result.body ?? '';
  switch (spec.kind) {
    case 'meta':
      return fromMeta(body, spec.name)?.trim();
    case 'json':
      return fromJson(body, spec.name)?.trim();
    case 'header':
      return result.headers?.[spec.name.toLowerCase()]?.trim();
    case 'regex':
      return fromRegex(body, spec.name)?.trim();
  }
}

/**
 * Equal, or one an abbreviation of the other (git short SHAs: at least 7
 * characters), compared case-insensitively.
 */
export function markerMatches(expected: string, seen: string | undefined): boolean {
  if (!seen) return false;
  const a = expected.toLowerCase();
  const b = seen.toLowerCase();
  if (a === b) return true;
  const [short, long] = a.length < b.length ? [a, b] : [b, a];
  return short.length >= 7 && long.startsWith(short);
}
