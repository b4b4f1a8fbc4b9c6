/**
 * `local-dir` deployer: writes the canary into a directory that some web
 * server serves (an nginx docroot, a mounted volume). The write is atomic
 * (temp file in the same directory, fsync, rename) so a probe never sees a
 * half-written canary.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { DeployError } from '../core/errors.js';
import type { Deployer, DeployReceipt, DeployRequest } from '../core/ports.js';

export interface LocalDirDeployerOptions {
  /** Document root; the canary lands at `dir` + `request.path`. */
  dir: string;
  /** Clock for the receipt, epoch ms. */
  now?: () => number;
}

/** Codes that say "the disk or the file is busy for now", worth another try later. */
const RETRYABLE_CODES = new Set(['ENOSPC', 'EBUSY', 'EAGAIN', 'EMFILE', 'ENFILE', 'EIO', 'EDQUOT']);

/** Creates the `local-dir` deployer. */
export function createLocalDirDeployer(opts: LocalDirDeployerOptions): Deployer {
  const now = opts.now ?? Date.now;
  const root = resolve(opts.dir);
  return {
    kind: 'local-dir',
    local: true,
    async deploy(request: DeployRequest, signal: AbortSignal): Promise<DeployReceipt> {
      const target = targetPath(root, request.path);
      signal.throwIfAborted();
      const startedAt = now();
      try {
        await writeAtomically(root, target, request.content);
      } catch (err) {
        throw toDeployError(err, target);
      }
      return { startedAt, acceptedAt: now(), detail: target };
    },
  };
}

/** Maps the URL path under the root; refuses `..` escapes, which would write outside the docroot. */
function targetPath(root: string, urlPath: string): string {
  const target = resolve(root, `.${urlPath.startsWith('/') ? '' : '/'}${urlPath}`);
  const rel = relative(root, target);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || urlPath.endsWith('/')) {
    throw new DeployError(
      `local-dir: canary path ${JSON.stringify(urlPath)} is not a file under ${root}`,
    );
  }
  return target;
}

/**
 * The root must already exist: creating it would hide a missing mount (the
 * 2017 outage shape) behind a write nobody serves. Subdirectories are created.
 */
async function writeAtomically(root: string, target: string, content: string): Promise<void> {
  const info = await stat(root);
  if (!info.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  // Same directory as the target so rename(2) stays on one filesystem and is atomic.
  const tmp = join(dir, `.freshprobe-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}

/** fsync the directory so the rename itself survives a crash; not every filesystem allows it. */
async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: the data is already renamed into place.
  }
}

function toDeployError(err: unknown, target: string): DeployError {
  if (err instanceof DeployError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? 'UNKNOWN';
  const why: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only filesystem',
    ENOSPC: 'no space left on device',
    ENOENT: 'directory does not exist',
    ENOTDIR: 'a parent of the path is not a directory',
    EISDIR: 'the target is a directory',
  };
  const reason = why[code] ?? e.message;
  return new DeployError(`local-dir: cannot write ${target}: ${reason} (${code})`, {
    retryable: RETRYABLE_CODES.has(code),
    cause: err,
  });
}
