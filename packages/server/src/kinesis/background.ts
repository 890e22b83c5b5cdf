/**
 * Background duties of the control plane, run every `backgroundIntervalMs` (and callable directly in
 * tests through {@link KinesisBackground.tick}, driven by an injected clock):
 *
 * 1. State transitions: listing every stream settles due CREATING/UPDATING → ACTIVE and
 *    DELETING → gone (StreamStore.settle), so deletions complete without reads; the transition hook
 *    (control-plane.ts) then destroys the deleted stream's logs, consumers and policies.
 * 2. Retention: each shard log is trimmed to the stream's horizon (ShardLog.trimBefore). Reads are
 *    exact regardless (the data plane passes minArrivalMs); trimming only frees space.
 * 3. Expired closed shards: a closed parent whose records have all expired is removed from the
 *    stream record (listings already hide it) and its log destroyed.
 * 4. On-demand scaling: an open shard of an ACTIVE ON_DEMAND stream whose write rate over the last
 *    `onDemandScaleWindowSeconds` exceeds `onDemandScaleThreshold` of a shard's write capacity
 *    (1 MiB/s or 1000 records/s) is split at the middle of its hash range, up to onDemandMaxShards
 *    open shards. The stream stays ACTIVE (AWS scales on-demand streams without an UPDATING phase).
 */
import type { KinesisEnv } from './env.js';
import type { ShardRecord, StreamRecord } from './records.js';
import { StreamMode, StreamStatus, shardLogName } from './records.js';
import { applySplit, executeReshard, isExpired, middleHashKey, openShardCount, reshardMutex, trimHorizonMs } from './resharding.js';
import { resolveKinesisSettings } from './settings.js';
import type { Versioned } from '../storage/contract.js';

/** A shard's write capacity (https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html). */
export const SHARD_WRITE_BYTES_PER_SECOND = 1024 * 1024;
export const SHARD_WRITE_RECORDS_PER_SECOND = 1000;

/** How often (at most) retention trimming runs over every log. */
const TRIM_INTERVAL_MS = 10_000;

export class KinesisBackground {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastTrimMs = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(private readonly env: KinesisEnv) {}

  start(): void {
    const settings = resolveKinesisSettings(this.env.settings);
    if (settings.backgroundIntervalMs <= 0 || this.timer) return;
    // Tick at least as often as the shortest state delay (but not more than every 100 ms), so that
    // transitions complete about when they are due even when nobody reads the stream.
    const shortestDelay = Math.min(settings.createStreamMs, settings.updateStreamMs, settings.deleteStreamMs);
    const interval = Math.min(settings.backgroundIntervalMs, Math.max(100, shortestDelay));
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.env.logger.error('kinesis background tick failed', { err }))
        .finally(() => {
          this.running = undefined;
        });
    }, interval);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.running) await this.running;
  }

  /** One pass of every duty. */
  async tick(): Promise<void> {
    const streams = await this.env.streams.listAll();
    const now = this.env.clock.now();
    const trim = now - this.lastTrimMs >= TRIM_INTERVAL_MS;
    // Trim only logs that exist (opening the others would create them).
    const existing = trim ? new Set(await this.env.storage.logs.list()) : new Set<string>();
    if (trim) this.lastTrimMs = now;
    for (const v of streams) {
      if (this.closed) return;
      try {
        if (trim) await this.trimRetention(v.value, now, existing);
        await this.dropExpiredShards(v);
        if (v.value.mode === StreamMode.ON_DEMAND && v.value.status === StreamStatus.ACTIVE) await this.scaleOnDemand(v.key);
      } catch (err) {
        // One stream's failure must not stop the duties of the others; it is retried next tick.
        this.env.logger.error('kinesis background duty failed', { stream: v.value.name, err });
      }
    }
  }

  private async trimRetention(stream: StreamRecord, now: number, existing: ReadonlySet<string>): Promise<void> {
    if (stream.status === StreamStatus.DELETING) return;
    const horizon = trimHorizonMs(stream, now);
    for (const shard of stream.shards) {
      if (isExpired(stream, shard, now) || !existing.has(shardLogName(stream.uid, shard.shardId))) continue;
      const log = await this.env.streams.shardLog(stream, shard.shardId);
      await log.trimBefore(horizon);
    }
  }

  private async dropExpiredShards(v: Versioned<StreamRecord>): Promise<void> {
    const stream = v.value;
    if (stream.status === StreamStatus.DELETING) return;
    const now = this.env.clock.now();
    if (!stream.shards.some((s) => isExpired(stream, s, now))) return;
    let dropped: ShardRecord[] = [];
    await reshardMutex(this.env).run(v.key, async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const current = await this.env.streams.get(v.key);
        if (!current || current.value.uid !== stream.uid) return;
        const s = current.value;
        dropped = s.shards.filter((x) => isExpired(s, x, now));
        if (dropped.length === 0) return;
        const next: StreamRecord = { ...s, shards: s.shards.filter((x) => !isExpired(s, x, now)) };
        if (await this.env.streams.replace(current, next)) return;
      }
      dropped = [];
    });
    for (const shard of dropped) {
      this.env.usage.forget(stream.uid, shard.shardId);
      await this.env.streams.destroyLog(stream, shard.shardId);
    }
  }

  private async scaleOnDemand(key: string): Promise<void> {
    const settings = resolveKinesisSettings(this.env.settings);
    const current = await this.env.streams.get(key);
    if (!current) return;
    const stream = current.value;
    const now = this.env.clock.now();
    const threshold = settings.onDemandScaleThreshold;
    const hot: ShardRecord[] = [];
    for (const shard of stream.shards) {
      if (shard.closedMs !== undefined) continue;
      const rate = this.env.usage.writeRate(stream.uid, shard.shardId, now, settings.onDemandScaleWindowSeconds);
      if (
        rate.bytesPerSecond > threshold * SHARD_WRITE_BYTES_PER_SECOND ||
        rate.recordsPerSecond > threshold * SHARD_WRITE_RECORDS_PER_SECOND
      ) {
        hot.push(shard);
      }
    }
    for (const shard of hot) {
      const mid = middleHashKey(shard);
      if (mid === undefined) continue;
      let skipped = false;
      await executeReshard(
        this.env,
        reshardMutex(this.env),
        key,
        async () => {
          const v = await this.env.streams.get(key);
          if (!v) throw new Error(`stream ${key} disappeared during on-demand scaling`);
          return v;
        },
        (s, retry) => {
          const open = s.shards.find((x) => x.shardId === shard.shardId && x.closedMs === undefined);
          const allowed =
            open !== undefined &&
            s.uid === stream.uid &&
            (retry || (s.status === StreamStatus.ACTIVE && s.mode === StreamMode.ON_DEMAND && openShardCount(s) < settings.onDemandMaxShards));
          if (!allowed) {
            skipped = true;
            return [];
          }
          return [open];
        },
        (s, endOffsets) => {
          if (skipped) return s;
          const parent = s.shards.find((x) => x.shardId === shard.shardId);
          return parent ? applySplit(s, parent, mid, this.env.clock.now(), endOffsets) : s;
        },
      );
      if (skipped) return;
      this.env.logger.info('on-demand stream scaled', { stream: stream.name, shard: shard.shardId });
    }
  }
}
