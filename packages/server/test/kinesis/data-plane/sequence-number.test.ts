/**
 * The BigInt-free sequence-number encoder against the documented bit layout (computed with BigInt),
 * and round trips through decode.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeSequenceNumber, encodeSequenceNumber } from '../../../src/kinesis/sequence-number.js';
import { seededRandom } from './support.js';

void describe('sequence numbers', () => {
  void it('encode matches the layout | 4 version | 32 index | 64 offset | 32 salt | 52 check | and decodes back', () => {
    const random = seededRandom(11);
    const cases: [number, number, number][] = [
      [0, 0, 0],
      [0, 1, 1],
      [4294967295, Number.MAX_SAFE_INTEGER, 4294967295],
      [1, 2 ** 32, 7],
      [12, 2 ** 32 - 1, 2 ** 31],
    ];
    for (let i = 0; i < 5000; i++) {
      cases.push([Math.floor(random() * 2 ** 32), Math.floor(random() * 2 ** (1 + Math.floor(random() * 52))), Math.floor(random() * 2 ** 32)]);
    }
    for (const [index, offset, salt] of cases) {
      const seq = encodeSequenceNumber(index, offset, salt);
      const v = BigInt(seq);
      assert.equal(v >> 180n, 2n, seq);
      assert.equal((v >> 148n) & 0xffffffffn, BigInt(index));
      assert.equal((v >> 84n) & 0xffffffffffffffffn, BigInt(offset));
      assert.equal((v >> 52n) & 0xffffffffn, BigInt(salt >>> 0));
      assert.deepEqual(decodeSequenceNumber(seq), { shardIndex: index, offset, salt: salt >>> 0 });
      assert.equal(seq, v.toString(10));
    }
  });

  void it('rejects numbers with a wrong check field or from another stream salt', () => {
    const seq = encodeSequenceNumber(3, 1000, 42);
    const v = BigInt(seq);
    assert.equal(decodeSequenceNumber((v ^ 1n).toString()), undefined);
    assert.equal(decodeSequenceNumber((v ^ (1n << 52n)).toString()), undefined);
    assert.equal(decodeSequenceNumber((v + (1n << 84n)).toString()), undefined);
    assert.equal(decodeSequenceNumber('49590338271490256608559692538361571095921575989136588898'), undefined);
  });

  void it('increases with the offset and with the shard index', () => {
    let previous = BigInt(encodeSequenceNumber(5, 0, 99));
    for (let offset = 1; offset < 3000; offset++) {
      const next = BigInt(encodeSequenceNumber(5, offset, 99));
      assert.ok(next > previous);
      previous = next;
    }
    assert.ok(BigInt(encodeSequenceNumber(6, 0, 99)) > BigInt(encodeSequenceNumber(5, Number.MAX_SAFE_INTEGER, 99)));
  });
});
