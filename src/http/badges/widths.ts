/**
 * Text width in Verdana 11px, the font shields.io badges are drawn in, from a
 * table of advance widths (px) for printable ASCII (Verdana's advance widths
 * at 2048 units per em, scaled to 11px). Other characters count as wide as
 * "m", like shields' own table does for code points it lacks, so a badge is
 * never too narrow for its text; `textLength` in the SVG fits the glyphs exactly.
 */

/** Advance widths of code points 32 (space) to 126 (~), px at 11px. */
const VERDANA_11: readonly number[] = [
  3.87, 4.33, 5.05, 9.22, 6.99, 11.92, 7.91, 2.95, 4.88, 4.88, 6.99, 9.22, 4.0, 4.88, 4.0, 4.88,
  6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 6.99, 4.88, 4.88, 9.22, 9.22, 9.22, 5.98,
  11.0, 7.52, 7.55, 7.68, 8.47, 6.95, 6.33, 8.52, 8.27, 4.6, 4.95, 7.64, 6.15, 9.27, 8.23, 8.66,
  6.67, 8.66, 7.67, 7.52, 6.78, 8.05, 7.52, 10.88, 7.54, 6.78, 7.54, 4.88, 4.88, 4.88, 9.22, 6.99,
  6.99, 6.74, 6.89, 5.92, 6.89, 6.55, 3.85, 6.89, 6.98, 3.02, 3.73, 6.39, 3.02, 10.72, 6.98, 6.62,
  6.89, 6.89, 4.69, 5.73, 4.33, 6.98, 6.39, 9.06, 6.39, 6.39, 5.73, 7.01, 4.88, 7.01, 9.22,
];

const FALLBACK = VERDANA_11[109 - 32]!;

export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 32 || code === 127) continue;
    width += code <= 126 ? VERDANA_11[code - 32]! : FALLBACK;
  }
  return width;
}

/** shields rounds text widths up to an odd number of px so the text centres on a pixel. */
export function badgeTextWidth(text: string): number {
  const w = Math.floor(textWidth(text));
  return w % 2 === 0 ? w + 1 : w;
}
