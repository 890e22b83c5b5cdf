/**
 * Routing: the JavaScript MD5 against node:crypto (RFC 1321 vectors, ASCII, multi-byte UTF-8, block
 * boundaries, 256-character keys), lookups at range boundaries, and the per-version table cache.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MAX_HASH_KEY, evenHashRanges, partitionKeyHash } from '../../../src/kinesis/hash-key.js';
import type { ShardRecord, StreamRecord } from '../../../src/kinesis/records.js';
import { shardIdFor } from '../../../src/kinesis/records.js';
import { RoutingCache, explicitHashKeyWords, hashKeyWords, md5HashKey, md5HashKeyOfBytes } from '../../../src/kinesis/routing.js';
import { seededRandom } from './support.js';

function wordsToBigInt(w: Uint32Array): bigint {
  return (BigInt(w[0]) << 96n) | (BigInt(w[1]) << 64n) | (BigInt(w[2]) << 32n) | BigInt(w[3]);
}

function streamWith(shards: ShardRecord[]): StreamRecord {
  return {
    uid: 'u',
    salt: 1,
    accountId: '123456789012',
    region: 'us-east-1',
    name: 's',
    arn: 'arn:aws:kinesis:us-east-1:123456789012:stream/s',
    status: 'ACTIVE',
    createdMs: 0,
    mode: 'PROVISIONED',
    modeSwitchesMs: [],
    retentionHours: 24,
    encryptionType: 'NONE',
    shardLevelMetrics: [],
    maxRecordSizeKiB: 1024,
    tags: {},
    shards,
    nextShardIndex: shards.length,
    shardCountUpdatesMs: [],
  };
}

void describe('routing', () => {
  void it('MD5 in JavaScript matches RFC 1321 and node:crypto', () => {
    const vectors: Record<string, string> = {
      '': 'd41d8cd98f00b204e9800998ecf8427e',
      a: '0cc175b9c0f1b6a831c399e269772661',
      abc: '900150983cd24fb0d6963f7d28e17f72',
      'message digest': 'f96b697d7cb7938d525a2f31aaf161d0',
      '12345678901234567890123456789012345678901234567890123456789012345678901234567890': '57edf4a22be3c955ac49da2e2107b67a',
    };
    for (const [text, hex] of Object.entries(vectors)) assert.equal(wordsToBigInt(md5HashKey(text)), BigInt(`0x${hex}`), text);
    const random = seededRandom(5);
    for (let n = 0; n < 3000; n++) {
      const len = n % 257;
      let text: string;
      if (n % 3 === 0) text = randomBytes(len).toString('base64').slice(0, len);
      else text = Array.from({ length: len % 90 }, () => String.fromCodePoint(Math.floor(random() * 0x2ffff) % 0xd800)).join('');
      assert.equal(wordsToBigInt(md5HashKey(text)), partitionKeyHash(text), JSON.stringify(text));
      assert.equal(wordsToBigInt(md5HashKey(text)), BigInt(`0x${createHash('md5').update(text, 'utf8').digest('hex')}`));
    }
    for (const len of [55, 56, 57, 63, 64, 65, 119, 120, 128, 256]) {
      const text = 'x'.repeat(len);
      assert.equal(wordsToBigInt(md5HashKey(text)), partitionKeyHash(text), `length ${len}`);
    }
  });

  void it('MD5 of a byte range equals node:crypto at every length and alignment (one block and several)', () => {
    const source = randomBytes(400);
    for (let len = 0; len <= 300; len++) {
      for (const start of [0, 1, 2, 3, 7]) {
        const bytes = source.subarray(start, start + len);
        const want = BigInt(`0x${createHash('md5').update(bytes).digest('hex')}`);
        assert.equal(wordsToBigInt(md5HashKeyOfBytes(source, start, start + len)), want, `length ${len} at ${start}`);
      }
    }
  });

  void it('explicit hash keys: the full range, nothing outside', () => {
    assert.equal(wordsToBigInt(explicitHashKeyWords('0') as Uint32Array), 0n);
    assert.equal(wordsToBigInt(explicitHashKeyWords(MAX_HASH_KEY.toString()) as Uint32Array), MAX_HASH_KEY);
    assert.equal(explicitHashKeyWords((MAX_HASH_KEY + 1n).toString()), undefined);
    assert.equal(explicitHashKeyWords('-1'), undefined);
    assert.equal(explicitHashKeyWords('01'), undefined);
  });

  void it('finds the open shard containing a key, at every boundary, and caches the table per version', () => {
    let created = 0;
    const cache = new RoutingCache<{ n: number }>(() => ({ n: created++ }));
    const ranges = evenHashRanges(7);
    const shards: ShardRecord[] = ranges.map(([lo, hi], i) => ({ shardId: shardIdFor(i), index: i, startingHashKey: lo.toString(), endingHashKey: hi.toString(), createdMs: 0 }));
    const v1 = { key: 'k', version: 1, value: streamWith(shards) };
    const table = cache.get(v1);
    assert.equal(cache.get(v1), table, 'same version → same table');
    assert.equal(created, 7);
    for (const [i, [lo, hi]] of ranges.entries()) {
      for (const key of [lo, hi, (lo + hi) / 2n]) assert.equal(table.slots[table.indexOf(hashKeyWords(key))].shard.shardId, shardIdFor(i));
    }
    // A new version (shard 0 closed and split) keeps the state of shards still open.
    const [lo0, hi0] = ranges[0];
    const mid = (lo0 + hi0) / 2n;
    const v2 = {
      key: 'k',
      version: 2,
      value: streamWith([
        { ...shards[0], closedMs: 1, endOffset: 0 },
        ...shards.slice(1),
        { shardId: shardIdFor(7), index: 7, parentShardId: shardIdFor(0), startingHashKey: lo0.toString(), endingHashKey: mid.toString(), createdMs: 1 },
        { shardId: shardIdFor(8), index: 8, parentShardId: shardIdFor(0), startingHashKey: (mid + 1n).toString(), endingHashKey: hi0.toString(), createdMs: 1 },
      ]),
    };
    const t2 = cache.get(v2);
    assert.notEqual(t2, table);
    assert.equal(created, 9, 'only the two children got new state');
    assert.equal(t2.slots[t2.indexOf(hashKeyWords(mid))].shard.shardId, shardIdFor(7));
    assert.equal(t2.slots[t2.indexOf(hashKeyWords(mid + 1n))].shard.shardId, shardIdFor(8));
    assert.equal(t2.slots[t2.indexOf(hashKeyWords(MAX_HASH_KEY))].shard.shardId, shardIdFor(6));
    assert.equal(t2.slots[t2.slotIndexOfShard(shardIdFor(3))].state, table.slots[table.slotIndexOfShard(shardIdFor(3))].state);
  });
});
