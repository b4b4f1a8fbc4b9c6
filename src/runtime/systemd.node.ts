/**
 * systemd integration without a native module. Readiness and reload state go
 * to $NOTIFY_SOCKET through the `systemd-notify` binary (Node has no unix
 * datagram sockets); `--ready` plus plain VARIABLE=VALUE assignments work on
 * every systemd that has the binary, including Debian 12's 252, which has no
 * `--reloading` or `--stopping` flags. Socket activation ($LISTEN_FDS) hands
 * us an already-listening socket on fd 3.
 */
import { execFile } from 'node:child_process';
import type { Logger } from '../core/deps.js';

/** sd_listen_fds(3): the first passed descriptor. */
export const SD_LISTEN_FDS_START = 3;

export interface SystemdNotifier {
  /** True when NOTIFY_SOCKET is set and the binary answered at least once. */
  readonly enabled: boolean;
  ready(): Promise<void>;
  reloading(): Promise<void>;
  stopping(): Promise<void>;
}

export interface NotifyOptions {
  env?: NodeJS.ProcessEnv;
  log: Logger;
  /** Default `systemd-notify` from PATH. */
  binary?: string;
  /** CLOCK_MONOTONIC in µs, which systemd compares RELOADING=1 against. */
  monotonicUsec?: () => bigint;
}

/** process.hrtime uses CLOCK_MONOTONIC on Linux, the clock MONOTONIC_USEC= is read on. */
const monotonicUsec = () => process.hrtime.bigint() / 1000n;

function run(binary: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, args, { env, timeout: 10_000 }, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

/** A notifier that does nothing when not started by systemd, and says once when it cannot. */
export function createSystemdNotifier(opts: NotifyOptions): SystemdNotifier {
  const env = opts.env ?? process.env;
  const binary = opts.binary ?? 'systemd-notify';
  const usec = opts.monotonicUsec ?? monotonicUsec;
  let broken = !env.NOTIFY_SOCKET;
  const send = async (args: string[]) => {
    if (broken) return;
    try {
      // --pid: as root, sent on our behalf (NotifyAccess=main works); otherwise needs NotifyAccess=all.
      await run(binary, [`--pid=${process.pid}`, ...args], env);
    } catch (error) {
      // Missing binary or refused socket: say it once, then keep serving without notify.
      broken = true;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      opts.log.warn({ event: 'systemd.notify_unavailable', binary, reason: String(reason) });
    }
  };
  return {
    get enabled() {
      return !broken;
    },
    ready: () => send(['--ready', 'STATUS=serving']),
    reloading: () => send(['RELOADING=1', `MONOTONIC_USEC=${usec()}`, 'STATUS=reloading config']),
    stopping: () => send(['STOPPING=1', 'STATUS=stopping']),
  };
}

/**
 * The socket systemd passed, if this process was socket-activated:
 * LISTEN_PID must be ours (the variables are inherited by children too).
 */
export function activatedSocketFd(env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (!env.LISTEN_FDS || Number(env.LISTEN_PID) !== process.pid) return undefined;
  const count = Number(env.LISTEN_FDS);
  return Number.isInteger(count) && count >= 1 ? SD_LISTEN_FDS_START : undefined;
}
