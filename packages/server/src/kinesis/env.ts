/**
 * Everything a Kinesis operation needs besides its input and request context. Built once by
 * {@link createKinesisBinding}; operations receive it as their first argument.
 */
import type { Clock } from '../model/context.js';
import type { Logger } from '../logger.js';
import type { Storage } from '../storage/contract.js';
import type { KinesisSettings } from './settings.js';
import type { StreamStore } from './stream-store.js';
import type { ShardUsageMeter } from './usage.js';

export interface KinesisEnv {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: KinesisSettings;
  readonly streams: StreamStore;
  /** Per-shard write usage (data plane writes it; on-demand scaling and metrics read it). */
  readonly usage: ShardUsageMeter;
}

export interface KinesisDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: KinesisSettings;
}
