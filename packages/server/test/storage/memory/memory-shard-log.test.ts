import { MemoryShardLogStore } from '../../../src/storage/memory/memory-shard-log.js';
import { shardLogContract } from '../shard-log-contract.js';

shardLogContract('memory', async () => ({
  persistent: false,
  open: async (clock) => new MemoryShardLogStore(clock),
  cleanup: async () => {},
}));
