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
}

export const defaultKinesisSettings: KinesisSettings = {
  defaultAccountId: '000000000000',
  defaultRegion: 'us-east-1',
  limits: true,
  createStreamMs: 500,
  updateStreamMs: 500,
  deleteStreamMs: 500,
  consumerMs: 500,
  shardLimit: 500,
  onDemandStreamLimit: 50,
  onDemandMaxShards: 4096,
  maxConsumersPerStream: 20,
  maxCreatingStreams: 5,
};
