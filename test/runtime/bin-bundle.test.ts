/**
 * bin/freshprobe.js runs the prebuilt bundle only while it matches the
 * sources beside it, and the TypeScript sources through tsx otherwise.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildHash, freshBundle, STAMP_PATH, sourceHash } from '../../bin/bundle.js';

const BIN = fileURLToPath(new URL('../../bin/freshprobe.js', import.meta.url));
let root: string;

async function put(file: string, text: string): Promise<void> {
  await mkdir(join(root, file, '..'), { recursive: true });
  await writeFile(join(root, file), text);
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'freshprobe-bin-'));
  await put('src/runtime/node.ts', 'export const a = 1;\n');
  await put('src/http/page.tsx', 'export const b = 2;\n');
  await put('web/build.ts', 'export {};\n');
  await put('package.json', JSON.stringify({ version: '1.0.0', dependencies: { hono: '4' } }));
  await put(STAMP_PATH, JSON.stringify({ sources: sourceHash(root) }));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('the prebuilt bundle', () => {
  it('is used while its stamp matches the sources', () => {
    expect(freshBundle(root)).toMatch(/^file:.*\/dist\/server\/freshprobe\.mjs$/);
  });

  it('is not used after a source edit, a new file, or another dependency version', async () => {
    await put('src/runtime/node.ts', 'export const a = 2;\n');
    expect(freshBundle(root)).toBeUndefined();
    await put('src/runtime/node.ts', 'export const a = 1;\n');
    expect(freshBundle(root)).toBeDefined();
    await put('src/core/new.ts', 'export {};\n');
    expect(freshBundle(root)).toBeUndefined();
    await rm(join(root, 'src/core/new.ts'));
    await put('package.json', JSON.stringify({ version: '1.0.0', dependencies: { hono: '5' } }));
    expect(freshBundle(root)).toBeUndefined();
  });

  it('ignores mtimes and dotfiles (npm sets its own mtimes and never packs .DS_Store)', async () => {
    await utimes(join(root, 'src/runtime/node.ts'), new Date(), new Date(Date.now() + 60_000));
    await put('src/.DS_Store', 'x');
    expect(freshBundle(root)).toBeDefined();
  });

  it('is rebuilt, not distrusted, after a change to the build alone', async () => {
    await put('scripts/build-server.mjs', '// v1\n');
    await put('bin/bundle.js', '// v1\n');
    const [sources, build] = [sourceHash(root), buildHash(root)];
    await put('web/build.ts', 'export const changed = true;\n');
    // An installed package has no web/build.ts: the bundle's match cannot depend on it.
    expect(sourceHash(root)).toBe(sources);
    expect(buildHash(root)).not.toBe(build);
  });

  it('is not used without a stamp, or with an unreadable one', async () => {
    await put(STAMP_PATH, '{');
    expect(freshBundle(root)).toBeUndefined();
    await rm(join(root, STAMP_PATH));
    expect(freshBundle(root)).toBeUndefined();
  });
});

describe('bin/freshprobe.js', () => {
  it('runs a command through tsx when told to (and through the bundle when one matches)', async () => {
    const run = promisify(execFile);
    for (const tsx of ['1', '']) {
      const { stdout } = await run(process.execPath, [BIN, '--help'], {
        env: { ...process.env, FRESHPROBE_TSX: tsx },
      });
      expect(stdout).toContain('freshprobe serve');
    }
  }, 30_000);
});
