/**
 * SubscribeToShard subscriptions: one {@link ShardSubscription} per (consumer, shard) pushing
 * SubscribeToShardEvent events, and the {@link SubscriptionManager} that enforces AWS's exclusivity
 * rules (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html):
 *
 * - a subscription delivers events for at most 5 minutes, then ends cleanly;
 * - a second SubscribeToShard for the same consumer and shard within 5 s of a successful one →
 *   ResourceInUseException; at ≥ 5 s the new call takes over and the old one ends with a
 *   ResourceInUseException event.
 *
 * Push, not poll: a subscription waits on {@link ShardLog.onAppend} and reads as soon as a record is
 * acknowledged. The listener only wakes the waiting reader, so producers never do a subscriber's work.
 * Events are produced on demand (the event-stream writer asks for the next one only once the client
 * has taken the previous one), so a slow client is held back by flow control with at most one event
 * buffered per subscription, and never slows anyone else.
 *
 * Event shapes (wire notes B.5): data and heartbeat events carry Records (possibly empty),
 * ContinuationSequenceNumber (the sequence number to resume AFTER) and MillisBehindLatest; the last
 * event of a closed shard carries ChildShards and no ContinuationSequenceNumber — the shard-end shape
 * the KCL checks — and then the stream ends.
 */
import type { Clock } from '../model/context.js';
import type { SubscribeToShardEvent } from '../model/generated/kinesis-types.js';
import type { EventStreamEvent } from '../model/operation.js';
import { ServiceError } from '../model/service-error.js';
import type { Logger } from '../logger.js';
import type { ShardLog } from '../storage/contract.js';
import { StorageError, StorageErrorCode } from '../storage/contract.js';
import { TokenBucket } from './limits.js';
import type { ShardRecord, StreamRecord } from './records.js';
import type { ShardReadResult } from './shard-reader.js';
import { readShard, sequenceNumberAtPosition } from './shard-reader.js';
import type { StreamStore } from './stream-store.js';

export interface SubscriptionOptions {
  /** A subscription ends cleanly this long after it started (AWS: 5 minutes). */
  readonly lifetimeMs: number;
  /** A new subscription for the same consumer and shard within this long fails (AWS: 5 s). */
  readonly takeoverMs: number;
  /** An event with no records is sent after this long without one (real time). */
  readonly heartbeatMs: number;
  /** Read limit per consumer and shard in bytes per second (AWS: 2 MiB/s); undefined = unlimited. */
  readonly bytesPerSecond: number | undefined;
  /** Data bytes per event (the first record of an event is always sent, whatever its size). */
  readonly maxEventBytes: number;
  readonly maxEventRecords: number;
}

export const defaultSubscriptionOptions: SubscriptionOptions = {
  lifetimeMs: 300_000,
  takeoverMs: 5_000,
  heartbeatMs: 2_000,
  bytesPerSecond: 2 * 1024 * 1024,
  maxEventBytes: 1024 * 1024,
  maxEventRecords: 10_000,
};

/** Where a subscription starts: everything resolved and validated by the handler. */
export interface SubscriptionStart {
  readonly consumerArn: string;
  readonly stream: StreamRecord;
  readonly shard: ShardRecord;
  readonly log: ShardLog;
  /** Log offset of the first record to deliver. */
  readonly offset: number;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

export interface SubscriptionDeps {
  readonly streams: StreamStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * SubscribeToShardEvent as sent: the model marks ContinuationSequenceNumber required, but the shard-end
 * event must omit it (SDKs don't enforce it; the KCL requires it absent).
 */
export type ShardEvent = Omit<SubscribeToShardEvent, 'ContinuationSequenceNumber'> & { ContinuationSequenceNumber?: string | undefined };
type Event = { readonly SubscribeToShardEvent: ShardEvent };

/** The latest caught-up batch read from each log, shared by the subscriptions of that shard. */
interface SharedBatch {
  readonly from: number;
  readonly next: number;
  readonly bytes: number;
  readonly continuation: string;
  /** Shared between subscribers: never mutated after creation. */
  readonly event: Event;
}
type SharedBatches = WeakMap<ShardLog, SharedBatch>;

export class ShardSubscription implements AsyncIterableIterator<EventStreamEvent> {
  readonly key: string;
  readonly consumerArn: string;
  readonly streamUid: string;
  readonly shardId: string;
  private readonly startedMs: number;
  private readonly bucket: TokenBucket | undefined;
  private stream: StreamRecord;
  private offset: number;
  /**
   * The number to resume AFTER: the last record delivered, or, before any, the number at the start
   * position (the record before it, or the shard's StartingSequenceNumber at offset 0).
   */
  private continuation: string;
  private lastEventRealMs = 0;
  private sealedChecks = 0;
  private ended = false;
  private failure: ServiceError | undefined;
  private waker: (() => void) | undefined;
  private readonly cleanup: Array<() => void> = [];

  constructor(
    private readonly deps: SubscriptionDeps,
    private readonly options: SubscriptionOptions,
    start: SubscriptionStart,
    private readonly onEnd: (s: ShardSubscription) => void,
    private readonly batches: SharedBatches = new WeakMap(),
    bucket?: TokenBucket,
  ) {
    this.consumerArn = start.consumerArn;
    this.streamUid = start.stream.uid;
    this.shardId = start.shard.shardId;
    this.key = subscriptionKey(start.consumerArn, start.shard.shardId);
    this.stream = start.stream;
    this.offset = start.offset;
    this.continuation = sequenceNumberAtPosition(start.stream, start.shard, start.offset);
    this.startedMs = deps.clock.now();
    this.bucket = bucket;
    this.log = start.log;
    this.shard = start.shard;
    this.cleanup.push(start.log.onAppend(() => this.wake()));
    const onAbort = (): void => this.end();
    start.signal.addEventListener('abort', onAbort, { once: true });
    this.cleanup.push(() => start.signal.removeEventListener('abort', onAbort));
    if (start.signal.aborted) {
      // The client left before we started: nothing to stream (the manager never lists it as live).
      this.ended = true;
      for (const f of this.cleanup.splice(0)) f();
    }
  }

  private readonly log: ShardLog;
  private shard: ShardRecord;

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Log offset of the next record this subscription will read (how far it has read ahead). */
  get readOffset(): number {
    return this.offset;
  }

  isEnded(): boolean {
    return this.ended;
  }

  /** End cleanly (client gone, lifetime over, server closing). */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    this.wake();
  }

  /** End with an exception event (taken over, consumer deregistered, stream deleted). */
  fail(error: ServiceError): void {
    if (this.ended) return;
    this.failure = error;
    this.end();
  }

  /** Look again now (e.g. the stream changed: the shard may have closed). */
  wake(): void {
    const w = this.waker;
    this.waker = undefined;
    w?.();
  }

  async return(): Promise<IteratorResult<EventStreamEvent>> {
    this.failure = undefined;
    this.end();
    return { done: true, value: undefined };
  }

  async next(): Promise<IteratorResult<EventStreamEvent>> {
    try {
      return await this.produce();
    } catch (err) {
      this.end();
      throw err;
    }
  }

  private async produce(): Promise<IteratorResult<EventStreamEvent>> {
    let checkedStream = false;
    while (true) {
      if (this.ended) {
        const failure = this.failure;
        this.failure = undefined;
        if (failure) throw failure;
        return { done: true, value: undefined };
      }
      const now = this.deps.clock.now();
      const remainingMs = this.startedMs + this.options.lifetimeMs - now;
      if (remainingMs <= 0) {
        this.end();
        continue;
      }
      const sealed = this.log.isSealed();
      if (sealed && this.shard.closedMs === undefined) {
        // The log was sealed by a reshard: load the commit that closed the shard (end offset, children).
        if (!checkedStream) {
          checkedStream = true;
          await this.refreshStream();
          continue;
        }
        // Sealed, but the commit is not visible yet: look again shortly (for at most a second; after
        // that at the heartbeat cadence).
        if (this.sealedChecks++ < 50) {
          await this.sleep(20);
          checkedStream = false;
          continue;
        }
      }
      const hasData = this.offset < this.log.endOffset();
      if (hasData || sealed) {
        let budget = this.options.maxEventBytes;
        if (this.bucket && hasData) {
          const available = this.bucket.available(now);
          if (available <= 0) {
            // Over 2 MiB/s: wait until the bucket is out of debt.
            await this.sleep(Math.min(remainingMs, Math.ceil((-available * 1000) / (this.options.bytesPerSecond ?? 1)) + 1));
            continue;
          }
          budget = Math.min(budget, available);
        }
        // Subscribers that are caught up all read the same new records: the first one's event is
        // reused (and, being the same object, encoded once by the event-stream writer).
        const shared = this.batches.get(this.log);
        if (shared && shared.from === this.offset && shared.next === this.log.endOffset() && shared.bytes <= budget) {
          this.offset = shared.next;
          this.bucket?.take(shared.bytes);
          this.continuation = shared.continuation;
          return this.emit(shared.event);
        }
        const from = this.offset;
        const result = await this.read(budget, now);
        if (this.ended) continue;
        if (result.records.length > 0) {
          this.bucket?.take(result.bytes);
          this.continuation = result.records[result.records.length - 1].SequenceNumber;
          const event: Event = {
            SubscribeToShardEvent: {
              Records: result.records,
              ContinuationSequenceNumber: this.continuation,
              MillisBehindLatest: result.millisBehindLatest,
            },
          };
          if (result.millisBehindLatest === 0 && result.nextOffset === this.log.endOffset()) {
            this.batches.set(this.log, { from, next: result.nextOffset, bytes: result.bytes, continuation: this.continuation, event });
          }
          return this.emit(event);
        }
        if (result.shardEnded && result.childShards && result.childShards.length > 0) {
          // Shard end: ChildShards and no ContinuationSequenceNumber, then the stream ends.
          this.end();
          return this.emit({ SubscribeToShardEvent: { Records: [], MillisBehindLatest: 0, ChildShards: result.childShards } });
        }
      }
      const sinceEvent = performance.now() - this.lastEventRealMs;
      if (this.lastEventRealMs === 0 || sinceEvent >= this.options.heartbeatMs) {
        if (!checkedStream) {
          // Once per heartbeat: notice a deleted stream or a closed shard even without appends.
          checkedStream = true;
          await this.refreshStream();
          continue;
        }
        return this.emit(this.heartbeat());
      }
      await this.sleep(Math.min(remainingMs, this.options.heartbeatMs - sinceEvent));
    }
  }

  private emit(event: Event): IteratorResult<EventStreamEvent> {
    this.lastEventRealMs = performance.now();
    return { done: false, value: event };
  }

  private async read(maxBytes: number, nowMs: number): Promise<ShardReadResult> {
    try {
      const result = await readShard(this.stream, this.shard, this.log, this.offset, {
        maxRecords: this.options.maxEventRecords,
        maxBytes,
        nowMs,
      });
      this.offset = Math.max(this.offset, result.nextOffset);
      return result;
    } catch (err) {
      if (err instanceof StorageError && err.code === StorageErrorCode.CLOSED) throw this.streamGone();
      throw err;
    }
  }

  private heartbeat(): Event {
    return { SubscribeToShardEvent: { Records: [], ContinuationSequenceNumber: this.continuation, MillisBehindLatest: 0 } };
  }

  /** Reload the stream record; fail with ResourceNotFoundException when the stream is gone. */
  private async refreshStream(): Promise<void> {
    const current = await this.deps.streams.get(streamKeyOf(this.stream));
    if (this.ended) return;
    if (!current || current.value.uid !== this.streamUid) {
      this.fail(this.streamGone());
      return;
    }
    this.stream = current.value;
    const shard = current.value.shards.find((s) => s.shardId === this.shardId);
    if (shard) this.shard = shard;
  }

  private streamGone(): ServiceError {
    return new ServiceError('ResourceNotFoundException', `Stream ${this.stream.name} under account ${this.stream.accountId} not found.`);
  }

  /** Wait for an append, a wake-up or `ms` of real time, whichever comes first. */
  private sleep(ms: number): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.waker === done) this.waker = undefined;
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.waker = done;
    });
  }

  private release(): void {
    for (const f of this.cleanup.splice(0)) f();
    this.onEnd(this);
  }
}

function streamKeyOf(stream: StreamRecord): string {
  return `kinesis/stream/${stream.accountId}/${stream.region}/${stream.name}`;
}

export function subscriptionKey(consumerArn: string, shardId: string): string {
  return `${consumerArn}\n${shardId}`;
}

/** Live subscriptions and the 5-second rule. */
export class SubscriptionManager {
  private readonly live = new Map<string, ShardSubscription>();
  /** Time of the last successful SubscribeToShard per (consumer, shard). */
  private readonly lastStartMs = new Map<string, number>();
  private readonly batches: SharedBatches = new WeakMap();
  /** 2 MiB/s read budget per (consumer, shard), kept across resubscriptions. */
  private readonly buckets = new Map<string, TokenBucket>();
  private closed = false;

  constructor(
    private readonly deps: SubscriptionDeps,
    readonly options: SubscriptionOptions,
  ) {}

  /**
   * Start a subscription, enforcing the 5-second rule (ResourceInUseException, before anything is
   * streamed) and taking over from an older one (which ends with ResourceInUseException).
   */
  start(start: SubscriptionStart): ShardSubscription {
    if (this.closed) throw new ServiceError('InternalFailureException', 'The server is shutting down.');
    const key = subscriptionKey(start.consumerArn, start.shard.shardId);
    const now = this.deps.clock.now();
    const last = this.lastStartMs.get(key);
    if (last !== undefined && now - last < this.options.takeoverMs) {
      throw new ServiceError(
        'ResourceInUseException',
        `Another subscription of consumer ${start.consumerArn} to shard ${start.shard.shardId} started less than ${this.options.takeoverMs / 1000} seconds ago.`,
      );
    }
    this.prune(now);
    const previous = this.live.get(key);
    const sub = new ShardSubscription(
      this.deps,
      this.options,
      start,
      (s) => {
        if (this.live.get(s.key) === s) this.live.delete(s.key);
      },
      this.batches,
      this.bucketFor(key, now),
    );
    if (!sub.isEnded()) this.live.set(key, sub);
    this.lastStartMs.set(key, now);
    previous?.fail(
      new ServiceError(
        'ResourceInUseException',
        `Subscription of consumer ${start.consumerArn} to shard ${start.shard.shardId} was taken over by a newer SubscribeToShard call.`,
      ),
    );
    return sub;
  }

  /** Live subscriptions (for tests and metrics). */
  count(): number {
    return this.live.size;
  }

  /** End every subscription of a consumer with `error` (deregistered or its stream deleted). */
  endConsumer(consumerArn: string, error: ServiceError): void {
    for (const sub of [...this.live.values()]) if (sub.consumerArn === consumerArn) sub.fail(error);
    for (const key of [...this.lastStartMs.keys()]) {
      if (!key.startsWith(`${consumerArn}\n`)) continue;
      this.lastStartMs.delete(key);
      this.buckets.delete(key);
    }
  }

  /** End every subscription of a stream with `error`. */
  endStream(streamUid: string, error: ServiceError): void {
    for (const sub of [...this.live.values()]) if (sub.streamUid === streamUid) sub.fail(error);
  }

  /** Make every subscription of a stream look again (the stream's shards changed). */
  wakeStream(streamUid: string): void {
    for (const sub of this.live.values()) if (sub.streamUid === streamUid) sub.wake();
  }

  /** End everything cleanly (server shutdown). */
  close(): void {
    this.closed = true;
    for (const sub of [...this.live.values()]) sub.end();
    this.live.clear();
    this.lastStartMs.clear();
    this.buckets.clear();
  }

  private bucketFor(key: string, now: number): TokenBucket | undefined {
    const rate = this.options.bytesPerSecond;
    if (rate === undefined) return undefined;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rate, rate, now);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private prune(now: number): void {
    if (this.lastStartMs.size < 4096) return;
    for (const [key, ms] of this.lastStartMs) {
      if (now - ms < this.options.takeoverMs || this.live.has(key)) continue;
      this.lastStartMs.delete(key);
      // A full bucket again after this long anyway.
      this.buckets.delete(key);
    }
  }
}
