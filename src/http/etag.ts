/**
 * Strong ETags from content (runtime-independent: no node:crypto) and the
 * If-None-Match check, so unchanged badges and pages answer 304.
 */

/** cyrb53: a fast 53-bit string hash; collisions only cost a needless 200. */
function cyrb53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

export function contentHash(text: string): string {
  return cyrb53(text).toString(36);
}

export function strongEtag(text: string): string {
  return `"${contentHash(text)}-${text.length.toString(36)}"`;
}

/** RFC 9110 If-None-Match: a list of entity tags or `*`; weak tags compare weakly (W/ stripped). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  for (const part of header.split(',')) {
    const tag = part.trim().replace(/^W\//, '');
    if (tag === etag) return true;
  }
  return false;
}
