import { describe, expect, it } from 'vitest';
import { newToken, readMarker, renderCanaryFile } from '../../src/core/canary.js';

const input = {
  siteId: 'docs',
  seq: 42,
  token: 'a'.repeat(32),
  deployedAt: Date.UTC(2026, 0, 2, 3, 4, 5),
};

describe('canary files', () => {
  it('makes 128-bit hex tokens that differ', () => {
    const a = newToken();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(newToken()).not.toBe(a);
  });

  it('renders the JSON form of DESIGN.md and reads it back', () => {
    const text = renderCanaryFile(input, 'json');
    expect(JSON.parse(text)).toEqual({
      freshprobe: 1,
      site: 'docs',
      seq: 42,
      token: input.token,
      deployedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(readMarker(text)).toEqual({
      seq: 42,
      token: input.token,
      deployedAt: input.deployedAt,
      site: 'docs',
    });
  });

  it('carries the same marker in the HTML meta form', () => {
    const html = renderCanaryFile(input, 'html');
    expect(html).toContain('<meta name="freshprobe" content="{&quot;freshprobe&quot;:1');
    expect(readMarker(html)).toMatchObject({ seq: 42, token: input.token, site: 'docs' });
  });

  it('finds nothing in pages without a marker or with garbage', () => {
    expect(readMarker('<html><body>hello</body></html>')).toBeUndefined();
    expect(readMarker('{"freshprobe":2,"seq":1,"token":"x"}')).toBeUndefined();
    expect(readMarker('{not json')).toBeUndefined();
    expect(readMarker('\u0000\u0001garbage')).toBeUndefined();
    expect(readMarker('<meta name="freshprobe" content="{broken">')).toBeUndefined();
  });
});
