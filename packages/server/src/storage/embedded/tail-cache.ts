/**
 * Tail cache of one shard log: the frames of the most recently committed groups, copied into memory, so
 * that reads at the tail (consumers that keep up, every SubscribeToShard subscriber) need no file read.
 *
 * The frames sit in a queue of fixed-size pages drawn from a {@link TailCacheBudget} that all the logs of
 * a store share (see ./tail-cache-budget.ts for the eviction policy). Logically the cache is one byte
 * stream: a group's frames are written at the stream's end and may straddle pages; dropping the oldest
 * page drops every group that starts in it. A log holds at most `ceil(capacity / pageBytes) + 1` pages,
 * so any group of up to `capacity` bytes fits; past that it recycles its own oldest page, like a ring.
 *
 * Writing costs one memory copy per group (no object per record, no allocation once the pages exist);
 * the records are decoded when they are read. Reads copy what they return out of the pages, because a
 * page is overwritten (by this log or, once evicted, by another) while a reader may hold its records for
 * as long as it likes. Everything here is synchronous, so a page cannot change during a read.
 *
 * Invariant: the cached groups are contiguous by offset, in bytes, and end at the log's end offset, or
 * the cache is empty. A group larger than the cache empties it (reads then go to the files).
 */
import type { ReadResult, StoredRecord } from '../contract.js';
import { FRAME_HEADER_BYTES, decodeFrame } from './frame.js';
import type { TailCacheBudgetMember } from './tail-cache-budget.js';
import { TailCacheBudget, tailCachePageBytes } from './tail-cache-budget.js';

interface CachedGroup {
  /** Offset of the group's first record. */
  readonly first: number;
  readonly count: number;
  /** Position of the group's first frame in the cache's byte stream. */
  readonly pos: number;
  readonly bytes: number;
}

export class TailCache implements TailCacheBudgetMember {
  private readonly budget: TailCacheBudget;
  private readonly pageBytes: number;
  private readonly pageShift: number;
  private readonly pageMask: number;
  /** Pages this cache may hold. */
  private readonly maxPages: number;
  /** Largest group this cache takes (any larger empties it). */
  private readonly maxGroupBytes: number;
  /** Held pages, oldest first; page i holds stream bytes [baseByte + i·pageBytes, … + pageBytes). */
  private pages: Buffer[] = [];
  private baseByte = 0;
  /** Stream position where the next group goes. */
  private writePos = 0;
  private groups: CachedGroup[] = [];
  private head = 0;
  private disposed = false;
  lruPrev: TailCacheBudgetMember | undefined;
  lruNext: TailCacheBudgetMember | undefined;
  lruLinked = false;

  /**
   * `capacity` bytes of frames at most (0 disables the cache), in pages of `budget` (shared with other
   * caches). Without a budget the cache has one of its own, just large enough for `capacity`.
   */
  constructor(capacity: number, budget?: TailCacheBudget) {
    const cap = Math.max(0, Math.floor(capacity));
    if (budget === undefined) {
      const pageBytes = tailCachePageBytes(cap);
      budget = new TailCacheBudget(cap === 0 ? 0 : (Math.ceil(cap / pageBytes) + 1) * pageBytes, pageBytes);
    }
    this.budget = budget;
    this.pageBytes = budget.pageBytes;
    this.pageShift = Math.log2(budget.pageBytes);
    this.pageMask = budget.pageBytes - 1;
    this.maxPages = cap === 0 ? 0 : Math.min(budget.maxPages, Math.ceil(cap / this.pageBytes) + 1);
    // A group of n bytes spans at most ceil(n / pageBytes) + 1 pages (it may start anywhere in a page).
    this.maxGroupBytes = this.maxPages < 2 ? 0 : Math.min(cap, (this.maxPages - 1) * this.pageBytes);
  }

  get enabled(): boolean {
    return this.maxGroupBytes > 0 && !this.disposed;
  }

  /** Bytes of pages this cache holds (charged to its budget). */
  get heldBytes(): number {
    return this.pages.length * this.pageBytes;
  }

  /** Add a committed group: `frames` holds `count` frames, the first at offset `first`. */
  add(frames: Buffer, first: number, count: number): void {
    const bytes = frames.length;
    if (bytes > this.maxGroupBytes || this.disposed) {
      this.clear();
      return;
    }
    if (this.head < this.groups.length) {
      const last = this.groups[this.groups.length - 1];
      if (last.first + last.count !== first) this.clear();
    }
    // Most recently used first, so that the pages needed below come from other logs while they have any.
    if (this.lruLinked) this.budget.touch(this);
    const pageBytes = this.pageBytes;
    // Pages up to the group's end. Each turn moves the end of the held pages one page on (evicting our
    // own oldest page can empty the cache, which restarts the stream at 0 — the test is re-evaluated).
    while (this.baseByte + this.pages.length * pageBytes < this.writePos + bytes) {
      const page = this.pages.length >= this.maxPages ? this.evictOldestPage() : this.budget.acquire();
      if (page === undefined) {
        this.clear();
        return;
      }
      this.pages.push(page);
      if (!this.lruLinked) this.budget.touch(this);
    }
    const start = this.writePos;
    let rel = start - this.baseByte;
    let copied = 0;
    while (copied < bytes) {
      const inPage = rel & this.pageMask;
      const n = Math.min(pageBytes - inPage, bytes - copied);
      frames.copy(this.pages[rel >>> this.pageShift], inPage, copied, copied + n);
      copied += n;
      rel += n;
    }
    this.groups.push({ first, count, pos: start, bytes });
    this.writePos = start + bytes;
    if (this.head > 1024 && this.head * 2 > this.groups.length) {
      this.groups = this.groups.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Drop the oldest page and every group that starts in it; return the page (to be reused by this cache
   * or by the budget for another). Called by {@link add} and by the budget; the cache holds ≥ 1 page.
   */
  evictOldestPage(): Buffer {
    const page = this.pages.shift() as Buffer;
    this.baseByte += this.pageBytes;
    if (this.pages.length === 0) {
      this.budget.unlink(this);
      this.reset();
    } else {
      while (this.head < this.groups.length && this.groups[this.head].pos < this.baseByte) this.head++;
    }
    return page;
  }

  /** Drop everything and return the pages to the budget. */
  clear(): void {
    for (const page of this.pages) this.budget.release(page);
    this.budget.unlink(this);
    this.reset();
  }

  private reset(): void {
    this.pages = [];
    this.groups = [];
    this.head = 0;
    this.baseByte = 0;
    this.writePos = 0;
  }

  /** Return the memory to the budget; the cache takes nothing afterwards. */
  dispose(): void {
    this.clear();
    this.disposed = true;
  }

  private u8(pos: number): number {
    const rel = pos - this.baseByte;
    return this.pages[rel >>> this.pageShift][rel & this.pageMask];
  }

  private u16(pos: number): number {
    const rel = pos - this.baseByte;
    const inPage = rel & this.pageMask;
    if (inPage + 2 <= this.pageBytes) return this.pages[rel >>> this.pageShift].readUInt16LE(inPage);
    return this.u8(pos) | (this.u8(pos + 1) << 8);
  }

  private u32(pos: number): number {
    const rel = pos - this.baseByte;
    const inPage = rel & this.pageMask;
    if (inPage + 4 <= this.pageBytes) return this.pages[rel >>> this.pageShift].readUInt32LE(inPage);
    return this.u8(pos) + this.u8(pos + 1) * 0x100 + this.u8(pos + 2) * 0x10000 + this.u8(pos + 3) * 0x1000000;
  }

  /**
   * Records from offset `from`, within the limits of a read (the first record is always returned), or
   * undefined when the cache does not hold `from`.
   */
  read(from: number, maxRecords: number, maxBytes: number): ReadResult | undefined {
    const groups = this.groups;
    if (this.head >= groups.length) return undefined;
    const lastGroup = groups[groups.length - 1];
    const endOffset = lastGroup.first + lastGroup.count;
    if (from < groups[this.head].first || from >= endOffset) return undefined;
    // The group holding `from`: binary search over first offsets.
    let lo = this.head;
    let hi = groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (groups[mid].first <= from) lo = mid;
      else hi = mid - 1;
    }
    // Pass 1: which frames to return. The held groups are contiguous in the stream, so they are one span.
    let pos = groups[lo].pos;
    for (let skip = from - groups[lo].first; skip > 0; skip--) pos += this.u32(pos);
    const start = pos;
    const available = endOffset - from;
    let count = 0;
    let dataBytes = 0;
    while (count < available) {
      const length = this.u32(pos);
      const data = length - FRAME_HEADER_BYTES - this.u8(pos + 29) - this.u16(pos + 30);
      if (count > 0 && (count >= maxRecords || dataBytes + data > maxBytes)) break;
      count++;
      dataBytes += data;
      pos += length;
    }
    // Pass 2: copy the frames out and decode them from the copy.
    const total = pos - start;
    const copy = Buffer.allocUnsafe(total);
    let rel = start - this.baseByte;
    for (let at = 0; at < total; ) {
      const inPage = rel & this.pageMask;
      const n = Math.min(this.pageBytes - inPage, total - at);
      this.pages[rel >>> this.pageShift].copy(copy, at, inPage, inPage + n);
      at += n;
      rel += n;
    }
    const records: StoredRecord[] = new Array<StoredRecord>(count);
    let p = 0;
    for (let i = 0; i < count; i++) {
      const length = copy.readUInt32LE(p);
      records[i] = decodeFrame(copy, p, length);
      p += length;
    }
    return { records, nextOffset: from + count };
  }
}
