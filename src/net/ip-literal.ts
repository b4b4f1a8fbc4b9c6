/**
 * Parsing IP literals into numbers, for the address guard. Strict on purpose:
 * anything that is not a canonical literal returns undefined and is treated as
 * a host name (which the guard then resolves). Host names in URLs arrive
 * already normalized by the WHATWG URL parser (`0x7f.1` → `127.0.0.1`).
 */

/** Four octets of a dotted-quad IPv4 address, or undefined. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    // No leading zeros: "010" means 8 to some parsers and 10 to others.
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    octets.push(n);
  }
  return octets;
}

/** Hex groups of one side of "::"; an IPv4 tail counts as two groups. */
function groups(side: string, allowV4Tail: boolean): number[] | undefined {
  if (side === '') return [];
  const out: number[] = [];
  const parts = side.split(':');
  for (const [i, part] of parts.entries()) {
    if (allowV4Tail && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIPv4(part);
      if (!v4) return undefined;
      out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (/^[0-9a-f]{1,4}$/i.test(part)) {
      out.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

/** Eight 16-bit groups of an IPv6 address (zone id ignored), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  const bare = text.replace(/%[^%]*$/, '');
  if (!bare.includes(':')) return undefined;
  const halves = bare.split('::');
  if (halves.length > 2) return undefined;
  if (halves.length === 1) {
    const all = groups(bare, true);
    return all?.length === 8 ? all : undefined;
  }
  const head = groups(halves[0]!, false);
  const tail = groups(halves[1]!, true);
  if (!head || !tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}
