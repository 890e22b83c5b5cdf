/**
 * Kinesis service settings (filled from the server config by the composition root). Defaults follow
 * the AWS quotas: https://docs.aws.amazon.com/streams/latest/dev/service-sizes-and-limits.html
 */
export interface KinesisSettings {
  readonly defaultAccountId: string;
  readonly defaultRegion: string;
  /** Enforce the per-shard and per-account rate limits (AWS behaviour). Off for self-hosted throughput. */
  readonly limits: boolean;
  /** CREATING → ACTIVE delay. */
  readonly createStreamMs: number;
  /** UPDATING → ACTIVE delay (reshard, mode switch, encryption, …). */
  readonly updateStreamMs: number;
  /** DELETING → gone delay. */
  readonly deleteStreamMs: number;
  /** Consumer CREATING → ACTIVE and DELETING → gone delay. */
  readonly consumerMs: number;
  /** Open shards per account and region (provisioned quota). */
  readonly shardLimit: number;
  /** On-demand streams per account and region. */
  readonly onDemandStreamLimit: number;
  /** Maximum shards an on-demand stream scales to. */
  readonly onDemandMaxShards: number;
  readonly maxConsumersPerStream: number;
  /** Streams CREATING at once per account. */
  readonly maxCreatingStreams: number;
  // Optional settings below: absent means the default in `defaultKinesisSettings` (see `resolveKinesisSettings`).
  /** UpdateShardCount calls per stream per rolling 24 hours (AWS: 10). */
  readonly updateShardCountPerDay?: number | undefined;
  /** Maximum open shards per stream reachable through UpdateShardCount (AWS: 10000). */
  readonly maxShardsPerStream?: number | undefined;
  /** Tags per stream or consumer (AWS: 50). */
  readonly maxTagsPerResource?: number | undefined;
  /** Capacity-mode switches per stream per rolling 24 hours (AWS: 2). */
  readonly modeSwitchesPerDay?: number | undefined;
  /** Start/StopStreamEncryption calls (each) per stream per rolling 24 hours (AWS: 25). */
  readonly encryptionChangesPerDay?: number | undefined;
  /** Shards of a new on-demand stream (AWS: 4 MiB/s of write capacity = 4 shards). */
  readonly onDemandInitialShards?: number | undefined;
  /** On-demand scaling: seconds of write usage averaged before a shard counts as hot (≤ 60). */
  readonly onDemandScaleWindowSeconds?: number | undefined;
  /** On-demand scaling: fraction of a shard's write capacity (1 MiB/s, 1000 records/s) that makes it hot. */
  readonly onDemandScaleThreshold?: number | undefined;
  /** Period of the background duties (transitions, retention, expired shards, on-demand scaling). */
  readonly backgroundIntervalMs?: number | undefined;
  /** Maximum warm throughput of an on-demand stream, MiB/s (AWS: 10 GiB/s). */
  readonly maxWarmThroughputMiBps?: number | undefined;
  /** Minimum commitment period of MinimumThroughputBillingCommitment. */
  readonly billingCommitmentMinimumMs?: number | undefined;
}

/** KinesisSettings with every optional setting filled in. */
export type ResolvedKinesisSettings = Required<{ [K in keyof KinesisSettings]: NonNullable<KinesisSettings[K]> }>;

export const defaultKinesisSettings: KinesisSettings = {
  defaultAccountId: '000000000000',
  defaultRegion: 'us-east-1',
  limits: true,
  createStreamMs: 500,
  updateStreamMs: 500,
  deleteStreamMs: 500,
  consumerMs: 500,
  // 20,000 shards per account in us-east-1, us-west-2 and eu-west-1 (1,000 or 6,000 elsewhere).
  shardLimit: 20000,
  onDemandStreamLimit: 50,
  onDemandMaxShards: 4096,
  maxConsumersPerStream: 20,
  maxCreatingStreams: 5,
  updateShardCountPerDay: 10,
  maxShardsPerStream: 10000,
  maxTagsPerResource: 50,
  modeSwitchesPerDay: 2,
  encryptionChangesPerDay: 25,
  onDemandInitialShards: 4,
  onDemandScaleWindowSeconds: 60,
  onDemandScaleThreshold: 0.5,
  backgroundIntervalMs: 1000,
  maxWarmThroughputMiBps: 10240,
  // "Commitments have a minimum duration of 24 hours" (API_MinimumThroughputBillingCommitmentInput).
  billingCommitmentMinimumMs: 24 * 3600 * 1000,
};

/** Fill absent optional settings with their defaults. */
export function resolveKinesisSettings(settings: KinesisSettings): ResolvedKinesisSettings {
  const out: Record<string, unknown> = { ...defaultKinesisSettings };
  for (const [k, v] of Object.entries(settings)) if (v !== undefined) out[k] = v;
  return out as ResolvedKinesisSettings;
}
