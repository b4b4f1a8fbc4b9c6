/** Structured JSON logs (pino) with greppable event names; secrets redacted by value. */
import pino from 'pino';
import type { Logger } from '../core/deps.js';

export interface LoggerOptions {
  level?: string;
  /** Values (tokens, webhook URLs) that must never appear in a log line. */
  secrets?: string[];
  destination?: pino.DestinationStream;
}

/** Too short to redact without mangling ordinary words. */
const MIN_SECRET_LENGTH = 4;

export interface RedactingLogger extends Logger {
  /** A reloaded config brings new secrets: redact them from now on too. */
  addSecrets(values: readonly string[]): void;
}

function redactor() {
  const needles = new Set<string>();
  let ordered: string[] = [];
  return {
    add: (values: readonly string[]) => {
      for (const s of values) {
        if (s.length < MIN_SECRET_LENGTH) continue;
        // Lines are JSON: a secret with a quote or backslash appears escaped.
        needles.add(s).add(JSON.stringify(s).slice(1, -1));
      }
      // Longest first, so a secret that contains another is replaced whole.
      ordered = [...needles].sort((a, b) => b.length - a.length);
    },
    redact: (line: string) => ordered.reduce((out, s) => out.split(s).join('[redacted]'), line),
  };
}

export function createLogger(options: LoggerOptions = {}): RedactingLogger & pino.Logger {
  const secrets = redactor();
  secrets.add(options.secrets ?? []);
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        // Redact by value at the last moment, whatever field a secret slipped into.
        streamWrite: (line) => secrets.redact(line),
      },
    },
    options.destination ?? pino.destination(2),
  );
  return Object.assign(logger, { addSecrets: secrets.add });
}
