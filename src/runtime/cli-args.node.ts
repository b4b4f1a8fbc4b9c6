/** Argument parsing shared by the commands (node:util parseArgs, strict). */
import { parseArgs } from 'node:util';

export const USAGE = `freshprobe: proves a deploy is really live.

Usage:
  freshprobe serve [--config F] [--port N]     scheduler + status server (no config: the built-in demo)
  freshprobe validate [--config F]             check the config; exit 0, or 1 with every problem listed
  freshprobe canary <site> [--config F] [--json]
                                               deploy one canary now, wait, print latency and verdict
  freshprobe report <site> [--since 7d] [--format md|json] [--config F]
                                               SLO summary and incident timelines, for post-mortems
  freshprobe verify <url> --expect <marker> [--timeout 10m] [--interval 10s] [--json]
                                               post-deploy check for CI: exit 0 visible, 1 not by timeout, 2 error
  freshprobe verify --server URL --site ID --expect <marker> [--token T] [--timeout 10m] [--json]
                                               register the deploy with a running server and wait for its verdict
  freshprobe notify-test <notifier> [site] [--config F]
                                               send a test alert through one notifier; exit 0 accepted, 1 not
  freshprobe agent --server URL [--token T]    a remote vantage: probe the server's sites from here and push
                                               the results (token also from FRESHPROBE_AGENT_TOKEN)
`;

export const OPTIONS = {
  config: { type: 'string', short: 'c' },
  port: { type: 'string' },
  json: { type: 'boolean' },
  expect: { type: 'string' },
  timeout: { type: 'string' },
  interval: { type: 'string' },
  since: { type: 'string' },
  server: { type: 'string' },
  site: { type: 'string' },
  token: { type: 'string' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliValues = ReturnType<typeof parse>['values'];

export function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** A usage error: the CLI prints it with the usage text and exits 2. */
export class UsageError extends Error {}
