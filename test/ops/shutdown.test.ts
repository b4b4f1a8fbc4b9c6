/**
 * Graceful shutdown: SIGTERM (and SIGINT) in the middle of a deploy stop the
 * listener and the timers, wait for the step in flight to write its outcome,
 * close the database and exit 0. The canary is left `propagating` with its
 * deploy time, never stuck `deploying`, so the next start carries on.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeBundle, type Served, spawnServe, waitFor } from './support.js';

let dir: string;
const running: Served[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'freshprobe-shutdown-'));
  await mkdir(join(dir, 'www'));
});

afterAll(async () => {
  for (const s of running) {
    s.kill('SIGKILL');
    await s.exited;
  }
  await removeBundle();
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string): Promise<string> {
  await writeFile(
    join(dir, `${name}.yaml`),
    `storage: { sqlite: ${name}.sqlite }
sites:
  - id: docs
    url: http://127.0.0.1:1/
    deploy: { kind: command, command: [sh, -c, "sleep 2"], dir: ${join(dir, 'www')} }
    probe: { interval: 10s, timeout: 1s }
    schedule: "0 0 1 1 *"
`,
  );
  return `${name}.yaml`;
}

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} during a deploy waits for it to be recorded, then exits 0`, async () => {
      const name = signal.toLowerCase();
      const served = await spawnServe(['--config', await config(name), '--port', '0'], {
        cwd: dir,
      });
      running.push(served);
      await served.listening;
      await waitFor(
        () => /"event":"deploy.start"/.test(served.output()),
        20_000,
        'a deploy in flight',
      );
      served.kill(signal);
      expect(await served.exited).toEqual({ code: 0, signal: null });
      const events = [...served.output().matchAll(/"event":"([a-z_.]+)"/g)].map((m) => m[1]);
      const at = (e: string) => events.indexOf(e);
      expect(at('server.stopping')).toBeGreaterThan(-1);
      expect(at('deploy.accepted')).toBeGreaterThan(at('server.stopping'));
      expect(at('server.stopped')).toBeGreaterThan(at('deploy.accepted'));
      const db = new Database(join(dir, `${name}.sqlite`), { readonly: true });
      const row = db.prepare('SELECT seq, state, deployed_at FROM canaries').get() as {
        seq: number;
        state: string;
        deployed_at: number | null;
      };
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
      expect(row).toMatchObject({ seq: 1, state: 'propagating' });
      expect(row.deployed_at).toBeGreaterThan(0);
    }, 60_000);
  }
});
