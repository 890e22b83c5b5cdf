import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/model/context.js';
import { openStorage } from '../../src/storage/open-storage.js';

void describe('openStorage (in memory)', () => {
  void it('returns ready storage whose logs use the injected clock', async () => {
    const clock = new ManualClock(1_000_000);
    const storage = await openStorage({ inMemory: true, clock });
    assert.equal(storage.isReady(), true);
    const log = await storage.logs.open('u/shardId-000000000000');
    const r = await log.append([{ partitionKey: 'p', data: Buffer.from('x') }]);
    assert.equal(r.arrivalMs, 1_000_000);
    await storage.metadata.commit([{ type: 'put', key: 'k', value: 1 }]);
    await storage.close();
    assert.equal(storage.isReady(), false);
  });
  void it('requires a data directory for the embedded engine', async () => {
    await assert.rejects(openStorage({ inMemory: false }), /dataDir is required/);
  });
});
