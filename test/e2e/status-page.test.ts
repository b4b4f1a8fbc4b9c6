/**
 * Acceptance in a real browser (Debian's Chromium through playwright-core):
 * the status pages load under their strict CSP, the chart draws, states and
 * texts are right, hostile names stay inert, the feed parses as Atom, and an
 * axe-core audit finds no serious or critical violation in light, dark and
 * phone layouts. Screenshots go to test-artifacts/status-page/.
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, seededStatusApp, XSS_NAME } from '../http/fixture.js';
import { type Listening, listen } from '../http/status-server.js';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'status-page');
const PHONE = { width: 375, height: 740 };
const DESKTOP = { width: 1280, height: 900 };

let fixture: Fixture;
let server: Listening;
let profile: string;
let context: BrowserContext;
let axeSource: string;
const problems: string[] = [];

async function launch(dir: string, javaScriptEnabled = true): Promise<BrowserContext> {
  return chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ARGS,
    viewport: DESKTOP,
    javaScriptEnabled,
  });
}

beforeAll(async () => {
  fixture = await seededStatusApp({ perDay: 12 });
  server = await listen(fixture.app);
  profile = await mkdtemp(join(tmpdir(), 'freshprobe-e2e-status-'));
  context = await launch(profile);
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await mkdir(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.close();
  fixture?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
});

/** A page that records console errors (CSP violations among them), page errors and dialogs. */
async function open(path: string): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${path}: console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${path}: error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`${path}: dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.setViewportSize(DESKTOP);
  const res = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
  expect(res?.status()).toBe(200);
  return page;
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core, evaluated through the DevTools protocol: the page's CSP forbids injected scripts. */
async function audit(page: Page, label: string): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)',
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${label}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
}

async function layouts(page: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (const [mode, viewport, scheme] of [
    ['light', DESKTOP, 'light'],
    ['dark', DESKTOP, 'dark'],
    ['phone', PHONE, 'light'],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme: scheme });
    found.push(...(await audit(page, `${name} ${mode}`)));
    await page.screenshot({ path: join(ARTIFACTS, `${name}-${mode}.png`), fullPage: true });
  }
  return found;
}

describe('status page in Chromium', () => {
  it('shows every site with its state, in groups, with a tooltip per day', async () => {
    const page = await open('/');
    await expect(page.locator('#overall').textContent()).resolves.toBe('Major outage');
    const states = await page.locator('ul.sites p.state').allTextContents();
    expect(states).toContain('Fresh');
    expect(
      states.some((s) => /^Stale for 14 min: 2 of 3 nodes serve content from \d\d:\d\d$/.test(s)),
    ).toBe(true);
    expect(states.some((s) => s.startsWith('Monitoring data stale since'))).toBe(true);
    const firstCell = page.locator('.bar i').first();
    await expect(firstCell.getAttribute('title')).resolves.toMatch(/^\d{4}-\d\d-\d\d: /);
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(
      'Skip to content',
    );
    const pause = page.locator('footer button');
    await expect(pause.textContent()).resolves.toBe('Pause auto-refresh (every 30 s)');
    await pause.click();
    await expect(pause.getAttribute('aria-pressed')).resolves.toBe('true');
    await pause.click();
    expect(await layouts(page, 'index')).toEqual([]);
    await page.close();
  }, 120_000);

  it('keeps a hostile site name inert: no script ran, no element was injected', async () => {
    const page = await open('/');
    const site = await open('/sites/xss');
    for (const p of [page, site]) {
      await expect(p.evaluate(() => (window as { pwned?: number }).pwned)).resolves.toBeUndefined();
      await expect(
        p.evaluate(
          () =>
            document.querySelectorAll(
              '[onerror],[onload],main svg,main script:not([type="application/json"])',
            ).length,
        ),
      ).resolves.toBe(0);
    }
    await expect(site.locator('h1').textContent()).resolves.toBe(XSS_NAME);
    await page.close();
    await site.close();
  }, 60_000);

  it('draws the latency chart from the embedded data, with its table alternative', async () => {
    const page = await open('/sites/blog');
    await page.waitForSelector('canvas[data-points]');
    const chart = await page.evaluate(() => {
      const c = (
        window as unknown as {
          freshprobeChart: {
            data: { datasets: Array<{ data: unknown[] }> };
            config: { plugins: Array<{ id: string }> };
          };
        }
      ).freshprobeChart;
      const canvas = document.getElementById('latency-chart') as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      return {
        points: c.data.datasets[0]!.data.length,
        plugins: c.config.plugins.map((p) => p.id),
        painted,
      };
    });
    expect(chart.points).toBeGreaterThan(20);
    expect(chart.plugins).toContain('freshprobeErrorBars');
    expect(chart.painted).toBeGreaterThan(2_000);
    await expect(page.locator('table', { hasText: 'p95' }).first().isVisible()).resolves.toBe(true);
    await expect(page.locator('button.copy').count()).resolves.toBe(8);
    await page.locator('.chart').screenshot({ path: join(ARTIFACTS, 'site-chart.png') });
    expect(await layouts(page, 'site')).toEqual([]);
    await page.close();
  }, 120_000);

  it('works without JavaScript: tables instead of the chart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'freshprobe-e2e-nojs-'));
    const nojs = await launch(dir, false);
    try {
      const page = await nojs.newPage();
      await page.goto(`${server.url}/sites/blog`);
      await expect(page.locator('.chart').isVisible()).resolves.toBe(false);
      await expect(page.locator('table', { hasText: 'p95' }).first().isVisible()).resolves.toBe(
        true,
      );
      await page.screenshot({ path: join(ARTIFACTS, 'site-nojs.png'), fullPage: true });
    } finally {
      await nojs.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('publishes a well-formed Atom feed', async () => {
    const page = await open('/');
    const xml = await (await fetch(`${server.url}/feed.atom`)).text();
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      const atom = 'http://www.w3.org/2005/Atom';
      const has = (el: Element, name: string) => el.getElementsByTagNameNS(atom, name).length > 0;
      const feed = doc.documentElement;
      const entries = [...feed.getElementsByTagNameNS(atom, 'entry')];
      return {
        error: doc.getElementsByTagName('parsererror').length,
        root: `${feed.namespaceURI} ${feed.localName}`,
        feed: ['id', 'title', 'updated', 'link'].every((n) => has(feed, n)),
        entries: entries.length,
        complete: entries.every((e) =>
          ['id', 'title', 'updated', 'summary', 'link'].every((n) => has(e, n)),
        ),
      };
    }, xml);
    expect(parsed).toEqual({
      error: 0,
      root: 'http://www.w3.org/2005/Atom feed',
      feed: true,
      entries: 4,
      complete: true,
    });
    await page.close();
  }, 60_000);

  it('raised no console error, CSP violation, page error or dialog', () => {
    expect(problems).toEqual([]);
  });
});
