/**
 * One shard log of the embedded engine: a directory of segment files named by base offset, each with
 * a sparse offset index and time index (docs/storage-format.md).
 *
 * Writes go through one writer queue per log (group commit): appends that arrive while a write (and
 * its fsync) is in flight are encoded together into one buffer, written with one positional write,
 * and share one fsync. Offsets and the arrival time are assigned when a group is formed, so a failed
 * group leaves no gap. Reads see only committed bytes (`Segment.size`), never a group in flight.
 */
import { readFile, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../model/context.js';
import type { Logger } from '../../logger.js';
import type { AppendRecord, AppendResult, PackedAppend, ReadOptions, ReadResult, ShardLog, StoredRecord } from '../contract.js';
import { StorageError, StorageErrorCode } from '../contract.js';
import type { FsyncPolicy } from '../fsync-policy.js';
import type { BufferPool } from './buffer-pool.js';
import { TEMP_SUFFIX, fsyncDirectory, writeFileDurable } from './durable-file.js';
import {
  FrameProblem,
  checkFrame,
  decodeFrame,
  findNextValidFrame,
  frameArrivalMs,
  frameBytes,
  frameDataLength,
  frameEndsBatch,
  frameOffset,
  packedFrameBytes,
  writeFrame,
  writePackedFrame,
} from './frame.js';
import type { SegmentFs } from './segment-fs.js';
import { dsyncFlags, readFully } from './segment-fs.js';
import { INDEX_HEADER_BYTES, INDEX_INTERVAL_BYTES, OFFSET_ENTRY_BYTES, SparseIndex, TIME_ENTRY_BYTES, indexHeader } from './sparse-index.js';
import { TailCache } from './tail-cache.js';
import type { TailCacheBudget } from './tail-cache-budget.js';

export const SEALED_MARKER = 'SEALED';
export const START_MARKER = 'START';
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Indexes of older (non-active) segments kept in memory per log, most recently used. */
const MAX_LOADED_INDEXES = 2;
/** Largest group written on the event loop's thread (fsync never/interval); larger ones go to the pool. */
const MAX_SYNC_WRITE_BYTES = 1024 * 1024;
/** Upper bound of one group write. */
const MAX_GROUP_BYTES = 16 * 1024 * 1024;
/**
 * Flush index entries to their files once this many are pending (~512 KiB of log). Fewer syscalls on
 * the write path; recovery scans the segment from the last flushed entry anyway.
 */
const INDEX_FLUSH_ENTRIES = 128;
const SEGMENT_NAME = /^(\d{20})\.log$/;

export function segmentFileName(baseOffset: number, ext: 'log' | 'index' | 'timeindex'): string {
  return `${String(baseOffset).padStart(20, '0')}.${ext}`;
}

export interface SegmentShardLogOptions {
  readonly name: string;
  readonly dir: string;
  readonly fsync: FsyncPolicy;
  readonly segmentBytes: number;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly fs: SegmentFs;
  /** Encode buffers shared by the store's logs. */
  readonly buffers: BufferPool;
  /**
   * Bytes of recently committed frames kept in memory (storage/embedded/tail-cache.ts) so that reads at
   * the tail (consumers that keep up, every SubscribeToShard subscriber) need no file read. Default
   * {@link DEFAULT_TAIL_CACHE_BYTES}; 0 turns the cache off.
   */
  readonly tailCacheBytes?: number | undefined;
  /** Memory shared with the tail caches of the store's other logs; default one of its own. */
  readonly tailCacheBudget?: TailCacheBudget | undefined;
}

/**
 * Default cap of one log's tail cache (frame bytes: record data, keys and 32-byte headers); all the logs
 * of a store also share one budget (tail-cache-budget.ts).
 */
export const DEFAULT_TAIL_CACHE_BYTES = 1024 * 1024;

/** One segment file and its in-memory index. Fields only change on the writer path or recovery. */
class Segment {
  /**
   * The segment's sparse index. Always loaded for the active segment; for older ones only while
   * recently used (see SegmentShardLog.segmentIndex), so memory does not grow with retained data.
   */
  index: SparseIndex | undefined = new SparseIndex();
  /** Committed bytes (readers never look past this). */
  size = 0;
  /** One past the last committed record. */
  endOffset: number;
  firstArrivalMs: number | undefined;
  lastArrivalMs: number | undefined;
  /** Bytes written since the last index entry. */
  bytesSinceIndex = 0;
  fd: number | undefined;
  fdOpening: Promise<number> | undefined;
  /** In-flight users of `fd` (reads, syncs); the fd closes when the segment is deleted and this is 0. */
  users = 0;
  deleted = false;
  indexFd: number | undefined;
  timeIndexFd: number | undefined;

  constructor(
    readonly baseOffset: number,
    readonly dir: string,
  ) {
    this.endOffset = baseOffset;
  }

  path(ext: 'log' | 'index' | 'timeindex'): string {
    return join(this.dir, segmentFileName(this.baseOffset, ext));
  }
}

interface PendingAppend {
  readonly records: readonly AppendRecord[] | undefined;
  readonly packed: PackedAppend | undefined;
  /** Records in this append. */
  readonly count: number;
  readonly bytes: number;
  readonly control: (() => Promise<void>) | undefined;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (err: unknown) => void;
}

/** Outcome of reading within one segment. */
const SegmentRead = { MORE: 0, DONE: 1 } as const;

function ioError(message: string, cause: unknown): StorageError {
  return new StorageError(StorageErrorCode.IO, `${message}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

export class SegmentShardLog implements ShardLog {
  readonly name: string;
  private readonly dir: string;
  private readonly opts: SegmentShardLogOptions;
  private readonly logger: Logger;
  private readonly sfs: SegmentFs;
  private segments: Segment[] = [];
  private start = 0;
  private end = 0;
  private lastArrival: number | undefined;
  private sealed = false;
  private sealing = false;
  private closed = false;
  /** Written since the last fsync (interval policy). */
  private dirty = false;
  /** A failed write may have left bytes past the committed end: cut them before the next write. */
  private needsTruncate = false;
  private readonly queue: PendingAppend[] = [];
  private draining: Promise<void> | undefined;
  private readonly listeners = new Set<(endOffset: number) => void>();
  /** Scratch for the index entries of the group being written: [relativeOffset, position, …]. */
  private readonly pendingIndex: number[] = [];
  /**
   * Frames of the most recently committed groups. Filled only after a group is durable under the fsync
   * policy, so it never holds anything a read from the files would not return; emptied on reopen
   * (reads then go to the files).
   */
  private readonly tail: TailCache;
  /** Older segments whose index is in memory, least recently used first. */
  private readonly loadedIndexes: Segment[] = [];
  /** fsync always on a file system that supports O_DSYNC: the active segment is opened with it. */
  private readonly dsync: boolean;

  private constructor(options: SegmentShardLogOptions) {
    this.opts = options;
    this.name = options.name;
    this.dir = options.dir;
    this.logger = options.logger.child({ shardLog: options.name });
    this.sfs = options.fs;
    this.tail = new TailCache(Math.max(0, options.tailCacheBytes ?? DEFAULT_TAIL_CACHE_BYTES), options.tailCacheBudget);
    this.dsync = options.fsync.mode === 'always' && options.fs.supportsDsync === true && dsyncFlags(false) !== undefined;
  }

  /** Create the files of a new, empty log in `dir` (which must exist and be empty). */
  static async initialise(dir: string, fs: SegmentFs): Promise<void> {
    const fd = await fs.open(join(dir, segmentFileName(0, 'log')), 'wx');
    await fs.fsync(fd);
    await fs.close(fd);
  }

  /** Open an existing log directory, recovering its tail and indexes. */
  static async open(options: SegmentShardLogOptions): Promise<SegmentShardLog> {
    const log = new SegmentShardLog(options);
    try {
      await log.recover();
    } catch (err) {
      await log.closeFiles();
      if (err instanceof StorageError) throw err;
      throw ioError(`cannot open shard log ${options.name} in ${options.dir}`, err);
    }
    return log;
  }

  // ---------------------------------------------------------------------------------------------
  // Appends: the writer queue

  append(records: readonly AppendRecord[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.sealed || this.sealing) return Promise.reject(new StorageError(StorageErrorCode.SEALED, `shard log ${this.name} is sealed`));
    let bytes = 0;
    try {
      for (let i = 0; i < records.length; i++) bytes += frameBytes(records[i]);
    } catch (err) {
      return Promise.reject(err);
    }
    if (records.length === 0) {
      const now = this.opts.clock.now();
      return Promise.resolve({ firstOffset: this.end, arrivalMs: this.lastArrival !== undefined && this.lastArrival > now ? this.lastArrival : now });
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ records, packed: undefined, count: records.length, bytes, control: undefined, resolve, reject });
      if (this.draining === undefined) this.draining = this.drain();
    });
  }

  appendPacked(batch: PackedAppend): Promise<AppendResult> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.sealed || this.sealing) return Promise.reject(new StorageError(StorageErrorCode.SEALED, `shard log ${this.name} is sealed`));
    const indexes = batch.indexes;
    if (indexes.length === 0) return this.append([]);
    let bytes = 0;
    for (let j = 0; j < indexes.length; j++) bytes += packedFrameBytes(batch, indexes[j]);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ records: undefined, packed: batch, count: indexes.length, bytes, control: undefined, resolve, reject });
      if (this.draining === undefined) this.draining = this.drain();
    });
  }

  /** Run `task` on the writer path, after every append queued before it. */
  private enqueueControl(task: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ records: undefined, packed: undefined, count: 0, bytes: 0, control: task, resolve: () => resolve(), reject });
      if (this.draining === undefined) this.draining = this.drain();
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const first = this.queue[0];
        if (first.control !== undefined) {
          this.queue.shift();
          try {
            await first.control();
            first.resolve({ firstOffset: this.end, arrivalMs: 0 });
          } catch (err) {
            first.reject(err);
          }
          continue;
        }
        let active = this.active();
        if (active.size > 0 && active.size + first.bytes > this.opts.segmentBytes) {
          try {
            await this.roll();
          } catch (err) {
            this.queue.shift();
            first.reject(ioError(`shard log ${this.name}: cannot roll to a new segment`, err));
            continue;
          }
          active = this.active();
        }
        // Form the group: consecutive appends that fit in the segment and the group limit.
        let n = 1;
        let groupBytes = first.bytes;
        while (n < this.queue.length) {
          const next = this.queue[n];
          if (next.control !== undefined) break;
          const total = groupBytes + next.bytes;
          if (total > MAX_GROUP_BYTES || active.size + total > this.opts.segmentBytes) break;
          groupBytes = total;
          n++;
        }
        const group = this.queue.splice(0, n);
        await this.writeGroup(active, group, groupBytes);
      }
    } catch (err) {
      // writeGroup and control tasks report their own failures; anything here is a bug.
      this.logger.error('shard log writer failed', { err });
    } finally {
      this.draining = undefined;
    }
  }

  private async writeGroup(seg: Segment, group: PendingAppend[], groupBytes: number): Promise<void> {
    const pooled = this.opts.buffers.acquire(groupBytes);
    try {
      await this.writeGroupWith(pooled.subarray(0, groupBytes), seg, group, groupBytes);
    } finally {
      this.opts.buffers.release(pooled);
    }
  }

  private async writeGroupWith(buf: Buffer, seg: Segment, group: PendingAppend[], groupBytes: number): Promise<void> {
    const now = this.opts.clock.now();
    const arrivalMs = this.lastArrival !== undefined && this.lastArrival > now ? this.lastArrival : now;
    const basePos = seg.size;
    const newIndex = this.pendingIndex;
    newIndex.length = 0;
    let bytesSinceIndex = seg.bytesSinceIndex;
    let offset = this.end;
    let pos = 0;
    try {
      for (let g = 0; g < group.length; g++) {
        const { records, packed, count } = group[g];
        const last = count - 1;
        for (let i = 0; i <= last; i++) {
          if (basePos + pos === 0 || bytesSinceIndex >= INDEX_INTERVAL_BYTES) {
            newIndex.push(offset - seg.baseOffset, basePos + pos);
            bytesSinceIndex = 0;
          }
          const next =
            packed !== undefined
              ? writePackedFrame(buf, pos, packed, packed.indexes[i], offset, arrivalMs, i === last)
              : writeFrame(buf, pos, (records as readonly AppendRecord[])[i], offset, arrivalMs, i === last);
          bytesSinceIndex += next - pos;
          pos = next;
          offset++;
        }
      }
      if (pos !== groupBytes) throw new RangeError(`encoded ${pos} bytes, sized ${groupBytes}`);
    } catch (err) {
      // Only possible when a caller changed its records between append() and the write.
      const failure = new TypeError(`shard log ${this.name}: records changed while queued for append`, { cause: err });
      for (const item of group) item.reject(failure);
      return;
    }
    // Index entries of earlier groups go to their files while this group is written (never fails).
    const activeIndex = seg.index as SparseIndex;
    const indexFlush = activeIndex.count - activeIndex.flushed >= INDEX_FLUSH_ENTRIES ? this.flushIndex(seg) : undefined;
    try {
      if (this.needsTruncate) {
        await this.sfs.ftruncate(seg.fd as number, basePos);
        this.needsTruncate = false;
      }
      if (this.opts.fsync.mode !== 'always' && groupBytes <= MAX_SYNC_WRITE_BYTES && this.sfs.writeAllSync !== undefined) {
        // No fsync per group: the write only reaches the page cache, quicker done here than through
        // the I/O thread pool (whose round trip dominates the tail of small appends).
        this.sfs.writeAllSync(seg.fd as number, buf, basePos);
      } else {
        await this.sfs.writeAll(seg.fd as number, buf, basePos);
      }
      // Under O_DSYNC the write itself was durable.
      if (this.opts.fsync.mode === 'always' && !this.dsync) await this.sfs.fdatasync(seg.fd as number);
    } catch (err) {
      if (indexFlush !== undefined) await indexFlush;
      this.needsTruncate = true;
      await this.sfs.ftruncate(seg.fd as number, basePos).then(
        () => {
          this.needsTruncate = false;
        },
        (truncErr: unknown) => this.logger.error('cannot truncate after a failed write; will retry before the next write', { err: truncErr }),
      );
      const failure = ioError(`shard log ${this.name}: write failed`, err);
      this.logger.error('append failed', { err, segment: segmentFileName(seg.baseOffset, 'log'), position: basePos, bytes: groupBytes });
      for (const item of group) item.reject(failure);
      return;
    }
    // Commit: make the group visible, then acknowledge each batch in order.
    seg.size = basePos + groupBytes;
    seg.endOffset = offset;
    seg.bytesSinceIndex = bytesSinceIndex;
    for (let i = 0; i < newIndex.length; i += 2) activeIndex.add(newIndex[i], newIndex[i + 1], arrivalMs);
    if (seg.firstArrivalMs === undefined) seg.firstArrivalMs = arrivalMs;
    seg.lastArrivalMs = arrivalMs;
    if (this.tail.enabled) this.tail.add(buf, this.end, offset - this.end);
    let batchStart = this.end;
    this.end = offset;
    this.lastArrival = arrivalMs;
    if (this.opts.fsync.mode !== 'always') this.dirty = true;
    for (const item of group) {
      item.resolve({ firstOffset: batchStart, arrivalMs });
      batchStart += item.count;
      this.notify(batchStart);
    }
    if (indexFlush !== undefined) await indexFlush;
  }

  private notify(endOffset: number): void {
    for (const listener of this.listeners) {
      try {
        listener(endOffset);
      } catch (err) {
        // A subscriber's bug must not break the writer.
        this.logger.error('onAppend listener threw', { err });
      }
    }
  }

  /**
   * The index of `seg`: the active segment's is always in memory; an older segment's is read from its
   * index files on first use and kept while it is among the {@link MAX_LOADED_INDEXES} most recently used,
   * so memory stays bounded however much data the log retains. (Readers hold the object they got, so
   * dropping it from the segment never disturbs a read in progress.)
   */
  private async segmentIndex(seg: Segment): Promise<SparseIndex> {
    if (seg.index !== undefined) {
      if (seg !== this.active()) this.keepIndexLoaded(seg);
      return seg.index;
    }
    let index: SparseIndex | string;
    try {
      const [offsetFile, timeFile] = await Promise.all([readFile(seg.path('index')), readFile(seg.path('timeindex'))]);
      index = SparseIndex.parse(offsetFile, timeFile, Math.max(seg.size, 1));
    } catch (err) {
      index = `index files unreadable: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (typeof index === 'string' || (index.count > 0 && index.rel[0] !== 0)) {
      // Recovery left complete index files; if they went bad since, rebuild by scanning the segment.
      this.logger.warn('rebuilding segment index on read', { segment: segmentFileName(seg.baseOffset, 'log'), reason: typeof index === 'string' ? index : 'first entry' });
      const fd = await this.acquire(seg);
      if (fd === undefined) throw this.corrupt(seg, 0, seg.baseOffset, 'segment deleted while its index was rebuilt');
      try {
        const scan = await this.scan(seg, fd, seg.size, new SparseIndex(), -1);
        index = scan?.index ?? new SparseIndex();
      } finally {
        this.release(seg);
      }
    }
    if (index.count === 0) index.add(0, 0, seg.firstArrivalMs ?? 0);
    if (!seg.deleted) {
      seg.index = index;
      this.keepIndexLoaded(seg);
    }
    return index;
  }

  /** Segments whose index is in memory now, and all segments (diagnostics and tests). */
  indexStats(): { readonly loaded: number; readonly segments: number } {
    return { loaded: this.segments.filter((seg) => seg.index !== undefined).length, segments: this.segments.length };
  }

  /** Mark an older segment's loaded index as most recently used, dropping the least recently used beyond the limit. */
  private keepIndexLoaded(seg: Segment): void {
    const lru = this.loadedIndexes;
    const at = lru.indexOf(seg);
    if (at >= 0) lru.splice(at, 1);
    lru.push(seg);
    while (lru.length > MAX_LOADED_INDEXES) {
      const evicted = lru.shift() as Segment;
      if (evicted !== this.active()) evicted.index = undefined;
    }
  }

  /** Open flags of the active segment: 'w+' / 'r+', with O_DSYNC when {@link dsync}. */
  private activeFlags(create: boolean): string | number {
    return this.dsync ? (dsyncFlags(create) as number) : create ? 'w+' : 'r+';
  }

  private active(): Segment {
    return this.segments[this.segments.length - 1];
  }

  /** Start a new active segment at the current end offset. Runs on the writer path. */
  private async roll(): Promise<void> {
    const old = this.active();
    await this.flushIndex(old);
    if (this.opts.fsync.mode === 'interval' && this.dirty && old.fd !== undefined) {
      await this.sfs.fdatasync(old.fd);
      this.dirty = false;
    }
    const seg = new Segment(this.end, this.dir);
    // 'w+': a file already named by this base offset can only be an empty leftover of a failed roll.
    seg.fd = await this.sfs.open(seg.path('log'), this.activeFlags(true));
    try {
      await this.createIndexFiles(seg);
      if (this.opts.fsync.mode !== 'never') await fsyncDirectory(this.dir);
    } catch (err) {
      await this.closeSegmentFiles(seg);
      await unlink(seg.path('log')).catch(() => undefined); // an empty file; recovery copes if it stays
      throw err;
    }
    await this.closeIndexFds(old);
    this.keepIndexLoaded(old);
    this.segments.push(seg);
    this.logger.debug('rolled segment', { segment: segmentFileName(seg.baseOffset, 'log') });
  }

  private async createIndexFiles(seg: Segment): Promise<void> {
    seg.indexFd = await this.sfs.open(seg.path('index'), 'w');
    await this.sfs.writeAll(seg.indexFd, indexHeader('offset'), 0);
    seg.timeIndexFd = await this.sfs.open(seg.path('timeindex'), 'w');
    await this.sfs.writeAll(seg.timeIndexFd, indexHeader('time'), 0);
  }

  /** Write pending index entries (no fsync: indexes are rebuildable). Failures are logged, not fatal. */
  private async flushIndex(seg: Segment): Promise<void> {
    const index = seg.index;
    if (index === undefined) return; // not loaded: everything was flushed before it was dropped
    const from = index.flushed;
    const to = index.count;
    if (from >= to || seg.indexFd === undefined || seg.timeIndexFd === undefined) return;
    try {
      await this.sfs.writeAll(seg.indexFd, index.encodeOffsetEntries(from, to), INDEX_HEADER_BYTES + from * OFFSET_ENTRY_BYTES);
      await this.sfs.writeAll(seg.timeIndexFd, index.encodeTimeEntries(from, to), INDEX_HEADER_BYTES + from * TIME_ENTRY_BYTES);
      index.flushed = to;
    } catch (err) {
      this.logger.warn('cannot write index entries (they will be rebuilt on open)', { err, segment: segmentFileName(seg.baseOffset, 'log') });
    }
  }

  /** Interval policy: fsync the active segment if it has unsynced writes. Called by the store's timer. */
  async syncIfDirty(): Promise<void> {
    if (!this.dirty || this.closed) return;
    const seg = this.active();
    if (seg.fd === undefined) return;
    this.dirty = false;
    seg.users++;
    try {
      await this.sfs.fdatasync(seg.fd);
    } catch (err) {
      this.dirty = true;
      this.logger.error('periodic fsync failed', { err });
    } finally {
      this.release(seg);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  async read(fromOffset: number, options: ReadOptions): Promise<ReadResult> {
    this.assertOpen();
    const maxRecords = Math.max(1, Math.floor(options.maxRecords));
    let from = Math.max(Math.floor(fromOffset), this.start);
    if (options.minArrivalMs !== undefined && from < this.end) {
      const seg = this.segments[this.segmentIndexFor(from)];
      if (seg.firstArrivalMs === undefined || seg.firstArrivalMs < options.minArrivalMs) {
        const visible = await this.offsetAtTime(options.minArrivalMs);
        if (visible > from) from = visible;
      }
    }
    const cached = this.tail.read(from, maxRecords, options.maxBytes);
    if (cached !== undefined) return cached;
    const out: StoredRecord[] = [];
    const state = { offset: from, bytes: 0 };
    while (state.offset < this.end && out.length < maxRecords) {
      const seg = this.segments[this.segmentIndexFor(state.offset)];
      const before = state.offset;
      const status = await this.readSegment(seg, state, maxRecords, options.maxBytes, out);
      if (status === SegmentRead.DONE) break;
      if (state.offset === before) break; // no progress (deleted under us): return what we have
    }
    return { records: out, nextOffset: out.length > 0 ? out[out.length - 1].offset + 1 : from };
  }

  /** Binary search: the last segment whose base offset is ≤ `offset`. */
  private segmentIndexFor(offset: number): number {
    const segs = this.segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private corrupt(seg: Segment, position: number, offset: number, problem: string): StorageError {
    return new StorageError(
      StorageErrorCode.CORRUPT,
      `shard log ${this.name}: corrupt record frame in ${seg.path('log')} at byte ${position} (expected offset ${offset}): ${problem}`,
    );
  }

  /**
   * Read records from `state.offset` within `seg` into `out`. Returns DONE when a limit is reached;
   * MORE when the segment is exhausted (continue in the next one). Throws CORRUPT only when nothing
   * has been collected yet, so a read returns every good record before a bad one.
   */
  private async readSegment(
    seg: Segment,
    state: { offset: number; bytes: number },
    maxRecords: number,
    maxBytes: number,
    out: StoredRecord[],
  ): Promise<number> {
    const limitPos = seg.size;
    const segEnd = seg.endOffset;
    if (state.offset >= segEnd) {
      const next = this.segments[this.segments.indexOf(seg) + 1];
      if (next !== undefined && next.baseOffset > state.offset) {
        if (out.length > 0) return SegmentRead.DONE;
        throw this.corrupt(seg, limitPos, state.offset, `records ${segEnd}…${next.baseOffset - 1} are missing`);
      }
      return SegmentRead.MORE;
    }
    const index = await this.segmentIndex(seg);
    const entry = index.floorByRel(state.offset - seg.baseOffset);
    let pos = index.pos[entry];
    const entryOffset = seg.baseOffset + index.rel[entry];
    // First read: enough for the frames to skip plus what the limits allow (by the segment's average
    // frame size), between 16 KiB and 8 MiB. Frames cut at the end of a chunk are read again.
    const avg = limitPos / Math.max(1, segEnd - seg.baseOffset);
    const skipBytes = (state.offset - entryOffset) * avg;
    const wanted = Math.min(maxRecords - out.length, Math.ceil((maxBytes - state.bytes) / Math.max(1, avg - 32)) + 1) * avg;
    let chunk = Math.min(8 * 1024 * 1024, Math.max(16 * 1024, Math.ceil(skipBytes + wanted) + 4096));
    const fd = await this.acquire(seg);
    if (fd === undefined) return SegmentRead.DONE;
    try {
      while (pos < limitPos) {
        const buf = await readFully(this.sfs, fd, pos, Math.min(chunk, limitPos - pos));
        let q = 0;
        while (q < buf.length) {
          const length = checkFrame(buf, q, buf.length, true);
          if (length === FrameProblem.INCOMPLETE && pos + buf.length < limitPos) {
            // Frame continues past this chunk: read again from its start, big enough to hold it.
            if (buf.length - q >= 4) chunk = Math.max(chunk, buf.readUInt32LE(q) + 4096);
            else chunk = Math.max(chunk, 1024 * 1024);
            break;
          }
          if (typeof length !== 'number') {
            if (out.length > 0) return SegmentRead.DONE;
            throw this.corrupt(seg, pos + q, state.offset, length);
          }
          const off = frameOffset(buf, q);
          if (off < state.offset && off >= entryOffset) {
            q += length;
            continue;
          }
          if (off !== state.offset) {
            if (out.length > 0) return SegmentRead.DONE;
            throw this.corrupt(seg, pos + q, state.offset, `found offset ${off}`);
          }
          const dataLength = frameDataLength(buf, q, length);
          if (out.length > 0 && state.bytes + dataLength > maxBytes) return SegmentRead.DONE;
          out.push(decodeFrame(buf, q, length));
          state.bytes += dataLength;
          state.offset++;
          q += length;
          if (out.length >= maxRecords) return SegmentRead.DONE;
          if (state.offset >= segEnd) return SegmentRead.MORE;
        }
        if (q === 0 && buf.length === 0) break;
        pos += q;
        if (q === 0) chunk = Math.max(chunk * 2, 1024 * 1024);
      }
    } catch (err) {
      if (err instanceof StorageError) throw err;
      if (out.length > 0) return SegmentRead.DONE;
      throw ioError(`shard log ${this.name}: read failed`, err);
    } finally {
      this.release(seg);
    }
    if (state.offset < segEnd) {
      if (out.length > 0) return SegmentRead.DONE;
      throw this.corrupt(seg, pos, state.offset, 'segment ends before its last record');
    }
    return SegmentRead.MORE;
  }

  /** The segment's fd (opened on first use), counted as in use; undefined when the segment was deleted. */
  private async acquire(seg: Segment): Promise<number | undefined> {
    if (seg.deleted) return undefined;
    seg.users++;
    if (seg.fd !== undefined) return seg.fd;
    try {
      if (seg.fdOpening === undefined) {
        seg.fdOpening = this.sfs.open(seg.path('log'), 'r');
      }
      const fd = await seg.fdOpening;
      seg.fd = fd;
      seg.fdOpening = undefined;
      return fd;
    } catch (err) {
      seg.fdOpening = undefined;
      this.release(seg);
      throw err;
    }
  }

  private release(seg: Segment): void {
    seg.users--;
    if (seg.users === 0 && (seg.deleted || this.closed) && seg.fd !== undefined) {
      const fd = seg.fd;
      seg.fd = undefined;
      this.sfs.close(fd).catch((err: unknown) => this.logger.warn('close failed', { err }));
    }
  }

  async offsetAtTime(timestampMs: number): Promise<number> {
    this.assertOpen();
    const segs = this.segments;
    // First segment (from the one holding the start offset) whose last arrival is ≥ timestampMs.
    let lo = this.segmentIndexFor(this.start);
    let hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const last = segs[mid].lastArrivalMs;
      if (last === undefined || last < timestampMs) lo = mid + 1;
      else hi = mid;
    }
    if (lo >= segs.length) return this.end;
    const seg = segs[lo];
    let found: number;
    if ((seg.firstArrivalMs as number) >= timestampMs) {
      found = seg.baseOffset;
    } else {
      const index = await this.segmentIndex(seg);
      const i = index.lastBeforeTime(timestampMs);
      const fromPos = index.pos[i];
      const hasNext = i + 1 < index.count;
      const toPos = hasNext ? index.pos[i + 1] : seg.size;
      found = hasNext ? seg.baseOffset + index.rel[i + 1] : seg.endOffset;
      const fd = await this.acquire(seg);
      if (fd !== undefined) {
        try {
          const buf = await readFully(this.sfs, fd, fromPos, toPos - fromPos);
          let q = 0;
          while (q < buf.length) {
            const length = checkFrame(buf, q, buf.length, true);
            if (typeof length !== 'number') throw this.corrupt(seg, fromPos + q, seg.baseOffset + index.rel[i], length);
            if (frameArrivalMs(buf, q) >= timestampMs) {
              found = frameOffset(buf, q);
              break;
            }
            q += length;
          }
        } catch (err) {
          if (err instanceof StorageError) throw err;
          throw ioError(`shard log ${this.name}: read failed`, err);
        } finally {
          this.release(seg);
        }
      }
    }
    return Math.max(found, this.start);
  }

  startOffset(): number {
    return this.start;
  }

  endOffset(): number {
    return this.end;
  }

  lastArrivalMs(): number | undefined {
    return this.lastArrival;
  }

  isSealed(): boolean {
    return this.sealed;
  }

  async seal(): Promise<void> {
    this.assertOpen();
    if (this.sealed) return;
    this.sealing = true;
    try {
      await this.enqueueControl(async () => {
        if (this.sealed) return;
        await writeFileDurable(join(this.dir, SEALED_MARKER), `sealed at offset ${this.end}\n`);
        this.sealed = true;
      });
    } catch (err) {
      this.sealing = false;
      if (err instanceof StorageError) throw err;
      throw ioError(`shard log ${this.name}: cannot write the seal marker`, err);
    }
  }

  async trimBefore(horizonMs: number): Promise<void> {
    this.assertOpen();
    try {
      await this.enqueueControl(async () => {
        const cut = await this.offsetAtTime(horizonMs);
        if (cut <= this.start) return;
        // Durable first: after a crash the marker still hides what the API already hid.
        await writeFileDurable(join(this.dir, START_MARKER), `${cut}\n`);
        this.start = cut;
        // Everything is older than the horizon: start a fresh segment so the old one can go too.
        if (cut >= this.end && this.active().size > 0) await this.roll();
        while (this.segments.length > 1 && this.segments[1].baseOffset <= cut) {
          const seg = this.segments.shift() as Segment;
          await this.deleteSegment(seg);
        }
      });
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw ioError(`shard log ${this.name}: retention failed`, err);
    }
  }

  private async deleteSegment(seg: Segment): Promise<void> {
    seg.deleted = true;
    const loaded = this.loadedIndexes.indexOf(seg);
    if (loaded >= 0) this.loadedIndexes.splice(loaded, 1);
    seg.index = undefined;
    await this.closeIndexFds(seg);
    if (seg.users === 0 && seg.fd !== undefined) {
      const fd = seg.fd;
      seg.fd = undefined;
      await this.sfs.close(fd);
    }
    for (const ext of ['log', 'index', 'timeindex'] as const) {
      await unlink(seg.path(ext)).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    }
    this.logger.info('retention deleted segment', { segment: segmentFileName(seg.baseOffset, 'log'), endOffset: seg.endOffset });
  }

  onAppend(listener: (endOffset: number) => void): () => void {
    const wrapped = (end: number): void => listener(end);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  /** Finish queued work, write pending index entries, fsync unsynced data, close files. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.draining !== undefined) await this.draining;
    this.listeners.clear();
    this.tail.dispose();
    const active = this.active();
    if (active !== undefined) {
      await this.flushIndex(active);
      if (this.dirty && active.fd !== undefined) {
        await this.sfs.fdatasync(active.fd).catch((err: unknown) => this.logger.error('fsync at close failed', { err }));
        this.dirty = false;
      }
    }
    await this.closeFiles();
  }

  private async closeFiles(): Promise<void> {
    for (const seg of this.segments) await this.closeSegmentFiles(seg);
  }

  private async closeSegmentFiles(seg: Segment): Promise<void> {
    await this.closeIndexFds(seg);
    if (seg.fd !== undefined && seg.users === 0) {
      const fd = seg.fd;
      seg.fd = undefined;
      await this.sfs.close(fd).catch((err: unknown) => this.logger.warn('close failed', { err }));
    }
  }

  private async closeIndexFds(seg: Segment): Promise<void> {
    for (const fd of [seg.indexFd, seg.timeIndexFd]) {
      if (fd !== undefined) await this.sfs.close(fd).catch((err: unknown) => this.logger.warn('close failed', { err }));
    }
    seg.indexFd = undefined;
    seg.timeIndexFd = undefined;
  }

  private assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  private closedError(): StorageError {
    return new StorageError(StorageErrorCode.CLOSED, `shard log ${this.name} is closed`);
  }

  // ---------------------------------------------------------------------------------------------
  // Recovery

  private async recover(): Promise<void> {
    const entries = await readdir(this.dir);
    const bases: number[] = [];
    for (const entry of entries) {
      if (entry.endsWith(TEMP_SUFFIX)) {
        await rm(join(this.dir, entry), { force: true });
        this.logger.warn('removed leftover temp file', { file: entry });
        continue;
      }
      const m = SEGMENT_NAME.exec(entry);
      if (m) bases.push(Number(m[1]));
    }
    bases.sort((a, b) => a - b);
    this.sealed = entries.includes(SEALED_MARKER);
    let startMarker = 0;
    if (entries.includes(START_MARKER)) {
      const text = (await readFile(join(this.dir, START_MARKER), 'utf8')).trim();
      if (!/^\d+$/.test(text)) {
        throw new StorageError(StorageErrorCode.CORRUPT, `shard log ${this.name}: ${join(this.dir, START_MARKER)} holds ${JSON.stringify(text)}, not an offset`);
      }
      startMarker = Number(text);
    }
    if (bases.length === 0) {
      // Every segment gone (deleted by hand?): start an empty one where the retained range began.
      const fd = await this.sfs.open(join(this.dir, segmentFileName(startMarker, 'log')), 'wx');
      await this.sfs.close(fd);
      bases.push(startMarker);
      this.logger.warn('no segment files found; created an empty segment', { baseOffset: startMarker });
    }
    for (let i = 0; i < bases.length; i++) {
      const seg = new Segment(bases[i], this.dir);
      this.segments.push(seg);
      await this.recoverSegment(seg, i === bases.length - 1 ? undefined : bases[i + 1]);
    }
    const active = this.active();
    if (active.fd === undefined) active.fd = await this.sfs.open(active.path('log'), this.activeFlags(false));
    if (active.indexFd === undefined) {
      active.indexFd = await this.sfs.open(active.path('index'), 'r+');
      active.timeIndexFd = await this.sfs.open(active.path('timeindex'), 'r+');
    }
    this.end = active.endOffset;
    for (let i = this.segments.length - 1; i >= 0 && this.lastArrival === undefined; i--) this.lastArrival = this.segments[i].lastArrivalMs;
    this.start = Math.min(Math.max(startMarker, this.segments[0].baseOffset), this.end);
  }

  /**
   * Load a segment's indexes and check its tail. `nextBase` is undefined for the active (last)
   * segment, whose torn tail is truncated; an older segment is never truncated (its problems are
   * reported, and reads stop there with CORRUPT).
   */
  private async recoverSegment(seg: Segment, nextBase: number | undefined): Promise<void> {
    const isActive = nextBase === undefined;
    const segmentName = segmentFileName(seg.baseOffset, 'log');
    const fd = await this.sfs.open(seg.path('log'), isActive ? this.activeFlags(false) : 'r');
    seg.fd = fd;
    const fileBytes = await this.sfs.fileSize(fd);
    let index: SparseIndex | string;
    let onDisk = { offset: -1, time: -1 };
    try {
      const [offsetFile, timeFile] = await Promise.all([readFile(seg.path('index')), readFile(seg.path('timeindex'))]);
      onDisk = { offset: offsetFile.length, time: timeFile.length };
      index = SparseIndex.parse(offsetFile, timeFile, Math.max(fileBytes, 1));
    } catch (err) {
      if (!isNotFound(err)) throw err;
      index = 'index file missing';
    }
    let scan: ScanResult | undefined;
    if (typeof index !== 'string' && index.count > 0) {
      scan = await this.scan(seg, fd, fileBytes, index, index.count - 1);
      if (scan === undefined) index = 'last index entry does not point at a complete batch';
    }
    if (scan === undefined) {
      if (typeof index === 'string' && fileBytes > 0) this.logger.warn('rebuilding segment index', { segment: segmentName, reason: index });
      index = new SparseIndex();
      scan = (await this.scan(seg, fd, fileBytes, index, -1)) as ScanResult;
    }
    // Adopt the scan result.
    seg.index = scan.index;
    seg.size = scan.validEnd;
    seg.endOffset = scan.endOffset;
    seg.firstArrivalMs = scan.index.count > 0 ? scan.index.time[0] : undefined;
    seg.lastArrivalMs = scan.lastArrivalMs;
    seg.bytesSinceIndex = scan.bytesSinceIndex;
    for (const c of scan.corruptions) {
      this.logger.error('corrupt record frame inside a segment; reads stop there with CORRUPT', {
        segment: segmentName,
        position: c.position,
        offset: c.offset,
        problem: c.problem,
      });
    }
    if (scan.validEnd < fileBytes) {
      if (isActive) {
        await this.sfs.ftruncate(fd, scan.validEnd);
        await this.sfs.fsync(fd);
        this.logger.warn('truncated torn tail of the active segment', {
          segment: segmentName,
          fromBytes: fileBytes,
          toBytes: scan.validEnd,
          removedBytes: fileBytes - scan.validEnd,
          endOffset: scan.endOffset,
          reason: scan.tailProblem,
        });
      } else {
        this.logger.error('segment has an invalid tail; it is not the active segment, so nothing is truncated', {
          segment: segmentName,
          position: scan.validEnd,
          fileBytes,
          reason: scan.tailProblem,
        });
      }
    }
    if (nextBase !== undefined && seg.endOffset !== nextBase) {
      this.logger.error('segment does not end where the next one begins', { segment: segmentName, endOffset: seg.endOffset, nextBaseOffset: nextBase });
    }
    // Rewrite the index files when they do not hold exactly the recovered entries.
    const adopted = scan.index;
    const expectedOffsetBytes = INDEX_HEADER_BYTES + adopted.flushed * OFFSET_ENTRY_BYTES;
    const expectedTimeBytes = INDEX_HEADER_BYTES + adopted.flushed * TIME_ENTRY_BYTES;
    const needsRewrite = onDisk.offset !== expectedOffsetBytes || onDisk.time !== expectedTimeBytes || adopted.flushed < adopted.count;
    if (needsRewrite) {
      await writeFileDurable(seg.path('index'), Buffer.concat([indexHeader('offset'), adopted.encodeOffsetEntries(0, adopted.count)]), false);
      await writeFileDurable(seg.path('timeindex'), Buffer.concat([indexHeader('time'), adopted.encodeTimeEntries(0, adopted.count)]), false);
      adopted.flushed = adopted.count;
      if (onDisk.offset >= 0) this.logger.debug('rewrote segment index', { segment: segmentName, entries: adopted.count });
    }
    if (!isActive) {
      await this.sfs.close(fd);
      seg.fd = undefined;
      // Its index is complete on disk: load it again when a read needs it.
      seg.index = undefined;
    }
  }

  /**
   * Walk the frames of a segment from index entry `fromEntry` (-1: from byte 0), validating each
   * (CRC, offsets in sequence), extending a copy of the index, and ending at the last complete batch.
   * A bad frame followed by a valid one is a corruption in the middle (recorded, skipped); a bad
   * frame with nothing valid after it is a torn tail. Returns undefined when starting from an index
   * entry and that entry turns out not to be trustworthy (the caller rescans from byte 0).
   */
  private async scan(seg: Segment, fd: number, fileBytes: number, loaded: SparseIndex, fromEntry: number): Promise<ScanResult | undefined> {
    const startPos = fromEntry < 0 ? 0 : loaded.pos[fromEntry];
    const buf = await readFully(this.sfs, fd, startPos, fileBytes - startPos);
    const index = new SparseIndex();
    for (let i = 0; i <= fromEntry; i++) index.add(loaded.rel[i], loaded.pos[i], loaded.time[i]);
    index.flushed = Math.min(loaded.flushed, index.count);
    let expected = fromEntry < 0 ? seg.baseOffset : seg.baseOffset + loaded.rel[fromEntry];
    let bytesSinceIndex = 0;
    // State at the last batch boundary.
    let good = { pos: startPos, offset: expected, indexCount: index.count, bytesSinceIndex: 0, lastArrival: undefined as number | undefined };
    const corruptions: { position: number; offset: number; problem: string }[] = [];
    let tailProblem = '';
    let q = 0;
    let forceIndex = false;
    while (q < buf.length) {
      const length = checkFrame(buf, q, buf.length, true);
      let problem: string | undefined;
      if (typeof length !== 'number') problem = length;
      else if (frameOffset(buf, q) !== expected) problem = `offset ${frameOffset(buf, q)} where ${expected} was expected`;
      if (problem !== undefined) {
        if (fromEntry >= 0 && q === 0) return undefined;
        const next = findNextValidFrame(buf, q, buf.length, expected);
        if (next < 0) {
          tailProblem = problem;
          break;
        }
        corruptions.push({ position: startPos + q, offset: expected, problem });
        expected = frameOffset(buf, next);
        q = next;
        forceIndex = true;
        continue;
      }
      const len = length as number;
      const filePos = startPos + q;
      const arrival = frameArrivalMs(buf, q);
      const atLoadedEntry = fromEntry >= 0 && q === 0; // already in the index
      if (!atLoadedEntry && (filePos === 0 || forceIndex || bytesSinceIndex >= INDEX_INTERVAL_BYTES)) {
        index.add(expected - seg.baseOffset, filePos, arrival);
        bytesSinceIndex = 0;
        forceIndex = false;
      }
      bytesSinceIndex += len;
      expected++;
      q += len;
      if (frameEndsBatch(buf, q - len)) {
        good = { pos: startPos + q, offset: expected, indexCount: index.count, bytesSinceIndex, lastArrival: arrival };
      }
    }
    if (q >= buf.length && good.pos < fileBytes) tailProblem = tailProblem || 'incomplete batch at the end';
    if (fromEntry >= 0 && good.lastArrival === undefined) return undefined; // no complete batch after the entry
    index.truncate(good.indexCount);
    return {
      index,
      validEnd: good.pos,
      endOffset: good.offset,
      lastArrivalMs: good.lastArrival,
      bytesSinceIndex: good.bytesSinceIndex,
      corruptions,
      tailProblem,
    };
  }
}

interface ScanResult {
  readonly index: SparseIndex;
  readonly validEnd: number;
  readonly endOffset: number;
  readonly lastArrivalMs: number | undefined;
  readonly bytesSinceIndex: number;
  readonly corruptions: readonly { position: number; offset: number; problem: string }[];
  readonly tailProblem: string;
}
