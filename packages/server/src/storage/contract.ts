/**
 * The storage contract: what every backend (memory, embedded, later JetStream) provides.
 *
 * Two halves:
 * - {@link ShardLogStore} / {@link ShardLog}: one ordered, append-only log per shard. Positions
 *   ("offsets") are dense integers starting at 0 and never reused, even after retention trims the
 *   head. The log assigns each record an arrival time (epoch ms) that never decreases within a log.
 * - {@link MetadataStore}: small, typed, transactional key/value records with versions, so that a
 *   reshard (close a parent, open children, bump the stream) is one atomic compare-and-set commit.
 *
 * Everything is async and backend-neutral: services use only this file. See docs/storage-format.md
 * for the embedded engine's on-disk layout.
 */

/** One record handed to {@link ShardLog.append}. */
export interface AppendRecord {
  readonly partitionKey: string;
  /** Decimal string, present only when the producer sent ExplicitHashKey. */
  readonly explicitHashKey?: string | undefined;
  readonly data: Uint8Array;
  /** Bit flags stored with the record (bit 0: data is encrypted). Default 0. */
  readonly flags?: number | undefined;
}

/**
 * Records in packed form, with no object per record (the PutRecords fast path): partition keys are
 * ASCII bytes in `keyBytes`, data bytes in `dataBytes`, located by `layout`, four int32 per record:
 * key start, key length, data start, data length.
 */
export interface PackedRecordSource {
  readonly keyBytes: Buffer;
  readonly dataBytes: Buffer;
  readonly layout: Int32Array;
  /** Decimal explicit hash key per record (ASCII digits), when any record has one. */
  readonly explicitHashKeys?: readonly (string | undefined)[] | undefined;
}

/** One append of records taken from a {@link PackedRecordSource}. */
export interface PackedAppend {
  readonly source: PackedRecordSource;
  /** Which records of the source, in append order (at least one). */
  readonly indexes: readonly number[];
  /** Stored with every record (AppendRecord.flags). */
  readonly flags: number;
  /** Whether the records' explicit hash keys are stored (false drops them, as AUTO distribution does). */
  readonly keepExplicitHashKeys: boolean;
}

/** The same records as {@link AppendRecord}s (for stores without {@link ShardLog.appendPacked}). */
export function unpackAppend(batch: PackedAppend): AppendRecord[] {
  const { keyBytes, dataBytes, layout, explicitHashKeys } = batch.source;
  return batch.indexes.map((i) => {
    const k = 4 * i;
    return {
      partitionKey: keyBytes.toString('latin1', layout[k], layout[k] + layout[k + 1]),
      explicitHashKey: batch.keepExplicitHashKeys ? explicitHashKeys?.[i] : undefined,
      data: dataBytes.subarray(layout[k + 2], layout[k + 2] + layout[k + 3]),
      flags: batch.flags,
    };
  });
}

export interface AppendResult {
  /** Offset of the first record of the batch; the batch occupies firstOffset … firstOffset+n-1. */
  readonly firstOffset: number;
  /** Arrival time (epoch ms) given to every record of the batch. */
  readonly arrivalMs: number;
}

/** A record read back from a log. */
export interface StoredRecord {
  readonly offset: number;
  readonly arrivalMs: number;
  readonly partitionKey: string;
  readonly explicitHashKey?: string | undefined;
  readonly data: Uint8Array;
  readonly flags: number;
}

export interface ReadOptions {
  /** At most this many records (≥ 1). */
  readonly maxRecords: number;
  /**
   * Stop before the record that would take the total of data bytes over this; the first record is
   * always returned even when it alone is larger.
   */
  readonly maxBytes: number;
  /** Hide records that arrived before this time (exact retention at the API). */
  readonly minArrivalMs?: number | undefined;
}

export interface ReadResult {
  readonly records: readonly StoredRecord[];
  /** Offset to continue from: one past the last returned record, or the start point if none. */
  readonly nextOffset: number;
}

export interface ShardLog {
  /** Name given at open, e.g. `<streamUid>/<shardId>`. */
  readonly name: string;
  /**
   * Append a batch atomically and durably (under the store's fsync policy). Resolves once the batch is
   * acknowledged; rejects with {@link StorageError} without making any part of the batch visible.
   * Rejects with code `SEALED` after {@link seal}.
   */
  append(records: readonly AppendRecord[]): Promise<AppendResult>;
  /**
   * Optional: {@link append} for packed records, with the same guarantees; the source's buffers must
   * not change until the promise settles. Once it settles the caller may reuse them, so a store keeps
   * no reference into them (it copies what it keeps). Callers without it use
   * `append(unpackAppend(batch))`, whose records are views into the source.
   */
  appendPacked?(batch: PackedAppend): Promise<AppendResult>;
  /** Read forward from `fromOffset` (clamped to the first retained offset). */
  read(fromOffset: number, options: ReadOptions): Promise<ReadResult>;
  /** First offset whose arrival time is ≥ `timestampMs`; `endOffset()` when there is none. */
  offsetAtTime(timestampMs: number): Promise<number>;
  /** First retained offset (0 until retention trims the head). */
  startOffset(): number;
  /** The offset the next appended record will get. */
  endOffset(): number;
  /** Arrival time of the last record, or undefined when the log is empty. */
  lastArrivalMs(): number | undefined;
  /** No more appends; reads continue. Idempotent, durable. */
  seal(): Promise<void>;
  isSealed(): boolean;
  /** Drop records that arrived before `horizonMs` (whole segments may be kept; reads hide the rest). */
  trimBefore(horizonMs: number): Promise<void>;
  /**
   * Called after each acknowledged append with the new end offset (used to push records to
   * subscribers without polling). Returns an unsubscribe function.
   */
  onAppend(listener: (endOffset: number) => void): () => void;
}

export interface ShardLogStore {
  /** Open (creating if needed) the log with this name. Opening twice returns the same instance. */
  open(name: string): Promise<ShardLog>;
  /** Delete a log and its data. */
  destroy(name: string): Promise<void>;
  /** Names of every log that exists. */
  list(): Promise<string[]>;
  /** Flush and close everything. */
  close(): Promise<void>;
}

/** A value kept in the metadata store, with its version (1 on first write, +1 on every write). */
export interface Versioned<T> {
  readonly key: string;
  readonly version: number;
  readonly value: T;
}

/**
 * One operation of an atomic commit. `expectVersion` makes it conditional: 0 means "must not exist",
 * n > 0 means "must currently be at version n". A failed condition rejects the whole commit with
 * {@link StorageError} code `CONFLICT` and changes nothing.
 */
export type MetadataOp =
  | { readonly type: 'put'; readonly key: string; readonly value: unknown; readonly expectVersion?: number | undefined }
  | { readonly type: 'delete'; readonly key: string; readonly expectVersion?: number | undefined }
  | { readonly type: 'check'; readonly key: string; readonly expectVersion: number };

export interface MetadataStore {
  get<T>(key: string): Promise<Versioned<T> | undefined>;
  /** Every record whose key starts with `prefix`, sorted by key. */
  list<T>(prefix: string): Promise<Versioned<T>[]>;
  /** Apply all operations atomically and durably, or none of them. */
  commit(ops: readonly MetadataOp[]): Promise<void>;
  close(): Promise<void>;
}

/** The two halves together, as the composition root hands them to services. */
export interface Storage {
  readonly logs: ShardLogStore;
  readonly metadata: MetadataStore;
  /** True once open and healthy (used by GET /ready). */
  isReady(): boolean;
  close(): Promise<void>;
}

export const StorageErrorCode = {
  /** A compare-and-set condition failed. */
  CONFLICT: 'CONFLICT',
  /** Append to a sealed log. */
  SEALED: 'SEALED',
  /** Data on disk failed its checksum or framing. */
  CORRUPT: 'CORRUPT',
  /** The underlying I/O failed (disk full, EIO, …). */
  IO: 'IO',
  /** The store or log is closed. */
  CLOSED: 'CLOSED',
  /** The data directory is locked by another process. */
  LOCKED: 'LOCKED',
} as const;
export type StorageErrorCode = (typeof StorageErrorCode)[keyof typeof StorageErrorCode];

/** Typed, chained storage failure. Branch on `code`, never on the message. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  constructor(code: StorageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
    this.code = code;
  }
}
