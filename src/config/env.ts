/**
 * `${VAR}` and `${VAR:-default}` interpolation over every string value of the
 * raw config tree, before validation, so secrets stay out of the file.
 * `$${` writes a literal `${`. Keys are never interpolated. When VAR is unset
 * and VAR_FILE names a file (Docker and systemd credentials), the file's
 * content is used instead; reading is injected, so this stays runtime-free.
 */
import { messages } from './messages.js';
import { formatPath, type PathSegment, type Problem } from './problems.js';

export type Env = Record<string, string | undefined>;

/** Reads a secret file (utf-8); throws with a `code` when it cannot. */
export type ReadSecretFile = (path: string) => string;

export interface Interpolated {
  /** A new tree; the input is not modified. */
  value: unknown;
  /** Every non-empty value taken from the environment, deduplicated, for redaction. */
  secrets: string[];
  /** Formatted paths of strings that contain an environment value. */
  secretPaths: Set<string>;
  /** Unset variables and malformed references, at the path of their string. */
  problems: Problem[];
}

/** `$${` (an escaped `${`), a `${NAME}` or `${NAME:-default}` reference, or a malformed `${`. */
export const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{/g;

/** VAR_FILE's content without its final newline, a problem message, or undefined when unset. */
function fromFile(
  name: string,
  env: Env,
  readFile: ReadSecretFile | undefined,
): { value?: string; problem?: string } {
  const path = env[`${name}_FILE`];
  if (!readFile || !path) return {};
  try {
    return { value: readFile(path).replace(/\r?\n$/, '') };
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    return { problem: `${name}_FILE names ${path}, which cannot be read (${code})` };
  }
}

export function interpolateEnv(raw: unknown, env: Env, readFile?: ReadSecretFile): Interpolated {
  const secrets = new Set<string>();
  const out: Interpolated = { value: undefined, secrets: [], secretPaths: new Set(), problems: [] };

  const interpolate = (text: string, path: PathSegment[]): string => {
    let fromEnv = false;
    const result = text.replace(REFERENCE, (match, name?: string, fallback?: string) => {
      if (match === '$${') return '${';
      if (name === undefined) {
        out.problems.push({ path, message: messages.envMalformed });
        return '';
      }
      const file = env[name] === undefined ? fromFile(name, env, readFile) : {};
      if (file.problem) {
        out.problems.push({ path, message: file.problem });
        return '';
      }
      const value = env[name] ?? file.value;
      // As in the shell, `:-` also replaces a variable that is set but empty.
      if (value !== undefined && value !== '') {
        secrets.add(value);
        fromEnv = true;
        return value;
      }
      if (fallback !== undefined || value === '') return fallback ?? '';
      out.problems.push({ path, message: messages.envUnset(name) });
      return '';
    });
    if (fromEnv) out.secretPaths.add(formatPath(path));
    return result;
  };

  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (typeof node === 'string') return interpolate(node, path);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [key, walk(value, [...path, key])]),
      );
    }
    return node;
  };

  out.value = walk(raw, []);
  out.secrets = [...secrets];
  return out;
}
