/**
 * Human durations ("500ms", "30s", "5m", "2h", "28d", "1h30m") to and from
 * milliseconds. Config files use them for every timeout, interval and window.
 */

/** Milliseconds per unit, largest first so formatDuration can walk it in order. */
const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];
const UNIT_MS: ReadonlyMap<string, number> = new Map(UNITS);

/** One `<number><unit>` part; `ms` is listed before `m` so "500ms" is not read as 500 minutes. */
const PART = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;

/** A string that looks like a duration: one or more `<number><unit>` parts, nothing else. */
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|d|h|m|s))+$';

/**
 * Parses a duration into milliseconds (rounded to a whole millisecond).
 * A number is taken as milliseconds already. A string needs a unit on every
 * part: a bare "300" is refused because seconds and milliseconds are both
 * plausible readings, and guessing wrong is off by a factor of 1000.
 * Throws Error on anything else, including negative or non-finite values.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new Error(`invalid duration ${input}: expected a non-negative number of milliseconds`);
    }
    return Math.round(input);
  }
  const text = input.trim();
  let total = 0;
  let consumed = 0;
  PART.lastIndex = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    total += Number(match[1]) * (UNIT_MS.get(match[2] as string) ?? 0);
    consumed = PART.lastIndex;
  }
  if (text === '' || consumed !== text.length) {
    throw new Error(
      `invalid duration ${JSON.stringify(input)}: expected a number with a unit (ms, s, m, h, d), like 30s, 5m or 2h`,
    );
  }
  return Math.round(total);
}

/**
 * Formats milliseconds the way a person would write them in the config:
 * 300000 → "5m", 5400000 → "1h30m", 1500 → "1s500ms", 0 → "0s".
 * The result always parses back to the same number with parseDuration.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  let rest = Math.round(Math.abs(ms));
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return ms < 0 ? `-${out}` : out;
}
