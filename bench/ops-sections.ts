/** Rewrites one marked section of BENCHMARKS.md (text between `<!-- bench:NAME -->` markers). */
import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';

export async function writeMarkedSection(file: string, name: string, body: string): Promise<void> {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const text = `${begin}\n${body.trim()}\n${end}`;
  const old = await readFile(file, 'utf8').catch(() => '');
  const start = old.indexOf(begin);
  const stop = old.indexOf(end);
  const next =
    start >= 0 && stop > start
      ? old.slice(0, start) + text + old.slice(stop + end.length)
      : `${old.trimEnd()}\n\n${text}\n`;
  await writeFile(file, next);
  // Biome checks Markdown too (`npm run lint`): align the tables the way it wants them.
  try {
    execFileSync('npx', ['biome', 'format', '--write', file], { stdio: 'ignore' });
  } catch {
    console.warn(`could not format ${file}: run \`npm run format\` before committing it`);
  }
}

/** `--name value` flags, numbers only; `--write` is a boolean. */
export function numberFlag(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(argv[i + 1]) : Number.NaN;
  return Number.isFinite(value) ? value : fallback;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A Markdown table with padded columns, the first left-aligned and the rest right-aligned. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join(' | ')} |`;
  const rule = widths.map((w, c) => (c === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`));
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n');
}
