/**
 * systemd `Type=notify-reload`: with NOTIFY_SOCKET set, serve reports READY=1
 * once listening, RELOADING=1 with MONOTONIC_USEC then READY=1 around a
 * SIGHUP reload, and STOPPING=1 on SIGTERM, through the `systemd-notify`
 * binary. A fake binary on PATH records what it was asked to send. Without
 * the binary, serve says once that notify is unavailable and runs anyway.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir, uptime } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeBundle, type Served, spawnServe, waitFor } from './support.js';

let dir: string;
const running: Served[] = [];
let receiver: ChildProcess | undefined;

/** The real binary, and python3 to stand in for systemd's end of the datagram socket. */
function realNotifyAvailable(): boolean {
  try {
    execFileSync('systemd-notify', ['--version'], { stdio: 'ignore' });
    execFileSync('python3', ['-c', 'import socket; socket.AF_UNIX'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Receives sd_notify datagrams, closes the barrier fds systemd-notify waits on, prints each message. */
const RECEIVER = `
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(64 * 4))
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
            for fd in fds:
                os.close(fd)
    print(msg.decode().replace("\\n", " "), flush=True)
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-systemd-'));
  await mkdir(join(dir, 'bin'));
  await mkdir(join(dir, 'www'));
  const fake = join(dir, 'bin', 'systemd-notify');
  await writeFile(fake, '#!/bin/sh\necho "$*" >> "$NOTIFY_LOG"\n');
  await chmod(fake, 0o755);
  await writeFile(
    join(dir, 'freshprobe.yaml'),
    `storage: { sqlite: db.sqlite }
sites:
  - id: docs
    url: http://127.0.0.1:1/
    deploy: { kind: local-dir, dir: ${join(dir, 'www')} }
    probe: { interval: 10s, timeout: 1s }
    schedule: "0 0 1 1 *"
`,
  );
});

afterAll(async () => {
  receiver?.kill('SIGKILL');
  for (const s of running) {
    s.kill('SIGKILL');
    await s.exited;
  }
  await removeBundle();
  await rm(dir, { recursive: true, force: true });
});

const lines = async () =>
  (await readFile(join(dir, 'notify.log'), 'utf8').catch(() => ''))
    .trim()
    .split('\n')
    .filter(Boolean);

describe('systemd notify', () => {
  it('sends READY, RELOADING + MONOTONIC_USEC then READY, and STOPPING', async () => {
    const served = await spawnServe(['--config', 'freshprobe.yaml', '--port', '0'], {
      cwd: dir,
      env: {
        NOTIFY_SOCKET: join(dir, 'notify.sock'),
        NOTIFY_LOG: join(dir, 'notify.log'),
        PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      },
    });
    running.push(served);
    await served.listening;
    await waitFor(async () => (await lines()).length === 1, 10_000, 'READY');
    expect((await lines())[0]).toMatch(/^--pid=\d+ --ready STATUS=serving$/);
    served.kill('SIGHUP');
    await waitFor(async () => (await lines()).length === 3, 10_000, 'the reload notifications');
    const [, reloading, ready] = await lines();
    const usec = Number(/MONOTONIC_USEC=(\d+)/.exec(reloading!)?.[1]);
    expect(reloading).toMatch(/RELOADING=1 MONOTONIC_USEC=\d+/);
    // CLOCK_MONOTONIC counts from boot (without suspend), like the machine's uptime.
    expect(Math.abs(usec / 1e6 - uptime())).toBeLessThan(60);
    expect(ready).toMatch(/--ready/);
    served.kill('SIGTERM');
    expect((await served.exited).code).toBe(0);
    expect((await lines())[3]).toMatch(/STOPPING=1/);
  }, 60_000);

  it('runs without the binary and says so once', async () => {
    const served = await spawnServe(['--config', 'freshprobe.yaml', '--port', '0'], {
      cwd: dir,
      env: { NOTIFY_SOCKET: join(dir, 'notify.sock'), PATH: join(dir, 'www') },
    });
    running.push(served);
    const url = await served.listening;
    served.kill('SIGHUP');
    await waitFor(() => /"event":"config.reloaded"/.test(served.output()), 10_000, 'reload');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(served.output().match(/systemd.notify_unavailable/g)).toHaveLength(1);
    served.kill('SIGTERM');
    expect((await served.exited).code).toBe(0);
  }, 60_000);

  it.skipIf(!realNotifyAvailable())(
    'works with the real systemd-notify on a datagram socket',
    async () => {
      const socket = join(dir, 'real.sock');
      receiver = spawn('python3', ['-c', RECEIVER, socket], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let got = '';
      receiver.stdout!.on('data', (d) => (got += d));
      await waitFor(() => got.includes('bound'), 10_000, 'the receiver');
      const served = await spawnServe(['--config', 'freshprobe.yaml', '--port', '0'], {
        cwd: dir,
        env: { NOTIFY_SOCKET: socket },
      });
      running.push(served);
      await served.listening;
      await waitFor(() => /READY=1/.test(got), 10_000, 'READY=1');
      const ready = got.split('\n').find((l) => l.includes('READY=1'))!;
      expect(ready.split(' ').sort()).toEqual([
        `MAINPID=${served.pid}`,
        'READY=1',
        'STATUS=serving',
      ]);
      served.kill('SIGHUP');
      await waitFor(() => /RELOADING=1 MONOTONIC_USEC=\d+/.test(got), 10_000, 'RELOADING=1');
      served.kill('SIGTERM');
      expect((await served.exited).code).toBe(0);
      expect(got).toMatch(/STOPPING=1/);
      expect(served.output()).not.toMatch(/notify_unavailable/);
    },
    60_000,
  );
});
