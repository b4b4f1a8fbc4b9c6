/**
 * The `edge` and `origin` probers of one configured site: the one place that
 * maps probe config onto the http prober, shared by the Node and Worker tables.
 */
import type { SiteConfig } from '../config.js';
import type { Prober } from '../core/ports.js';
import { canaryUrl } from '../core/site.js';
import { createHttpProber } from './http.js';

export function createSiteHttpProber(
  site: SiteConfig,
  vantage: 'edge' | 'origin',
  fetch: typeof globalThis.fetch,
): Prober {
  return createHttpProber({
    vantage,
    url: canaryUrl(site),
    originUrl: vantage === 'origin' ? site.probe.originUrl : undefined,
    timeoutMs: site.probe.timeout,
    maxBodyBytes: site.probe.maxBodyBytes,
    maxRedirects: site.probe.maxRedirects,
    headers: site.probe.headers,
    fetch,
  });
}
