/**
 * Kinesis metadata as it is kept in the {@link MetadataStore}. One record per stream, with its
 * shards embedded, so that a reshard (close parents, add children, bump counters) is one
 * compare-and-set write of one key. Consumers are separate records (they have their own lifecycle).
 *
 * Keys (see {@link streamKey}, {@link consumerKey}) are scoped by account and region, as AWS scopes
 * stream names.
 */

export const StreamStatus = { CREATING: 'CREATING', DELETING: 'DELETING', ACTIVE: 'ACTIVE', UPDATING: 'UPDATING' } as const;
export type StreamStatus = (typeof StreamStatus)[keyof typeof StreamStatus];

export const StreamMode = { PROVISIONED: 'PROVISIONED', ON_DEMAND: 'ON_DEMAND' } as const;
export type StreamMode = (typeof StreamMode)[keyof typeof StreamMode];

export interface ShardRecord {
  readonly shardId: string;
  /** The numeric part of shardId; shard indexes only increase within a stream. */
  readonly index: number;
  readonly parentShardId?: string | undefined;
  readonly adjacentParentShardId?: string | undefined;
  /** Decimal strings, inclusive, within 0 … 2^128-1. */
  readonly startingHashKey: string;
  readonly endingHashKey: string;
  readonly createdMs: number;
  /** Set when the shard is closed by a split or merge: reads continue, writes go to the children. */
  readonly closedMs?: number | undefined;
  /** Offset one past the shard's last record, recorded when it closed. */
  readonly endOffset?: number | undefined;
}

export interface StreamRecord {
  /** Unique per creation (a re-created stream of the same name gets a new uid and new logs). */
  readonly uid: string;
  /** 32-bit value mixed into sequence numbers so that one stream's numbers are rejected by another. */
  readonly salt: number;
  readonly accountId: string;
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly status: StreamStatus;
  /** When status is CREATING/UPDATING/DELETING: the time at which the transition completes. */
  readonly statusReadyAtMs?: number | undefined;
  readonly createdMs: number;
  readonly mode: StreamMode;
  /** Times of capacity-mode switches (AWS allows two per rolling 24 hours). */
  readonly modeSwitchesMs: readonly number[];
  readonly retentionHours: number;
  readonly encryptionType: 'NONE' | 'KMS';
  readonly keyId?: string | undefined;
  /** Shard-level metrics enabled by EnableEnhancedMonitoring. */
  readonly shardLevelMetrics: readonly string[];
  readonly maxRecordSizeKiB: number;
  readonly warmThroughputMiBps?: number | undefined;
  readonly tags: Readonly<Record<string, string>>;
  /** Every shard ever created in the stream (open and closed), ordered by index. */
  readonly shards: readonly ShardRecord[];
  readonly nextShardIndex: number;
  /** Times of UpdateShardCount calls (rolling 24-hour limit). */
  readonly shardCountUpdatesMs: readonly number[];
  /** Any further settings without a schema change. */
  readonly extra?: Readonly<Record<string, unknown>> | undefined;
  /** AUTO | USER_PARTITION_KEY (on-demand streams only; absent means USER_PARTITION_KEY). */
  readonly recordDistributionStrategy?: RecordDistributionStrategy | undefined;
  /** Times of successful Start/StopStreamEncryption calls (AWS allows 25 each per rolling 24 hours). */
  readonly encryptionChangesMs?: readonly number[] | undefined;
  /** Warm throughput the stream is currently scaled to (on-demand; MiB/s). */
  readonly currentWarmThroughputMiBps?: number | undefined;
}

export const RecordDistributionStrategy = { AUTO: 'AUTO', USER_PARTITION_KEY: 'USER_PARTITION_KEY' } as const;
export type RecordDistributionStrategy = (typeof RecordDistributionStrategy)[keyof typeof RecordDistributionStrategy];

export const ConsumerStatus = { CREATING: 'CREATING', DELETING: 'DELETING', ACTIVE: 'ACTIVE' } as const;
export type ConsumerStatus = (typeof ConsumerStatus)[keyof typeof ConsumerStatus];

export interface ConsumerRecord {
  readonly streamUid: string;
  readonly streamArn: string;
  readonly name: string;
  /** `<streamArn>/consumer/<name>:<creation epoch seconds>` */
  readonly arn: string;
  readonly status: ConsumerStatus;
  readonly statusReadyAtMs?: number | undefined;
  readonly createdMs: number;
  readonly tags: Readonly<Record<string, string>>;
}

export function streamKey(accountId: string, region: string, name: string): string {
  return `kinesis/stream/${accountId}/${region}/${name}`;
}
export function streamPrefix(accountId: string, region: string): string {
  return `kinesis/stream/${accountId}/${region}/`;
}
export function consumerKey(streamUid: string, consumerName: string): string {
  return `kinesis/consumer/${streamUid}/${consumerName}`;
}
export function consumerPrefix(streamUid: string): string {
  return `kinesis/consumer/${streamUid}/`;
}
/** Resource policy of a stream (`resourceArn` = the stream ARN) or of one of its consumers (the consumer ARN). */
export function policyKey(streamUid: string, resourceArn: string): string {
  return `kinesis/policy/${streamUid}/${resourceArn}`;
}
export function policyPrefix(streamUid: string): string {
  return `kinesis/policy/${streamUid}/`;
}
/** Account-level settings (DescribeAccountSettings / UpdateAccountSettings) of one account and region. */
export function accountSettingsKey(accountId: string, region: string): string {
  return `kinesis/account/${accountId}/${region}`;
}

export interface ResourcePolicyRecord {
  readonly resourceArn: string;
  readonly policy: string;
  readonly updatedMs: number;
}

export const BillingCommitmentStatus = {
  ENABLED: 'ENABLED',
  DISABLED: 'DISABLED',
  ENABLED_UNTIL_EARLIEST_ALLOWED_END: 'ENABLED_UNTIL_EARLIEST_ALLOWED_END',
} as const;
export type BillingCommitmentStatus = (typeof BillingCommitmentStatus)[keyof typeof BillingCommitmentStatus];

export interface AccountSettingsRecord {
  readonly minimumThroughputBillingCommitment?:
    | {
        readonly status: BillingCommitmentStatus;
        readonly startedMs?: number | undefined;
        readonly endedMs?: number | undefined;
        readonly earliestAllowedEndMs?: number | undefined;
      }
    | undefined;
}
/** Name of a shard's log in the {@link ShardLogStore}. */
export function shardLogName(streamUid: string, shardId: string): string {
  return `${streamUid}/${shardId}`;
}
export function shardIdFor(index: number): string {
  return `shardId-${String(index).padStart(12, '0')}`;
}
