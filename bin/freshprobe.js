#!/usr/bin/env node
// `freshprobe`: runs dist/server/freshprobe.mjs, the esbuild bundle of the sources (built by
// `npm run build:server` on install, start, test and pack), when it was built from the sources
// here; otherwise (not built yet, sources edited since, no esbuild) the TypeScript sources
// through tsx, which transpiles on every start and takes about 1.5 s longer to be ready.
import { freshBundle } from './bundle.js';

const bundle = process.env.FRESHPROBE_TSX ? undefined : freshBundle();
let run;
if (bundle) {
  ({ run } = await import(bundle));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ run } = await import('../src/runtime/node.ts'));
}
run(process.argv.slice(2));
