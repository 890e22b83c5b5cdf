/**
 * Sequence numbers: the v3 layout (56 digits: version 4 | index | position | salt | check), its
 * ordering and tamper properties, the BigInt-free encoder against a fresh encoder per number (block
 * cache), and the legacy v2 layout (184-bit integer) that must keep decoding after an upgrade.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  SEQUENCE_NUMBER_V3_DIGITS,
  SequenceNumberEncoder,
  compareSequenceNumbers,
  decodeSequenceNumber,
  encodeLegacySequenceNumber,
  encodeSequenceNumber,
  encodeSequenceNumberAt,
  offsetAfterSequenceNumber,
  offsetAtSequenceNumber,
  sequenceNumberEncoder,
} from '../../../src/kinesis/sequence-number.js';
import { seededRandom } from './support.js';

const UINT32_MAX = 2 ** 32 - 1;

function randomCases(seed: number, count: number): [number, number, number][] {
  const random = seededRandom(seed);
  const cases: [number, number, number][] = [
    [0, 0, 0],
    [0, 1, 1],
    [UINT32_MAX, Number.MAX_SAFE_INTEGER, UINT32_MAX],
    [1, 2 ** 32, 7],
    [12, 2 ** 32 - 1, 2 ** 31],
    [3, 9_999, 5],
    [3, 10_000, 5],
    [3, 10_001, 5],
  ];
  for (let i = 0; i < count; i++) {
    cases.push([Math.floor(random() * 2 ** 32), Math.floor(random() * 2 ** (1 + Math.floor(random() * 52))), Math.floor(random() * 2 ** 32)]);
  }
  return cases;
}

void describe('sequence numbers (v3)', () => {
  void it('are 56 digits: version 4 | 10 shard index | 16 position | 10 salt | 19 check, and decode back', () => {
    for (const [index, position, salt] of randomCases(11, 5000)) {
      const seq = encodeSequenceNumberAt(index, position, salt);
      assert.match(seq, /^4\d{55}$/);
      assert.equal(seq.slice(1, 11), String(index).padStart(10, '0'));
      assert.equal(seq.slice(11, 27), String(position).padStart(16, '0'));
      assert.equal(seq.slice(27, 37), String(salt >>> 0).padStart(10, '0'));
      assert.deepEqual(decodeSequenceNumber(seq), { shardIndex: index, position, salt: salt >>> 0 });
    }
  });

  void it('are 185-bit integers, which the KCL does not take for AWS-layout (186-bit) numbers', () => {
    for (const seq of [encodeSequenceNumberAt(0, 0, 0), encodeSequenceNumberAt(UINT32_MAX, Number.MAX_SAFE_INTEGER, UINT32_MAX), encodeSequenceNumber(1, 2, 3)]) {
      assert.equal(BigInt(seq).toString(2).length, 185, seq);
    }
  });

  void it('writeRecord writes the same digits as record(), in any order, across blocks', () => {
    const random = seededRandom(31);
    const out = Buffer.alloc(SEQUENCE_NUMBER_V3_DIGITS + 2, 0x20);
    for (let shard = 0; shard < 5; shard++) {
      const writer = new SequenceNumberEncoder(shard * 7919, 0xdeadbeef + shard);
      const reader = new SequenceNumberEncoder(shard * 7919, 0xdeadbeef + shard);
      for (let i = 0; i < 2000; i++) {
        const offset = i % 3 === 0 ? Math.floor(random() * 2 ** 40) : i % 3 === 1 ? 9_990 + (i % 30) : i;
        const end = writer.writeRecord(offset, out, 1);
        assert.equal(end, 1 + SEQUENCE_NUMBER_V3_DIGITS);
        assert.equal(out.toString('latin1', 1, end), reader.record(offset));
        assert.equal(out[0], 0x20);
        assert.equal(out[end], 0x20);
      }
    }
  });

  void it('a negative (int32) salt is taken as its uint32', () => {
    assert.equal(encodeSequenceNumberAt(2, 5, -1), encodeSequenceNumberAt(2, 5, UINT32_MAX));
    assert.equal(decodeSequenceNumber(encodeSequenceNumber(2, 5, -2))?.salt, UINT32_MAX - 1);
  });

  void it('keeps a fixed format (numbers already handed to clients must keep decoding)', () => {
    assert.equal(encodeSequenceNumberAt(0, 0, 0), '40000000000000000000000000000000000000878677076781195380');
    assert.equal(encodeSequenceNumber(1, 0, 42), '40000000001000000000000000100000000422022588430078546721');
  });

  void it('record(offset) is the number at position offset + 1; encodeSequenceNumber keeps meaning "record at offset"', () => {
    const random = seededRandom(5);
    for (let i = 0; i < 2000; i++) {
      const index = Math.floor(random() * 2 ** 32);
      const salt = Math.floor(random() * 2 ** 32);
      const offset = Math.floor(random() * 2 ** (1 + Math.floor(random() * 50)));
      const seq = encodeSequenceNumber(index, offset, salt);
      assert.equal(seq, new SequenceNumberEncoder(index, salt).at(offset + 1));
      assert.equal(seq, sequenceNumberEncoder(index, salt).record(offset));
      assert.equal(decodeSequenceNumber(seq)?.position, offset + 1);
    }
    assert.equal(new SequenceNumberEncoder(4, 9).start(), encodeSequenceNumberAt(4, 0, 9));
  });

  void it('an encoder gives the same numbers whatever order positions are asked in (block cache)', () => {
    const random = seededRandom(17);
    const shared = new SequenceNumberEncoder(77, 123456);
    const positions: number[] = [];
    for (let i = 0; i < 300; i++) positions.push(Math.floor(random() * 50_000));
    for (let p = 9_990; p < 10_020; p++) positions.push(p);
    positions.push(Number.MAX_SAFE_INTEGER, 0, 2 ** 40, 2 ** 40 + 1, 1);
    for (const p of positions) assert.equal(shared.at(p), new SequenceNumberEncoder(77, 123456).at(p), `position ${p}`);
  });

  void it('refuses positions and indexes it cannot encode', () => {
    const e = new SequenceNumberEncoder(1, 1);
    assert.throws(() => e.at(-1), RangeError);
    assert.throws(() => e.at(1.5), RangeError);
    assert.throws(() => e.at(Number.MAX_SAFE_INTEGER + 1), RangeError);
    assert.throws(() => e.at(Number.NaN), RangeError);
    assert.throws(() => new SequenceNumberEncoder(2 ** 32, 1), RangeError);
    assert.throws(() => new SequenceNumberEncoder(-1, 1), RangeError);
  });

  void it('strictly increase with the position within a shard, across block boundaries', () => {
    for (const [index, salt] of [
      [5, 99],
      [0, 0],
      [UINT32_MAX, UINT32_MAX],
    ]) {
      const encoder = new SequenceNumberEncoder(index, salt);
      const ranges = [
        [0, 3000],
        [9_000, 21_000],
        [2 ** 32 - 20_005, 2 ** 32 + 20_005],
        [Number.MAX_SAFE_INTEGER - 2000, Number.MAX_SAFE_INTEGER],
      ];
      for (const [from, to] of ranges) {
        let previous = encoder.at(from);
        for (let p = from + 1; p <= to; p++) {
          const next = encoder.at(p);
          assert.equal(next.length, 56);
          assert.ok(next > previous, `${next} > ${previous}`); // same length: string order = numeric order
          assert.equal(compareSequenceNumbers(next, previous), 1);
          previous = next;
        }
      }
    }
  });

  void it('every number of a child shard (higher index) is larger than every number of its parents', () => {
    const random = seededRandom(23);
    for (let i = 0; i < 2000; i++) {
      const parent = Math.floor(random() * (2 ** 32 - 1));
      const child = parent + 1 + Math.floor(random() * (2 ** 32 - 1 - parent));
      const salt = Math.floor(random() * 2 ** 32);
      const parentMax = encodeSequenceNumberAt(parent, Number.MAX_SAFE_INTEGER, salt);
      const childStart = encodeSequenceNumberAt(child, 0, salt);
      assert.equal(compareSequenceNumbers(childStart, parentMax), 1);
      assert.ok(BigInt(childStart) > BigInt(parentMax));
    }
    // The start of a shard is below its first record.
    assert.ok(BigInt(encodeSequenceNumberAt(9, 0, 1)) < BigInt(encodeSequenceNumber(9, 0, 1)));
  });

  void it('every v3 number is larger than every legacy v2 number, so numbers keep increasing across the upgrade', () => {
    const smallestV3 = encodeSequenceNumberAt(0, 0, 0);
    const largestV2 = encodeLegacySequenceNumber(UINT32_MAX, Number.MAX_SAFE_INTEGER, UINT32_MAX);
    assert.equal(largestV2.length, 55);
    assert.ok(BigInt(smallestV3) > (3n << 180n) - 1n); // above every 184-bit value with version 2
    assert.ok(BigInt(smallestV3) > BigInt(largestV2));
    assert.equal(compareSequenceNumbers(smallestV3, largestV2), 1);
    assert.equal(compareSequenceNumbers(encodeLegacySequenceNumber(3, 1_000_000, 7), encodeSequenceNumber(3, 0, 7)), -1);
  });

  void it('rejects every single-digit alteration (tampered numbers) and numbers of another length or version', () => {
    const random = seededRandom(31);
    for (const [index, position, salt] of randomCases(3, 40)) {
      const seq = encodeSequenceNumberAt(index, position, salt);
      for (let i = 0; i < seq.length; i++) {
        for (let d = 0; d <= 9; d++) {
          const digit = String(d);
          if (seq[i] === digit) continue;
          const altered = seq.slice(0, i) + digit + seq.slice(i + 1);
          assert.equal(decodeSequenceNumber(altered), undefined, `${seq} → ${altered}`);
        }
      }
      assert.equal(decodeSequenceNumber(seq.slice(1)), undefined);
      assert.equal(decodeSequenceNumber(`${seq}0`), undefined);
      assert.equal(decodeSequenceNumber(` ${seq.slice(1)}`), undefined);
      assert.equal(decodeSequenceNumber(`${seq.slice(0, 55)}x`), undefined);
      // Two numbers spliced together: one's position with the other's check.
      const other = encodeSequenceNumberAt(index, Math.floor(random() * 2 ** 40), salt);
      if (other.slice(11, 27) !== seq.slice(11, 27)) assert.equal(decodeSequenceNumber(seq.slice(0, 11) + other.slice(11, 27) + seq.slice(27)), undefined);
    }
    // Made-up numbers shaped like AWS's (56 digits starting with 4) and out-of-range fields.
    assert.equal(decodeSequenceNumber('49590338271490256608559692538361571095921575989136588898'), undefined);
    assert.equal(decodeSequenceNumber(`4${'9'.repeat(55)}`), undefined);
    assert.equal(decodeSequenceNumber(`4${'0'.repeat(55)}`), undefined);
    assert.equal(decodeSequenceNumber('0'), undefined);
    assert.equal(decodeSequenceNumber(''), undefined);
    assert.equal(decodeSequenceNumber('12345'), undefined);
    for (let i = 0; i < 20_000; i++) {
      let s = '4';
      while (s.length < 56) s += String(Math.floor(random() * 10));
      assert.equal(decodeSequenceNumber(s), undefined, s);
    }
  });

  void it('a number of another stream decodes to its own salt, and moving it to another salt fails the check', () => {
    const mine = encodeSequenceNumber(2, 100, 1111);
    const theirs = encodeSequenceNumber(2, 100, 2222);
    assert.equal(decodeSequenceNumber(theirs)?.salt, 2222);
    assert.notEqual(mine, theirs);
    const moved = theirs.slice(0, 27) + mine.slice(27, 37) + theirs.slice(37);
    assert.equal(decodeSequenceNumber(moved), undefined);
    const otherShard = theirs.slice(0, 1) + encodeSequenceNumber(3, 100, 2222).slice(1, 11) + theirs.slice(11);
    assert.equal(decodeSequenceNumber(otherShard), undefined);
  });

  void it('AT starts at the record itself (the first record for position 0), AFTER at the next one', () => {
    assert.equal(offsetAtSequenceNumber(0), 0);
    assert.equal(offsetAfterSequenceNumber(0), 0);
    assert.equal(offsetAtSequenceNumber(1), 0);
    assert.equal(offsetAfterSequenceNumber(1), 1);
    const seq = encodeSequenceNumber(0, 41, 5);
    const p = decodeSequenceNumber(seq)?.position ?? -1;
    assert.equal(offsetAtSequenceNumber(p), 41);
    assert.equal(offsetAfterSequenceNumber(p), 42);
  });
});

void describe('legacy v2 sequence numbers', () => {
  void it('match the layout | 4 version | 32 index | 64 offset | 32 salt | 52 check | and decode to position offset + 1', () => {
    for (const [index, offset, salt] of randomCases(11, 3000)) {
      const seq = encodeLegacySequenceNumber(index, offset, salt);
      const v = BigInt(seq);
      assert.equal(v >> 180n, 2n, seq);
      assert.equal((v >> 148n) & 0xffffffffn, BigInt(index));
      assert.equal((v >> 84n) & 0xffffffffffffffffn, BigInt(offset));
      assert.equal((v >> 52n) & 0xffffffffn, BigInt(salt >>> 0));
      assert.equal(seq, v.toString(10));
      assert.equal(seq.length, 55);
      if (offset < Number.MAX_SAFE_INTEGER) assert.deepEqual(decodeSequenceNumber(seq), { shardIndex: index, position: offset + 1, salt: salt >>> 0 });
      else assert.equal(decodeSequenceNumber(seq), undefined); // position offset + 1 would not be a safe integer
    }
  });

  void it('keeps decoding numbers issued before the upgrade (known answers)', () => {
    // Issued by the v2 encoder for (index 1, offset 0, salt 42) and (index 3, offset 1000, salt 42).
    assert.equal(encodeLegacySequenceNumber(1, 0, 42), '3064991082088589639893184024565189859791798261521749539');
    assert.deepEqual(decodeSequenceNumber('3064991082088589639893184024565189859791798261521749539'), { shardIndex: 1, position: 1, salt: 42 });
  });

  void it('decodes the old "first record − 1" subscription continuation as the shard start (position 0)', () => {
    const first = BigInt(encodeLegacySequenceNumber(3, 0, 42));
    assert.deepEqual(decodeSequenceNumber((first - 1n).toString()), { shardIndex: 3, position: 0, salt: 42 });
    // Only for the first record: "second record − 1" is not a number the server issued.
    assert.equal(decodeSequenceNumber((BigInt(encodeLegacySequenceNumber(3, 1, 42)) - 1n).toString()), undefined);
  });

  void it('rejects v2 numbers with a wrong check field, version or offset', () => {
    const seq = encodeLegacySequenceNumber(3, 1000, 42);
    const v = BigInt(seq);
    assert.equal(decodeSequenceNumber((v ^ 1n).toString()), undefined);
    assert.equal(decodeSequenceNumber((v ^ (1n << 52n)).toString()), undefined);
    assert.equal(decodeSequenceNumber((v + (1n << 84n)).toString()), undefined);
    assert.equal(decodeSequenceNumber((v + (1n << 148n)).toString()), undefined);
    assert.equal(decodeSequenceNumber(`0${seq.slice(1)}`), undefined);
  });
});

void describe('compareSequenceNumbers', () => {
  void it('orders like the numbers, whatever their lengths', () => {
    const random = seededRandom(41);
    const numbers: string[] = ['0', '1', '9', '10', '00012', encodeLegacySequenceNumber(1, 2, 3), encodeSequenceNumber(1, 2, 3)];
    for (let i = 0; i < 300; i++) {
      const digits = 1 + Math.floor(random() * 60);
      let s = String(1 + Math.floor(random() * 9));
      while (s.length < digits) s += String(Math.floor(random() * 10));
      numbers.push(s);
    }
    for (const a of numbers) {
      for (const b of numbers.slice(0, 60)) {
        const x = BigInt(a);
        const y = BigInt(b);
        assert.equal(compareSequenceNumbers(a, b), x < y ? -1 : x > y ? 1 : 0, `${a} vs ${b}`);
      }
    }
  });
});
