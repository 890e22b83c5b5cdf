/**
 * Child process of bench/storage.ts (recovery scenario): appends 1 KiB records in batches of 500 to
 * one shard log (fsync never, for speed) until `targetBytes` of segment data exist, prints
 * `{"bytes":n,"endOffset":m}` lines as it goes, then keeps appending until the parent SIGKILLs it.
 * Usage: storage-recovery-child.ts <dataDir> <targetBytes>
 */
import { silentLogger } from '../../packages/server/src/logger.js';
import { systemClock } from '../../packages/server/src/model/context.js';
import type { AppendRecord } from '../../packages/server/src/storage/contract.js';
import { openEmbeddedStorage } from '../../packages/server/src/storage/embedded/embedded-storage.js';

export const RECOVERY_LOG_NAME = 'bench-recovery/shardId-000000000000';

async function main(): Promise<void> {
  const [dataDir, targetText] = process.argv.slice(2);
  const target = Number(targetText);
  const storage = await openEmbeddedStorage({ dataDir, fsync: { mode: 'never' }, clock: systemClock, logger: silentLogger });
  const log = await storage.logs.open(RECOVERY_LOG_NAME);
  const records: AppendRecord[] = Array.from({ length: 500 }, (_, i) => ({ partitionKey: `pk-${i}`, data: Buffer.alloc(1024, i) }));
  const frameBytes = 32 + 6 + 1024;
  let reported = 0;
  for (;;) {
    await log.append(records);
    const bytes = log.endOffset() * frameBytes;
    if (bytes - reported >= 64 * 1024 * 1024 || (bytes >= target && reported < target)) {
      reported = bytes;
      process.stdout.write(`${JSON.stringify({ bytes, endOffset: log.endOffset() })}\n`);
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`storage-recovery-child failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
