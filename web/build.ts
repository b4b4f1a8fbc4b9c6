/**
 * Builds the status page's assets from web/src into web/dist: the client
 * script bundled with the parts of chart.js it uses, the CSS, and the icon,
 * each under a content-hashed name, plus manifest.json (logical → hashed).
 *
 * Runs from `npm run build:web` (and so before `npm start` and `npm test`),
 * and from the Node server at start when web/dist is missing or older than
 * web/src. Files are written under temporary names and renamed, manifest
 * last, so a concurrent build or a reading server never sees half a file.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = dirname(fileURLToPath(import.meta.url));
export const SRC_DIR = join(WEB_DIR, 'src');
export const DIST_DIR = join(WEB_DIR, 'dist');
export const MANIFEST = 'manifest.json';

const ENTRIES = { app: join(SRC_DIR, 'app.ts'), style: join(SRC_DIR, 'style.css') };
const COPIED = ['favicon.svg'];

function hashed(name: string, body: Uint8Array): string {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const ext = extname(name);
  return `${basename(name, ext)}-${hash}${ext}`;
}

async function writeAtomic(file: string, body: Uint8Array | string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, body);
  await rename(tmp, file);
}

async function bundle(): Promise<Map<string, Uint8Array>> {
  // Loaded here, not at the top: the server bundle (scripts/build-server.mjs) includes this file
  // for needsBuild, and must load where esbuild, a dev dependency, is not installed.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: ENTRIES,
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    outdir: DIST_DIR,
    write: false,
    // Keeps chart.js's MIT licence banner in the shipped file.
    legalComments: 'eof',
    logLevel: 'silent',
  });
  const out = new Map<string, Uint8Array>();
  for (const f of result.outputFiles) out.set(basename(f.path), f.contents);
  return out;
}

/** Builds and returns the manifest. `clean` removes files of earlier builds. */
export async function buildWeb(options: { outDir?: string; clean?: boolean } = {}) {
  const outDir = options.outDir ?? DIST_DIR;
  await mkdir(outDir, { recursive: true });
  const files = await bundle();
  for (const name of COPIED) files.set(name, await readFile(join(SRC_DIR, name)));
  const manifest: Record<string, string> = {};
  for (const [name, body] of files) {
    const file = hashed(name, body);
    manifest[name] = file;
    await writeAtomic(join(outDir, file), body);
  }
  await writeAtomic(join(outDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  if (options.clean) {
    const keep = new Set([MANIFEST, ...Object.values(manifest)]);
    for (const f of await readdir(outDir))
      if (!keep.has(f)) await rm(join(outDir, f), { force: true });
  }
  return manifest;
}

async function newestSource(dir: string): Promise<number> {
  let newest = (await stat(fileURLToPath(import.meta.url))).mtimeMs;
  for (const f of await readdir(dir)) newest = Math.max(newest, (await stat(join(dir, f))).mtimeMs);
  return newest;
}

/** True when dist has no manifest, or a source is newer than it (a checkout without web/src never rebuilds). */
export async function needsBuild(outDir = DIST_DIR): Promise<boolean> {
  const built = await stat(join(outDir, MANIFEST)).catch(() => undefined);
  if (!built) return true;
  const source = await newestSource(SRC_DIR).catch(() => 0);
  return source > built.mtimeMs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const manifest = await buildWeb({ clean: true });
  process.stdout.write(
    `web/dist built in ${Date.now() - started} ms: ${Object.values(manifest).join(', ')}\n`,
  );
}
