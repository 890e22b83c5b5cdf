import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ShardIteratorCodec } from '../../src/kinesis/shard-iterator.js';
import { peekShardIterator } from '../../src/metrics/peek-shard-iterator.js';

void describe('peekShardIterator', () => {
  void it('reads the stream and shard of iterators the data plane issues (layout agreement)', () => {
    const codec = new ShardIteratorCodec(randomBytes(32));
    for (const [streamName, shardIndex, offset] of [
      ['orders', 0, 0],
      ['a.b-c_d', 4_000_000_000, 2 ** 40 + 3],
      ['x'.repeat(128), 17, 12345],
    ] as const) {
      const token = codec.encode({ streamUid: 'uid-1', accountId: '123456789012', region: 'eu-west-1', streamName, shardIndex, offset, issuedMs: Date.UTC(2026, 0, 1) });
      assert.deepEqual(peekShardIterator(token), { accountId: '123456789012', region: 'eu-west-1', streamName, shardIndex });
    }
  });

  void it('returns undefined for anything that is not an iterator', () => {
    for (const bad of ['', 'AAAA', 'not base64 at all', Buffer.alloc(40, 1).toString('base64'), 'x'.repeat(600)]) {
      assert.equal(peekShardIterator(bad), undefined, bad);
    }
  });
});
