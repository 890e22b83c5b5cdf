import { MemoryMetadataStore } from '../../../src/storage/memory/memory-metadata-store.js';
import { metadataContract } from '../metadata-contract.js';

metadataContract('memory', async () => ({
  persistent: false,
  open: async () => new MemoryMetadataStore(),
  cleanup: async () => {},
}));
