/**
 * Loads web/dist into memory for the Node server. A clean clone has no
 * web/dist, and a developer may have edited web/src since the last build:
 * in both cases the server builds first (esbuild, a dev dependency). Where
 * that is impossible (an install without dev dependencies and no prebuilt
 * dist), pages still work, unstyled and without the chart.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/deps.js';
import { createWebAssets, type WebAssets } from './assets.js';

export const DIST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

async function readDist(dir: string): Promise<WebAssets> {
  const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Record<
    string,
    string
  >;
  const files = new Map<string, Uint8Array>();
  for (const file of Object.values(manifest)) files.set(file, await readFile(join(dir, file)));
  return createWebAssets(manifest, files);
}

/** Returns why it could not build, if it tried and failed. */
async function buildIfNeeded(log: Logger): Promise<string | undefined> {
  try {
    const builder = await import('../../web/build.js');
    if (!(await builder.needsBuild())) return undefined;
    const started = Date.now();
    await builder.buildWeb();
    log.info({ event: 'assets.built', ms: Date.now() - started });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export async function loadWebAssets(log: Logger): Promise<WebAssets | undefined> {
  const buildError = await buildIfNeeded(log);
  try {
    return await readDist(DIST_DIR);
  } catch (error) {
    log.warn({
      event: 'assets.missing',
      error: (error as Error).message,
      buildError,
      hint: 'run npm run build:web; pages are served without CSS and chart',
    });
    return undefined;
  }
}
