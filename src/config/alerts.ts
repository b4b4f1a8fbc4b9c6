/**
 * Alert options: defaults.alerts, overridable per site field by field.
 * Burn-rate windows follow the SRE Workbook's multiwindow, multi-burn-rate
 * table; minEvents guards the long window against rare canaries.
 */
import { z } from 'zod';
import { duration, positiveInt } from './fields.js';
import { hinted } from './messages.js';

export const BUILTIN_ALERTS = {
  failureThreshold: 2,
  recoveryThreshold: 2,
  repeatEvery: '4h',
  deployFailures: 2,
  minEvents: 5,
  burnRates: [
    { factor: 14.4, long: '1h', short: '5m' },
    { factor: 6, long: '6h', short: '30m' },
    { factor: 1, long: '3d', short: '6h' },
  ],
} as const;

const burnRate = z.strictObject({
  factor: hinted(z.number().positive(), { expected: 'a positive number' }),
  long: duration(),
  short: duration(),
});

const fields = {
  /** Consecutive bad rounds before an incident opens (one flap does not page). */
  failureThreshold: positiveInt,
  /** Consecutive good rounds before it resolves. */
  recoveryThreshold: positiveInt,
  /** Re-notify an open incident this often; 0 never. */
  repeatEvery: duration(0),
  /** Consecutive failed deploys before deploy_failing pages. */
  deployFailures: positiveInt,
  /** Fewest judged canaries in a burn-rate long window before it may fire. */
  minEvents: positiveInt,
  burnRates: hinted(z.array(burnRate), { expected: 'a list of { factor, long, short }' }),
};

export const siteAlertsSchema = z.strictObject({
  failureThreshold: fields.failureThreshold.optional(),
  recoveryThreshold: fields.recoveryThreshold.optional(),
  repeatEvery: fields.repeatEvery.optional(),
  deployFailures: fields.deployFailures.optional(),
  minEvents: fields.minEvents.optional(),
  burnRates: fields.burnRates.optional(),
});

export const defaultAlertsSchema = z.strictObject({
  failureThreshold: fields.failureThreshold.default(BUILTIN_ALERTS.failureThreshold),
  recoveryThreshold: fields.recoveryThreshold.default(BUILTIN_ALERTS.recoveryThreshold),
  repeatEvery: fields.repeatEvery.prefault(BUILTIN_ALERTS.repeatEvery),
  deployFailures: fields.deployFailures.default(BUILTIN_ALERTS.deployFailures),
  minEvents: fields.minEvents.default(BUILTIN_ALERTS.minEvents),
  burnRates: fields.burnRates.prefault(BUILTIN_ALERTS.burnRates.map((b) => ({ ...b }))),
});

/** Resolved alert options; durations in ms. */
export interface AlertsConfig {
  failureThreshold: number;
  recoveryThreshold: number;
  repeatEvery: number;
  deployFailures: number;
  minEvents: number;
  burnRates: Array<{ factor: number; long: number; short: number }>;
}
