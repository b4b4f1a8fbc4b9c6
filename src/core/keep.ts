/**
 * Which judged observations become rows (DESIGN.md section 4, storage budget).
 * Every probe still counts in the hourly aggregates and refreshes the
 * vantage status; a row is written only when it says something those and the
 * canary row (last miss / first hit, the latency bounds) do not.
 */
import type { Observation, VantageStatus } from './model.js';

/** What was served and how it was judged differs from the vantage's last status. */
export function changedFrom(o: Observation, prev: VantageStatus): boolean {
  return (
    o.state !== prev.state ||
    o.seqSeen !== prev.seqSeen ||
    o.status !== prev.status ||
    o.errorClass !== prev.errorClass
  );
}

/**
 * Whether to store the observation as a row. A vantage's first observation is
 * always kept. Inside a canary window (a canary of the site is open): a change
 * of state, seqSeen, HTTP status or error class, and every error; identical
 * "still propagating" polls (the adaptive ones come about a second apart) are
 * not. The first hit is always among them: it sees a seq the last status did
 * not, or follows an error. Between canaries: state changes only.
 */
export function keepObservation(
  o: Observation,
  prev: VantageStatus | undefined,
  inWindow: boolean,
): boolean {
  if (!prev) return true;
  if (!inWindow) return o.state !== prev.state;
  return o.state === 'error' || changedFrom(o, prev);
}
