/**
 * How a canary's vantages and deploy phases are stored: compactly, losslessly,
 * and rows written in the older, longer form still read the same.
 */
import { describe, expect, it } from 'vitest';
import {
  phasesFromJson,
  phasesToJson,
  vantagesFromJson,
  vantagesToJson,
} from '../../src/storage/rows.js';

describe('canary vantages as stored', () => {
  it('are [lastMissAt, visibleAt] per name, and read back whole', () => {
    const vantages = {
      edge: { vantage: 'edge', lastMissAt: 1_700_000_004_000, visibleAt: 1_700_000_005_000 },
      origin: { vantage: 'origin', visibleAt: 1_700_000_001_000 },
      'node:10.0.0.4': { vantage: 'node:10.0.0.4', lastMissAt: 1_700_000_002_000 },
      browser: { vantage: 'browser' },
    };
    const json = vantagesToJson(vantages);
    expect(json).toBe(
      '{"edge":[1700000004000,1700000005000],"origin":[null,1700000001000],' +
        '"node:10.0.0.4":[1700000002000,null],"browser":[null,null]}',
    );
    expect(vantagesFromJson(json)).toEqual(vantages);
    expect(vantagesFromJson('{}')).toEqual({});
  });

  it('read rows written as objects with the name repeated', () => {
    const old = '{"edge":{"vantage":"edge","lastMissAt":4000,"visibleAt":5000},"origin":{}}';
    expect(vantagesFromJson(old)).toEqual({
      edge: { vantage: 'edge', lastMissAt: 4_000, visibleAt: 5_000 },
      origin: { vantage: 'origin' },
    });
  });
});

describe('canary phases as stored', () => {
  const accepted = { name: 'accepted', at: 2_200, detail: 'abc123' };
  const pipeline = { name: 'pipeline_done', at: 9_000, detail: 'success' };

  it('leave out the accepted phase that repeats deployedAt and deployDetail', () => {
    expect(phasesToJson([accepted, pipeline], 2_200, 'abc123')).toBe(JSON.stringify([pipeline]));
    expect(phasesFromJson(JSON.stringify([pipeline]), 2_200, 'abc123')).toEqual([
      accepted,
      pipeline,
    ]);
    expect(phasesToJson([{ name: 'accepted', at: 7 }], 7, undefined)).toBe('[]');
    expect(phasesFromJson('[]', 7, null)).toEqual([{ name: 'accepted', at: 7 }]);
  });

  it('keep an accepted phase that says something else, and nothing before a deploy', () => {
    const other = { name: 'accepted', at: 2_100, detail: 'abc123' };
    expect(phasesToJson([other], 2_200, 'abc123')).toBe(JSON.stringify([other]));
    expect(phasesFromJson(JSON.stringify([other]), 2_200, 'abc123')).toEqual([other]);
    expect(phasesToJson([], undefined, undefined)).toBe('[]');
    expect(phasesFromJson('[]', null, null)).toEqual([]);
  });

  it('read rows that stored the accepted phase', () => {
    expect(phasesFromJson(JSON.stringify([accepted, pipeline]), 2_200, 'abc123')).toEqual([
      accepted,
      pipeline,
    ]);
  });
});
