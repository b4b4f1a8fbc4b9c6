/**
 * `freshprobe serve`: the config (or the demo), then the scheduler and server.
 * SIGTERM/SIGINT stop the scheduler, let in-flight writes finish, close the DB.
 * SIGHUP re-reads the config (a bad one is logged and changes nothing). Under
 * systemd: socket activation ($LISTEN_FDS) and sd_notify readiness/reload.
 */
import type { LoadedConfig } from '../../config.js';
import type { Logger } from '../../core/deps.js';
import type { CliValues } from '../cli-args.node.js';
import { UsageError } from '../cli-args.node.js';
import { loadConfigFile, resolveConfigPath } from '../config-file.node.js';
import { type Demo, startDemo } from '../demo.node.js';
import { openListener } from '../listen.node.js';
import { createLogger } from '../logger.node.js';
import { type RunningServer, startServer } from '../serve.node.js';
import { activatedSocketFd, createSystemdNotifier } from '../systemd.node.js';

function portFlag(values: CliValues): number | undefined {
  if (values.port === undefined) return undefined;
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port must be 0-65535');
  return port;
}

/** FRESHPROBE_HEARTBEAT_MS: the self-monitoring period (default 5 s); tests shorten it. */
function heartbeatMs(env: NodeJS.ProcessEnv): number | undefined {
  const ms = Number(env.FRESHPROBE_HEARTBEAT_MS);
  return Number.isInteger(ms) && ms >= 100 ? ms : undefined;
}

/** Longest a graceful stop may take before the process exits anyway. */
const STOP_DEADLINE_MS = 30_000;

interface Running {
  server: RunningServer;
  log: Logger;
  demo?: Demo;
}

/**
 * Signals are handled from the first line of `serve`: SIGTERM or SIGINT
 * while still loading stops right after loading (never mid-write, which the
 * default action would do), and SIGHUP's default action would kill the
 * process outright. A stop lets in-flight writes finish, within a deadline.
 */
function handleSignals(started: Promise<Running>): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), STOP_DEADLINE_MS).unref();
    const running = await started.catch(() => undefined);
    if (!running) return; // a failed start exits on its own
    running.log.info({ event: 'server.stopping', signal });
    await running.server.close();
    await running.demo?.close();
    running.log.info({ event: 'server.stopped', signal });
    process.exit(0);
  };
  const reload = () =>
    started.then((r) => (stopping ? undefined : r.server.reload('SIGHUP'))).catch(() => undefined);
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGHUP', () => void reload());
}

async function start(values: CliValues, env: NodeJS.ProcessEnv): Promise<Running> {
  // Socket activation: take the socket before loading, so clients get 503, never a refusal.
  const fd = activatedSocketFd(env);
  const early = fd === undefined ? undefined : await openListener({ fd });
  const path = resolveConfigPath(values.config);
  let demo: Demo | undefined;
  let loaded: LoadedConfig;
  if (path) loaded = loadConfigFile(path, env);
  else {
    demo = await startDemo();
    loaded = demo.loaded;
  }
  // FRESHPROBE_LOG_LEVEL=debug adds a line per probe (probe.done); info logs state changes.
  const level = process.env.FRESHPROBE_LOG_LEVEL ?? 'info';
  const log = createLogger({ secrets: loaded.secrets, level });
  if (demo)
    log.info(
      { event: 'demo.start', url: demo.site.url },
      'no config file: running the built-in demo',
    );
  const server = await startServer({
    loaded,
    log,
    port: portFlag(values),
    demo: Boolean(demo),
    configPath: path,
    listener: early,
    systemd: createSystemdNotifier({ env, log }),
    heartbeatMs: heartbeatMs(env),
  });
  process.stdout.write(
    `freshprobe ${demo ? 'demo ' : ''}listening on http://localhost:${server.port}\n`,
  );
  return { server, log, demo };
}

/** Returns -1: the process keeps serving until a signal. */
export async function serveCommand(values: CliValues, env = process.env): Promise<number> {
  const loading = start(values, env);
  handleSignals(loading);
  await loading;
  return -1;
}
