/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/** Whole documents: a view inside the layout, rendered to a string. */
import { type IndexProps, IndexView } from './index-view.js';
import { Layout, type PageAssets, renderDocument } from './layout.js';
import { type SitePageProps, SiteView } from './site-view.js';

/** The index refreshes itself in place this often (with a pause button); the demo livelier. */
export const INDEX_REFRESH_S = 30;
export const DEMO_REFRESH_S = 10;

export interface DocumentOptions {
  assets: PageAssets;
  demo: boolean;
  cacheNote?: string;
}

export function indexDocument(props: IndexProps, o: DocumentOptions): Promise<string> {
  const broken = props.sites.filter((s) => s.component !== 'operational').length;
  return renderDocument(
    <Layout
      title="Status · freshprobe"
      description={`Freshness of ${props.sites.length} sites${broken ? `, ${broken} not operational` : ''}`}
      assets={o.assets}
      renderedAt={props.now}
      cacheNote={o.cacheNote}
      demo={o.demo}
      refreshSeconds={o.demo ? DEMO_REFRESH_S : INDEX_REFRESH_S}
    >
      <IndexView {...props} />
    </Layout>,
  );
}

export function siteDocument(props: SitePageProps, o: DocumentOptions): Promise<string> {
  return renderDocument(
    <Layout
      title={`${props.site.spec.name} · freshprobe`}
      description={`Deploy-to-visible latency and freshness of ${props.site.spec.name}`}
      assets={o.assets}
      renderedAt={props.now}
      demo={o.demo}
    >
      <SiteView {...props} />
    </Layout>,
  );
}

export function notFoundDocument(id: string, now: number, o: DocumentOptions): Promise<string> {
  return renderDocument(
    <Layout
      title="Not found · freshprobe"
      description="No such site"
      assets={o.assets}
      renderedAt={now}
    >
      <h1>No such site</h1>
      <p>
        No site with id <code>{id}</code> is configured. See <a href="/">all sites</a>.
      </p>
    </Layout>,
  );
}
