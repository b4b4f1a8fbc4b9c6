/**
 * `freshprobe canary <site>`: deploy one canary now, step the site until the
 * canary has a verdict, print latency with its bound. Exit 0 visible,
 * 1 not visible by the timeout, 2 deploy failed.
 */
import { requestCanary } from '../../core/deploy.js';
import { driveCanary } from '../../core/drive.js';
import { ConfigError } from '../../core/errors.js';
import type { Canary } from '../../core/model.js';
import { formatMs } from '../../http/index-page.js';
import { canaryView } from '../../http/views.js';
import { bootstrap } from '../bootstrap.node.js';
import { type CliValues, UsageError } from '../cli-args.node.js';
import { loadConfigFile, resolveConfigPath } from '../config-file.node.js';
import { createLogger } from '../logger.node.js';
import type { Io } from './io.node.js';

export function describeCanary(c: Canary): string {
  if (c.state === 'deploy_failed')
    return `#${c.seq} deploy failed: ${c.deployError ?? 'unknown reason'}`;
  const lines = [`#${c.seq} ${c.state.replace('_', ' ')}`];
  if (c.latencyMs !== undefined && c.latencyBoundsMs) {
    const [lo, hi] = c.latencyBoundsMs;
    lines[0] += `: visible after ${formatMs(c.latencyMs)} (between ${formatMs(lo)} and ${formatMs(hi)})${c.withinSlo === false ? ', outside the SLO' : ''}`;
  }
  for (const [name, v] of Object.entries(canaryView(c).vantages)) {
    lines.push(
      `  ${name}: ${v.latencyMs !== undefined ? `visible after ${formatMs(v.latencyMs)}` : 'not visible'}`,
    );
  }
  return lines.join('\n');
}

export async function canaryCommand(
  values: CliValues,
  positionals: string[],
  io: Io,
): Promise<number> {
  const siteId = positionals[0];
  if (!siteId) throw new UsageError('canary needs a site id');
  const path = resolveConfigPath(values.config);
  if (!path)
    throw new ConfigError([
      { path: '', message: 'no config: pass --config F or create freshprobe.yaml' },
    ]);
  const { config, secrets } = loadConfigFile(path);
  const boot = await bootstrap(config, createLogger({ level: 'warn', secrets }), secrets);
  try {
    const rt = boot.runtimes.find((r) => r.spec.id === siteId);
    if (!rt) throw new UsageError(`no site "${siteId}" in ${path}`);
    const created = await requestCanary(boot.deps, rt.spec, 'manual');
    let shown = '';
    const canary = await driveCanary(boot.deps, rt, created.seq, (c) => {
      if (!io.out.isTTY || values.json || c.state === shown) return;
      shown = c.state;
      io.err.write(`#${c.seq} ${shown}\n`);
    });
    io.out.write(
      values.json
        ? `${JSON.stringify(canaryView(canary))}\n`
        : `${siteId} ${describeCanary(canary)}\n`,
    );
    return canary.state === 'visible' ? 0 : canary.state === 'timed_out' ? 1 : 2;
  } finally {
    await boot.close();
  }
}
