/**
 * Metrics are derived from the core's log events (the logger is teed), plus
 * gauges read at scrape time; and `serve` exposes them at /metrics.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/deps.js';
import {
  createMetrics,
  forgetSite,
  meteredLogger,
  registerLiveGauges,
  vantageKind,
} from '../../src/runtime/metrics.node.js';
import { type StaticServer, startStaticServer } from '../bed/static-server.js';
import { removeBundle, type Served, spawnServe, waitFor } from './support.js';

describe('metrics from events', () => {
  it('counts canaries, deploys, probes and notifications from log events', async () => {
    const m = createMetrics();
    const log = meteredLogger(silentLogger, m);
    log.info({
      event: 'probe.done',
      site: 'docs',
      vantage: 'node:10.0.0.4',
      state: 'error',
      errorClass: 'timeout',
      durationMs: 250,
    });
    log.info({
      event: 'probe.done',
      site: 'docs',
      vantage: 'edge',
      state: 'fresh',
      durationMs: 40,
    });
    log.info({ event: 'canary.visible', site: 'docs', seq: 3, latencyMs: 42_000 });
    log.info({ event: 'canary.timed_out', site: 'docs', seq: 4 });
    log.warn({ event: 'deploy.failed', site: 'docs', seq: 5, error: 'rejected' });
    log.info({ event: 'notify.sent', notifier: 'ops', id: 'x' });
    log.warn({ event: 'notify.failed', notifier: 'ops', id: 'y', giveUp: false });
    log.warn({ event: 'notify.failed', notifier: 'ops', id: 'z', giveUp: true });
    m.lag.observe(0.003);
    const text = await m.registry.metrics();
    expect(text).toContain('freshprobe_probe_errors_total{vantage_kind="node",class="timeout"} 1');
    expect(text).toContain('freshprobe_probe_duration_seconds_count{vantage_kind="edge"} 1');
    expect(text).toContain('freshprobe_canary_latency_seconds_bucket{le="60",site="docs"} 1');
    expect(text).toContain('freshprobe_canary_latency_seconds_bucket{le="30",site="docs"} 0');
    for (const verdict of ['visible', 'timed_out', 'deploy_failed'])
      expect(text).toContain(`freshprobe_canaries_total{site="docs",verdict="${verdict}"} 1`);
    expect(text).toContain('freshprobe_deploy_failures_total{site="docs"} 1');
    for (const outcome of ['sent', 'retry', 'failed'])
      expect(text).toContain(
        `freshprobe_notifications_total{notifier="ops",outcome="${outcome}"} 1`,
      );
    expect(text).toContain('freshprobe_scheduler_lag_seconds_count 1');
    expect(text).toContain('process_cpu_user_seconds_total');
    forgetSite(m, 'docs');
    expect(await m.registry.metrics()).not.toMatch(/site="docs"/);
  });

  it('reads site states, readiness and the heartbeat at scrape time', async () => {
    const m = createMetrics();
    registerLiveGauges(m, {
      siteStates: async () => [{ site: 'docs', state: 'stale' }],
      ready: () => false,
      lastBeatAt: () => 1_700_000_000_000,
    });
    const text = await m.registry.metrics();
    expect(text).toContain('freshprobe_site_state{site="docs",state="stale"} 1');
    expect(text).toContain('freshprobe_site_state{site="docs",state="fresh"} 0');
    expect(text).toContain('freshprobe_ready 0');
    expect(text).toContain('freshprobe_heartbeat_timestamp_seconds 1700000000');
    expect(vantageKind('node:[::1]:8080')).toBe('node');
  });
});

describe('GET /metrics from serve', () => {
  let dir: string;
  let origin: StaticServer;
  let served: Served | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'freshprobe-metrics-'));
    await mkdir(join(dir, 'www'));
    origin = await startStaticServer(join(dir, 'www'));
    await writeFile(
      join(dir, 'freshprobe.yaml'),
      `storage: { sqlite: db.sqlite }
sites:
  - id: docs
    url: ${origin.url}/
    deploy: { kind: local-dir, dir: ${join(dir, 'www')} }
    probe: { interval: 1s, timeout: 1s }
`,
    );
  });

  afterAll(async () => {
    served?.kill('SIGKILL');
    await served?.exited;
    await origin?.close();
    await removeBundle();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves Prometheus text with the canary that became visible', async () => {
    served = await spawnServe(['--config', 'freshprobe.yaml', '--port', '0'], { cwd: dir });
    const url = await served.listening;
    const text = await waitFor(
      async () => {
        const body = await (await fetch(`${url}/metrics`)).text();
        return body.includes('verdict="visible"') ? body : undefined;
      },
      20_000,
      'a visible canary in the metrics',
    );
    const res = await fetch(`${url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toContain('freshprobe_site_state{site="docs",state="fresh"} 1');
    expect(text).toMatch(/freshprobe_canary_latency_seconds_count\{site="docs"\} 1/);
    expect(text).toMatch(/freshprobe_probe_duration_seconds_count\{vantage_kind="origin"\} [1-9]/);
    expect(text).toMatch(/freshprobe_scheduler_lag_seconds_count [1-9]/);
    expect(text).toContain('freshprobe_ready 1');
  }, 60_000);
});
