/**
 * ListShards: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html
 *
 * - NextToken identifies the stream, the position and the filter; it cannot be combined with
 *   StreamName, StreamARN, StreamCreationTimestamp, ExclusiveStartShardId or ShardFilter
 *   (InvalidArgumentException "NextToken and X cannot be provided together.", as AWS answers), and
 *   expires after 300 s (ExpiredNextTokenException).
 * - MaxResults default 1000 (more is capped at 1000, as documented).
 * - Shards in shard-id order; closed shards whose records all expired are not listed; a stream that
 *   is CREATING or DELETING answers ResourceInUseException ("… not ACTIVE or UPDATING, instead in
 *   state CREATING", as AWS answers).
 * - ShardFilter (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ShardFilter.html),
 *   with T = the trim horizon = max(now − retention, stream creation):
 *     AFTER_SHARD_ID     shards after ShardId (same as ExclusiveStartShardId)
 *     AT_TRIM_HORIZON    shards open at T: created ≤ T and (open or closed after T)
 *     FROM_TRIM_HORIZON  (default) every shard within retention
 *     AT_LATEST          open shards
 *     AT_TIMESTAMP ts    created ≤ ts and (open or closed ≥ ts); ts earlier than T is corrected to T
 *     FROM_TIMESTAMP ts  closed shards with end ≥ ts, and every open shard; ts < T is corrected to T
 */
import type { RequestContext } from '../../model/context.js';
import type { ListShardsInput, ListShardsOutput, ShardFilter } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import type { ShardRecord, StreamRecord } from '../records.js';
import { StreamStatus, streamKey } from '../records.js';
import { listedShards, shardOutput, trimHorizonMs } from '../resharding.js';
import { decodePageToken, encodePageToken, notFound, requireStatus } from '../stream-store.js';

const DEFAULT_MAX_RESULTS = 1000;
const TOKEN_KIND = 'ListShards';

interface Position {
  /** Stream identity: account, region, name, uid (a re-created stream invalidates old tokens). */
  a: string;
  r: string;
  n: string;
  u: string;
  /** Last shard id returned. */
  after: string;
  /** Filter type and timestamp (ms) in force. */
  f?: string;
  ts?: number;
}

function rejectWithToken(input: ListShardsInput): void {
  const conflicts: Array<[string, unknown]> = [
    ['StreamName', input.StreamName],
    ['StreamARN', input.StreamARN],
    ['StreamCreationTimestamp', input.StreamCreationTimestamp],
    ['ExclusiveStartShardId', input.ExclusiveStartShardId],
    ['ShardFilter', input.ShardFilter],
  ];
  for (const [name, value] of conflicts) {
    if (value !== undefined) throw new ServiceError('InvalidArgumentException', `NextToken and ${name} cannot be provided together.`);
  }
}

/** Shards selected by a filter (before pagination). */
export function filterShards(stream: StreamRecord, shards: readonly ShardRecord[], type: string, timestampMs: number | undefined, nowMs: number): ShardRecord[] {
  const horizon = Math.max(trimHorizonMs(stream, nowMs), stream.createdMs);
  switch (type) {
    case 'AT_LATEST':
      return shards.filter((s) => s.closedMs === undefined);
    case 'AT_TRIM_HORIZON':
      return shards.filter((s) => s.createdMs <= horizon && (s.closedMs === undefined || s.closedMs > horizon));
    case 'AT_TIMESTAMP': {
      const ts = Math.max(timestampMs ?? horizon, horizon);
      return shards.filter((s) => s.createdMs <= ts && (s.closedMs === undefined || s.closedMs >= ts));
    }
    case 'FROM_TIMESTAMP': {
      const ts = Math.max(timestampMs ?? horizon, horizon);
      return shards.filter((s) => s.closedMs === undefined || s.closedMs >= ts);
    }
    default:
      // FROM_TRIM_HORIZON and AFTER_SHARD_ID (whose start point is applied by the caller).
      return [...shards];
  }
}

function checkFilter(filter: ShardFilter): void {
  if (filter.Type === 'AFTER_SHARD_ID' && filter.ShardId === undefined) {
    throw new ServiceError('InvalidArgumentException', 'ShardFilter of type AFTER_SHARD_ID requires a ShardId.');
  }
  if ((filter.Type === 'AT_TIMESTAMP' || filter.Type === 'FROM_TIMESTAMP') && filter.Timestamp === undefined) {
    throw new ServiceError('InvalidArgumentException', `ShardFilter of type ${filter.Type} requires a Timestamp.`);
  }
  if (filter.ShardId !== undefined && filter.Type !== 'AFTER_SHARD_ID') {
    throw new ServiceError('InvalidArgumentException', `ShardId can only be used with ShardFilter type AFTER_SHARD_ID, not ${filter.Type}.`);
  }
  if (filter.Timestamp !== undefined && filter.Type !== 'AT_TIMESTAMP' && filter.Type !== 'FROM_TIMESTAMP') {
    throw new ServiceError('InvalidArgumentException', `Timestamp can only be used with ShardFilter types AT_TIMESTAMP and FROM_TIMESTAMP, not ${filter.Type}.`);
  }
}

export async function listShards(env: KinesisEnv, input: ListShardsInput, context: RequestContext): Promise<ListShardsOutput> {
  const now = env.clock.now();
  let stream: StreamRecord;
  let after: string | undefined;
  let filterType = 'FROM_TRIM_HORIZON';
  let filterTs: number | undefined;
  if (input.NextToken !== undefined) {
    rejectWithToken(input);
    const raw = decodePageToken(TOKEN_KIND, input.NextToken, now);
    const pos = raw as unknown as Position;
    if (typeof pos.a !== 'string' || typeof pos.r !== 'string' || typeof pos.n !== 'string' || typeof pos.after !== 'string') {
      throw new ServiceError('InvalidArgumentException', 'Invalid NextToken.');
    }
    const scope = env.streams.scopeOf(context);
    if (pos.a !== scope.accountId) throw new ServiceError('InvalidArgumentException', 'Invalid NextToken: it was not issued for this account.');
    const found = await env.streams.get(streamKey(pos.a, pos.r, pos.n));
    if (!found || found.value.uid !== pos.u) throw notFound(pos.n, pos.a);
    stream = found.value;
    after = pos.after;
    filterType = pos.f ?? filterType;
    filterTs = pos.ts;
  } else {
    stream = (await env.streams.resolve(context, input)).value;
    if (input.StreamCreationTimestamp !== undefined) {
      // Clients send whole seconds (botocore truncates), so compare at second precision.
      if (Math.floor(input.StreamCreationTimestamp.getTime() / 1000) !== Math.floor(stream.createdMs / 1000)) {
        throw notFound(stream.name, stream.accountId);
      }
    }
    after = input.ExclusiveStartShardId;
    if (input.ShardFilter) {
      checkFilter(input.ShardFilter);
      filterType = input.ShardFilter.Type;
      filterTs = input.ShardFilter.Timestamp?.getTime();
      if (filterType === 'AFTER_SHARD_ID') after = input.ShardFilter.ShardId;
    }
  }
  requireStatus(stream, [StreamStatus.ACTIVE, StreamStatus.UPDATING]);
  let shards = filterShards(stream, listedShards(stream, now), filterType, filterTs, now);
  if (after !== undefined) {
    const start = after;
    shards = shards.filter((s) => s.shardId > start);
  }
  const max = Math.min(input.MaxResults ?? DEFAULT_MAX_RESULTS, DEFAULT_MAX_RESULTS);
  const page = shards.slice(0, max);
  const out: ListShardsOutput = { Shards: page.map((s) => shardOutput(stream, s)) };
  if (shards.length > page.length && page.length > 0) {
    const pos: Position = { a: stream.accountId, r: stream.region, n: stream.name, u: stream.uid, after: page[page.length - 1].shardId, f: filterType };
    if (filterTs !== undefined) pos.ts = filterTs;
    out.NextToken = encodePageToken(TOKEN_KIND, now, { ...pos });
  }
  return out;
}
