/**
 * The per-call memo behind peekShardIterator / takeShardIteratorTarget (what the IAM guard and the
 * metrics wrapper read) and the codec's reuse of a peeked token's bytes: they save decoding, never
 * verification. Whatever was peeked, taken or decoded before, by this codec or another, a token that
 * is not intact is InvalidArgumentException and an old one ExpiredIteratorException, exactly as a
 * codec that never saw it answers; and every reader gets what decoding the token afresh gives.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { ITERATOR_TTL_MS, ShardIteratorCodec, peekShardIterator, takeShardIteratorTarget } from '../../../src/kinesis/shard-iterator.js';
import type { IteratorPosition, IteratorTarget } from '../../../src/kinesis/shard-iterator.js';
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

function isCode(code: string): (err: unknown) => boolean {
  return (err) => err instanceof ServiceError && err.code === code;
}

/** The target fields, read straight from the bytes (the layout in shard-iterator.ts), no memo. */
function targetOf(token: string): IteratorTarget {
  const b = Buffer.from(token, 'base64');
  const strings: string[] = [];
  let at = 19;
  for (let i = 0; i < 4; i++) {
    strings.push(b.toString('utf8', at + 1, at + 1 + b[at]));
    at += 1 + b[at];
  }
  return { accountId: strings[1], region: strings[2], streamName: strings[3], shardIndex: b.readUInt32BE(15) };
}

function fields(t: IteratorTarget | undefined): IteratorTarget | undefined {
  return t === undefined ? undefined : { accountId: t.accountId, region: t.region, streamName: t.streamName, shardIndex: t.shardIndex };
}

/** Every single-byte change of a token, as tokens (a fresh string each, as a request body gives). */
function tamperedVersions(token: string): string[] {
  const bytes = Buffer.from(token, 'base64');
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const bad = Buffer.from(bytes);
    bad[i] ^= 0x01;
    out.push(bad.toString('base64'));
  }
  return out;
}

void describe('shard iterator memo (peek, take, decode)', () => {
  void it('a tampered token is refused after a good one with the same prefix was peeked, decoded and taken', () => {
    const codec = new ShardIteratorCodec(randomBytes(32));
    const token = codec.encode(position);
    // A full poll with the good token: guard peek, decode (minted), metrics take.
    assert.deepEqual(fields(peekShardIterator(token)), targetOf(token));
    assert.deepEqual(codec.decode(token, position.issuedMs), position);
    assert.deepEqual(fields(takeShardIteratorTarget(token)), targetOf(token));
    for (const bad of tamperedVersions(token)) {
      // As the guard would: peek the tampered token first (its bytes are now kept for a verify).
      peekShardIterator(bad);
      assert.throws(() => codec.decode(bad, position.issuedMs), isCode('InvalidArgumentException'));
      // Again with nothing peeked and after the good token was peeked in between.
      peekShardIterator(token);
      assert.throws(() => codec.decode(bad, position.issuedMs), isCode('InvalidArgumentException'));
      takeShardIteratorTarget(bad);
    }
    // The MAC changed in its last character only (same prefix, same base64 length).
    const last = token.at(-3) === 'A' ? 'B' : 'A';
    const sameLength = `${token.slice(0, -3)}${last}${token.slice(-2)}`;
    assert.notEqual(sameLength, token);
    peekShardIterator(sameLength);
    assert.throws(() => codec.decode(sameLength, position.issuedMs), isCode('InvalidArgumentException'));
  });

  void it('a token decoded by one codec (memo filled) is still refused by a codec with another key', () => {
    const minting = new ShardIteratorCodec(randomBytes(32));
    const other = new ShardIteratorCodec(randomBytes(32));
    const token = minting.encode(position);
    peekShardIterator(token);
    assert.deepEqual(minting.decode(token, position.issuedMs), position);
    // The memo now holds the verified position for this text: the other codec must not care.
    assert.throws(() => other.decode(token, position.issuedMs), isCode('InvalidArgumentException'));
    peekShardIterator(token);
    assert.throws(() => other.decode(token, position.issuedMs), isCode('InvalidArgumentException'));
    // A codec with the same key verifies it in full and agrees.
    const sameKey = new ShardIteratorCodec(Buffer.from((minting as unknown as { key: Buffer }).key));
    peekShardIterator(token);
    assert.deepEqual(sameKey.decode(token, position.issuedMs), position);
  });

  void it('text the verifier refuses stays refused after a peek decoded its bytes leniently', () => {
    const codec = new ShardIteratorCodec(randomBytes(32));
    const token = codec.encode(position);
    // Buffer.from(…, 'base64') ignores these extra characters; the codec's form check does not.
    for (const bad of [`${token}!`, `${token.slice(0, 10)} ${token.slice(10)}`, `${token.slice(0, 10)}-${token.slice(11)}`, `${token}====`]) {
      peekShardIterator(bad);
      assert.throws(() => codec.decode(bad, position.issuedMs), isCode('InvalidArgumentException'), bad);
    }
    assert.deepEqual(codec.decode(token, position.issuedMs), position);
  });

  void it('expiry is unchanged by the memo, for minted and verified tokens alike', () => {
    const key = randomBytes(32);
    const minting = new ShardIteratorCodec(key);
    const verifying = new ShardIteratorCodec(key);
    const late = position.issuedMs + ITERATOR_TTL_MS + 1;
    const expected = `Iterator expired. The iterator was created at time ${position.issuedMs} while right now it is ${late} which is further in the future than the tolerated delay of 300000 milliseconds.`;
    const token = minting.encode(position);
    for (const codec of [minting, verifying, verifying]) {
      peekShardIterator(token);
      assert.throws(() => codec.decode(token, late), (err: unknown) => err instanceof ServiceError && err.code === 'ExpiredIteratorException' && err.message === expected);
      // The metrics wrapper still learns where the expired token pointed.
      assert.deepEqual(fields(takeShardIteratorTarget(token)), targetOf(token));
    }
  });

  void it('peek and take answer what decoding afresh gives, whatever filled the memo', () => {
    const key = randomBytes(32);
    const codec = new ShardIteratorCodec(key);
    const verifier = new ShardIteratorCodec(key);
    const tokens: string[] = [];
    for (let i = 0; i < 1000; i++) {
      tokens.push(codec.encode({ ...position, streamName: `s-${i % 37}`, shardIndex: i % 11, offset: i * 7919 }));
    }
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      const want = targetOf(token);
      // Vary the order of the readers: guard peek or not, minted or verified, take or peek last.
      if (i % 3 === 0) assert.deepEqual(fields(peekShardIterator(token)), want);
      const decoded = (i % 2 === 0 ? codec : verifier).decode(token, position.issuedMs);
      assert.deepEqual(fields(decoded), want);
      assert.deepEqual(fields(i % 5 === 0 ? peekShardIterator(token) : takeShardIteratorTarget(token)), want);
      // Taken: a later read decodes afresh, same answer.
      assert.deepEqual(fields(takeShardIteratorTarget(token)), want);
    }
    // More tokens than the memo holds, decoded without a take (metrics off): still exact.
    for (const token of tokens) verifier.decode(token, position.issuedMs);
    for (const token of tokens) assert.deepEqual(fields(peekShardIterator(token)), targetOf(token));
  });

  void it('peek and take return undefined for anything that is not an iterator, and remember nothing for it', () => {
    for (const bad of ['', 'AAAA', 'not base64 at all', Buffer.alloc(40, 1).toString('base64'), 'x'.repeat(600)]) {
      assert.equal(peekShardIterator(bad), undefined, bad);
      assert.equal(takeShardIteratorTarget(bad), undefined, bad);
    }
  });
});
