/**
 * External deploys: a real deploy (a commit SHA, a version) registered from
 * outside and tracked like a canary by looking for its marker on the site.
 */
import type { CoreDeps } from './deps.js';
import { ConfigError } from './errors.js';
import { extractMarker, type MarkerSpec, markerMatches } from './marker.js';
import type { Canary, Observation, ProbeResult } from './model.js';
import type { SiteSpec } from './site.js';

export const MAX_MARKER_LENGTH = 200;

export async function registerDeploy(
  deps: CoreDeps,
  spec: SiteSpec,
  input: { marker: string; deployedAt?: number },
): Promise<Canary> {
  if (!spec.marker) {
    throw new ConfigError([
      {
        path: `sites.${spec.id}.marker`,
        message: 'this site has no marker config: set where external deploys show their marker',
      },
    ]);
  }
  const now = deps.clock.now();
  const deployedAt = Math.min(input.deployedAt ?? now, now);
  const canary = await deps.store.createCanary({
    siteId: spec.id,
    token: deps.newToken(),
    intentAt: deployedAt,
    reason: 'external',
    external: { marker: input.marker, deployedAt },
  });
  await deps.store.flush?.();
  deps.log.info({
    event: 'deploy.registered',
    site: spec.id,
    seq: canary.seq,
    marker: input.marker,
  });
  return canary;
}

/**
 * Judges one marker probe for one open external deploy. Seeing the marker of
 * this deploy or of a newer registered one is a hit; another marker, or a
 * 404, is a miss; a failed probe proves nothing.
 */
export function markerObservation(
  r: ProbeResult,
  spec: MarkerSpec,
  c: Canary,
  open: Canary[],
): Observation {
  const base = {
    siteId: c.siteId,
    vantage: r.vantage,
    startedAt: r.startedAt,
    durationMs: r.durationMs,
    cache: r.cache,
    canarySeq: c.seq,
  };
  const status = r.status ?? 0;
  const answered =
    !r.error && ((status >= 200 && status < 300) || status === 404 || status === 410);
  if (!answered)
    return { ...base, status: r.status, state: 'error', errorClass: r.error?.class ?? 'http_5xx' };
  const seen = extractMarker(spec, r);
  const newest = Math.max(
    0,
    ...open.filter((d) => d.marker && markerMatches(d.marker, seen)).map((d) => d.seq),
  );
  return newest >= c.seq
    ? { ...base, status, state: 'fresh', seqSeen: newest }
    : { ...base, status, state: 'propagating' };
}
