import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../../src/model/service-error.js';
import { decodeCborBody, encodeCbor } from '../../src/protocol/cbor-codec.js';
import { cborCodec, encodeErrorBody } from '../../src/protocol/wire-protocol.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (h: string): Buffer => Buffer.from(h, 'hex');

void describe('AWS CBOR codec', () => {
  void it('encodes the RFC 8949 appendix A vectors it can produce', () => {
    const vectors: [unknown, string][] = [
      [0, '00'],
      [1, '01'],
      [10, '0a'],
      [23, '17'],
      [24, '1818'],
      [25, '1819'],
      [100, '1864'],
      [1000, '1903e8'],
      [1000000, '1a000f4240'],
      [1000000000000, '1b000000e8d4a51000'],
      [18446744073709551615n, '1bffffffffffffffff'],
      [-1, '20'],
      [-10, '29'],
      [-100, '3863'],
      [-1000, '3903e7'],
      [-18446744073709551616n, '3bffffffffffffffff'],
      [1.1, 'fb3ff199999999999a'],
      [-4.1, 'fbc010666666666666'],
      [1.0e300, 'fb7e37e43c8800759c'],
      [false, 'f4'],
      [true, 'f5'],
      [null, 'f6'],
      [new Uint8Array(0), '40'],
      [Buffer.from([1, 2, 3, 4]), '4401020304'],
      ['', '60'],
      ['a', '6161'],
      ['IETF', '6449455446'],
      ['"\\', '62225c'],
      ['\u00fc', '62c3bc'],
      ['\u6c34', '63e6b0b4'],
      ['\ud800\udd51', '64f0908591'],
      [[], '80'],
      [[1, 2, 3], '83010203'],
      [[1, [2, 3], [4, 5]], '8301820203820405'],
      [Array.from({ length: 25 }, (_, i) => i + 1), '98190102030405060708090a0b0c0d0e0f101112131415161718181819'],
      [{}, 'a0'],
      [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
      [['a', { b: 'c' }], '826161a161626163'],
      [{ a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' }, 'a56161614161626142616361436164614461656145'],
      // tag 1 (epoch date/time) with an integer; AWS CBOR puts epoch *milliseconds* in it
      [new Date(1363896240000), 'c11b0000013d8e8d0780'],
    ];
    for (const [value, expected] of vectors) assert.equal(hex(encodeCbor(value)), expected, `encode ${String(value)}`);
  });

  void it('decodes the RFC 8949 vectors, including forms it never writes', () => {
    const vectors: [string, unknown][] = [
      ['00', 0],
      ['1a000f4240', 1000000],
      ['1b000000e8d4a51000', 1000000000000],
      ['3903e7', -1000],
      ['f90000', 0],
      ['f93c00', 1],
      ['f93e00', 1.5],
      ['fa47c35000', 100000],
      ['fb3ff199999999999a', 1.1],
      ['6449455446', 'IETF'],
      ['4401020304', Buffer.from([1, 2, 3, 4])],
      ['5f42010243030405ff', Buffer.from([1, 2, 3, 4, 5])],
      ['7f657374726561646d696e67ff', 'streaming'],
      ['9f018202039f0405ffff', [1, [2, 3], [4, 5]]],
      ['bf61610161629f0203ffff', { a: 1, b: [2, 3] }],
      ['a26161016162820203', { a: 1, b: [2, 3] }],
      ['f6', null],
      ['f5', true],
    ];
    for (const [input, expected] of vectors) assert.deepEqual(decodeCborBody(fromHex(input)), expected, `decode ${input}`);
  });

  void it('reads tag-1 timestamps as epoch milliseconds (Java writes tag 1 + int64 ms)', () => {
    assert.equal(decodeCborBody(fromHex('c11b0000019b76daa87b')), 1767225600123);
    assert.deepEqual(decodeCborBody(fromHex('a16154c11a514b67b0')), { T: 1363896240 });
    // a plain integer stays the number it is (parseInput reads it as milliseconds)
    assert.equal(decodeCborBody(fromHex('1b0000019b76daa87b')), 1767225600123);
  });

  void it('reads indefinite-length strings mixed with tag-1 timestamps and half floats', () => {
    // {"k": (_ "hi", "hi"), "d": (_ h'01', h'02'), "t": 1(1767225600123), "h": 1.5}
    const body = fromHex('a4' + '616b' + '7f626869626869ff' + '6164' + '5f41014102ff' + '6174' + 'c11b0000019b76daa87b' + '6168' + 'f93e00');
    const decoded = decodeCborBody(body) as Record<string, unknown>;
    assert.equal(decoded.k, 'hihi');
    assert.equal(hex(decoded.d as Uint8Array), '0102');
    assert.equal(decoded.t, 1767225600123);
    assert.equal(decoded.h, 1.5);
  });

  void it('round-trips every value kind', () => {
    const value = {
      s: 'text \u00e9\u6c34',
      i: 42,
      neg: -7,
      big: 2 ** 40 + 3,
      f: 0.25,
      t: true,
      n: null,
      blob: Buffer.from([0, 255, 1]),
      empty: new Uint8Array(0),
      list: [1, 'two', [3]],
      nested: { deeper: { deepest: [] } },
      emptyMap: {},
    };
    const decoded = decodeCborBody(encodeCbor(value)) as Record<string, unknown>;
    assert.deepEqual({ ...decoded, blob: hex(decoded.blob as Uint8Array), empty: hex(decoded.empty as Uint8Array) }, {
      ...value,
      blob: '00ff01',
      empty: '',
    });
    const when = new Date(1700000000123);
    assert.deepEqual(decodeCborBody(encodeCbor({ when, skip: undefined })), { when: 1700000000123 });
  });

  void it('omits undefined members', () => {
    assert.equal(hex(encodeCbor({ a: undefined, b: 1 })), 'a1616201');
  });

  void it('malformed CBOR is SerializationException', () => {
    for (const input of ['', 'a16161', 'ff', '5f4201', 'a1616101ff']) {
      assert.throws(
        () => decodeCborBody(fromHex(input)),
        (e: unknown) => e instanceof ServiceError && e.code === 'SerializationException',
        `input ${input}`,
      );
    }
  });

  void it('error bodies are the same map in CBOR', () => {
    const body = encodeErrorBody(cborCodec, 'ResourceNotFoundException', 'gone') as Buffer;
    assert.equal(hex(body), 'a2' + '665f5f74797065' + '7819' + Buffer.from('ResourceNotFoundException').toString('hex') + '676d657373616765' + '64676f6e65');
    assert.deepEqual(decodeCborBody(body), { __type: 'ResourceNotFoundException', message: 'gone' });
  });
});
