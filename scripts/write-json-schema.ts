/**
 * Writes schema/freshprobe.schema.json from the zod config schema, for editor
 * completion. `npm run schema:json`; test/config.test.ts fails when the
 * committed file differs from what this would write.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderJsonSchema } from '../src/config/json-schema.js';

export const SCHEMA_FILE = fileURLToPath(
  new URL('../schema/freshprobe.schema.json', import.meta.url),
);

export { renderJsonSchema };

// Runs only as a script, so the test can import the generator without writing.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(SCHEMA_FILE, renderJsonSchema());
  console.log('wrote schema/freshprobe.schema.json');
}
