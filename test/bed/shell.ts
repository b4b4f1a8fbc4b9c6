/** Quoting for the shell scripts the beds write (hooks, publishers, race commands). */

/** `text` single-quoted for sh, so no character in it is special. */
export function sq(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
