import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32 } from 'node:zlib';
import { NATIVE_THRESHOLD_BYTES, crc32Range } from '../../../src/storage/embedded/crc32.js';

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
});
