// The prebuilt server bundle (scripts/build-server.mjs) and whether it was built from the sources
// beside it. A bundle is only run when it matches them; anything else runs the sources through tsx.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Two levels down, like src/storage: `../../drizzle` resolves the same from both. */
export const BUNDLE_PATH = join('dist', 'server', 'freshprobe.mjs');
/** `{ "sources": sourceHash, "build": buildHash }`, written after the bundle. */
export const STAMP_PATH = join('dist', 'server', 'freshprobe.json');

/**
 * A hash of what the bundle runs: every file under src/ (dotfiles aside, as npm packs them) and
 * the package's version and dependencies. Content, not mtimes: a checkout, an edit or an npm
 * install (which sets its own mtimes) change it exactly when the code changes. Only files an
 * installed package has too, so a packed bundle matches there. About 10 ms.
 */
export function sourceHash(root = ROOT) {
  const hash = createHash('sha256');
  const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => relative(root, join(e.parentPath ?? e.path, e.name)))
    .sort();
  for (const file of files) {
    hash.update(`${file.split('\\').join('/')}\0`);
    hash.update(readFileSync(join(root, file)));
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  hash.update(JSON.stringify([pkg.version, pkg.dependencies]));
  return hash.digest('hex');
}

/**
 * What decides whether to rebuild: the sources, plus the files that only a checkout has (the
 * bundled web/build.ts, the build script and this file).
 */
export function buildHash(root = ROOT) {
  const hash = createHash('sha256').update(sourceHash(root));
  for (const file of ['web/build.ts', 'scripts/build-server.mjs', 'bin/bundle.js'])
    hash.update(readFileSync(join(root, file)));
  return hash.digest('hex');
}

/** The bundle's file URL when it matches the sources, else undefined. */
export function freshBundle(root = ROOT) {
  try {
    const stamp = JSON.parse(readFileSync(join(root, STAMP_PATH), 'utf8'));
    if (stamp.sources !== sourceHash(root)) return undefined;
    return pathToFileURL(join(root, BUNDLE_PATH)).href;
  } catch {
    return undefined;
  }
}
