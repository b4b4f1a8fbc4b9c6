/**
 * JSON Schema of the config file for editors (YAML language server, VS Code).
 * Generated from the zod schema's input side, so it describes what users type
 * ("30m", optional fields) rather than the parsed result. Pure: the script
 * writes it, a test checks the committed file still matches.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = generated as Record<string, unknown>;
  return {
    $schema,
    title: 'freshprobe config',
    description: 'freshprobe.yaml: sites to deploy canaries to and probe, and where to alert.',
    ...rest,
  };
}

/** The exact text of schema/freshprobe.schema.json. */
export function renderJsonSchema(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
