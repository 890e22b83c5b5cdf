/**
 * Per-shard rate limits, as AWS enforces them
 * (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html and the GetRecords /
 * GetShardIterator API references):
 *
 * - writes: 1 MiB/s and 1,000 records/s per shard (data blob + partition key count towards the bytes);
 *   over it → ProvisionedThroughputExceededException (whole call for PutRecord, per entry for PutRecords).
 * - GetRecords: 5 calls/s and 2 MiB/s per shard. "The maximum size of data that GetRecords can return
 *   is 10 MiB. If a call returns this amount of data, subsequent calls made within the next 5 seconds
 *   throw ProvisionedThroughputExceededException."
 * - GetShardIterator: 5 calls/s per open shard.
 *
 * The same per-shard limits hold for on-demand streams: "A shard supports 1 MB/s and 1000 records per
 * second for writes and 2 MB/s for reads in both on-demand and provisioned capacity modes"
 * (https://docs.aws.amazon.com/streams/latest/dev/working-with-streams.html); on-demand streams get
 * their capacity by adding shards (on-demand scaling in background.ts reads the usage meter).
 *
 * Token buckets refilled continuously from the injected clock; one capacity = one second of rate, so
 * a shard may burst up to its per-second quota. O(1) per check and no allocation.
 */

export const MiB = 1024 * 1024;

export const WRITE_BYTES_PER_SECOND = MiB;
export const WRITE_RECORDS_PER_SECOND = 1000;
export const READ_CALLS_PER_SECOND = 5;
export const READ_BYTES_PER_SECOND = 2 * MiB;
export const ITERATOR_CALLS_PER_SECOND = 5;

export class TokenBucket {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly ratePerSecond: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    this.tokens = capacity;
    this.lastMs = nowMs;
  }

  /** Tokens available now (may be negative after an oversized take). */
  available(nowMs: number): number {
    if (nowMs > this.lastMs) {
      this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.lastMs) * this.ratePerSecond) / 1000);
      this.lastMs = nowMs;
    }
    return this.tokens;
  }

  take(amount: number): void {
    this.tokens -= amount;
  }

  /** Give back what a failed operation took. */
  refund(amount: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + amount);
  }
}

export class ShardWriteLimiter {
  private readonly bytes: TokenBucket;
  private readonly records: TokenBucket;

  constructor(nowMs: number, bytesPerSecond = WRITE_BYTES_PER_SECOND, recordsPerSecond = WRITE_RECORDS_PER_SECOND) {
    this.bytes = new TokenBucket(bytesPerSecond, bytesPerSecond, nowMs);
    this.records = new TokenBucket(recordsPerSecond, recordsPerSecond, nowMs);
  }

  /**
   * Take one record of `size` bytes if the shard has capacity. A record larger than a whole second of
   * bytes (large records, up to 10 MiB) passes only when the byte bucket is full, and then leaves it in
   * debt, so that the average rate still holds.
   */
  tryTake(size: number, nowMs: number): boolean {
    if (this.records.available(nowMs) < 1) return false;
    const bytes = this.bytes.available(nowMs);
    if (bytes < size && !(size > this.bytes.capacity && bytes >= this.bytes.capacity)) return false;
    this.records.take(1);
    this.bytes.take(size);
    return true;
  }

  refund(size: number): void {
    this.records.refund(1);
    this.bytes.refund(size);
  }
}

export class ShardReadLimiter {
  private readonly calls: TokenBucket;
  private readonly bytes: TokenBucket;
  private blockedUntilMs = 0;

  constructor(nowMs: number) {
    this.calls = new TokenBucket(READ_CALLS_PER_SECOND, READ_CALLS_PER_SECOND, nowMs);
    this.bytes = new TokenBucket(READ_BYTES_PER_SECOND, READ_BYTES_PER_SECOND, nowMs);
  }

  /** Admit one GetRecords call: a call slot must be free and the byte bucket out of debt. */
  tryStart(nowMs: number): boolean {
    if (nowMs < this.blockedUntilMs) return false;
    if (this.calls.available(nowMs) < 1) return false;
    if (this.bytes.available(nowMs) <= 0) return false;
    this.calls.take(1);
    return true;
  }

  /**
   * Charge the bytes a call returned. A response larger than one second of read throughput blocks
   * the shard for as long as the throughput takes to pay it back: 5 s after a 10 MiB response, as AWS
   * documents.
   */
  charge(bytes: number, nowMs: number): void {
    this.bytes.available(nowMs);
    this.bytes.take(bytes);
    if (bytes > READ_BYTES_PER_SECOND) this.blockedUntilMs = nowMs + Math.ceil((bytes * 1000) / READ_BYTES_PER_SECOND);
  }
}

/** A plain calls-per-second limiter (GetShardIterator). */
export class CallRateLimiter {
  private readonly calls: TokenBucket;
  constructor(nowMs: number, perSecond = ITERATOR_CALLS_PER_SECOND) {
    this.calls = new TokenBucket(perSecond, perSecond, nowMs);
  }
  tryTake(nowMs: number): boolean {
    if (this.calls.available(nowMs) < 1) return false;
    this.calls.take(1);
    return true;
  }
}

interface ShardLimiters {
  write?: ShardWriteLimiter;
  read?: ShardReadLimiter;
  iterator?: CallRateLimiter;
}

/** The limiters of every shard, created on first use and forgotten with the stream. */
export class ShardLimiterRegistry {
  private readonly shards = new Map<string, ShardLimiters>();

  private entry(streamUid: string, shardId: string): ShardLimiters {
    const key = `${streamUid}/${shardId}`;
    let e = this.shards.get(key);
    if (!e) {
      e = {};
      this.shards.set(key, e);
    }
    return e;
  }

  write(streamUid: string, shardId: string, nowMs: number): ShardWriteLimiter {
    const e = this.entry(streamUid, shardId);
    return (e.write ??= new ShardWriteLimiter(nowMs));
  }

  read(streamUid: string, shardId: string, nowMs: number): ShardReadLimiter {
    const e = this.entry(streamUid, shardId);
    return (e.read ??= new ShardReadLimiter(nowMs));
  }

  iterator(streamUid: string, shardId: string, nowMs: number): CallRateLimiter {
    const e = this.entry(streamUid, shardId);
    return (e.iterator ??= new CallRateLimiter(nowMs));
  }

  forgetStream(streamUid: string): void {
    const prefix = `${streamUid}/`;
    for (const key of this.shards.keys()) if (key.startsWith(prefix)) this.shards.delete(key);
  }
}
