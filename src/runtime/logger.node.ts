/** Structured JSON logs (pino) with greppable event names; secrets redacted by value. */
import pino from 'pino';
import type { Logger } from '../core/deps.js';

export interface LoggerOptions {
  level?: string;
  /** Values (tokens, webhook URLs) that must never appear in a log line. */
  secrets?: string[];
  destination?: pino.DestinationStream;
}

function redactor(secrets: string[]) {
  const needles = secrets.filter((s) => s.length >= 4);
  return (value: string) => needles.reduce((out, s) => out.split(s).join('[redacted]'), value);
}

export function createLogger(options: LoggerOptions = {}): Logger & pino.Logger {
  const redact = redactor(options.secrets ?? []);
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: {
        // Redact by value at the last moment, whatever field a secret slipped into.
        streamWrite: (line) => redact(line),
      },
    },
    options.destination ?? pino.destination(2),
  );
}
