/**
 * Reused request-sized buffers: the bodies the HTTP listener assembles (http/listener.ts), and the
 * arena and entry layout the PutRecords scanner decodes into (kinesis/put-records-scan.ts).
 *
 * Why: a fresh buffer per request is a large off-heap allocation. At thousands of requests a second,
 * that external memory alone drives V8 into frequent full collections; reusing the scanner's arena
 * cut the in-process cost of a 500 × 100 B PutRecords by about a quarter (`bench/put-path.ts`, see
 * docs/performance.md).
 *
 * Lifetime: a buffer comes back only when nothing can read it any more. A scanned input
 * (ScannedPutRecords) counts its holders (the request, each append in flight) and gives its buffers,
 * and the body it was scanned from, back after the last one (model/operation.ts RELEASE_INPUT). An
 * input whose bytes escape as views (the plain input for the audit log, appends to a store without
 * `appendPacked`) is pinned, and its buffers are left to the garbage collector, as are the bodies of
 * every request that is not scanned.
 */

/** Arenas come in power-of-two sizes from 64 KiB; smaller requests use a 64 KiB one. */
const MIN_ARENA_BYTES = 64 * 1024;
/** Larger arenas are not kept (a PutRecords body is at most about 7 MiB, its arena about 5 MiB). */
const MAX_POOLED_ARENA_BYTES = 8 * 1024 * 1024;
/** Free arenas kept per size, and free bytes kept in all. */
const MAX_FREE_PER_SIZE = 16;
const MAX_FREE_BYTES = 32 * 1024 * 1024;
/** Entries per layout (the PutRecords maximum) and free layouts kept. */
export const LAYOUT_ENTRIES = 500;
const MAX_FREE_LAYOUTS = 64;

export interface BufferPoolStats {
  /** Arenas and layouts handed out in all. */
  readonly acquired: number;
  /** Of those, how many were reused. */
  readonly reused: number;
  /** Arenas and layouts given back. */
  readonly released: number;
  /** Bytes held by free arenas now. */
  readonly freeBytes: number;
}

export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private readonly freeLayouts: Int32Array[] = [];
  private freeBytes = 0;
  private acquired = 0;
  private reused = 0;
  private released = 0;
  /** Fill released buffers with a pattern (tests: a use after release then shows up as corrupt data). */
  poison = false;
  /** Reuse buffers (false: every acquire allocates, as before the pool; benchmarks compare the two). */
  reuse = true;

  /** A buffer of at least `bytes` bytes (its length may be larger; give back the buffer itself, not a view). */
  acquireArena(bytes: number): Buffer {
    this.acquired++;
    const size = arenaSize(bytes);
    if (size > MAX_POOLED_ARENA_BYTES || !this.reuse) return Buffer.allocUnsafeSlow(bytes);
    const list = this.free.get(size);
    const reused = list?.pop();
    if (reused !== undefined) {
      this.reused++;
      this.freeBytes -= size;
      return reused;
    }
    return Buffer.allocUnsafeSlow(size);
  }

  releaseArena(arena: Buffer): void {
    this.released++;
    const size = arena.length;
    // Only whole arenas this pool made (power-of-two sizes, each its own ArrayBuffer) come back.
    if (size !== arenaSize(size) || size > MAX_POOLED_ARENA_BYTES || arena.byteOffset !== 0 || arena.buffer.byteLength !== size) return;
    if (this.poison) arena.fill(0xa5);
    let list = this.free.get(size);
    if (list === undefined) {
      list = [];
      this.free.set(size, list);
    }
    if (list.length >= MAX_FREE_PER_SIZE || this.freeBytes + size > MAX_FREE_BYTES) return;
    list.push(arena);
    this.freeBytes += size;
  }

  /** A layout of 4 × {@link LAYOUT_ENTRIES} slots (contents undefined). */
  acquireLayout(): Int32Array {
    this.acquired++;
    const reused = this.reuse ? this.freeLayouts.pop() : undefined;
    if (reused !== undefined) {
      this.reused++;
      return reused;
    }
    return new Int32Array(4 * LAYOUT_ENTRIES);
  }

  releaseLayout(layout: Int32Array): void {
    this.released++;
    if (layout.length !== 4 * LAYOUT_ENTRIES) return;
    if (this.poison) layout.fill(-0x5a5a5a5b);
    if (this.freeLayouts.length < MAX_FREE_LAYOUTS) this.freeLayouts.push(layout);
  }

  stats(): BufferPoolStats {
    return { acquired: this.acquired, reused: this.reused, released: this.released, freeBytes: this.freeBytes };
  }
}

function arenaSize(bytes: number): number {
  let size = MIN_ARENA_BYTES;
  while (size < bytes) size *= 2;
  return size;
}

/** The process's pool (listener bodies, scanner arenas and layouts). */
export const requestBuffers = new BufferPool();

