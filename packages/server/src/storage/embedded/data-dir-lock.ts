/**
 * Exclusive ownership of a data directory: `<dataDir>/LOCK`, created with O_EXCL, holding the owner's
 * pid. A lock whose pid no longer runs (checked with `process.kill(pid, 0)`) is stale and replaced.
 * A second server (or a second open in the same process) fails with StorageError LOCKED naming the
 * directory and the pid. Limitation: a stale lock whose pid was reused by an unrelated process is
 * taken as live; delete the LOCK file by hand in that case.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import { StorageError, StorageErrorCode } from '../contract.js';

export const LOCK_FILE = 'LOCK';

function errCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return errCode(err) === 'EPERM';
  }
}

export class DataDirLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly dataDir: string,
  ) {}

  static async acquire(dataDir: string, logger: Logger): Promise<DataDirLock> {
    const path = join(dataDir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(path, 'wx');
        try {
          await handle.writeFile(`${process.pid}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return new DataDirLock(path, dataDir);
      } catch (err) {
        if (errCode(err) !== 'EEXIST') {
          throw new StorageError(StorageErrorCode.IO, `cannot create lock file ${path}: ${(err as Error).message}`, { cause: err });
        }
      }
      let text: string;
      try {
        text = (await readFile(path, 'utf8')).trim();
      } catch (err) {
        if (errCode(err) === 'ENOENT') continue; // released meanwhile: try again
        throw new StorageError(StorageErrorCode.IO, `cannot read lock file ${path}: ${(err as Error).message}`, { cause: err });
      }
      const pid = Number(text);
      if (/^\d+$/.test(text) && pid > 0 && isRunning(pid)) {
        throw new StorageError(
          StorageErrorCode.LOCKED,
          `data directory ${dataDir} is locked by process ${pid}${pid === process.pid ? ' (this process)' : ''}; stop it or choose another directory`,
        );
      }
      logger.warn('removing stale data directory lock', { lockFile: path, pid: text });
      await unlink(path).catch((err: unknown) => {
        if (errCode(err) !== 'ENOENT') throw err;
      });
    }
    throw new StorageError(StorageErrorCode.LOCKED, `data directory ${dataDir}: could not acquire ${path}`);
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await unlink(this.path).catch((err: unknown) => {
      if (errCode(err) !== 'ENOENT') throw err;
    });
  }
}
