/** The metadata contract suite against the LMDB store. */
import { join } from 'node:path';
import { LmdbMetadataStore } from '../../../src/storage/embedded/lmdb-metadata-store.js';
import { metadataContract } from '../metadata-contract.js';
import { tempDir } from './temp-dir.js';

metadataContract('lmdb', async () => {
  const dir = await tempDir();
  return {
    persistent: true,
    open: () => LmdbMetadataStore.open(join(dir.path, 'metadata')),
    cleanup: dir.remove,
  };
});
