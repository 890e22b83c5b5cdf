/**
 * The embedded engine: one data directory, locked for this process, holding
 * `logs/` (segment shard logs) and `metadata/` (LMDB). See docs/storage-format.md.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../../model/context.js';
import type { Logger } from '../../logger.js';
import type { Storage } from '../contract.js';
import type { FsyncPolicy } from '../fsync-policy.js';
import { defaultFsyncPolicy } from '../fsync-policy.js';
import { DataDirLock } from './data-dir-lock.js';
import { LmdbMetadataStore } from './lmdb-metadata-store.js';
import type { SegmentFs } from './segment-fs.js';
import { SegmentShardLogStore } from './segment-shard-log-store.js';

export const LOGS_DIR = 'logs';
export const METADATA_DIR = 'metadata';

export interface EmbeddedStorageOptions {
  readonly dataDir: string;
  readonly fsync?: FsyncPolicy | undefined;
  readonly segmentBytes?: number | undefined;
  /** Memory of the tail caches of all shard logs together (tail-cache-budget.ts); 0 = off. */
  readonly tailCacheBudgetBytes?: number | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** File operations on segments (tests inject faults). */
  readonly fs?: SegmentFs | undefined;
}

export class EmbeddedStorage implements Storage {
  private ready = true;

  constructor(
    readonly logs: SegmentShardLogStore,
    readonly metadata: LmdbMetadataStore,
    private readonly lock: DataDirLock,
  ) {}

  isReady(): boolean {
    return this.ready;
  }

  async close(): Promise<void> {
    if (!this.ready) return;
    this.ready = false;
    try {
      await this.logs.close();
      await this.metadata.close();
    } finally {
      await this.lock.release();
    }
  }
}

export async function openEmbeddedStorage(options: EmbeddedStorageOptions): Promise<EmbeddedStorage> {
  const logger = options.logger.child({ component: 'storage' });
  await mkdir(options.dataDir, { recursive: true });
  const lock = await DataDirLock.acquire(options.dataDir, logger);
  let metadata: LmdbMetadataStore | undefined;
  try {
    metadata = await LmdbMetadataStore.open(join(options.dataDir, METADATA_DIR));
    const logs = await SegmentShardLogStore.open({
      dir: join(options.dataDir, LOGS_DIR),
      fsync: options.fsync ?? defaultFsyncPolicy,
      segmentBytes: options.segmentBytes,
      tailCacheBudgetBytes: options.tailCacheBudgetBytes,
      clock: options.clock,
      logger,
      fs: options.fs,
    });
    logger.info('embedded storage open', { dataDir: options.dataDir });
    return new EmbeddedStorage(logs, metadata, lock);
  } catch (err) {
    await metadata?.close();
    await lock.release();
    throw err;
  }
}
