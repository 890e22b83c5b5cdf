/**
 * The sparse offset index and time index of one segment (docs/storage-format.md, "Index files").
 *
 * An entry is added for the first record of a segment and then for the first record that starts at
 * least {@link INDEX_INTERVAL_BYTES} after the previous entry. Both files hold the same entries:
 *
 * - `<base>.index`:     header "SLOI" + version u8 + 3 zero bytes, then 8-byte entries
 *                       [relativeOffset u32 LE, position u32 LE]
 * - `<base>.timeindex`: header "SLTI" + version u8 + 3 zero bytes, then 12-byte entries
 *                       [arrivalMs u64 LE, relativeOffset u32 LE]
 *
 * Indexes are written without fsync: they are checked on open and rebuilt from the segment when
 * missing or inconsistent. Lookups are binary searches over the in-memory copy.
 */
export const INDEX_INTERVAL_BYTES = 4096;
export const INDEX_HEADER_BYTES = 8;
export const OFFSET_ENTRY_BYTES = 8;
export const TIME_ENTRY_BYTES = 12;
export const INDEX_VERSION = 1;
const OFFSET_MAGIC = 'SLOI';
const TIME_MAGIC = 'SLTI';
const TWO_32 = 4294967296;

export function indexHeader(kind: 'offset' | 'time'): Buffer {
  const b = Buffer.alloc(INDEX_HEADER_BYTES);
  b.write(kind === 'offset' ? OFFSET_MAGIC : TIME_MAGIC, 0, 'latin1');
  b[4] = INDEX_VERSION;
  return b;
}

export class SparseIndex {
  /** Offset relative to the segment base, file position, arrival time: one entry per i. */
  readonly rel: number[] = [];
  readonly pos: number[] = [];
  readonly time: number[] = [];
  /** Entries already written to the index files. */
  flushed = 0;

  get count(): number {
    return this.rel.length;
  }

  add(rel: number, pos: number, time: number): void {
    this.rel.push(rel);
    this.pos.push(pos);
    this.time.push(time);
  }

  /** Drop entries from `count` on (recovery rolls back to a batch boundary). */
  truncate(count: number): void {
    this.rel.length = count;
    this.pos.length = count;
    this.time.length = count;
    if (this.flushed > count) this.flushed = count;
  }

  /** Index of the last entry with rel ≤ `rel` (0 when none: entry 0 is the segment start). */
  floorByRel(rel: number): number {
    let lo = 0;
    let hi = this.rel.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.rel[mid] <= rel) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the last entry whose arrival time is < `timeMs`, or -1. */
  lastBeforeTime(timeMs: number): number {
    let lo = 0;
    let hi = this.time.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time[mid] < timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Bytes to append to the offset index file for entries [from, to). */
  encodeOffsetEntries(from: number, to: number): Buffer {
    const b = Buffer.allocUnsafe((to - from) * OFFSET_ENTRY_BYTES);
    for (let i = from, p = 0; i < to; i++, p += OFFSET_ENTRY_BYTES) {
      b.writeUInt32LE(this.rel[i], p);
      b.writeUInt32LE(this.pos[i], p + 4);
    }
    return b;
  }

  /** Bytes to append to the time index file for entries [from, to). */
  encodeTimeEntries(from: number, to: number): Buffer {
    const b = Buffer.allocUnsafe((to - from) * TIME_ENTRY_BYTES);
    for (let i = from, p = 0; i < to; i++, p += TIME_ENTRY_BYTES) {
      const t = this.time[i];
      b.writeUInt32LE(t >>> 0, p);
      b.writeUInt32LE(Math.floor(t / TWO_32), p + 4);
      b.writeUInt32LE(this.rel[i], p + 8);
    }
    return b;
  }

  /**
   * Parse the two index files of a segment of `segmentBytes` bytes. Returns the index (with
   * `flushed` = entries read) or a reason it cannot be trusted. Trailing partial entries (a torn
   * index write) are ignored; the caller rewrites the files when `flushed` differs from what was on disk.
   */
  static parse(offsetFile: Buffer, timeFile: Buffer, segmentBytes: number): SparseIndex | string {
    if (offsetFile.length < INDEX_HEADER_BYTES || offsetFile.toString('latin1', 0, 4) !== OFFSET_MAGIC || offsetFile[4] !== INDEX_VERSION) {
      return 'offset index header is invalid';
    }
    if (timeFile.length < INDEX_HEADER_BYTES || timeFile.toString('latin1', 0, 4) !== TIME_MAGIC || timeFile[4] !== INDEX_VERSION) {
      return 'time index header is invalid';
    }
    const n = Math.min(
      Math.floor((offsetFile.length - INDEX_HEADER_BYTES) / OFFSET_ENTRY_BYTES),
      Math.floor((timeFile.length - INDEX_HEADER_BYTES) / TIME_ENTRY_BYTES),
    );
    const index = new SparseIndex();
    for (let i = 0; i < n; i++) {
      const o = INDEX_HEADER_BYTES + i * OFFSET_ENTRY_BYTES;
      const t = INDEX_HEADER_BYTES + i * TIME_ENTRY_BYTES;
      const rel = offsetFile.readUInt32LE(o);
      const pos = offsetFile.readUInt32LE(o + 4);
      const time = timeFile.readUInt32LE(t) + timeFile.readUInt32LE(t + 4) * TWO_32;
      if (timeFile.readUInt32LE(t + 8) !== rel) return `index files disagree at entry ${i}`;
      if (i === 0 ? rel !== 0 || pos !== 0 : rel <= index.rel[i - 1] || pos <= index.pos[i - 1] || time < index.time[i - 1]) {
        return `index entry ${i} is out of order`;
      }
      if (pos >= segmentBytes) return `index entry ${i} points past the end of the segment`;
      index.add(rel, pos, time);
    }
    index.flushed = n;
    return index;
  }
}
