/**
 * Shards over their life: how they are shown (Shard shape), when a closed parent stops being listed,
 * and resharding (split, merge, uniform scaling) as AWS documents it:
 * https://docs.aws.amazon.com/streams/latest/dev/kinesis-using-sdk-java-resharding.html
 *
 * - A split closes the parent and creates two children: the lower hash range gets the lower shard
 *   index. Both children have ParentShardId = the parent.
 * - A merge closes both parents and creates one child with ParentShardId = ShardToMerge and
 *   AdjacentParentShardId = AdjacentShardToMerge; its range is the union.
 * - Shard indexes only increase (nextShardIndex). Records are never moved: a closed parent keeps its
 *   log (sealed) and stays readable and listed until its records expire (closedMs older than the
 *   retention period), then it disappears from ListShards and DescribeStream.
 * - Sequence numbers encode a position (sequence-number.ts): the record at log offset i has position
 *   i + 1, and position 0 is the shard's start. StartingSequenceNumber = position 0, below every record
 *   of the shard, so AT_SEQUENCE_NUMBER and AFTER_SEQUENCE_NUMBER with it both start at the first
 *   record. A closed shard's EndingSequenceNumber is the number of its last record (position
 *   endOffset), or position 0 when it closed empty: it is ≥ every record in the shard and < every
 *   sequence number of its children (which have higher indexes).
 * - UpdateShardCount (UNIFORM_SCALING) is a sequence of splits then merges, so each new shard has at
 *   most two parents and the lineage is exact; shards created and closed within the same call
 *   ("short-lived shards", as AWS calls them) are empty and listed like any closed shard.
 *
 * Every change is computed on a copy of the stream record and committed with one compare-and-set
 * (see {@link executeReshard}); parents' logs are sealed first so that no record lands in a parent
 * after its end offset is recorded.
 */
import { ServiceError } from '../model/service-error.js';
import type { Versioned } from '../storage/contract.js';
import type { KinesisEnv } from './env.js';
import { MAX_HASH_KEY, evenHashRanges } from './hash-key.js';
import type { ShardRecord, StreamRecord } from './records.js';
import { StreamStatus, shardIdFor } from './records.js';
import { sequenceNumberEncoder } from './sequence-number.js';
import { KeyedMutex } from './stream-store.js';

export const HOUR_MS = 3600 * 1000;

export function retentionMs(stream: StreamRecord): number {
  return stream.retentionHours * HOUR_MS;
}

/** The trim horizon: records (and closed shards) older than this are gone. */
export function trimHorizonMs(stream: StreamRecord, nowMs: number): number {
  return nowMs - retentionMs(stream);
}

/** A closed shard whose every record is older than the retention period. */
export function isExpired(stream: StreamRecord, shard: ShardRecord, nowMs: number): boolean {
  return shard.closedMs !== undefined && shard.closedMs <= trimHorizonMs(stream, nowMs);
}

/** Shards shown by ListShards / DescribeStream: all but expired closed ones, ordered by shard id. */
export function listedShards(stream: StreamRecord, nowMs: number): ShardRecord[] {
  return stream.shards.filter((s) => !isExpired(stream, s, nowMs)).sort((a, b) => a.index - b.index);
}

/** Position 0: before the shard's first record. */
export function startingSequenceNumber(stream: StreamRecord, shard: ShardRecord): string {
  return sequenceNumberEncoder(shard.index, stream.salt).start();
}

/** A closed shard's last record (position endOffset), or position 0 when it never had one. */
export function endingSequenceNumber(stream: StreamRecord, shard: ShardRecord): string | undefined {
  if (shard.closedMs === undefined) return undefined;
  return sequenceNumberEncoder(shard.index, stream.salt).at(Math.max(shard.endOffset ?? 0, 0));
}

export interface ShardOutput {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
  SequenceNumberRange: { StartingSequenceNumber: string; EndingSequenceNumber?: string };
}

/** The Shard shape of the API. */
export function shardOutput(stream: StreamRecord, shard: ShardRecord): ShardOutput {
  const out: ShardOutput = {
    ShardId: shard.shardId,
    HashKeyRange: { StartingHashKey: shard.startingHashKey, EndingHashKey: shard.endingHashKey },
    SequenceNumberRange: { StartingSequenceNumber: startingSequenceNumber(stream, shard) },
  };
  if (shard.parentShardId !== undefined) out.ParentShardId = shard.parentShardId;
  if (shard.adjacentParentShardId !== undefined) out.AdjacentParentShardId = shard.adjacentParentShardId;
  const ending = endingSequenceNumber(stream, shard);
  if (ending !== undefined) out.SequenceNumberRange.EndingSequenceNumber = ending;
  return out;
}

/** The initial shards of a new stream: the hash space split evenly. */
export function initialShards(count: number, nowMs: number): ShardRecord[] {
  return evenHashRanges(count).map(([lo, hi], index) => ({
    shardId: shardIdFor(index),
    index,
    startingHashKey: lo.toString(),
    endingHashKey: hi.toString(),
    createdMs: nowMs,
  }));
}

export function openShardCount(stream: StreamRecord): number {
  let n = 0;
  for (const s of stream.shards) if (s.closedMs === undefined) n++;
  return n;
}

function shardNotFound(stream: StreamRecord, shardId: string): ServiceError {
  return new ServiceError(
    'ResourceNotFoundException',
    `Could not find shard ${shardId} in stream ${stream.name} under account ${stream.accountId}.`,
  );
}

/**
 * Check a SplitShard request against the current stream (ServiceError when invalid). AWS requires
 * the new starting hash key to be greater than one plus the shard's starting hash key and less than
 * its ending hash key.
 */
export function checkSplit(stream: StreamRecord, shardId: string, newStartingHashKey: string, nowMs: number): ShardRecord {
  const shard = stream.shards.find((s) => s.shardId === shardId && !isExpired(stream, s, nowMs));
  if (!shard) throw shardNotFound(stream, shardId);
  if (shard.closedMs !== undefined) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Shard ${shardId} in stream ${stream.name} under account ${stream.accountId} has already been merged or split, and thus is not eligible for splitting.`,
    );
  }
  const key = BigInt(newStartingHashKey);
  const lo = BigInt(shard.startingHashKey);
  const hi = BigInt(shard.endingHashKey);
  if (!(key > lo + 1n && key < hi)) {
    throw new ServiceError(
      'InvalidArgumentException',
      `NewStartingHashKey ${newStartingHashKey} used in SplitShard() on shard ${shardId} in stream ${stream.name} under account ${stream.accountId} is not both greater than one plus the shard's StartingHashKey ${shard.startingHashKey} and less than the shard's EndingHashKey ${shard.endingHashKey}.`,
    );
  }
  return shard;
}

/** Check a MergeShards request; returns [shardToMerge, adjacentShardToMerge]. */
export function checkMerge(stream: StreamRecord, shardId: string, adjacentShardId: string, nowMs: number): [ShardRecord, ShardRecord] {
  const a = stream.shards.find((s) => s.shardId === shardId && !isExpired(stream, s, nowMs));
  if (!a) throw shardNotFound(stream, shardId);
  const b = stream.shards.find((s) => s.shardId === adjacentShardId && !isExpired(stream, s, nowMs));
  if (!b) throw shardNotFound(stream, adjacentShardId);
  for (const s of [a, b]) {
    if (s.closedMs !== undefined) {
      throw new ServiceError(
        'InvalidArgumentException',
        `Shard ${s.shardId} in stream ${stream.name} under account ${stream.accountId} has already been merged or split, and thus is not eligible for merging.`,
      );
    }
  }
  const adjacent =
    a.shardId !== b.shardId &&
    (BigInt(a.endingHashKey) + 1n === BigInt(b.startingHashKey) || BigInt(b.endingHashKey) + 1n === BigInt(a.startingHashKey));
  if (!adjacent) {
    throw new ServiceError(
      'InvalidArgumentException',
      `Shards ${shardId} and ${adjacentShardId} in stream ${stream.name} under account ${stream.accountId} are not an adjacent pair of shards eligible for merging.`,
    );
  }
  return [a, b];
}

/** Mutable working copy used while applying a reshard. */
class Draft {
  readonly shards: ShardRecord[];
  nextShardIndex: number;
  private readonly positions = new Map<string, number>();
  constructor(
    stream: StreamRecord,
    private readonly nowMs: number,
    private readonly endOffsets: ReadonlyMap<string, number>,
  ) {
    this.shards = [...stream.shards];
    this.shards.forEach((s, i) => this.positions.set(s.shardId, i));
    this.nextShardIndex = stream.nextShardIndex;
  }

  private close(shardId: string): void {
    const i = this.positions.get(shardId);
    if (i === undefined) throw new Error(`reshard: unknown shard ${shardId}`);
    const s = this.shards[i];
    // Shards created within this change never received a record: they end at offset 0.
    this.shards[i] = { ...s, closedMs: this.nowMs, endOffset: this.endOffsets.get(shardId) ?? 0 };
  }

  private add(shard: Omit<ShardRecord, 'shardId' | 'index' | 'createdMs'>): ShardRecord {
    const index = this.nextShardIndex++;
    const created: ShardRecord = { shardId: shardIdFor(index), index, createdMs: this.nowMs, ...shard };
    this.positions.set(created.shardId, this.shards.length);
    this.shards.push(created);
    return created;
  }

  split(parent: ShardRecord, newStartingHashKey: bigint): [ShardRecord, ShardRecord] {
    this.close(parent.shardId);
    const lower = this.add({
      parentShardId: parent.shardId,
      startingHashKey: parent.startingHashKey,
      endingHashKey: (newStartingHashKey - 1n).toString(),
    });
    const upper = this.add({
      parentShardId: parent.shardId,
      startingHashKey: newStartingHashKey.toString(),
      endingHashKey: parent.endingHashKey,
    });
    return [lower, upper];
  }

  merge(shard: ShardRecord, adjacent: ShardRecord): ShardRecord {
    this.close(shard.shardId);
    this.close(adjacent.shardId);
    const lo = BigInt(shard.startingHashKey) < BigInt(adjacent.startingHashKey) ? shard : adjacent;
    const hi = lo === shard ? adjacent : shard;
    return this.add({
      parentShardId: shard.shardId,
      adjacentParentShardId: adjacent.shardId,
      startingHashKey: lo.startingHashKey,
      endingHashKey: hi.endingHashKey,
    });
  }

  apply(stream: StreamRecord, changes: Partial<StreamRecord>): StreamRecord {
    return { ...stream, ...changes, shards: this.shards, nextShardIndex: this.nextShardIndex };
  }
}

export function applySplit(
  stream: StreamRecord,
  parent: ShardRecord,
  newStartingHashKey: bigint,
  nowMs: number,
  endOffsets: ReadonlyMap<string, number>,
  changes: Partial<StreamRecord> = {},
): StreamRecord {
  const d = new Draft(stream, nowMs, endOffsets);
  d.split(parent, newStartingHashKey);
  return d.apply(stream, changes);
}

export function applyMerge(
  stream: StreamRecord,
  shard: ShardRecord,
  adjacent: ShardRecord,
  nowMs: number,
  endOffsets: ReadonlyMap<string, number>,
  changes: Partial<StreamRecord> = {},
): StreamRecord {
  const d = new Draft(stream, nowMs, endOffsets);
  d.merge(shard, adjacent);
  return d.apply(stream, changes);
}

/**
 * Starting hash keys of the `target` ranges of an even split, each snapped to an existing open-shard
 * boundary when one lies within 1/1024 of a range's width of it. An exact split of 2^128 into
 * `target` integer ranges rarely lines up with the current (already rounded) boundaries, and
 * without snapping, doubling or halving would split and re-merge every shard by a few keys; with it,
 * doubling a uniform stream is one split per shard and halving one merge per pair, as AWS
 * recommends. The resulting ranges are even to within 0.1 %.
 */
export function scalingBoundaries(stream: StreamRecord, target: number): bigint[] {
  const space = MAX_HASH_KEY + 1n;
  const tolerance = space / BigInt(target) / 1024n;
  const existing = openShardsByHash(stream).map((s) => BigInt(s.startingHashKey));
  const out: bigint[] = [0n];
  let j = 0;
  for (let i = 1; i < target; i++) {
    const ideal = (space * BigInt(i)) / BigInt(target);
    while (j < existing.length && existing[j] < ideal - tolerance) j++;
    let best = ideal;
    let bestDistance = tolerance + 1n;
    for (let m = j; m < existing.length && existing[m] <= ideal + tolerance; m++) {
      const distance = existing[m] > ideal ? existing[m] - ideal : ideal - existing[m];
      if (distance < bestDistance) {
        best = existing[m];
        bestDistance = distance;
      }
    }
    out.push(best);
  }
  return out;
}

function openShardsByHash(stream: StreamRecord): ShardRecord[] {
  return stream.shards
    .filter((s) => s.closedMs === undefined)
    .map((s) => ({ s, k: BigInt(s.startingHashKey) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0))
    .map((x) => x.s);
}

/** The target ranges of uniform scaling as [start, end] pairs. */
export function scalingRanges(stream: StreamRecord, target: number): Array<[bigint, bigint]> {
  const starts = scalingBoundaries(stream, target);
  return starts.map((lo, i) => [lo, i + 1 < starts.length ? starts[i + 1] - 1n : MAX_HASH_KEY]);
}

/** Open shards that uniform scaling to `target` closes (those whose range is not a target range). */
export function shardsClosedByScaling(stream: StreamRecord, target: number): ShardRecord[] {
  const targets = new Set(scalingRanges(stream, target).map(([lo, hi]) => `${lo}-${hi}`));
  return stream.shards.filter((s) => s.closedMs === undefined && !targets.has(`${s.startingHashKey}-${s.endingHashKey}`));
}

/**
 * Uniform scaling: split open shards at every target boundary they do not have yet (a shard that
 * spans several is split repeatedly, its upper child again), then merge, within each target range,
 * its pieces left to right. Afterwards the open shards are exactly `scalingRanges(stream, target)`;
 * every new shard has its real parents (ParentShardId / AdjacentParentShardId).
 */
export function applyUniformScaling(
  stream: StreamRecord,
  target: number,
  nowMs: number,
  endOffsets: ReadonlyMap<string, number>,
  changes: Partial<StreamRecord> = {},
): StreamRecord {
  const d = new Draft(stream, nowMs, endOffsets);
  const ranges = scalingRanges(stream, target);
  const boundaries = ranges.slice(1).map(([lo]) => lo);
  // Splits, walking shards and boundaries in hash order.
  const pieces: ShardRecord[] = [];
  let b = 0;
  for (const shard of openShardsByHash(stream)) {
    const lo = BigInt(shard.startingHashKey);
    const hi = BigInt(shard.endingHashKey);
    while (b < boundaries.length && boundaries[b] <= lo) b++;
    let current = shard;
    while (b < boundaries.length && boundaries[b] <= hi) {
      const [lower, upper] = d.split(current, boundaries[b]);
      pieces.push(lower);
      current = upper;
      b++;
    }
    pieces.push(current);
  }
  // Merges, range by range.
  let p = 0;
  for (const [, hi] of ranges) {
    let merged = pieces[p++];
    while (p < pieces.length && BigInt(pieces[p].endingHashKey) <= hi) merged = d.merge(merged, pieces[p++]);
  }
  return d.apply(stream, changes);
}

/** The middle of a shard's hash range (on-demand scaling splits there), or undefined when too narrow. */
export function middleHashKey(shard: ShardRecord): bigint | undefined {
  const lo = BigInt(shard.startingHashKey);
  const hi = BigInt(shard.endingHashKey);
  if (hi - lo < 3n) return undefined;
  const mid = lo + (hi - lo + 1n) / 2n;
  return mid > lo + 1n && mid < hi && mid <= MAX_HASH_KEY ? mid : undefined;
}

/**
 * Commit a reshard: under the stream's mutex, load the stream, let `prepare` validate and name the
 * open shards that will close (ServiceError to refuse; `retry` is true after a lost compare-and-set,
 * when the parents are already sealed and only the shards' existence must still hold), seal those
 * shards' logs and read their end offsets, build the next record, and compare-and-set it.
 */
export async function executeReshard(
  env: KinesisEnv,
  mutex: KeyedMutex,
  key: string,
  load: () => Promise<Versioned<StreamRecord>>,
  prepare: (stream: StreamRecord, retry: boolean) => readonly ShardRecord[],
  build: (stream: StreamRecord, endOffsets: ReadonlyMap<string, number>) => StreamRecord,
): Promise<Versioned<StreamRecord>> {
  return mutex.run(key, async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await load();
      const closing = prepare(current.value, attempt > 0);
      const endOffsets = new Map<string, number>();
      for (const shard of closing) {
        const log = await env.streams.shardLog(current.value, shard.shardId);
        await log.seal();
        endOffsets.set(shard.shardId, log.endOffset());
      }
      const next = build(current.value, endOffsets);
      const committed = await env.streams.replace(current, next);
      if (committed) return committed;
    }
    throw new ServiceError('LimitExceededException', 'Too many concurrent updates to the stream; retry the request.');
  });
}

/** Fields that put a stream into UPDATING for `updateStreamMs`. */
export function updating(env: KinesisEnv, nowMs: number): Pick<StreamRecord, 'status' | 'statusReadyAtMs'> {
  return { status: StreamStatus.UPDATING, statusReadyAtMs: nowMs + env.settings.updateStreamMs };
}

const mutexes = new WeakMap<KinesisEnv, KeyedMutex>();
const quotaMutexes = new WeakMap<KinesisEnv, KeyedMutex>();

/**
 * Run `fn` (an account-quota check and the commit it guards: CreateStream, SplitShard,
 * UpdateShardCount) alone among such operations of the same account and region, so that concurrent
 * calls cannot both pass a check that only one of them fits (one process; a shared backend would need
 * the check in its commit).
 */
export function withAccountQuota<T>(env: KinesisEnv, accountId: string, region: string, fn: () => Promise<T>): Promise<T> {
  let m = quotaMutexes.get(env);
  if (!m) {
    m = new KeyedMutex();
    quotaMutexes.set(env, m);
  }
  return m.run(`${accountId}/${region}`, fn);
}

/** The per-stream reshard mutex of one Kinesis service instance. */
export function reshardMutex(env: KinesisEnv): KeyedMutex {
  let m = mutexes.get(env);
  if (!m) {
    m = new KeyedMutex();
    mutexes.set(env, m);
  }
  return m;
}
