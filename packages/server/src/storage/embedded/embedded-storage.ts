/**
 * The embedded engine (segment shard logs + metadata store in one data directory).
 * Placeholder until the engine lands (issue #3, step 3); the memory engine works today.
 */
import type { Clock } from '../../model/context.js';
import type { Logger } from '../../logger.js';
import type { Storage } from '../contract.js';
import type { FsyncPolicy } from '../fsync-policy.js';

export interface EmbeddedStorageOptions {
  readonly dataDir: string;
  readonly fsync?: FsyncPolicy | undefined;
  readonly segmentBytes?: number | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

export async function openEmbeddedStorage(options: EmbeddedStorageOptions): Promise<Storage> {
  throw new Error(`embedded storage engine is not implemented yet (dataDir ${options.dataDir}); use inMemory`);
}
