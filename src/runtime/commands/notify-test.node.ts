/**
 * `freshprobe notify-test <notifier> [site]`: sends one `kind: 'test'` message through a
 * configured notifier, with a site from the config as the example (the named one, else the
 * first site that notifies it, else the first site), and says what happened. Exit 0 when the
 * service accepted it, 1 when it did not (the reason is printed, secrets redacted).
 */
import type { Config, SiteConfig } from '../../config.js';
import { ConfigError } from '../../core/errors.js';
import { testMessage } from '../../notifiers/format.js';
import { redact } from '../../notifiers/http-send.js';
import { createNodeFetch } from '../../probers/node-fetch.node.js';
import { buildGuardedNotifiers, CONNECT_TIMEOUT_MS } from '../bootstrap.node.js';
import { type CliValues, UsageError } from '../cli-args.node.js';
import { loadConfigFile, resolveConfigPath } from '../config-file.node.js';
import type { Io } from './io.node.js';

/** The whole send, connect included, must finish within this. */
const SEND_BUDGET_MS = 30_000;

function pickSite(config: Config, notifierId: string, siteId?: string): SiteConfig {
  if (siteId) {
    const site = config.sites.find((s) => s.id === siteId);
    if (!site) throw new UsageError(`no site "${siteId}" in the config`);
    return site;
  }
  const site = config.sites.find((s) => s.notify.includes(notifierId)) ?? config.sites[0];
  if (!site) throw new UsageError('the config has no site to use as the example');
  return site;
}

function loadConfig(values: CliValues) {
  const path = resolveConfigPath(values.config);
  if (!path)
    throw new ConfigError([
      { path: '', message: 'no config: pass --config F or create freshprobe.yaml' },
    ]);
  return { path, ...loadConfigFile(path) };
}

export async function notifyTestCommand(
  values: CliValues,
  positionals: string[],
  io: Io,
): Promise<number> {
  const [id, siteId] = positionals;
  if (!id) throw new UsageError('notify-test needs a notifier id');
  const { path, config, secrets } = loadConfig(values);
  const cfg = config.notifiers.find((n) => n.id === id);
  if (!cfg) {
    const known = config.notifiers.map((n) => n.id).join(', ') || 'none';
    throw new UsageError(`no notifier "${id}" in ${path} (configured: ${known})`);
  }
  const site = pickSite(config, id, siteId);
  const nodeFetch = createNodeFetch({ connectTimeoutMs: CONNECT_TIMEOUT_MS });
  // The same SSRF guard `serve` sends through: a test must not reach what an alert cannot.
  const notifier = buildGuardedNotifiers([cfg], nodeFetch.fetch).get(cfg.id)!;
  try {
    await notifier.send(
      testMessage(site, Date.now(), config.server.publicUrl),
      AbortSignal.timeout(SEND_BUDGET_MS),
    );
    io.out.write(`${id} (${cfg.kind}): test message accepted, about site ${site.id}\n`);
    return 0;
  } catch (error) {
    const e = error as { message?: string; retryable?: boolean };
    const why = redact(e.message ?? String(error), secrets);
    const later = e.retryable ? ' (temporary: a later try may succeed)' : '';
    io.err.write(`${id} (${cfg.kind}): not sent: ${why}${later}\n`);
    return 1;
  } finally {
    await notifier.close?.();
    await nodeFetch.close();
  }
}
