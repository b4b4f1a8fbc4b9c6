/**
 * Every config error message is written here, so they stay short, human and
 * stable (tests and users match them exactly). Schemas carry only a Hint (what
 * they expect, in words) or `params` on custom issues; the words are built here.
 */
import { z } from 'zod';

/** What a schema expects, in words, for "expected <expected>, got <value>". */
export interface Hint {
  /** e.g. "an http(s) URL". */
  expected?: string;
  /** Singular noun for list items and enum values: "site", "vantage". */
  noun?: string;
}

/** Hints live in their own registry so they never leak into the JSON Schema. */
export const hints = z.registry<Hint>();

export function hinted<T extends z.ZodType>(schema: T, hint: Hint): T {
  hints.add(schema, hint);
  return schema;
}

/** What custom checks put in an issue's `params`. */
export type CheckParams =
  | { expected: string; reason?: string }
  | { rule: 'duplicate'; noun: string }
  | { rule: 'tokenNeedsHttp' };

type RawIssue = z.core.$ZodRawIssue;

const ENV_MALFORMED =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's ${VAR} syntax, not a template.
  'invalid variable reference; write ${NAME} or ${NAME:-default}, or $${ for a literal ${';

/** Messages that are not about one zod issue: cross-field rules, env, YAML. */
export const messages = {
  required: 'required',
  unknownKey: (suggestion?: string) =>
    suggestion ? `unknown key (did you mean "${suggestion}"?)` : 'unknown key',
  duplicateId: (noun: string, id: string, firstAt: string) =>
    `duplicate ${noun} id ${JSON.stringify(id)} (first at ${firstAt})`,
  unknownNotifier: (id: string) => `no notifier with id ${JSON.stringify(id)}`,
  unknownSite: (id: string) => `no site with id ${JSON.stringify(id)}`,
  reservedVantage: (name: string) =>
    `vantage ${JSON.stringify(name)} is reserved for freshprobe's own probers; pick another name`,
  duplicateVantage: (name: string, firstAt: string) =>
    `duplicate vantage ${JSON.stringify(name)} (first at ${firstAt})`,
  duplicateToken: (firstAt: string) => `same token as ${firstAt}: every agent needs its own token`,
  thresholdTooLong: (timeout: string, got: string) =>
    `must be shorter than the timeout (${timeout}), got ${got}`,
  timeoutTooShort: (threshold: string, got: string) =>
    `must be longer than slo.threshold (${threshold}), got ${got}`,
  envUnset: (name: string) => `environment variable ${name} is not set`,
  envMalformed: ENV_MALFORMED,
  yamlSyntax: (line: number, col: number, detail: string) =>
    `YAML syntax error at line ${line}, column ${col}: ${detail}`,
  yamlError: (detail: string) => `YAML error: ${detail}`,
  yamlStarHint: ' (quote values that start with "*", like "*/30 * * * *")',
} as const;

/** A value as shown after "got": strings quoted and cut short, structures by kind. */
export function describe(value: unknown, redact = false): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string') {
    // The value came (partly) from the environment: likely a secret, never echo it.
    if (redact) return 'a value from the environment';
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

/** "a, b or c", the way enum choices read in a sentence. */
export function orList(values: readonly unknown[]): string {
  const words = values.map(String);
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function hintOf(issue: RawIssue): Hint | undefined {
  const owners = [issue.schema, issue.inst] as Array<z.core.$ZodType | undefined>;
  for (const owner of owners) {
    const hint = owner?._zod ? hints.get(owner) : undefined;
    if (hint) return hint;
  }
  return undefined;
}

/**
 * The one mapping from a zod issue to its message. `redact` hides the value
 * when it came from the environment. Unknown keys get their per-key message
 * (with a suggestion) later, because one zod issue lists several keys.
 */
export function issueMessage(issue: RawIssue, redact: boolean): string {
  const got = describe(issue.input, redact);
  const hint = hintOf(issue);
  switch (issue.code) {
    case 'unrecognized_keys':
      return messages.unknownKey();
    case 'invalid_union':
      if (issue.discriminator)
        return kindMessage(issue.input, issue.discriminator, issue.options as unknown[]);
      break;
    case 'invalid_value': {
      const choices = orList(issue.values.map(String));
      return hint?.noun
        ? `unknown ${hint.noun} ${got}; expected ${choices}`
        : `expected ${choices}, got ${got}`;
    }
    case 'too_small':
      if (issue.origin === 'array') return `expected at least one ${hint?.noun ?? 'item'}`;
      break;
    case 'custom':
      return customMessage(issue.params as CheckParams | undefined, got);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return messages.required;
  return `expected ${hint?.expected ?? genericExpected(issue)}, got ${got}`;
}

function kindMessage(input: unknown, key: string, options: readonly unknown[] = []): string {
  const value =
    input && typeof input === 'object' ? (input as Record<string, unknown>)[key] : undefined;
  if (value === undefined) return messages.required;
  return `unknown ${key} ${describe(value)}; expected one of ${options.join(', ')}`;
}

function customMessage(params: CheckParams | undefined, got: string): string {
  if (!params) return `invalid value, got ${got}`;
  if ('expected' in params) {
    return `expected ${params.expected}, got ${got}${params.reason ? ` (${params.reason})` : ''}`;
  }
  if (params.rule === 'duplicate') return `duplicate ${params.noun} ${got}`;
  return 'only works with an http(s) remote';
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** Fallback words when a schema has no hint. */
function genericExpected(issue: RawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string') return 'a non-empty string';
      return `a number ${issue.inclusive ? 'of at least' : 'greater than'} ${issue.minimum}`;
    case 'too_big':
      return `a number ${issue.inclusive ? 'of at most' : 'less than'} ${issue.maximum}`;
    default:
      return 'a valid value';
  }
}

/**
 * The known key closest to a typo, for "did you mean": one edit away, or two
 * for keys of 5+ characters (short keys two edits apart are unrelated words).
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = key.length >= 5 ? 3 : 2;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
