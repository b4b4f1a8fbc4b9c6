/**
 * A shields.io "flat" badge: grey label on the left, coloured message on the
 * right, both escaped, widths from the Verdana 11px table, text drawn at 10x
 * and scaled down as shields does for crisp sub-pixel placement.
 */
import { badgeTextWidth } from './widths.js';

/** shields' named colours; the endpoint JSON uses the names, the SVG the hex. */
export const COLORS = {
  brightgreen: '#4c1',
  green: '#97ca00',
  yellow: '#dfb317',
  orange: '#fe7d37',
  red: '#e05d44',
  blue: '#007ec6',
  lightgrey: '#9f9f9f',
} as const;

export type NamedColor = keyof typeof COLORS;

export interface BadgeContent {
  label: string;
  message: string;
  color: NamedColor;
}

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch]!);
}

/** Dark text on light colours (yellow), white on dark ones, as shields decides. */
function textColors(hex: string): { fill: string; shadow: string } {
  const full = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, (d) => d + d) : hex;
  const n = Number.parseInt(full.slice(1), 16);
  const brightness = (((n >> 16) & 255) * 299 + ((n >> 8) & 255) * 587 + (n & 255) * 114) / 255_000;
  return brightness <= 0.69
    ? { fill: '#fff', shadow: '#010101' }
    : { fill: '#333', shadow: '#ccc' };
}

const PADDING = 5;

function textPair(
  text: string,
  centerX: number,
  width: number,
  colors: { fill: string; shadow: string },
): string {
  const x = Math.round(centerX * 10);
  const len = width * 10;
  const t = escapeXml(text);
  return `<text aria-hidden="true" x="${x}" y="150" fill="${colors.shadow}" fill-opacity=".3" transform="scale(.1)" textLength="${len}">${t}</text><text x="${x}" y="140" fill="${colors.fill}" transform="scale(.1)" textLength="${len}">${t}</text>`;
}

export function renderBadge(b: BadgeContent): string {
  const labelText = badgeTextWidth(b.label);
  const messageText = badgeTextWidth(b.message);
  const left = labelText + 2 * PADDING;
  const right = messageText + 2 * PADDING;
  const width = left + right;
  const hex = COLORS[b.color];
  const title = escapeXml(`${b.label}: ${b.message}`);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="20" role="img" aria-label="${title}"><title>${title}</title>` +
    '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>' +
    `<clipPath id="r"><rect width="${width}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${left}" height="20" fill="#555"/><rect x="${left}" width="${right}" height="20" fill="${hex}"/><rect width="${width}" height="20" fill="url(#s)"/></g>` +
    '<g text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">' +
    textPair(b.label, left / 2, labelText, { fill: '#fff', shadow: '#010101' }) +
    textPair(b.message, left + right / 2, messageText, textColors(hex)) +
    '</g></svg>'
  );
}
