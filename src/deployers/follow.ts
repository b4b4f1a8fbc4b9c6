/**
 * Following what a host does after it accepted a canary (a GitLab pipeline, a
 * GitHub Pages build): poll until a terminal answer, a time limit or the
 * deploy's abort. The commit is already accepted by then, so running out of
 * time is reported as a phase, never as a failed deploy. Not a deployer kind.
 */
import type { DeployPhase } from '../core/ports.js';
import { abortableSleep } from './http-api.js';

export interface FollowOptions {
  /** Between polls, ms. */
  intervalMs: number;
  /** Give up after this long, ms. */
  timeoutMs: number;
  now: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** One poll's verdict: `done` ends the wait; `status` is what to report if time runs out. */
export type PollResult<T> = { done: true; value: T } | { done: false; status: string };

/** How the wait ended. */
export type FollowOutcome<T> =
  | { done: true; value: T }
  | { done: false; why: 'timeout' | 'aborted' | 'lookup failed'; status: string };

/**
 * Calls `poll` until it says done, `timeoutMs` passes or `signal` aborts.
 * Errors from `poll` propagate (the caller decides what they mean).
 */
export async function follow<T>(
  o: FollowOptions,
  signal: AbortSignal,
  poll: () => Promise<PollResult<T>>,
): Promise<FollowOutcome<T>> {
  const sleep = o.sleep ?? abortableSleep;
  const deadline = o.now() + o.timeoutMs;
  let status = 'not started';
  for (;;) {
    if (signal.aborted) return { done: false, why: 'aborted', status };
    let result: PollResult<T>;
    try {
      result = await poll();
    } catch (error) {
      // An abort mid-request surfaces as the request's error; it is still just an abort.
      if (signal.aborted) return { done: false, why: 'aborted', status };
      throw error;
    }
    if (result.done) return result;
    status = result.status;
    const left = deadline - o.now();
    if (left <= 0) return { done: false, why: 'timeout', status };
    try {
      await sleep(Math.min(o.intervalMs, left), signal);
    } catch {
      return { done: false, why: 'aborted', status };
    }
  }
}

/** The phase that says a wait ended without a verdict, e.g. `pipeline_unfinished: running (timeout)`. */
export function unfinishedPhase(
  prefix: string,
  outcome: { why: string; status: string },
  at: number,
): DeployPhase {
  return { name: `${prefix}_unfinished`, at, detail: `${outcome.status} (${outcome.why})` };
}
