/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * The HTML shell of every page: landmarks, a skip link, self-hosted CSS and
 * script (no inline script or style, so the CSP can forbid both), and a
 * footer that says when the page was rendered. hono/jsx escapes every value.
 */
import type { Child } from 'hono/jsx';
import { utcStamp } from '../format.js';

export interface PageAssets {
  css?: string;
  js?: string;
  icon?: string;
}

export interface LayoutProps {
  title: string;
  description: string;
  assets: PageAssets;
  renderedAt: number;
  /** How long a rendered page may be reused, said in the footer. */
  cacheNote?: string;
  /** Seconds between the client script's in-place refreshes (the index); none without it. */
  refreshSeconds?: number;
  demo?: boolean;
  children: Child;
}

const DemoNote = () => (
  <p class="demo" role="note">
    <strong>Demo.</strong> This is the built-in demo: a local pretend hosting platform that
    publishes each canary after a random delay, with one node that sometimes lags. Run{' '}
    <code>freshprobe serve --config freshprobe.yaml</code> to watch your own sites.
  </p>
);

const Head = (p: Pick<LayoutProps, 'title' | 'description' | 'assets'>) => (
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width,initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <meta name="description" content={p.description} />
    <title>{p.title}</title>
    {p.assets.css ? <link rel="stylesheet" href={p.assets.css} /> : null}
    {p.assets.icon ? <link rel="icon" href={p.assets.icon} type="image/svg+xml" /> : null}
    <link rel="alternate" type="application/atom+xml" title="Incidents" href="/feed.atom" />
    {p.assets.js ? <script src={p.assets.js} defer /> : null}
  </head>
);

const Top = () => (
  <header class="top">
    <p class="brand">
      <a href="/">freshprobe</a>
    </p>
    <nav aria-label="Feeds and APIs">
      <ul>
        <li>
          <a href="/feed.atom">Incident feed</a>
        </li>
        <li>
          <a href="/api/v2/summary.json">Statuspage API</a>
        </li>
      </ul>
    </nav>
  </header>
);

const Footer = (p: Pick<LayoutProps, 'renderedAt' | 'cacheNote'>) => (
  <footer>
    <p>
      Rendered <time datetime={new Date(p.renderedAt).toISOString()}>{utcStamp(p.renderedAt)}</time>
      {p.cacheNote ? ` (${p.cacheNote})` : ''}. Times are UTC. Reload for the latest state.
    </p>
  </footer>
);

export const Layout = (p: LayoutProps) => (
  <html lang="en">
    <Head title={p.title} description={p.description} assets={p.assets} />
    <body data-refresh={p.refreshSeconds}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Top />
      <main id="main">
        {p.demo ? <DemoNote /> : null}
        {p.children}
      </main>
      <Footer renderedAt={p.renderedAt} cacheNote={p.cacheNote} />
    </body>
  </html>
);

/** Renders a page element to a complete document. */
export async function renderDocument(element: unknown): Promise<string> {
  const html = await (element as { toString(): string | Promise<string> }).toString();
  return `<!doctype html>${html}`;
}
