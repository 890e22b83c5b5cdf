import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { NATIVE_THRESHOLD_BYTES, crc32Of, crc32Range } from '../../../src/storage/embedded/crc32.js';

void describe('crc32Range', () => {
  void it('matches known answers (CRC-32/ISO-HDLC)', () => {
    assert.equal(crc32Range(Buffer.from('123456789'), 0, 9), 0xcbf43926);
    assert.equal(crc32Range(Buffer.alloc(0), 0, 0), 0);
    assert.equal(crc32Range(Buffer.from('The quick brown fox jumps over the lazy dog'), 0, 43), 0x414fa339);
  });
  void it('equals zlib.crc32 on every length and alignment, below and above the native threshold', () => {
    const buf = randomBytes(NATIVE_THRESHOLD_BYTES * 2 + 100);
    for (let len = 0; len < 300; len++) {
      for (const start of [0, 1, 3, 7]) assert.equal(crc32Range(buf, start, start + len), crc32(buf.subarray(start, start + len)), `len ${len} start ${start}`);
    }
    for (const len of [NATIVE_THRESHOLD_BYTES - 1, NATIVE_THRESHOLD_BYTES, NATIVE_THRESHOLD_BYTES + 1, NATIVE_THRESHOLD_BYTES * 2]) {
      assert.equal(crc32Range(buf, 5, 5 + len), crc32(buf.subarray(5, 5 + len)));
    }
  });
  void it('continues from an initial CRC: crc(A ‖ B) = crc(B, crc(A)) on both paths', () => {
    const buf = randomBytes(NATIVE_THRESHOLD_BYTES * 3);
    for (const [a, b] of [
      [0, 0],
      [10, 37],
      [40, NATIVE_THRESHOLD_BYTES + 9],
      [NATIVE_THRESHOLD_BYTES + 3, 20],
      [NATIVE_THRESHOLD_BYTES * 2, NATIVE_THRESHOLD_BYTES - 1],
    ]) {
      const whole = crc32(buf.subarray(0, a + b));
      assert.equal(crc32Range(buf, a, a + b, crc32Range(buf, 0, a)), whole, `range ${a}+${b}`);
      assert.equal(crc32Of(buf.subarray(a, a + b), crc32Range(buf, 0, a)), whole, `of ${a}+${b}`);
    }
  });
});
