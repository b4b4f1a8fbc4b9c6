/**
 * The one zod schema for the whole config file. Objects are strict so a typo
 * is an error, not a silently ignored key. Built-in defaults are applied here;
 * per-site values are filled from `defaults` by resolve.ts.
 */
import { z } from 'zod';
import { deploySchema, notifierSchema } from './adapters.js';
import { agentSchema } from './agents.js';
import { defaultAlertsSchema, siteAlertsSchema } from './alerts.js';
import {
  canaryPath,
  cronExpression,
  duration,
  fraction,
  httpUrl,
  nodeAddress,
  nonEmpty,
  port,
  positiveInt,
  redirectLimit,
  slug,
} from './fields.js';
import { markerSchema } from './marker.js';
import { type CheckParams, hinted } from './messages.js';
import { resolveConfig } from './resolve.js';

/** Built-in defaults, written the way a user would write them. */
export const BUILTIN = {
  schedule: '*/30 * * * *',
  timeout: '30m',
  slo: { threshold: '5m', target: 0.99, window: '28d' },
  probe: { interval: '60s', timeout: '10s', maxBodyBytes: 1_048_576, maxRedirects: 5 },
} as const;

const CRON_DESCRIPTION = 'When to deploy a canary: a 5-field cron expression, in UTC.';

export const VANTAGES = ['edge', 'origin', 'nodes', 'browser'] as const;

const vantage = hinted(z.enum(VANTAGES), { noun: 'vantage' });

const vantageList = hinted(z.array(vantage).min(1), {
  expected: 'a list of vantages',
  noun: 'vantage',
}).superRefine((list, ctx) => {
  list.forEach((v, i) => {
    const params: CheckParams = { rule: 'duplicate', noun: 'vantage' };
    if (list.indexOf(v) !== i) ctx.addIssue({ code: 'custom', path: [i], input: v, params });
  });
});

const nodes = hinted(
  z.union([
    z.literal('resolve'),
    hinted(z.array(nodeAddress).min(1), { expected: 'a list of IP addresses', noun: 'node' }),
  ]),
  { expected: '"resolve" or a list of IP addresses' },
);

const headers = z.record(z.string(), z.string());

/** Probe options a site may set; every one falls back to `defaults.probe`. */
const siteProbe = z.strictObject({
  vantages: vantageList.optional(),
  nodes: nodes.optional(),
  interval: duration(1000).optional(),
  timeout: duration().optional(),
  maxBodyBytes: positiveInt.optional(),
  maxRedirects: redirectLimit.optional(),
  originUrl: httpUrl.optional().meta({ description: 'Origin URL for the origin vantage.' }),
  headers: headers.optional(),
});

const defaultProbe = z.strictObject({
  vantages: vantageList.default(['edge', 'origin']),
  nodes: nodes.default('resolve'),
  interval: duration(1000).prefault(BUILTIN.probe.interval),
  timeout: duration().prefault(BUILTIN.probe.timeout),
  maxBodyBytes: positiveInt.default(BUILTIN.probe.maxBodyBytes),
  maxRedirects: redirectLimit.default(BUILTIN.probe.maxRedirects),
  headers: headers.optional(),
});

const siteSlo = z.strictObject({
  threshold: duration().optional(),
  target: fraction.optional(),
  window: duration().optional(),
});

const defaultSlo = z.strictObject({
  threshold: duration().prefault(BUILTIN.slo.threshold),
  target: fraction.default(BUILTIN.slo.target),
  window: duration().prefault(BUILTIN.slo.window),
});

const canary = z.strictObject({
  path: canaryPath.optional().meta({ description: 'Defaults to /freshprobe/canary.json.' }),
  format: hinted(z.enum(['json', 'html']), { noun: 'format' })
    .optional()
    .meta({ description: 'Defaults to html for .html/.htm paths, else json.' }),
});

const site = z.strictObject({
  id: slug,
  name: nonEmpty.optional(),
  group: nonEmpty.optional().meta({ description: 'Status page group.' }),
  url: httpUrl,
  canary: canary.optional(),
  deploy: deploySchema,
  probe: siteProbe.optional(),
  schedule: cronExpression.optional().meta({ description: CRON_DESCRIPTION }),
  timeout: duration().optional(),
  slo: siteSlo.optional(),
  runbook: httpUrl.optional(),
  alerts: siteAlertsSchema.optional(),
  marker: markerSchema
    .optional()
    .meta({ description: 'Where external deploys show their marker.' }),
  notify: hinted(z.array(slug), {
    expected: 'a list of notifier ids',
    noun: 'notifier',
  }).optional(),
  paused: z.boolean().optional(),
});

/** Per client IP token bucket on public routes; generous, so only floods see 429. */
const rateLimit = z.strictObject({
  enabled: z.boolean().default(true),
  perSecond: hinted(z.number().positive(), { expected: 'a positive number' })
    .default(20)
    .meta({ description: 'Sustained requests per second per client IP.' }),
  burst: positiveInt.default(200).meta({ description: 'Requests a client may make at once.' }),
  trustProxy: z.boolean().default(false).meta({
    description: 'Behind a reverse proxy: key clients by the last X-Forwarded-For address.',
  }),
});

const server = z.strictObject({
  port: port.default(8080),
  host: nonEmpty.default('0.0.0.0'),
  publicUrl: httpUrl.optional(),
  adminToken: nonEmpty.optional().meta({ description: 'Bearer token for admin API calls.' }),
  rateLimit: rateLimit.prefault({}),
  maxConcurrentDeploys: positiveInt.default(8).meta({
    description:
      'Canary deploys running at once across all sites; a site that finds none free keeps probing and deploys when a slot is given back. Read at start.',
  }),
});

const storage = z.strictObject({
  sqlite: nonEmpty.default('data/freshprobe.db'),
  retainObservationsDays: positiveInt.default(30),
  retainHistoryDays: positiveInt.optional().meta({
    description:
      'Days to keep canaries and hourly aggregates (default: retainObservationsDays); never less than the longest SLO or burn-rate window, or 7 days.',
  }),
});

const defaults = z.strictObject({
  schedule: cronExpression.default(BUILTIN.schedule).meta({ description: CRON_DESCRIPTION }),
  timeout: duration().prefault(BUILTIN.timeout),
  slo: defaultSlo.prefault({}),
  probe: defaultProbe.prefault({}),
  alerts: defaultAlertsSchema.prefault({}),
});

/** The config file as written, with built-in defaults applied but sites not yet resolved. */
export const configInputSchema = z.strictObject({
  $schema: z.string().optional().meta({ description: 'JSON Schema reference, for editors.' }),
  server: server.prefault({}),
  storage: storage.prefault({}),
  defaults: defaults.prefault({}),
  sites: hinted(z.array(site).min(1), { expected: 'a list of sites', noun: 'site' }),
  notifiers: hinted(z.array(notifierSchema), { expected: 'a list of notifiers' }).default([]),
  agents: hinted(z.array(agentSchema), { expected: 'a list of agents' })
    .default([])
    .meta({ description: 'Remote vantages allowed to push observations (freshprobe agent).' }),
});

/** The whole config: parses the file's shape and resolves every site against `defaults`. */
export const configSchema = configInputSchema.transform(resolveConfig);

export type RawConfig = z.output<typeof configInputSchema>;
export type RawSite = RawConfig['sites'][number];
export type RawDefaults = RawConfig['defaults'];
