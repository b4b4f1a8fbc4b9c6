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
 * The observation that made the newest canary visible at this vantage: it
 * serves that canary (or a newer one) and the vantage's last status did not.
 * Usually also a change of seqSeen; spelled out so the rule never hinges on it.
 */
export function isFirstHit(o: Observation, prev: VantageStatus): boolean {
  const target = o.canarySeq;
  if (target === undefined || o.state === 'error') return false;
  const sees = (seq: number | undefined, state: string) =>
    seq !== undefined && seq >= target && state !== 'error';
  return sees(o.seqSeen, o.state) && !sees(prev.seqSeen, prev.state);
}

/**
 * Whether to store the observation as a row. A vantage's first observation is
 * always kept. Inside a canary window (a canary of the site is open): a change
 * of state, seqSeen, HTTP status or error class, the first hit, and every
 * error; identical "still propagating" polls (the adaptive ones come about a
 * second apart) are not. Between canaries: state changes only.
 */
export function keepObservation(
  o: Observation,
  prev: VantageStatus | undefined,
  inWindow: boolean,
): boolean {
  if (!prev) return true;
  if (!inWindow) return o.state !== prev.state;
  return o.state === 'error' || changedFrom(o, prev) || isFirstHit(o, prev);
}
