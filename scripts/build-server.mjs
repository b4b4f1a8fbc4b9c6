// Bundles src/runtime/node.ts and the packages it uses into dist/server/freshprobe.mjs, which
// bin/freshprobe.js runs instead of transpiling the sources through tsx on every start (about
// 1.5 s less on a 2-core machine). Runs from `prepare` (npm install / npm ci), before start,
// test and pack; a no-op when the stamp already matches the sources. Without esbuild (an
// install without dev dependencies) it skips, and bin/freshprobe.js keeps using tsx.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { BUNDLE_PATH, buildHash, ROOT, STAMP_PATH, sourceHash } from '../bin/bundle.js';

const bundleFile = join(ROOT, BUNDLE_PATH);
const stampFile = join(ROOT, STAMP_PATH);

/**
 * Each project file's `import.meta.url` becomes the URL of the file it was bundled from, so paths
 * resolved from it (drizzle/, web/dist, web/src) are the same as when the sources run.
 */
const ownUrls = {
  name: 'own-import-meta-url',
  setup(build) {
    const project = [join(ROOT, 'src') + sep, join(ROOT, 'web') + sep];
    build.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (!project.some((dir) => args.path.startsWith(dir))) return undefined;
      const text = await readFile(args.path, 'utf8');
      const from = relative(dirname(bundleFile), args.path).split(sep).join('/');
      const url = `new URL(${JSON.stringify(from)}, import.meta.url).href`;
      return { contents: text.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

async function main() {
  // Hashed before bundling: an edit made meanwhile leaves a stamp that does not match.
  const sources = sourceHash();
  const build = buildHash();
  const stamp = await readFile(stampFile, 'utf8').catch(() => '{}');
  if (JSON.parse(stamp).build === build && !process.argv.includes('--force')) return;
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.log('build:server skipped: esbuild is not installed (bin/freshprobe.js uses tsx)');
    return;
  }
  const started = Date.now();
  await mkdir(dirname(bundleFile), { recursive: true });
  const tmp = `${bundleFile}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [join(ROOT, 'src', 'runtime', 'node.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Native (better-sqlite3), loaded only for a browser vantage (playwright-core), only to
    // rebuild web/dist (esbuild): resolved from node_modules at run time.
    external: ['better-sqlite3', 'playwright-core', 'esbuild'],
    // Bundled CommonJS packages call require(): give the ESM bundle one.
    banner: {
      js: "import { createRequire as $cr } from 'node:module'; const require = $cr(import.meta.url);",
    },
    outfile: tmp,
    tsconfig: join(ROOT, 'tsconfig.json'),
    plugins: [ownUrls],
    logLevel: 'error',
  });
  // Stamp last: a bundle without a matching stamp is never run.
  await rm(stampFile, { force: true });
  await rename(tmp, bundleFile);
  await writeFile(stampFile, `${JSON.stringify({ sources, build })}\n`);
  console.log(`dist/server built in ${Date.now() - started} ms`);
}

await main();
