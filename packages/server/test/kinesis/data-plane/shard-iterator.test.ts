/**
 * ShardIteratorCodec: the token is exactly the documented byte layout with an HMAC-SHA256 (as
 * `createHmac` computes it) truncated to 128 bits; any holder of the key verifies it (another gateway,
 * a restarted server); tampering, foreign keys and age over 5 minutes are refused, whether or not the
 * token is one this codec minted (and remembers).
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ITERATOR_TTL_MS, ShardIteratorCodec } from '../../../src/kinesis/shard-iterator.js';
import type { IteratorPosition } from '../../../src/kinesis/shard-iterator.js';
import { ServiceError } from '../../../src/model/service-error.js';

const position: IteratorPosition = {
  streamUid: '0f4b1c9e-8a51-4d6e-9b4e-2c1d7a3e5f60',
  accountId: '123456789012',
  region: 'eu-west-1',
  streamName: 'orders.v2',
  shardIndex: 7,
  offset: 2 ** 40 + 12_345,
  issuedMs: 1_767_225_600_123,
};

/** The token built from the layout in shard-iterator.ts with Node's createHmac. */
function referenceToken(key: Buffer, p: IteratorPosition): string {
  const header = Buffer.alloc(19);
  header.writeUInt8(1, 0);
  header.writeUIntBE(p.issuedMs, 1, 6);
  header.writeUInt32BE(Math.floor(p.offset / 2 ** 32), 7);
  header.writeUInt32BE(p.offset % 2 ** 32, 11);
  header.writeUInt32BE(p.shardIndex, 15);
  const fields = [p.streamUid, p.accountId, p.region, p.streamName].map((s) => {
    const b = Buffer.from(s, 'utf8');
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  const body = Buffer.concat([header, ...fields]);
  const mac = createHmac('sha256', key).update(body).digest().subarray(0, 16);
  return Buffer.concat([body, mac]).toString('base64');
}

function isCode(code: string): (err: unknown) => boolean {
  return (err) => err instanceof ServiceError && err.code === code;
}

void describe('ShardIteratorCodec', () => {
  void it('encodes the documented layout with HMAC-SHA256 (keys shorter and longer than a block)', () => {
    for (const key of [randomBytes(32), randomBytes(64), randomBytes(100)]) {
      const codec = new ShardIteratorCodec(key);
      assert.equal(codec.encode(position), referenceToken(key, position));
      const other = { ...position, shardIndex: 0, offset: 0, streamName: 's', issuedMs: position.issuedMs + 1 };
      assert.equal(codec.encode(other), referenceToken(key, other));
      // The same stream again (its encoded fields are reused) with another position.
      assert.equal(codec.encode({ ...position, offset: 3 }), referenceToken(key, { ...position, offset: 3 }));
    }
  });

  void it('a stream uid seen with other names is encoded with the names it is given', () => {
    const key = randomBytes(32);
    const codec = new ShardIteratorCodec(key);
    codec.encode(position);
    const renamed = { ...position, streamName: 'other', region: 'us-east-2' };
    assert.equal(codec.encode(renamed), referenceToken(key, renamed));
    assert.deepEqual(new ShardIteratorCodec(key).decode(codec.encode(renamed), renamed.issuedMs), renamed);
  });

  void it('round-trips through the codec that minted it and through any other codec with the key', () => {
    const key = randomBytes(32);
    const minting = new ShardIteratorCodec(key);
    const token = minting.encode(position);
    assert.deepEqual(new ShardIteratorCodec(key).decode(token, position.issuedMs + 1000), position);
    assert.deepEqual(minting.decode(token, position.issuedMs + 1000), position);
    // Reused (a retry): verified again, same answer.
    assert.deepEqual(minting.decode(token, position.issuedMs + 2000), position);
    assert.deepEqual(minting.decode(token, position.issuedMs + 3000), position);
  });

  void it('verifies tokens minted long ago (more than the remembered number since)', () => {
    const key = randomBytes(32);
    const codec = new ShardIteratorCodec(key);
    const first = codec.encode(position);
    for (let i = 0; i < 5000; i++) codec.encode({ ...position, offset: i });
    assert.deepEqual(codec.decode(first, position.issuedMs), position);
    assert.equal(codec.decode(codec.encode({ ...position, offset: 4999 }), position.issuedMs).offset, 4999);
  });

  void it('expires exactly 5 minutes after issue, for minted and verified tokens alike', () => {
    const key = randomBytes(32);
    const minting = new ShardIteratorCodec(key);
    const verifying = new ShardIteratorCodec(key);
    const token = minting.encode(position);
    assert.equal(verifying.decode(token, position.issuedMs + ITERATOR_TTL_MS).offset, position.offset);
    assert.throws(() => verifying.decode(token, position.issuedMs + ITERATOR_TTL_MS + 1), isCode('ExpiredIteratorException'));
    assert.throws(() => minting.decode(token, position.issuedMs + ITERATOR_TTL_MS + 1), (err: unknown) => {
      assert.ok(err instanceof ServiceError);
      assert.equal(err.code, 'ExpiredIteratorException');
      assert.equal(
        err.message,
        `Iterator expired. The iterator was created at time ${position.issuedMs} while right now it is ${position.issuedMs + ITERATOR_TTL_MS + 1} which is further in the future than the tolerated delay of 300000 milliseconds.`,
      );
      return true;
    });
  });

  void it('refuses every single-byte change, truncation, foreign key and malformed text', () => {
    const key = randomBytes(32);
    const minting = new ShardIteratorCodec(key);
    const token = minting.encode(position);
    const bytes = Buffer.from(token, 'base64');
    for (let i = 0; i < bytes.length; i++) {
      const bad = Buffer.from(bytes);
      bad[i] ^= 0x01;
      // The minting codec too: a changed token is not one it remembers.
      assert.throws(() => minting.decode(bad.toString('base64'), position.issuedMs), isCode('InvalidArgumentException'), `byte ${i}`);
    }
    for (const bad of [bytes.subarray(0, bytes.length - 1), bytes.subarray(0, 30), Buffer.concat([bytes, Buffer.from([0])])]) {
      assert.throws(() => minting.decode(bad.toString('base64'), position.issuedMs), isCode('InvalidArgumentException'));
    }
    assert.throws(() => new ShardIteratorCodec(randomBytes(32)).decode(token, position.issuedMs), isCode('InvalidArgumentException'));
    for (const bad of ['', 'not-an-iterator', `${token}!`, 'A'.repeat(513), `${token.slice(0, -4)}====`]) {
      assert.throws(() => minting.decode(bad, position.issuedMs), isCode('InvalidArgumentException'), bad);
    }
    // Still intact after all that.
    assert.deepEqual(minting.decode(token, position.issuedMs), position);
  });
});
