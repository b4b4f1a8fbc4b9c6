/**
 * `freshprobe serve`: the config (or the demo), then the scheduler and server.
 * SIGTERM/SIGINT stop the scheduler, let in-flight writes finish, close the DB.
 */
import type { LoadedConfig } from '../../config.js';
import type { CliValues } from '../cli-args.node.js';
import { UsageError } from '../cli-args.node.js';
import { loadConfigFile, resolveConfigPath } from '../config-file.node.js';
import { type Demo, startDemo } from '../demo.node.js';
import { createLogger } from '../logger.node.js';
import { startServer } from '../serve.node.js';

function portFlag(values: CliValues): number | undefined {
  if (values.port === undefined) return undefined;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be 0-65535');
  return port;
}

/** Returns -1: the process keeps serving until a signal. */
export async function serveCommand(values: CliValues): Promise<number> {
  const path = resolveConfigPath(values.config);
  let demo: Demo | undefined;
  let loaded: LoadedConfig;
  if (path) loaded = loadConfigFile(path);
  else {
    demo = await startDemo();
    loaded = demo.loaded;
  }
  const log = createLogger({ secrets: loaded.secrets });
  if (demo)
    log.info(
      { event: 'demo.start', url: demo.site.url },
      'no config file: running the built-in demo',
    );
  const server = await startServer({ loaded, log, port: portFlag(values), demo: Boolean(demo) });
  process.stdout.write(
    `freshprobe ${demo ? 'demo ' : ''}listening on http://localhost:${server.port}\n`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ event: 'server.stopping', signal });
    await server.close();
    await demo?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return -1;
}
