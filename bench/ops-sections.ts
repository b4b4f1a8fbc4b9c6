/** Rewrites one marked section of BENCHMARKS.md (text between `<!-- bench:NAME -->` markers). */
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
