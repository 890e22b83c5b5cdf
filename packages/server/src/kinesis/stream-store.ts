/**
 * Streams as the services see them: lookup by name or ARN (with AWS's errors), lazily completed
 * state transitions (CREATING → ACTIVE, UPDATING → ACTIVE, DELETING → gone, each once its delay has
 * passed on the injected clock), and compare-and-set updates. All writes of stream records go through
 * here so the cache stays coherent within this process.
 */
import type { Clock, RequestContext } from '../model/context.js';
import { ServiceError } from '../model/service-error.js';
import type { MetadataStore, ShardLog, ShardLogStore, Versioned } from '../storage/contract.js';
import { StorageError, StorageErrorCode } from '../storage/contract.js';
import type { Logger } from '../logger.js';
import { parseConsumerArn, parseStreamArn } from './arn.js';
import type { ConsumerRecord, ShardRecord, StreamRecord } from './records.js';
import { StreamStatus, consumerKey, shardLogName, streamKey, streamPrefix } from './records.js';

/** What a ResourceARN names. */
export type ResolvedResource =
  | { readonly kind: 'stream'; readonly stream: Versioned<StreamRecord> }
  | { readonly kind: 'consumer'; readonly stream: Versioned<StreamRecord>; readonly consumer: Versioned<ConsumerRecord> };

/** How a request names a stream: by name, by ARN, or both (which must agree). */
export interface StreamReference {
  readonly StreamName?: string | undefined;
  readonly StreamARN?: string | undefined;
}

export interface StreamScope {
  readonly accountId: string;
  readonly region: string;
}

/** Called when a stream's pending transition completes (e.g. to destroy logs of a deleted stream). */
export type TransitionHook = (before: StreamRecord, after: StreamRecord | undefined) => Promise<void>;

export class StreamStore {
  private readonly cache = new Map<string, Versioned<StreamRecord>>();
  private readonly logs = new Map<string, Promise<ShardLog>>();
  private readonly hooks: TransitionHook[] = [];

  constructor(
    private readonly metadata: MetadataStore,
    private readonly logStore: ShardLogStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  onTransition(hook: TransitionHook): void {
    this.hooks.push(hook);
  }

  /** Account and region a request acts in (from its credential scope). */
  scopeOf(context: RequestContext): StreamScope {
    return { accountId: context.caller.accountId, region: context.region };
  }

  /**
   * Resolve a stream named by StreamName and/or StreamARN, applying any due transition.
   * Throws InvalidArgumentException when neither is given or they disagree, ResourceNotFoundException
   * when the stream does not exist (or has finished deleting).
   */
  async resolve(context: RequestContext, ref: StreamReference): Promise<Versioned<StreamRecord>> {
    const { key, name, accountId } = this.keyFor(context, ref);
    const found = await this.get(key);
    if (!found) throw notFound(name, accountId);
    return found;
  }

  /**
   * Resolve a ResourceARN (TagResource, resource policies, …): a stream ARN, or a consumer ARN whose
   * consumer record exists with exactly that ARN. ResourceNotFoundException otherwise.
   */
  async resolveResource(context: RequestContext, arn: string): Promise<ResolvedResource> {
    const consumer = parseConsumerArn(arn);
    if (consumer) {
      const streamArnValue = arn.slice(0, arn.indexOf('/consumer/'));
      const stream = await this.resolve(context, { StreamARN: streamArnValue });
      const record = await this.metadata.get<ConsumerRecord>(consumerKey(stream.value.uid, consumer.consumerName));
      if (!record || record.value.arn !== arn) {
        throw new ServiceError('ResourceNotFoundException', `Consumer ${arn} under account ${consumer.accountId} not found.`);
      }
      return { kind: 'consumer', stream, consumer: record };
    }
    if (parseStreamArn(arn)) return { kind: 'stream', stream: await this.resolve(context, { StreamARN: arn }) };
    throw new ServiceError('ResourceNotFoundException', `Resource ${arn} not found.`);
  }

  /** Compare-and-set a consumer record (tags); false when it changed meanwhile. */
  async replaceConsumer(expected: Versioned<ConsumerRecord>, next: ConsumerRecord): Promise<boolean> {
    try {
      await this.metadata.commit([{ type: 'put', key: expected.key, value: next, expectVersion: expected.version }]);
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.code === StorageErrorCode.CONFLICT) return false;
      throw err;
    }
  }

  /** The stream key a reference points at (validating name/ARN agreement), without loading it. */
  keyFor(context: RequestContext, ref: StreamReference): { key: string; name: string; accountId: string; region: string } {
    const scope = this.scopeOf(context);
    if (ref.StreamARN !== undefined) {
      const parts = parseStreamArn(ref.StreamARN);
      if (!parts) {
        throw new ServiceError('InvalidArgumentException', `StreamARN ${ref.StreamARN} is not a valid Kinesis stream ARN.`);
      }
      if (ref.StreamName !== undefined && ref.StreamName !== parts.streamName) {
        throw new ServiceError(
          'InvalidArgumentException',
          `StreamName ${ref.StreamName} and StreamARN ${ref.StreamARN} refer to different streams.`,
        );
      }
      return { key: streamKey(parts.accountId, parts.region, parts.streamName), name: parts.streamName, accountId: parts.accountId, region: parts.region };
    }
    if (ref.StreamName === undefined) {
      throw new ServiceError('InvalidArgumentException', 'Either StreamName or StreamARN must be provided.');
    }
    return { key: streamKey(scope.accountId, scope.region, ref.StreamName), name: ref.StreamName, accountId: scope.accountId, region: scope.region };
  }

  /** Load by key, completing a due transition; undefined when absent. */
  async get(key: string): Promise<Versioned<StreamRecord> | undefined> {
    let current = this.cache.get(key);
    if (!current) {
      current = await this.metadata.get<StreamRecord>(key);
      if (!current) return undefined;
      this.cache.set(key, current);
    }
    return this.settle(current);
  }

  /** Every stream of an account and region, sorted by name, with due transitions applied. */
  async list(scope: StreamScope): Promise<Versioned<StreamRecord>[]> {
    const all = await this.metadata.list<StreamRecord>(streamPrefix(scope.accountId, scope.region));
    const out: Versioned<StreamRecord>[] = [];
    for (const v of all) {
      const cached = this.cache.get(v.key);
      const latest = cached && cached.version >= v.version ? cached : v;
      this.cache.set(v.key, latest);
      const settled = await this.settle(latest);
      if (settled) out.push(settled);
    }
    return out;
  }

  /** Every stream of every account (for background duties). */
  async listAll(): Promise<Versioned<StreamRecord>[]> {
    const all = await this.metadata.list<StreamRecord>('kinesis/stream/');
    const out: Versioned<StreamRecord>[] = [];
    for (const v of all) {
      const settled = await this.settle(v);
      if (settled) out.push(settled);
    }
    return out;
  }

  /** Create a stream record; ResourceInUseException if the name is taken. */
  async create(record: StreamRecord): Promise<Versioned<StreamRecord>> {
    const key = streamKey(record.accountId, record.region, record.name);
    try {
      await this.metadata.commit([{ type: 'put', key, value: record, expectVersion: 0 }]);
    } catch (err) {
      if (err instanceof StorageError && err.code === StorageErrorCode.CONFLICT) {
        throw new ServiceError('ResourceInUseException', `Stream ${record.name} under account ${record.accountId} already exists.`);
      }
      throw err;
    }
    const v: Versioned<StreamRecord> = { key, version: 1, value: record };
    this.cache.set(key, v);
    return v;
  }

  /**
   * Replace a stream record if it is still at `expected.version`. Returns the new version, or
   * undefined when someone else changed it first (callers re-resolve and retry or fail).
   */
  async replace(expected: Versioned<StreamRecord>, next: StreamRecord): Promise<Versioned<StreamRecord> | undefined> {
    try {
      await this.metadata.commit([{ type: 'put', key: expected.key, value: next, expectVersion: expected.version }]);
    } catch (err) {
      if (err instanceof StorageError && err.code === StorageErrorCode.CONFLICT) {
        this.cache.delete(expected.key);
        return undefined;
      }
      throw err;
    }
    const v: Versioned<StreamRecord> = { key: expected.key, version: expected.version + 1, value: next };
    this.cache.set(expected.key, v);
    return v;
  }

  /**
   * Read-modify-write with retries on conflict. `change` gets the settled current record and returns
   * the next one (or throws a ServiceError). Returns the committed version.
   */
  async update(
    context: RequestContext,
    ref: StreamReference,
    change: (current: StreamRecord) => StreamRecord,
  ): Promise<Versioned<StreamRecord>> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const current = await this.resolve(context, ref);
      const next = change(current.value);
      const committed = await this.replace(current, next);
      if (committed) return committed;
    }
    throw new ServiceError('LimitExceededException', 'Too many concurrent updates to the stream; retry the request.');
  }

  /** Remove the stream record (after DELETING completes). */
  async remove(expected: Versioned<StreamRecord>): Promise<boolean> {
    try {
      await this.metadata.commit([{ type: 'delete', key: expected.key, expectVersion: expected.version }]);
    } catch (err) {
      if (err instanceof StorageError && err.code === StorageErrorCode.CONFLICT) {
        this.cache.delete(expected.key);
        return false;
      }
      throw err;
    }
    this.cache.delete(expected.key);
    return true;
  }

  /** The shard log of one shard (opened once, then reused). */
  shardLog(stream: StreamRecord, shardId: string): Promise<ShardLog> {
    const name = shardLogName(stream.uid, shardId);
    let log = this.logs.get(name);
    if (!log) {
      log = this.logStore.open(name);
      this.logs.set(name, log);
      log.catch(() => this.logs.delete(name));
    }
    return log;
  }

  /** Destroy the logs of every shard of a stream. */
  async destroyLogs(stream: StreamRecord): Promise<void> {
    for (const shard of stream.shards) {
      const name = shardLogName(stream.uid, shard.shardId);
      this.logs.delete(name);
      await this.logStore.destroy(name);
    }
  }

  /** Destroy the log of one shard (an expired closed shard). */
  async destroyLog(stream: StreamRecord, shardId: string): Promise<void> {
    const name = shardLogName(stream.uid, shardId);
    this.logs.delete(name);
    await this.logStore.destroy(name);
  }

  /** Apply a due status transition, persisting it. */
  private async settle(current: Versioned<StreamRecord>): Promise<Versioned<StreamRecord> | undefined> {
    let v: Versioned<StreamRecord> | undefined = current;
    for (let attempt = 0; v && attempt < 5; attempt++) {
      const s = v.value;
      const due = s.statusReadyAtMs !== undefined && this.clock.now() >= s.statusReadyAtMs;
      if (s.status === StreamStatus.ACTIVE || !due) return v;
      if (s.status === StreamStatus.DELETING) {
        if (await this.remove(v)) {
          this.logger.debug('stream deleted', { stream: s.name, account: s.accountId });
          await this.runHooks(s, undefined);
          return undefined;
        }
      } else {
        const next: StreamRecord = { ...s, status: StreamStatus.ACTIVE, statusReadyAtMs: undefined };
        const committed = await this.replace(v, next);
        if (committed) {
          await this.runHooks(s, next);
          return committed;
        }
      }
      v = await this.metadata.get<StreamRecord>(current.key);
      if (v) this.cache.set(current.key, v);
    }
    return v;
  }

  private async runHooks(before: StreamRecord, after: StreamRecord | undefined): Promise<void> {
    for (const hook of this.hooks) {
      try {
        await hook(before, after);
      } catch (err) {
        // A failing hook must not fail the request that happened to settle the transition.
        this.logger.error('stream transition hook failed', { stream: before.name, err });
      }
    }
  }
}

export function notFound(streamName: string, accountId: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Stream ${streamName} under account ${accountId} not found.`);
}

/** Open shards (not closed by a reshard), ordered by starting hash key. */
export function openShards(stream: StreamRecord): ShardRecord[] {
  return stream.shards
    .filter((s) => s.closedMs === undefined)
    .sort((a, b) => {
      const x = BigInt(a.startingHashKey);
      const y = BigInt(b.startingHashKey);
      return x < y ? -1 : x > y ? 1 : 0;
    });
}

export function findShard(stream: StreamRecord, shardId: string): ShardRecord | undefined {
  return stream.shards.find((s) => s.shardId === shardId);
}

/** ResourceInUseException unless the stream is in one of `allowed` states (default ACTIVE). */
export function requireStatus(stream: StreamRecord, allowed: readonly StreamStatus[] = [StreamStatus.ACTIVE]): void {
  if (allowed.includes(stream.status)) return;
  throw new ServiceError(
    'ResourceInUseException',
    `Stream ${stream.name} under account ${stream.accountId} not ${allowed.join(' or ')}, instead in state ${stream.status}`,
  );
}

/** Times within the last 24 hours (rolling windows of per-day limits). */
export function withinLastDay(times: readonly number[] | undefined, nowMs: number): number[] {
  return (times ?? []).filter((t) => t > nowMs - 24 * 3600 * 1000);
}

/**
 * Runs `fn` exclusively per key within this process (resharding of one stream is serialized so that a
 * sealed parent log is always followed by the commit that closes it).
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

/** NextToken lifetime of ListShards / ListStreams / ListStreamConsumers ("Tokens expire after 300 seconds"). */
export const NEXT_TOKEN_TTL_MS = 300_000;

/**
 * A self-contained pagination token: `kind` (which operation issued it), the issuing time, and the
 * operation's own position fields, as base64url JSON. It carries no secret: forging one only names a
 * position the caller could request anyway (the stream in it is still resolved with the caller's
 * account). Invalid → InvalidArgumentException; older than 300 s → ExpiredNextTokenException.
 */
export function encodePageToken(kind: string, issuedMs: number, fields: Readonly<Record<string, unknown>>): string {
  return Buffer.from(JSON.stringify({ k: kind, t: issuedMs, ...fields }), 'utf8').toString('base64url');
}

export function decodePageToken(kind: string, token: string, nowMs: number): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw new ServiceError('InvalidArgumentException', `Invalid NextToken: ${token.slice(0, 64)}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { k?: unknown }).k !== kind || typeof (parsed as { t?: unknown }).t !== 'number') {
    throw new ServiceError('InvalidArgumentException', `Invalid NextToken: ${token.slice(0, 64)}`);
  }
  const fields = parsed as Record<string, unknown> & { t: number };
  if (nowMs - fields.t > NEXT_TOKEN_TTL_MS) {
    throw new ServiceError('ExpiredNextTokenException', 'The NextToken has expired; tokens are valid for 300 seconds.');
  }
  return fields;
}
