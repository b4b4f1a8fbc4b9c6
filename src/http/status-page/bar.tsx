/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * The 90-day bar, two ways: inline cells with a tooltip per day (site pages
 * and small indexes), or one cached SVG image per site (indexes with many
 * sites, where 90 cells x N sites would make the page too heavy to load).
 */
import { escapeXml } from '../badges/svg.js';
import { type Bar, cellTitle } from './days.js';

export const InlineBar = (p: { bar: Bar; label: string; thresholdMs: number }) => (
  <div class="bar" role="img" aria-label={`${p.label}. ${p.bar.summary}`}>
    {p.bar.cells.map((c) => (
      <i class={c.cls} title={cellTitle(c, p.thresholdMs)} />
    ))}
  </div>
);

/** Sized by CSS and lazy: only bars scrolled into view are fetched (cached 5 min, then ETag). */
export const ImageBar = (p: { siteId: string; bar: Bar }) => (
  <img src={`/sites/${encodeURIComponent(p.siteId)}/bar.svg`} alt={p.bar.summary} loading="lazy" />
);

/** Light and dark palettes; the SVG follows the viewer's colour scheme by itself. */
const PALETTE = `.g4{fill:#1a7f37}.g3{fill:#7fbf3f}.g2{fill:#d4a72c}.g1{fill:#e16f24}.g0{fill:#cf222e}.nd{fill:#c5cad1}
@media (prefers-color-scheme:dark){.g4{fill:#3fb950}.g3{fill:#9bd35a}.g2{fill:#e3b341}.g1{fill:#f0883e}.g0{fill:#f85149}.nd{fill:#484f58}}`;

export function barSvg({ cells, summary }: Bar): string {
  const rects = cells
    .map((c, i) => `<rect x="${i * 4}" width="3" height="24" class="${c.cls}"/>`)
    .join('');
  const title = escapeXml(summary);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${cells.length * 4 - 1}" height="24" viewBox="0 0 ${cells.length * 4 - 1} 24" preserveAspectRatio="none" role="img" aria-label="${title}"><title>${title}</title><style>${PALETTE}</style>${rects}</svg>`;
}
