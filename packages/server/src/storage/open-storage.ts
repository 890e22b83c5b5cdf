/**
 * The storage factory the composition root calls: in-memory (tests, `--in-memory`) or the embedded
 * engine in a data directory (the default).
 */
import type { Clock } from '../model/context.js';
import { systemClock } from '../model/context.js';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { Storage } from './contract.js';
import type { FsyncPolicy } from './fsync-policy.js';
import { MemoryMetadataStore } from './memory/memory-metadata-store.js';
import { MemoryShardLogStore } from './memory/memory-shard-log.js';

export type { FsyncPolicy } from './fsync-policy.js';
export { defaultFsyncPolicy, formatFsyncPolicy, parseFsyncPolicy } from './fsync-policy.js';

export interface StorageOptions {
  /** Keep everything in memory (nothing survives the process). */
  readonly inMemory: boolean;
  /** Data directory of the embedded engine; required unless `inMemory`. */
  readonly dataDir?: string | undefined;
  /** Durability of appends (embedded engine). Default `always`. */
  readonly fsync?: FsyncPolicy | undefined;
  /** Memory of the embedded engine's tail caches, all shard logs together. Default 64 MiB; 0 = off. */
  readonly tailCacheBudgetBytes?: number | undefined;
  /** Segment file size at which the embedded engine rolls to a new segment. Default 64 MiB. */
  readonly segmentBytes?: number | undefined;
  /** Source of arrival times. Default the system clock. */
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  if (options.inMemory) return new MemoryStorage(clock);
  if (options.dataDir === undefined || options.dataDir === '') {
    throw new Error('openStorage: dataDir is required unless inMemory is true');
  }
  const { openEmbeddedStorage } = await import('./embedded/embedded-storage.js');
  return openEmbeddedStorage({ ...options, dataDir: options.dataDir, clock, logger });
}

/** Memory logs and metadata together. */
export class MemoryStorage implements Storage {
  readonly logs: MemoryShardLogStore;
  readonly metadata = new MemoryMetadataStore();
  private open = true;

  constructor(clock: Clock = systemClock) {
    this.logs = new MemoryShardLogStore(clock);
  }

  isReady(): boolean {
    return this.open;
  }

  async close(): Promise<void> {
    this.open = false;
    await this.logs.close();
    await this.metadata.close();
  }
}
