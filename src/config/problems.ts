/**
 * Problems found while loading a config, kept as path segments until the end
 * so they can be sorted into a stable, readable order and then formatted.
 */
import type { z } from 'zod';
import type { ConfigProblem } from '../core/errors.js';
import { issueMessage, messages, suggestKey } from './messages.js';

export type PathSegment = string | number;

/** One problem before formatting: `path` is `['sites', 1, 'deploy', 'remote']`. */
export interface Problem {
  path: PathSegment[];
  message: string;
}

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `['sites', 1, 'deploy', 'remote']` → `sites[1].deploy.remote`; the root is `""`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(String(segment))) out += out ? `.${String(segment)}` : String(segment);
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

function compareSegments(a: PathSegment, b: PathSegment): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePaths(x: PathSegment[], y: PathSegment[], topRank: readonly string[]): number {
  // Document-level problems first, then top-level sections in file order.
  const rank = (s: PathSegment | undefined) => {
    const i = s === undefined ? -1 : topRank.indexOf(String(s));
    return s !== undefined && i < 0 ? topRank.length : i;
  };
  const byTop = rank(x[0]) - rank(y[0]);
  if (byTop !== 0) return byTop;
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const c = compareSegments(x[i] as PathSegment, y[i] as PathSegment);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}

/**
 * Sorts (top-level sections in file order, then by path, list items by
 * index; the stable sort keeps same-path problems in the order found), drops
 * exact duplicates and formats paths.
 */
export function finishProblems(problems: Problem[], topRank: readonly string[]): ConfigProblem[] {
  const sorted = [...problems].sort((x, y) => comparePaths(x.path, y.path, topRank));
  const seen = new Set<string>();
  const out: ConfigProblem[] = [];
  for (const p of sorted) {
    const problem = { path: formatPath(p.path), message: p.message };
    const key = `${problem.path}\n${problem.message}`;
    if (!seen.has(key)) out.push(problem);
    seen.add(key);
  }
  return out;
}

/** Keys an object schema accepts, to suggest the one a typo meant. */
function shapeKeys(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * Runs a schema with the message mapping of messages.ts and returns either the
 * parsed value or every problem. `secretPaths` (formatted) are values that came
 * from the environment: their messages never echo the value.
 */
export function runSchema<S extends z.ZodType>(
  schema: S,
  data: unknown,
  secretPaths: ReadonlySet<string>,
): { value?: z.output<S>; problems: Problem[] } {
  const knownKeys = new Map<string, string[]>();
  const result = schema.safeParse(data, {
    error: (issue) => {
      const at = formatPath(issue.path ?? []);
      if (issue.code === 'unrecognized_keys') knownKeys.set(at, shapeKeys(issue.inst));
      return issueMessage(issue, secretPaths.has(at));
    },
  });
  if (result.success) return { value: result.data, problems: [] };
  const problems = result.error.issues.flatMap((issue): Problem[] => {
    const path = issue.path.map((s) => (typeof s === 'number' ? s : String(s)));
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    const known = knownKeys.get(formatPath(path)) ?? [];
    return issue.keys.map((key) => ({
      path: [...path, key],
      message: messages.unknownKey(suggestKey(key, known)),
    }));
  });
  return { problems };
}
