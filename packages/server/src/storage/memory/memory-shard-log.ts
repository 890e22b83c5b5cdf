/**
 * In-memory shard logs, for unit tests and `--in-memory`. Same semantics as the embedded engine
 * (dense offsets from 0, arrival times that never decrease, seal, exact retention) without disk.
 */
import type { Clock } from '../../model/context.js';
import type {
  AppendRecord,
  AppendResult,
  ReadOptions,
  ReadResult,
  ShardLog,
  ShardLogStore,
  StoredRecord,
} from '../contract.js';
import { StorageError, StorageErrorCode } from '../contract.js';

export class MemoryShardLog implements ShardLog {
  /** Retained records; records[i].offset === start + i. */
  private records: StoredRecord[] = [];
  private start = 0;
  private end = 0;
  private lastArrival: number | undefined;
  private sealed = false;
  private closed = false;
  private readonly listeners = new Set<(endOffset: number) => void>();

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  async append(records: readonly AppendRecord[]): Promise<AppendResult> {
    this.assertOpen();
    if (this.sealed) throw new StorageError(StorageErrorCode.SEALED, `shard log ${this.name} is sealed`);
    const now = this.clock.now();
    const arrivalMs = this.lastArrival === undefined || now > this.lastArrival ? now : this.lastArrival;
    const firstOffset = this.end;
    if (records.length === 0) return { firstOffset, arrivalMs };
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const stored: StoredRecord = {
        offset: firstOffset + i,
        arrivalMs,
        partitionKey: r.partitionKey,
        explicitHashKey: r.explicitHashKey,
        // Copy: the caller may reuse its buffer after the append resolves.
        data: Uint8Array.prototype.slice.call(r.data),
        flags: r.flags ?? 0,
      };
      this.records.push(stored);
    }
    this.end = firstOffset + records.length;
    this.lastArrival = arrivalMs;
    const end = this.end;
    for (const listener of this.listeners) listener(end);
    return { firstOffset, arrivalMs };
  }

  async read(fromOffset: number, options: ReadOptions): Promise<ReadResult> {
    this.assertOpen();
    let from = Math.max(fromOffset, this.start);
    if (from >= this.end) return { records: [], nextOffset: from };
    let index = from - this.start;
    if (options.minArrivalMs !== undefined) {
      // Arrival times never decrease, so hidden records form a prefix.
      const minMs = options.minArrivalMs;
      while (index < this.records.length && this.records[index].arrivalMs < minMs) index++;
      from = this.start + index;
    }
    const out: StoredRecord[] = [];
    const maxRecords = Math.max(1, options.maxRecords);
    let bytes = 0;
    while (index < this.records.length && out.length < maxRecords) {
      const r = this.records[index];
      if (out.length > 0 && bytes + r.data.length > options.maxBytes) break;
      bytes += r.data.length;
      out.push(r);
      index++;
    }
    return { records: out, nextOffset: out.length > 0 ? out[out.length - 1].offset + 1 : from };
  }

  async offsetAtTime(timestampMs: number): Promise<number> {
    this.assertOpen();
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.records[mid].arrivalMs < timestampMs) lo = mid + 1;
      else hi = mid;
    }
    return this.start + lo;
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

  async seal(): Promise<void> {
    this.assertOpen();
    this.sealed = true;
  }

  isSealed(): boolean {
    return this.sealed;
  }

  async trimBefore(horizonMs: number): Promise<void> {
    this.assertOpen();
    const cut = await this.offsetAtTime(horizonMs);
    if (cut > this.start) {
      this.records = this.records.slice(cut - this.start);
      this.start = cut;
    }
  }

  onAppend(listener: (endOffset: number) => void): () => void {
    // Wrap so that the same function subscribed twice gets two independent subscriptions.
    const wrapped = (end: number): void => listener(end);
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  /** Called by the store on destroy/close: later calls reject with CLOSED. */
  close(): void {
    this.closed = true;
    this.listeners.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(StorageErrorCode.CLOSED, `shard log ${this.name} is closed`);
  }
}

export class MemoryShardLogStore implements ShardLogStore {
  private readonly logs = new Map<string, MemoryShardLog>();
  private closed = false;

  constructor(private readonly clock: Clock) {}

  async open(name: string): Promise<ShardLog> {
    this.assertOpen();
    let log = this.logs.get(name);
    if (!log) {
      log = new MemoryShardLog(name, this.clock);
      this.logs.set(name, log);
    }
    return log;
  }

  async destroy(name: string): Promise<void> {
    this.assertOpen();
    const log = this.logs.get(name);
    if (log) {
      log.close();
      this.logs.delete(name);
    }
  }

  async list(): Promise<string[]> {
    this.assertOpen();
    return [...this.logs.keys()].sort();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const log of this.logs.values()) log.close();
    this.logs.clear();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(StorageErrorCode.CLOSED, 'shard log store is closed');
  }
}
