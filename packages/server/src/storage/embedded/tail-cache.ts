/**
 * Tail cache of one shard log: the frames of the most recently committed groups, copied into a ring
 * buffer, so that reads at the tail (consumers that keep up, every SubscribeToShard subscriber) need no
 * file read.
 *
 * Writing costs one memory copy per group (no object per record); the records are decoded when they
 * are read. Reads copy what they return out of the ring, because the ring is overwritten as new
 * groups arrive while a reader may hold its records for as long as it likes.
 *
 * Invariant: the cached groups are contiguous by offset and end at the log's end offset, or the cache
 * is empty. A group larger than the ring empties the cache (reads then go to the files).
 */
import type { ReadResult, StoredRecord } from '../contract.js';
import { FRAME_HEADER_BYTES, decodeFrame } from './frame.js';

interface CachedGroup {
  /** Offset of the group's first record. */
  readonly first: number;
  readonly count: number;
  /** Position of the group's first frame in the ring. */
  readonly pos: number;
  readonly bytes: number;
}

export class TailCache {
  private ring: Buffer | undefined;
  private writePos = 0;
  private groups: CachedGroup[] = [];
  private head = 0;

  /** `capacity` bytes of frames at most (0 disables the cache). */
  constructor(private readonly capacity: number) {}

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Add a committed group: `frames` holds `count` frames, the first at offset `first`. */
  add(frames: Buffer, first: number, count: number): void {
    const bytes = frames.length;
    if (bytes > this.capacity) {
      this.clear();
      return;
    }
    const last = this.groups.length > this.head ? this.groups[this.groups.length - 1] : undefined;
    if (last !== undefined && last.first + last.count !== first) this.clear();
    this.ring ??= Buffer.allocUnsafeSlow(this.capacity);
    if (this.writePos + bytes > this.capacity) {
      // Wrap. Groups of the lap before that still sit past the write position are the oldest: drop them.
      const wrapFrom = this.writePos;
      while (this.head < this.groups.length && this.groups[this.head].pos >= wrapFrom) this.head++;
      this.writePos = 0;
    }
    const start = this.writePos;
    const end = start + bytes;
    // Evict the oldest groups that the new bytes overwrite (in ring order they follow the write position).
    while (this.head < this.groups.length) {
      const g = this.groups[this.head];
      if (g.pos < end && g.pos + g.bytes > start) this.head++;
      else break;
    }
    frames.copy(this.ring, start);
    this.groups.push({ first, count, pos: start, bytes });
    this.writePos = end;
    if (this.head > 1024 && this.head * 2 > this.groups.length) {
      this.groups = this.groups.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.groups = [];
    this.head = 0;
    this.writePos = 0;
  }

  /** Release the ring's memory. */
  dispose(): void {
    this.clear();
    this.ring = undefined;
  }

  /**
   * Records from offset `from`, within the limits of a read (the first record is always returned), or
   * undefined when the cache does not hold `from`.
   */
  read(from: number, maxRecords: number, maxBytes: number): ReadResult | undefined {
    const ring = this.ring;
    const groups = this.groups;
    if (ring === undefined || this.head >= groups.length) return undefined;
    const lastGroup = groups[groups.length - 1];
    if (from < groups[this.head].first || from >= lastGroup.first + lastGroup.count) return undefined;
    // The group holding `from`: binary search over first offsets.
    let lo = this.head;
    let hi = groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (groups[mid].first <= from) lo = mid;
      else hi = mid - 1;
    }
    // Pass 1: which frames to return, as ring spans (one per group touched).
    const spans: number[] = [];
    let total = 0;
    let count = 0;
    let dataBytes = 0;
    let pos = groups[lo].pos;
    for (let skip = from - groups[lo].first; skip > 0; skip--) pos += ring.readUInt32LE(pos);
    let offsetInGroup = from - groups[lo].first;
    outer: for (let g = lo; g < groups.length; g++) {
      const group = groups[g];
      if (g > lo) {
        pos = group.pos;
        offsetInGroup = 0;
      }
      const spanStart = pos;
      for (; offsetInGroup < group.count; offsetInGroup++) {
        const length = ring.readUInt32LE(pos);
        const data = length - FRAME_HEADER_BYTES - ring[pos + 29] - ring.readUInt16LE(pos + 30);
        if (count > 0 && (count >= maxRecords || dataBytes + data > maxBytes)) {
          if (pos > spanStart) spans.push(spanStart, pos);
          break outer;
        }
        count++;
        dataBytes += data;
        pos += length;
      }
      spans.push(spanStart, pos);
      if (count >= maxRecords) break;
    }
    for (let i = 0; i < spans.length; i += 2) total += spans[i + 1] - spans[i];
    // Pass 2: copy the frames out and decode them from the copy.
    const copy = Buffer.allocUnsafe(total);
    let at = 0;
    for (let i = 0; i < spans.length; i += 2) at += ring.copy(copy, at, spans[i], spans[i + 1]);
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
