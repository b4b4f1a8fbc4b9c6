/** The shared words of every alert: durations, latency against the SLO, facts, links, cuts. */
import { describe, expect, it } from 'vitest';
import {
  alertWords,
  humanDuration,
  latencyWords,
  plainText,
  testMessage,
  truncate,
} from '../../src/notifiers/format.js';
import { AT, sampleMessage } from './helpers.js';

describe('humanDuration', () => {
  it.each([
    [0, '0ms'],
    [850, '850ms'],
    [4_250, '4.2s'],
    [12_000, '12s'],
    [432_000, '7m 12s'],
    [3_600_000, '1h'],
    [5_400_000, '1h 30m'],
    [2 * 86_400_000 + 3 * 3_600_000 + 59_000, '2d 3h'],
    [-90_000, '-1m 30s'],
  ])('%d ms → %s', (ms, words) => {
    expect(humanDuration(ms)).toBe(words);
  });
});

describe('latencyWords', () => {
  it('says the latency, its bounds, the threshold and the verdict', () => {
    expect(
      latencyWords({
        latencyMs: 432_000,
        latencyBoundsMs: [418_000, 450_000],
        thresholdMs: 300_000,
      }),
    ).toBe('7m 12s (between 6m 58s and 7m 30s) against the SLO threshold 5m: outside the SLO');
    expect(latencyWords({ latencyMs: 65_000, thresholdMs: 300_000 })).toBe(
      '1m 5s against the SLO threshold 5m: within the SLO',
    );
  });

  it('says when nothing is visible or measured yet', () => {
    expect(latencyWords({ thresholdMs: 300_000 })).toBe(
      'not visible yet, against the SLO threshold 5m',
    );
    expect(latencyWords(undefined)).toBe('no canary latency measured yet');
  });
});

describe('alertWords', () => {
  it('always carries the six facts in order, and both links', () => {
    const w = alertWords(sampleMessage());
    expect(w.status).toBe('FIRING');
    expect(w.headline).toBe('FIRING: Product docs: Stale: 1 of 5 nodes serve content from 09:12');
    expect(w.facts.map((f) => f.label)).toEqual([
      'Site',
      'State',
      'Since',
      'How stale',
      'Vantages',
      'Latency',
    ]);
    expect(w.links.map((l) => l.text)).toEqual(['Site page', 'Runbook']);
    expect(w.missing).toEqual([]);
  });

  it('fills every fact in words even when the message has no optional fields', () => {
    const m = sampleMessage({ kind: 'repeat', vantages: [] });
    delete m.stalenessMs;
    delete m.latency;
    delete m.siteUrl;
    delete m.runbook;
    const w = alertWords(m);
    expect(w.status).toBe('FIRING');
    expect(Object.fromEntries(w.facts.map((f) => [f.label, f.value]))).toMatchObject({
      'How stale': 'not stale',
      Vantages: 'none affected',
      Latency: 'no canary latency measured yet',
    });
    expect(w.links).toEqual([{ text: 'Site page', url: 'https://docs.example.com/' }]);
    expect(w.missing).toHaveLength(2);
    expect(plainText(w)).toContain('(no runbook for this site: set sites[].runbook)');
  });

  it('does not repeat the site name when the title already has it', () => {
    const w = alertWords(sampleMessage({ title: 'Product docs is stale', kind: 'resolved' }));
    expect(w.headline).toBe('RESOLVED: Product docs is stale');
    expect(w.summary.startsWith('Resolved. ')).toBe(true);
    expect(w.facts[2]!.label).toBe('Bad since');
  });
});

describe('truncate', () => {
  it('cuts to the limit with an ellipsis and never splits a surrogate pair', () => {
    expect(truncate('abcdef', 6)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
    const cut = truncate(`ab${'😀'.repeat(3)}`, 4);
    expect(cut).toBe('ab…');
    expect(cut.length).toBeLessThanOrEqual(4);
  });
});

describe('testMessage', () => {
  it('is a complete test message linked to the site page on the status server', () => {
    const site = {
      id: 'docs',
      name: 'Docs',
      url: 'https://docs.example.com/',
      slo: { threshold: 300_000 },
    };
    const m = testMessage(
      { ...site, runbook: 'https://wiki.example.com/rb' },
      AT,
      'https://s.example.com/status',
    );
    expect(m).toMatchObject({
      kind: 'test',
      siteUrl: 'https://s.example.com/status/sites/docs',
      runbook: 'https://wiki.example.com/rb',
      at: AT,
    });
    expect(m.latency?.thresholdMs).toBe(300_000);
    expect(testMessage(site, AT).siteUrl).toBeUndefined();
  });
});
