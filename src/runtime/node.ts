/**
 * The Node entry point: `freshprobe <command>`. Commands are a table, and
 * this file is the only place that reads process.argv and exits.
 */
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../core/errors.js';
import { type CliValues, parse, USAGE, UsageError } from './cli-args.node.js';
import { agentCommand } from './commands/agent.node.js';
import { canaryCommand } from './commands/canary.node.js';
import { type Io, processIo } from './commands/io.node.js';
import { notifyTestCommand } from './commands/notify-test.node.js';
import { reportCommand } from './commands/report.node.js';
import { serveCommand } from './commands/serve.node.js';
import { validateCommand } from './commands/validate.node.js';
import { verifyCommand } from './commands/verify.node.js';

type Command = (values: CliValues, positionals: string[], io: Io) => Promise<number>;

const commands: Record<string, Command> = {
  serve: (values) => serveCommand(values),
  validate: (values, _p, io) => validateCommand(values, io),
  canary: canaryCommand,
  verify: verifyCommand,
  report: reportCommand,
  'notify-test': notifyTestCommand,
  agent: agentCommand,
};

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const [name, ...rest] = positionals;
    if (values.help || !name) {
      io.out.write(USAGE);
      return values.help ? 0 : 2;
    }
    const command = commands[name];
    if (!command) throw new UsageError(`unknown command "${name}"`);
    return await command(values, rest, io);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const p of error.problems) io.err.write(`${p.path ? `${p.path}: ` : ''}${p.message}\n`);
      return 1;
    }
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.err.write(`${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

/** Runs a command and exits with its code; `serve` (code -1) keeps the process alive. */
export function run(argv: string[]): void {
  main(argv).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (error) => {
      process.stderr.write(
        `freshprobe: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(2);
    },
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  run(process.argv.slice(2));
