/**
 * Where to find an external deploy's marker on the site: a meta tag, a JSON
 * field, a response header, or a regex over the body. Exactly one.
 */
import { z } from 'zod';
import { canaryPath, nonEmpty } from './fields.js';

export const markerSchema = z
  .strictObject({
    path: canaryPath.optional().meta({ description: 'URL path to fetch; default "/".' }),
    meta: nonEmpty.optional().meta({ description: 'Name of a <meta name=".." content=".."> tag.' }),
    json: nonEmpty
      .optional()
      .meta({ description: 'Dot path of a field in a JSON document, e.g. build.sha.' }),
    header: nonEmpty.optional().meta({ description: 'Response header name, e.g. x-commit.' }),
    regex: nonEmpty.optional().meta({
      description: 'Regular expression over the body; group 1 (or the match) is the marker.',
    }),
  })
  .superRefine((m, ctx) => {
    const set = (['meta', 'json', 'header', 'regex'] as const).filter((k) => m[k] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of meta, json, header or regex' });
    }
    if (m.regex !== undefined) {
      try {
        new RegExp(m.regex);
      } catch (error) {
        ctx.addIssue({
          code: 'custom',
          path: ['regex'],
          message: `not a valid regular expression: ${(error as Error).message}`,
        });
      }
    }
  });

export type RawMarker = z.output<typeof markerSchema>;

/** Resolved: one kind and its argument. */
export interface MarkerConfig {
  path: string;
  kind: 'meta' | 'json' | 'header' | 'regex';
  name: string;
}

export function resolveMarker(raw: RawMarker | undefined): MarkerConfig | undefined {
  if (!raw) return undefined;
  const kind = (['meta', 'json', 'header', 'regex'] as const).find((k) => raw[k] !== undefined)!;
  return { path: raw.path ?? '/', kind, name: raw[kind]! };
}
