/**
 * Registered stream consumers (enhanced fan-out) as the services see them: one metadata record per
 * consumer under `consumerKey(stream.uid, name)`, lookup by consumer ARN or by stream ARN + name
 * (with AWS's errors), and lazily completed transitions (CREATING → ACTIVE and DELETING → gone once
 * `settings.consumerMs` has passed on the injected clock), as {@link StreamStore} does for streams.
 *
 * Consumers belong to one incarnation of a stream (its uid): a re-created stream of the same name
 * starts with none, and deleting a stream removes its consumers (see {@link ConsumerStore.removeAll}).
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html
 */
import type { Clock, RequestContext } from '../model/context.js';
import { ServiceError } from '../model/service-error.js';
import type { MetadataStore, Versioned } from '../storage/contract.js';
import { StorageError, StorageErrorCode } from '../storage/contract.js';
import type { Logger } from '../logger.js';
import { consumerArn, parseConsumerArn, streamArn } from './arn.js';
import type { ConsumerRecord, StreamRecord } from './records.js';
import { ConsumerStatus, consumerKey, consumerPrefix } from './records.js';
import type { StreamStore } from './stream-store.js';

/** How a request names a consumer: by ARN, or by stream ARN + consumer name. */
export interface ConsumerReference {
  readonly ConsumerARN?: string | undefined;
  readonly StreamARN?: string | undefined;
  readonly ConsumerName?: string | undefined;
}

export interface ResolvedConsumer {
  readonly stream: Versioned<StreamRecord>;
  readonly consumer: Versioned<ConsumerRecord>;
}

export interface ConsumerLimits {
  /** Consumers per stream (AWS: 20). */
  readonly maxPerStream: number;
  /** Consumers CREATING at once per account and region (AWS: 5). */
  readonly maxCreating: number;
  /** CREATING → ACTIVE and DELETING → gone delay. */
  readonly transitionMs: number;
}

/** Told when a consumer is deregistered or removed with its stream (to end its subscriptions). */
export type ConsumerGoneListener = (consumer: ConsumerRecord) => void;

export class ConsumerStore {
  private readonly goneListeners: ConsumerGoneListener[] = [];

  constructor(
    private readonly metadata: MetadataStore,
    private readonly streams: StreamStore,
    private readonly clock: Clock,
    private readonly limits: ConsumerLimits,
    private readonly logger: Logger,
  ) {}

  onGone(listener: ConsumerGoneListener): void {
    this.goneListeners.push(listener);
  }

  /** The stream a stream ARN names (the stream's own account and region, not the caller's). */
  async streamByArn(context: RequestContext, arn: string): Promise<Versioned<StreamRecord>> {
    return this.streams.resolve(context, { StreamARN: arn });
  }

  /**
   * Register a consumer: CREATING now, ACTIVE after the transition delay.
   * ResourceInUseException when the name is taken or the stream is not ACTIVE/UPDATING,
   * LimitExceededException past the per-stream or CREATING quota.
   */
  async register(
    context: RequestContext,
    streamArnValue: string,
    name: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<ConsumerRecord> {
    const stream = (await this.streamByArn(context, streamArnValue)).value;
    if (stream.status !== 'ACTIVE' && stream.status !== 'UPDATING') {
      throw new ServiceError(
        'ResourceInUseException',
        `Stream ${stream.name} under account ${stream.accountId} not ACTIVE, instead in state ${stream.status}`,
      );
    }
    const existing = await this.listOfStream(stream);
    if (existing.some((c) => c.value.name === name)) throw nameTaken(name, stream);
    if (existing.length >= this.limits.maxPerStream) {
      throw new ServiceError(
        'LimitExceededException',
        `Stream ${stream.name} under account ${stream.accountId} already has ${existing.length} registered consumers; the limit is ${this.limits.maxPerStream}.`,
      );
    }
    const creating = await this.countCreating(stream.accountId, stream.region);
    if (creating >= this.limits.maxCreating) {
      throw new ServiceError(
        'LimitExceededException',
        `Too many consumers in CREATING state for account ${stream.accountId}; at most ${this.limits.maxCreating} can be created at once.`,
      );
    }
    const now = this.clock.now();
    const record: ConsumerRecord = {
      streamUid: stream.uid,
      streamArn: stream.arn,
      name,
      arn: consumerArn(stream.arn, name, now),
      status: ConsumerStatus.CREATING,
      statusReadyAtMs: now + this.limits.transitionMs,
      createdMs: now,
      tags: { ...tags },
    };
    try {
      await this.metadata.commit([{ type: 'put', key: consumerKey(stream.uid, name), value: record, expectVersion: 0 }]);
    } catch (err) {
      if (err instanceof StorageError && err.code === StorageErrorCode.CONFLICT) throw nameTaken(name, stream);
      throw err;
    }
    this.logger.debug('consumer registered', { stream: stream.name, consumer: name });
    return record;
  }

  /**
   * Resolve a consumer named by ConsumerARN, or by StreamARN + ConsumerName, applying any due
   * transition. InvalidArgumentException when the reference is incomplete or inconsistent,
   * ResourceNotFoundException when the stream or the consumer does not exist.
   */
  async resolve(context: RequestContext, ref: ConsumerReference): Promise<ResolvedConsumer> {
    if (ref.ConsumerARN !== undefined) {
      const parts = parseConsumerArn(ref.ConsumerARN);
      if (!parts) throw new ServiceError('InvalidArgumentException', `ConsumerARN ${ref.ConsumerARN} is not a valid consumer ARN.`);
      const ownStreamArn = `arn:${parts.partition}:kinesis:${parts.region}:${parts.accountId}:stream/${parts.streamName}`;
      if (ref.StreamARN !== undefined && ref.StreamARN !== ownStreamArn) {
        throw new ServiceError('InvalidArgumentException', `ConsumerARN ${ref.ConsumerARN} does not belong to stream ${ref.StreamARN}.`);
      }
      if (ref.ConsumerName !== undefined && ref.ConsumerName !== parts.consumerName) {
        throw new ServiceError('InvalidArgumentException', `ConsumerARN ${ref.ConsumerARN} does not name consumer ${ref.ConsumerName}.`);
      }
      const stream = await this.streamOrConsumerNotFound(context, ownStreamArn, ref.ConsumerARN);
      const consumer = await this.get(stream.value, parts.consumerName);
      if (!consumer || consumer.value.arn !== ref.ConsumerARN) throw consumerNotFound(ref.ConsumerARN);
      return { stream, consumer };
    }
    if (ref.StreamARN === undefined || ref.ConsumerName === undefined) {
      throw new ServiceError('InvalidArgumentException', 'Either ConsumerARN, or both StreamARN and ConsumerName, must be provided.');
    }
    const stream = await this.streamByArn(context, ref.StreamARN);
    const consumer = await this.get(stream.value, ref.ConsumerName);
    if (!consumer) {
      throw new ServiceError('ResourceNotFoundException', `Consumer ${ref.ConsumerName} under stream ${ref.StreamARN} not found.`);
    }
    return { stream, consumer };
  }

  /** Load one consumer of a stream, completing a due transition; undefined when absent or gone. */
  async get(stream: StreamRecord, name: string): Promise<Versioned<ConsumerRecord> | undefined> {
    const found = await this.metadata.get<ConsumerRecord>(consumerKey(stream.uid, name));
    return found ? this.settle(found) : undefined;
  }

  /** Every consumer of a stream, sorted by name, with due transitions applied. */
  async listOfStream(stream: StreamRecord): Promise<Versioned<ConsumerRecord>[]> {
    const all = await this.metadata.list<ConsumerRecord>(consumerPrefix(stream.uid));
    const out: Versioned<ConsumerRecord>[] = [];
    for (const v of all) {
      const settled = await this.settle(v);
      if (settled) out.push(settled);
    }
    return out;
  }

  /** Start deregistration: DELETING now, gone after the transition delay. Live subscriptions end now. */
  async deregister(context: RequestContext, ref: ConsumerReference): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const { consumer } = await this.resolve(context, ref);
      if (consumer.value.status === ConsumerStatus.DELETING) {
        this.notifyGone(consumer.value);
        return;
      }
      const next: ConsumerRecord = {
        ...consumer.value,
        status: ConsumerStatus.DELETING,
        statusReadyAtMs: this.clock.now() + this.limits.transitionMs,
      };
      if (await this.replace(consumer, next)) {
        this.logger.debug('consumer deregistering', { consumer: consumer.value.arn });
        this.notifyGone(next);
        return;
      }
    }
    throw new ServiceError('LimitExceededException', 'Too many concurrent updates to the consumer; retry the request.');
  }

  /** Remove every consumer of a stream (the stream was deleted). */
  async removeAll(streamUid: string): Promise<void> {
    const all = await this.metadata.list<ConsumerRecord>(consumerPrefix(streamUid));
    if (all.length === 0) return;
    await this.metadata.commit(all.map((v) => ({ type: 'delete' as const, key: v.key })));
    for (const v of all) this.notifyGone(v.value);
  }

  /** Complete a due transition, persisting it. */
  private async settle(current: Versioned<ConsumerRecord>): Promise<Versioned<ConsumerRecord> | undefined> {
    let v: Versioned<ConsumerRecord> | undefined = current;
    for (let attempt = 0; v && attempt < 5; attempt++) {
      const c: ConsumerRecord = v.value;
      const due = c.statusReadyAtMs !== undefined && this.clock.now() >= c.statusReadyAtMs;
      if (c.status === ConsumerStatus.ACTIVE || !due) return v;
      try {
        if (c.status === ConsumerStatus.DELETING) {
          await this.metadata.commit([{ type: 'delete', key: v.key, expectVersion: v.version }]);
          this.logger.debug('consumer deleted', { consumer: c.arn });
          return undefined;
        }
        const next: ConsumerRecord = { ...c, status: ConsumerStatus.ACTIVE, statusReadyAtMs: undefined };
        await this.metadata.commit([{ type: 'put', key: v.key, value: next, expectVersion: v.version }]);
        return { key: v.key, version: v.version + 1, value: next };
      } catch (err) {
        if (!(err instanceof StorageError && err.code === StorageErrorCode.CONFLICT)) throw err;
        // Someone else completed or changed it first: re-read and look again.
      }
      v = await this.metadata.get<ConsumerRecord>(current.key);
    }
    return v;
  }

  private async replace(expected: Versioned<ConsumerRecord>, next: ConsumerRecord): Promise<boolean> {
    try {
      await this.metadata.commit([{ type: 'put', key: expected.key, value: next, expectVersion: expected.version }]);
      return true;
    } catch (err) {
      if (err instanceof StorageError && err.code === StorageErrorCode.CONFLICT) return false;
      throw err;
    }
  }

  private async countCreating(accountId: string, region: string): Promise<number> {
    const all = await this.metadata.list<ConsumerRecord>('kinesis/consumer/');
    const prefix = streamArn(region, accountId, '');
    let n = 0;
    const now = this.clock.now();
    for (const v of all) {
      const c = v.value;
      if (!c.streamArn.startsWith(prefix)) continue;
      if (c.status === ConsumerStatus.CREATING && (c.statusReadyAtMs === undefined || now < c.statusReadyAtMs)) n++;
    }
    return n;
  }

  private async streamOrConsumerNotFound(
    context: RequestContext,
    streamArnValue: string,
    consumerArnValue: string,
  ): Promise<Versioned<StreamRecord>> {
    try {
      return await this.streamByArn(context, streamArnValue);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'ResourceNotFoundException') throw consumerNotFound(consumerArnValue);
      throw err;
    }
  }

  private notifyGone(consumer: ConsumerRecord): void {
    for (const listener of this.goneListeners) {
      try {
        listener(consumer);
      } catch (err) {
        // A listener failing must not fail the deregistration that already committed.
        this.logger.error('consumer gone listener failed', { consumer: consumer.arn, err });
      }
    }
  }
}

function nameTaken(name: string, stream: StreamRecord): ServiceError {
  return new ServiceError(
    'ResourceInUseException',
    `Consumer ${name} under stream ${stream.name} under account ${stream.accountId} already exists.`,
  );
}

function consumerNotFound(arn: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Consumer ${arn} not found.`);
}

/** Output shape `Consumer` (RegisterStreamConsumer, ListStreamConsumers). */
export function consumerOutput(c: ConsumerRecord): {
  ConsumerName: string;
  ConsumerARN: string;
  ConsumerStatus: ConsumerStatus;
  ConsumerCreationTimestamp: Date;
} {
  return {
    ConsumerName: c.name,
    ConsumerARN: c.arn,
    ConsumerStatus: c.status,
    ConsumerCreationTimestamp: new Date(c.createdMs),
  };
}
