/**
 * The shared Chromium behind every `browser` prober: one process per profile directory (in
 * practice one per data directory), launched on first use, relaunched after a crash, closed
 * when the last prober using it closes. A module-level semaphore bounds concurrent pages.
 */
import { mkdir } from 'node:fs/promises';
import type { BrowserContext, Page } from 'playwright-core';

/** Debian's chromium; Playwright's own browser downloads do not work on our machines. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Pages open at once across all sites: each costs a renderer, and the machines have 2 cores. */
export const BROWSER_CONCURRENCY = 2;

const LAUNCH_TIMEOUT_MS = 30_000;
const VIEWPORT = { width: 1024, height: 768 };

interface Entry {
  users: number;
  context?: Promise<BrowserContext>;
}

const entries = new Map<string, Entry>();
/** A profile whose browser is still shutting down: Chromium locks the directory until it exits. */
const closing = new Map<string, Promise<void>>();

/** One prober's hold on the shared browser of a profile directory. */
export interface BrowserLease {
  /** A new page in the persistent context, launching (or relaunching) Chromium as needed. */
  newPage(): Promise<Page>;
  /** Drops the hold; the last one closes the browser. Idempotent. */
  release(): Promise<void>;
}

async function launch(profileDir: string, executablePath: string): Promise<BrowserContext> {
  await closing.get(profileDir);
  await mkdir(profileDir, { recursive: true });
  // Loaded on first use: every CLI start would otherwise pay ~0.3 s CPU for it.
  const { chromium } = await import('playwright-core');
  // A persistent context, so service workers and caches survive between probes and restarts,
  // as they do for a returning user. Origins keep them apart, so sites can share the profile.
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: VIEWPORT,
    serviceWorkers: 'allow',
    timeout: LAUNCH_TIMEOUT_MS,
    // Playwright would otherwise exit the process on these signals; shutdown is ours (close()).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  // The window Chromium opens at start keeps a renderer (~80 MB) alive for nothing.
  await Promise.all(context.pages().map((page) => page.close().catch(() => {})));
  return context;
}

function contextOf(entry: Entry, profileDir: string, executablePath: string) {
  if (entry.context) return entry.context;
  const launching = launch(profileDir, executablePath);
  entry.context = launching;
  const forget = () => {
    if (entry.context === launching) entry.context = undefined;
  };
  // A crashed browser closes its context: the next probe launches a new one.
  launching.then((ctx) => ctx.on('close', forget), forget);
  return launching;
}

async function shutDown(profileDir: string, entry: Entry): Promise<void> {
  const context = entry.context;
  entry.context = undefined;
  const done = (async () => {
    const ctx = await context?.catch(() => undefined);
    await ctx?.close().catch(() => {});
  })();
  closing.set(profileDir, done);
  await done;
  if (closing.get(profileDir) === done) closing.delete(profileDir);
}

export function leaseBrowser(profileDir: string, executablePath = CHROMIUM_PATH): BrowserLease {
  const entry = entries.get(profileDir) ?? { users: 0 };
  entries.set(profileDir, entry);
  entry.users += 1;
  let released = false;
  return {
    async newPage() {
      if (released) throw new Error('browser prober is closed');
      const context = await contextOf(entry, profileDir, executablePath);
      try {
        return await context.newPage();
      } catch (err) {
        // A browser that died since the last probe may not have reported its close yet.
        if (!/closed/i.test(String(err))) throw err;
        if (entry.context && (await entry.context.catch(() => undefined)) === context) {
          entry.context = undefined;
        }
        return (await contextOf(entry, profileDir, executablePath)).newPage();
      }
    },
    async release() {
      if (released) return;
      released = true;
      entry.users -= 1;
      if (entry.users > 0) return;
      if (entries.get(profileDir) === entry) entries.delete(profileDir);
      await shutDown(profileDir, entry);
    },
  };
}

let active = 0;
const waiting: (() => void)[] = [];

/** Runs `task` once fewer than BROWSER_CONCURRENCY tasks run; first come, first served. */
export async function withBrowserSlot<T>(task: () => Promise<T>): Promise<T> {
  if (active >= BROWSER_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else active += 1;
  try {
    return await task();
  } finally {
    // Hand the slot straight to the next waiter, so `active` never dips and lets a newcomer jump.
    const next = waiting.shift();
    if (next) next();
    else active -= 1;
  }
}
