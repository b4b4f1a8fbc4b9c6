/**
 * Runs wrangler (and the workerd it starts) from tests: one-shot commands,
 * and `wrangler dev --local` in its own process group, so stopping it kills
 * workerd too and leaves no process behind. No telemetry, no request.cf
 * download: there is no internet here.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../node_modules/wrangler/bin/wrangler.js', import.meta.url));

export const WRANGLER_ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: 'false',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  // Never open a browser or prompt; answer "yes" where wrangler would ask.
  CI: 'true',
};

/** `wrangler <args>` in the repo root; rejects with its output when it fails. */
export async function wrangler(args: string[]): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: WRANGLER_ENV,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 180_000,
  });
  return stdout + stderr;
}

export interface WranglerDev {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

/** Starts `wrangler dev --local` and resolves once /healthz answers (workerd is slow to start). */
export async function startWranglerDev(args: string[], port: number): Promise<WranglerDev> {
  const child = spawn(
    process.execPath,
    [BIN, 'dev', '--local', '--ip', '127.0.0.1', '--port', String(port), ...args],
    { cwd: ROOT, env: WRANGLER_ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const dev = { url: `http://127.0.0.1:${port}`, output: () => out, stop: () => stopGroup(child) };
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited ${child.exitCode}:\n${out}`);
    const ok = await fetch(`${dev.url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return dev;
    if (Date.now() > deadline) {
      await dev.stop();
      throw new Error(`wrangler dev did not answer:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM to the whole group (wrangler and workerd), SIGKILL after 10 s; waits until none is left. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const pgid = child.pid!;
  if (!alive(pgid)) return;
  process.kill(-pgid, 'SIGTERM');
  const deadline = Date.now() + 10_000;
  while (alive(pgid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(pgid)) process.kill(-pgid, 'SIGKILL');
  const killed = Date.now() + 10_000;
  while (alive(pgid) && Date.now() < killed) await new Promise((r) => setTimeout(r, 100));
  if (alive(pgid)) throw new Error(`process group ${pgid} survived SIGKILL`);
}
