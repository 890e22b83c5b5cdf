/**
 * The embedded engine's shard logs: `<root>/<encoded name>/` per log (see log-dir-name.ts), created
 * atomically (temp directory → NAME file → first segment → fsync → rename), destroyed atomically
 * (rename into `.trash/`, then delete). Runs the interval-fsync timer for all open logs.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../model/context.js';
import type { Logger } from '../../logger.js';
import type { ShardLog, ShardLogStore } from '../contract.js';
import { StorageError, StorageErrorCode } from '../contract.js';
import type { FsyncPolicy } from '../fsync-policy.js';
import { BufferPool } from './buffer-pool.js';
import { fsyncDirectory, writeFileDurable } from './durable-file.js';
import { logDirName } from './log-dir-name.js';
import type { SegmentFs } from './segment-fs.js';
import { nodeSegmentFs } from './segment-fs.js';
import { DEFAULT_SEGMENT_BYTES, DEFAULT_TAIL_CACHE_BYTES, SegmentShardLog } from './segment-shard-log.js';
import { DEFAULT_TAIL_CACHE_BUDGET_BYTES, TailCacheBudget, tailCachePageBytes } from './tail-cache-budget.js';

export const NAME_FILE = 'NAME';
export const MIN_SEGMENT_BYTES = 256;
/** Recovery reads a segment in one buffer when rebuilding its index, so keep segments moderate. */
export const MAX_SEGMENT_BYTES = 512 * 1024 * 1024;
const TRASH_DIR = '.trash';
const TEMP_DIR_PREFIX = '.tmp-';

export interface SegmentShardLogStoreOptions {
  /** Directory holding one subdirectory per log. */
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly segmentBytes?: number | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** File operations on segments (tests inject faults). */
  readonly fs?: SegmentFs | undefined;
  /** Per-log cap of the tail cache in bytes (see SegmentShardLogOptions.tailCacheBytes); 0 = off. */
  readonly tailCacheBytes?: number | undefined;
  /**
   * Memory of the tail caches of all this store's logs together (tail-cache-budget.ts); default
   * {@link DEFAULT_TAIL_CACHE_BUDGET_BYTES}; 0 = off.
   */
  readonly tailCacheBudgetBytes?: number | undefined;
}

function errCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

export class SegmentShardLogStore implements ShardLogStore {
  /** Every log on disk: name → directory name. */
  private readonly names = new Map<string, string>();
  private readonly opening = new Map<string, Promise<SegmentShardLog>>();
  private readonly open_ = new Map<string, SegmentShardLog>();
  /** Tail of the open/destroy chain per log name (see withNameLock). */
  private readonly nameLocks = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly segmentBytes: number;
  private readonly sfs: SegmentFs;
  private readonly buffers = new BufferPool();
  /** Shared by the tail caches of every log of this store. */
  readonly tailCacheBudget: TailCacheBudget;

  private constructor(private readonly options: SegmentShardLogStoreOptions) {
    this.segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.sfs = options.fs ?? nodeSegmentFs;
    const budgetBytes = options.tailCacheBudgetBytes ?? DEFAULT_TAIL_CACHE_BUDGET_BYTES;
    const perLogBytes = Math.max(0, options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES);
    this.tailCacheBudget = new TailCacheBudget(budgetBytes, tailCachePageBytes(Math.min(budgetBytes, perLogBytes)));
  }

  static async open(options: SegmentShardLogStoreOptions): Promise<SegmentShardLogStore> {
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    // Index positions are u32, and a segment may exceed the limit by one batch: stay well below 4 GiB.
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new TypeError(`segmentBytes must be an integer from ${MIN_SEGMENT_BYTES} to ${MAX_SEGMENT_BYTES} (got ${segmentBytes})`);
    }
    const budgetBytes = options.tailCacheBudgetBytes ?? DEFAULT_TAIL_CACHE_BUDGET_BYTES;
    if (!Number.isSafeInteger(budgetBytes) || budgetBytes < 0) {
      throw new TypeError(`tailCacheBudgetBytes must be a non-negative integer (got ${budgetBytes})`);
    }
    const store = new SegmentShardLogStore(options);
    await store.load();
    if (options.fsync.mode === 'interval') {
      store.timer = setInterval(() => {
        for (const log of store.open_.values()) void log.syncIfDirty();
      }, options.fsync.intervalMs);
      store.timer.unref();
    }
    return store;
  }

  private async load(): Promise<void> {
    const root = this.options.dir;
    await mkdir(root, { recursive: true });
    await rm(join(root, TRASH_DIR), { recursive: true, force: true });
    for (const entry of await readdir(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name.startsWith(TEMP_DIR_PREFIX)) {
        // A log whose creation did not finish: it never existed.
        await rm(join(root, entry.name), { recursive: true, force: true });
        continue;
      }
      if (entry.name.startsWith('.')) continue;
      let name: string;
      try {
        name = await readFile(join(root, entry.name, NAME_FILE), 'utf8');
      } catch (err) {
        if (errCode(err) !== 'ENOENT') throw err;
        this.options.logger.error('shard log directory without a NAME file is ignored', { dir: join(root, entry.name) });
        continue;
      }
      if (logDirName(name) !== entry.name) {
        this.options.logger.error('shard log directory does not match its NAME file; ignored', { dir: join(root, entry.name), name });
        continue;
      }
      this.names.set(name, entry.name);
    }
  }

  open(name: string): Promise<ShardLog> {
    if (this.closed) return Promise.reject(this.closedError());
    if (typeof name !== 'string' || name.length === 0) return Promise.reject(new TypeError('shard log name must be a non-empty string'));
    let pending = this.opening.get(name);
    if (pending === undefined) {
      pending = this.withNameLock(name, () => this.openLog(name));
      this.opening.set(name, pending);
      const p = pending;
      p.then(
        (log) => {
          if (this.opening.get(name) === p) this.open_.set(name, log);
        },
        () => {
          if (this.opening.get(name) === p) this.opening.delete(name);
        },
      );
    }
    return pending;
  }

  private async openLog(name: string): Promise<SegmentShardLog> {
    const root = this.options.dir;
    const dirName = logDirName(name);
    if (!this.names.has(name)) {
      const temp = join(root, `${TEMP_DIR_PREFIX}${randomBytes(6).toString('hex')}`);
      try {
        await mkdir(temp);
        await writeFileDurable(join(temp, NAME_FILE), name, false);
        await SegmentShardLog.initialise(temp, this.sfs);
        await fsyncDirectory(temp);
        await rename(temp, join(root, dirName));
        await fsyncDirectory(root);
      } catch (err) {
        await rm(temp, { recursive: true, force: true });
        throw new StorageError(StorageErrorCode.IO, `cannot create shard log ${name} in ${root}: ${(err as Error).message}`, { cause: err });
      }
      this.names.set(name, dirName);
    }
    return SegmentShardLog.open({
      name,
      dir: join(root, dirName),
      fsync: this.options.fsync,
      segmentBytes: this.segmentBytes,
      clock: this.options.clock,
      logger: this.options.logger,
      fs: this.sfs,
      buffers: this.buffers,
      tailCacheBytes: this.options.tailCacheBytes,
      tailCacheBudget: this.tailCacheBudget,
    });
  }

  destroy(name: string): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    // From now on open(name) waits for the destroy and then creates a fresh log.
    const pending = this.opening.get(name);
    this.opening.delete(name);
    this.open_.delete(name);
    return this.withNameLock(name, () => this.destroyLocked(name, pending));
  }

  /**
   * Run `task` after every earlier open/destroy of the same name has settled, so that creating,
   * opening and deleting one log's directory never interleave.
   */
  private withNameLock<T>(name: string, task: () => Promise<T>): Promise<T> {
    const previous = this.nameLocks.get(name) ?? Promise.resolve();
    const run = previous.then(task);
    const tail = run.then(
      () => undefined,
      () => undefined, // the caller sees the failure through `run`
    );
    this.nameLocks.set(name, tail);
    void tail.then(() => {
      if (this.nameLocks.get(name) === tail) this.nameLocks.delete(name);
    });
    return run;
  }

  private async destroyLocked(name: string, pending: Promise<SegmentShardLog> | undefined): Promise<void> {
    if (pending !== undefined) {
      const log = await pending.catch(() => undefined); // a log that failed to open has nothing to close
      await log?.close();
    }
    const dirName = this.names.get(name);
    if (dirName === undefined) return;
    const root = this.options.dir;
    const trash = join(root, TRASH_DIR);
    const doomed = join(trash, `${dirName}-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(trash, { recursive: true });
      await rename(join(root, dirName), doomed);
      await fsyncDirectory(root);
    } catch (err) {
      throw new StorageError(StorageErrorCode.IO, `cannot destroy shard log ${name}: ${(err as Error).message}`, { cause: err });
    }
    this.names.delete(name);
    await rm(doomed, { recursive: true, force: true });
  }

  async list(): Promise<string[]> {
    if (this.closed) throw this.closedError();
    return [...this.names.keys()].sort();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    const pending = [...this.opening.values()];
    this.opening.clear();
    this.open_.clear();
    for (const p of pending) {
      const log = await p.catch(() => undefined); // failed opens hold nothing
      await log?.close();
    }
  }

  private closedError(): StorageError {
    return new StorageError(StorageErrorCode.CLOSED, 'shard log store is closed');
  }
}
