/**
 * Per-shard write usage over the last minute, in one-second buckets: written by the data plane after
 * each acknowledged append, read by on-demand scaling ("a shard that sustains more than half of its
 * write capacity is split") and available to metrics. Time comes from the caller (injected clock).
 */
const WINDOW_SECONDS = 60;

interface ShardUsage {
  /** epoch second of each bucket */
  readonly seconds: Float64Array;
  readonly bytes: Float64Array;
  readonly records: Float64Array;
}

export interface WriteRate {
  readonly bytesPerSecond: number;
  readonly recordsPerSecond: number;
}

export class ShardUsageMeter {
  private readonly shards = new Map<string, ShardUsage>();

  private key(streamUid: string, shardId: string): string {
    return `${streamUid}/${shardId}`;
  }

  recordWrite(streamUid: string, shardId: string, bytes: number, records: number, nowMs: number): void {
    const k = this.key(streamUid, shardId);
    let u = this.shards.get(k);
    if (!u) {
      u = { seconds: new Float64Array(WINDOW_SECONDS).fill(-1), bytes: new Float64Array(WINDOW_SECONDS), records: new Float64Array(WINDOW_SECONDS) };
      this.shards.set(k, u);
    }
    const sec = Math.floor(nowMs / 1000);
    const i = sec % WINDOW_SECONDS;
    if (u.seconds[i] !== sec) {
      u.seconds[i] = sec;
      u.bytes[i] = 0;
      u.records[i] = 0;
    }
    u.bytes[i] += bytes;
    u.records[i] += records;
  }

  /** Average write rate over the last `windowSeconds` complete-or-current seconds (≤ 60). */
  writeRate(streamUid: string, shardId: string, nowMs: number, windowSeconds: number): WriteRate {
    const u = this.shards.get(this.key(streamUid, shardId));
    if (!u) return { bytesPerSecond: 0, recordsPerSecond: 0 };
    const now = Math.floor(nowMs / 1000);
    const w = Math.min(Math.max(1, windowSeconds), WINDOW_SECONDS);
    let bytes = 0;
    let records = 0;
    for (let i = 0; i < WINDOW_SECONDS; i++) {
      const s = u.seconds[i];
      if (s > now - w && s <= now) {
        bytes += u.bytes[i];
        records += u.records[i];
      }
    }
    return { bytesPerSecond: bytes / w, recordsPerSecond: records / w };
  }

  forget(streamUid: string, shardId: string): void {
    this.shards.delete(this.key(streamUid, shardId));
  }
}
