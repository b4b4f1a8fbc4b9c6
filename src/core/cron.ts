/**
 * A small 5-field cron parser (minute hour day-of-month month day-of-week),
 * evaluated in UTC. It exists so the core can compute the next canary time on
 * Workers and in Node alike without a scheduling library.
 *
 * Supported: `*`, lists `1,15`, ranges `1-5`, steps `*\/15`, `0-30/10`, `5/20`
 * (from 5 to the end), names `JAN`-`DEC` and `SUN`-`SAT` (any case), 7 as
 * Sunday, and the macros @yearly @annually @monthly @weekly @daily @midnight
 * @hourly. Day-of-month and day-of-week follow classic cron: when both are
 * restricted a day matches if either matches.
 */

/** A parsed cron expression. Every list is sorted ascending and has no duplicates. */
export interface CronSpec {
  /** The expression as written (trimmed), for messages. */
  source: string;
  /** 0-59 */
  minutes: number[];
  /** 0-23, UTC */
  hours: number[];
  /** 1-31 */
  daysOfMonth: number[];
  /** 1-12 */
  months: number[];
  /** 0-6, Sunday is 0 */
  daysOfWeek: number[];
  /** Day-of-month field started with `*`: only day-of-week restricts the day. */
  domStar: boolean;
  /** Day-of-week field started with `*`: only day-of-month restricts the day. */
  dowStar: boolean;
}

interface FieldDef {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldDef[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  // 7 is accepted as Sunday and folded to 0 after expansion.
  { name: 'day-of-week', min: 0, max: 7, names: DAYS },
];

const MACROS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Longest day-of-month per month (February counts its leap day). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Thrown by parseCron; `reason` is the message without the expression, for config errors. */
export class CronError extends Error {
  readonly reason: string;
  constructor(expr: string, reason: string) {
    super(`invalid cron expression ${JSON.stringify(expr)}: ${reason}`);
    this.name = 'CronError';
    this.reason = reason;
  }
}

/** Parses a 5-field cron expression or a macro. Throws CronError saying what is wrong. */
export function parseCron(expr: string): CronSpec {
  const source = expr.trim();
  const parts = (MACROS[source.toLowerCase()] ?? source).split(/\s+/).filter(Boolean);
  if (parts.length !== 5) {
    throw new CronError(
      source,
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`,
    );
  }
  const lists: number[][] = [];
  FIELDS.forEach((def, i) => {
    try {
      lists.push(parseField(parts[i] as string, def));
    } catch (error) {
      throw new CronError(source, `${def.name}: ${(error as Error).message}`);
    }
  });
  const [minutes, hours, daysOfMonth, months, dow] = lists as [number[], ...number[][]];
  const spec: CronSpec = {
    source,
    minutes,
    hours: hours as number[],
    daysOfMonth: daysOfMonth as number[],
    months: months as number[],
    daysOfWeek: [...new Set((dow as number[]).map((d) => d % 7))].sort((a, b) => a - b),
    domStar: (parts[2] as string).startsWith('*'),
    dowStar: (parts[4] as string).startsWith('*'),
  };
  // "0 0 31 2 *" would make nextCronTime search forever; say so at parse time instead.
  if (spec.dowStar && !spec.months.some((m) => (spec.daysOfMonth[0] as number) <= monthDays(m))) {
    throw new CronError(source, 'the day-of-month never occurs in the chosen months');
  }
  return spec;
}

function monthDays(month: number): number {
  return MONTH_DAYS[month - 1] as number;
}

function parseField(text: string, def: FieldDef): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    const [range = '', stepText, extra] = item.split('/');
    if (extra !== undefined) throw new Error(`"${item}" has more than one step`);
    const step = stepText === undefined ? 1 : parseStep(stepText);
    const [lo, hi] = parseRange(range, def, stepText !== undefined);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}

function parseStep(text: string): number {
  const step = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(step >= 1)) throw new Error(`step "${text}" must be a positive whole number`);
  return step;
}

/** `*`, `v`, `a-b`; a lone `v` with a step means "from v to the end" (as in Vixie cron). */
function parseRange(text: string, def: FieldDef, stepped: boolean): [number, number] {
  // `*` in day-of-week covers 0-6 only, so that 7 does not duplicate Sunday in "*/2".
  if (text === '*') return [def.min, def.name === 'day-of-week' ? 6 : def.max];
  const [a, b, extra] = text.split('-');
  if (extra !== undefined) throw new Error(`"${text}" is not a range`);
  const lo = parseValue(a ?? '', def);
  if (b === undefined) return [lo, stepped ? def.max : lo];
  const hi = parseValue(b, def);
  if (hi < lo) throw new Error(`range "${text}" goes backwards`);
  return [lo, hi];
}

function parseValue(text: string, def: FieldDef): number {
  if (text === '') throw new Error('empty value');
  const named = def.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + def.min;
  if (!/^\d+$/.test(text))
    throw new Error(`"${text}" is not a number${def.names ? ' or name' : ''}`);
  const value = Number(text);
  if (value < def.min || value > def.max) {
    throw new Error(`${value} is out of range ${def.min}-${def.max}`);
  }
  return value;
}

function dayMatches(spec: CronSpec, d: Date): boolean {
  const dom = spec.daysOfMonth.includes(d.getUTCDate());
  const dow = spec.daysOfWeek.includes(d.getUTCDay());
  return spec.domStar || spec.dowStar ? dom && dow : dom || dow;
}

/** Far enough to cross the 8-year gap between leap days around 2100 ("0 0 29 2 *"). */
const SEARCH_LIMIT_MS = 9 * 366 * 86_400_000;

/**
 * The first minute strictly after `afterEpochMs` that matches, in epoch ms
 * (UTC, seconds and milliseconds zero). Skips whole months, days and hours at
 * a time, so even rare schedules take a few thousand steps at most.
 */
export function nextCronTime(spec: CronSpec, afterEpochMs: number): number {
  const d = new Date(Math.floor(afterEpochMs / 60_000) * 60_000 + 60_000);
  const limit = d.getTime() + SEARCH_LIMIT_MS;
  while (d.getTime() <= limit) {
    if (!spec.months.includes(d.getUTCMonth() + 1)) {
      d.setUTCMonth(d.getUTCMonth() + 1, 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!dayMatches(spec, d)) {
      d.setUTCDate(d.getUTCDate() + 1);
      d.setUTCHours(0, 0, 0, 0);
    } else if (!spec.hours.includes(d.getUTCHours())) {
      d.setUTCHours(d.getUTCHours() + 1, 0, 0, 0);
    } else if (!spec.minutes.includes(d.getUTCMinutes())) {
      d.setUTCMinutes(d.getUTCMinutes() + 1, 0, 0);
    } else {
      return d.getTime();
    }
  }
  throw new Error(`cron expression ${JSON.stringify(spec.source)} never matches`);
}
