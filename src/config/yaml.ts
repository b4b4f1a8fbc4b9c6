/**
 * YAML text to a plain tree, with syntax errors as problems.
 *
 * `${VAR}` references are interpolated on the parsed tree (a value can never
 * inject YAML structure), but written unquoted inside a flow mapping such as
 * `{ url: ${SLACK_WEBHOOK_URL} }` their `{`, `}` and `,` are YAML syntax. So
 * before parsing, the special characters inside each reference are swapped
 * one-for-one with private-use characters, and swapped back in every string of
 * the tree afterwards. Lengths are unchanged, so error positions stay exact.
 */
import { LineCounter, parseDocument } from 'yaml';
import { REFERENCE } from './env.js';
import { messages } from './messages.js';
import type { Problem } from './problems.js';

// biome-ignore lint/suspicious/noTemplateCurlyInString: the characters a reference may contain.
const SPECIAL = '${},[]:#';
/** U+E000..U+E007, one per SPECIAL character. */
const STAND_INS = [...SPECIAL].map((_, i) => String.fromCharCode(0xe000 + i)).join('');
const STAND_IN_RANGE = /[\uE000-\uE007]/g;
/** At most this many syntax errors, one per line: later ones are mostly echoes of the first. */
const MAX_SYNTAX_ERRORS = 5;

function protect(text: string): string {
  return text.replace(REFERENCE, (ref) =>
    [...ref].map((c) => STAND_INS[SPECIAL.indexOf(c)] ?? c).join(''),
  );
}

function restoreText(text: string): string {
  return text.replace(STAND_IN_RANGE, (c) => SPECIAL[c.charCodeAt(0) - 0xe000] as string);
}

function restore(node: unknown): unknown {
  if (typeof node === 'string') return restoreText(node);
  if (Array.isArray(node)) return node.map(restore);
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [restoreText(key), restore(value)]),
    );
  }
  return node;
}

/** Parses YAML; returns the tree, or the problems when it does not parse. */
export function readYaml(text: string): { value?: unknown; problems: Problem[] } {
  // A file that already holds the stand-ins is parsed as is (flow-mapping references then need quotes).
  const swap = !/[\uE000-\uE007]/.test(text);
  const unswap = swap ? restore : (node: unknown) => node;
  const lineCounter = new LineCounter();
  const doc = parseDocument(swap ? protect(text) : text, {
    lineCounter,
    prettyErrors: false,
    merge: true,
  });
  const lines = new Set<number>();
  const problems: Problem[] = [];
  for (const error of doc.errors) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    if (lines.has(line) || lines.size >= MAX_SYNTAX_ERRORS) continue;
    lines.add(line);
    // An unquoted cron expression starts with "*", which YAML reads as an alias.
    const hint = text[error.pos[0]] === '*' ? messages.yamlStarHint : '';
    const detail = `${unswap(error.message)}${hint}`;
    problems.push({ path: [], message: messages.yamlSyntax(line, col, detail) });
  }
  if (problems.length > 0) return { problems };
  try {
    return { value: unswap(doc.toJS({ maxAliasCount: 100 })), problems: [] };
  } catch (error) {
    // Unresolved aliases and alias bombs only surface when converting.
    return { problems: [{ path: [], message: messages.yamlError((error as Error).message) }] };
  }
}
