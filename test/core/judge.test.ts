import { describe, expect, it } from 'vitest';
import { renderCanaryFile } from '../../src/core/canary.js';
import { type JudgeContext, judge, read } from '../../src/core/judge.js';
import type { Canary, ProbeResult } from '../../src/core/model.js';

const T = 5 * 60_000;
const canary = (seq: number, deployedAt: number): Canary => ({
  siteId: 'docs',
  seq,
  token: `token-${seq}`,
  intentAt: deployedAt - 100,
  reason: 'schedule',
  state: 'visible',
  deployedAt,
  vantages: {},
});
const c1 = canary(1, 1_000_000);
const c2 = canary(2, 2_000_000);
const c3 = canary(3, 3_000_000);

function served(c: Canary, now: number, extra: Partial<ProbeResult> = {}): ProbeResult {
  const body = renderCanaryFile(
    { siteId: 'docs', seq: c.seq, token: c.token, deployedAt: c.intentAt },
    'json',
  );
  return {
    vantage: 'edge',
    startedAt: now,
    durationMs: 10,
    status: 200,
    body,
    cache: {},
    ...extra,
  };
}

function verdict(result: ProbeResult, ctx: Partial<JudgeContext>) {
  const full: JudgeContext = {
    siteId: 'docs',
    now: result.startedAt,
    thresholdMs: T,
    everVisible: true,
    ...ctx,
  };
  return judge(result, read(result, 'docs'), full);
}

describe('judging one probe', () => {
  it('is fresh when the newest accepted canary is served', () => {
    expect(verdict(served(c3, 3_100_000), { newest: c3, served: c3 }).state).toBe('fresh');
  });

  it('is propagating while the first missing canary is younger than the threshold', () => {
    const o = verdict(served(c2, 3_060_000), { newest: c3, served: c2, firstNewer: c3 });
    expect(o).toMatchObject({ state: 'propagating', seqSeen: 2, stalenessMs: 60_000 });
  });

  it('is stale by the age of the first canary it lacks, not the newest', () => {
    // Serves #1; #2 went out 1,100 s ago; #3 only 60 s ago.
    const o = verdict(served(c1, 3_060_000), { newest: c3, served: c1, firstNewer: c2 });
    expect(o).toMatchObject({ state: 'stale', stalenessMs: 1_060_000 });
  });

  it('is missing on 404 and 410 once any canary was seen', () => {
    const r = { ...served(c1, 3_000_000), status: 404, body: 'not found' };
    expect(verdict(r, { newest: c3 }).state).toBe('missing');
    expect(verdict({ ...r, status: 410 }, { newest: c3 }).state).toBe('missing');
  });

  it('treats a 404 before the very first canary arrived as propagation, until the threshold', () => {
    const first = canary(1, 1_000_000);
    const r = { ...served(first, 1_010_000), status: 404, body: '' };
    expect(verdict(r, { newest: first, everVisible: false }).state).toBe('propagating');
    expect(
      verdict({ ...r, startedAt: 1_000_000 + T + 1 }, { newest: first, everVisible: false }).state,
    ).toBe('missing');
  });

  it('says nothing (no_data) about a 404 before any deploy was accepted', () => {
    const r = { ...served(c1, 1_000), status: 404, body: '' };
    expect(verdict(r, { everVisible: false }).state).toBe('no_data');
  });

  it('classifies 5xx, 4xx, a 200 without marker and transport errors as error', () => {
    const base = served(c3, 3_100_000);
    expect(verdict({ ...base, status: 503 }, { newest: c3 })).toMatchObject({
      state: 'error',
      errorClass: 'http_5xx',
    });
    expect(verdict({ ...base, status: 403 }, { newest: c3 })).toMatchObject({
      state: 'error',
      errorClass: 'http_4xx',
    });
    expect(verdict({ ...base, body: '<html>hi</html>' }, { newest: c3 })).toMatchObject({
      errorClass: 'no_marker',
    });
    const timeout = {
      ...base,
      status: undefined,
      body: undefined,
      error: { class: 'timeout' as const, message: 'x' },
    };
    expect(verdict(timeout, { newest: c3 })).toMatchObject({
      state: 'error',
      errorClass: 'timeout',
    });
  });

  it('never calls a marker fresh unless its token is ours', () => {
    const foreign = { ...c3, token: 'someone-else' };
    const o = verdict(served(foreign, 3_100_000), { newest: c3, served: c3 });
    expect(o).toMatchObject({ state: 'error', errorClass: 'no_marker', seqSeen: 3 });
  });

  it('rejects the canary of another site', () => {
    const body = renderCanaryFile(
      { siteId: 'blog', seq: 3, token: c3.token, deployedAt: 0 },
      'json',
    );
    const o = verdict({ ...served(c3, 3_100_000), body }, { newest: c3, served: c3 });
    expect(o).toMatchObject({ state: 'error', errorMessage: 'serves the canary of site "blog"' });
  });
});
