import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../../src/model/service-error.js';
import { decodeJsonBody, encodeJson } from '../../src/protocol/json-codec.js';
import { encodeErrorBody, jsonCodec } from '../../src/protocol/wire-protocol.js';

void describe('AWS JSON 1.1 codec', () => {
  void it('renders every value kind', () => {
    assert.equal(encodeJson('a"b\u00e9\n'), JSON.stringify('a"b\u00e9\n'));
    assert.equal(encodeJson(0), '0');
    assert.equal(encodeJson(-12.5), '-12.5');
    assert.equal(encodeJson(9007199254740991), '9007199254740991');
    assert.equal(encodeJson(true), 'true');
    assert.equal(encodeJson(false), 'false');
    assert.equal(encodeJson(null), 'null');
    assert.equal(encodeJson(Buffer.from([0, 1, 2, 250, 255])), '"AAEC+v8="');
    assert.equal(encodeJson(new Uint8Array([104, 105])), '"aGk="');
    assert.equal(encodeJson(new Uint8Array(0)), '""');
    assert.equal(encodeJson(new Date(1468346745123)), '1468346745.123');
    assert.equal(encodeJson(new Date(1468346745000)), '1468346745');
    assert.equal(encodeJson([]), '[]');
    assert.equal(encodeJson({}), '{}');
    assert.equal(encodeJson([1, 'x', [true]]), '[1,"x",[true]]');
    assert.equal(encodeJson(new Map([['k', 1]])), '{"k":1}');
  });

  void it('omits undefined members and renders a subarray blob by its view only', () => {
    const backing = Buffer.from('xxHELLOxx');
    assert.equal(encodeJson({ a: undefined, b: 1, c: undefined }), '{"b":1}');
    assert.equal(encodeJson({ d: new Uint8Array(backing.buffer, backing.byteOffset + 2, 5) }), '{"d":"SEVMTE8="}');
  });

  void it('round-trips a nested document', () => {
    const value = {
      StreamDescription: {
        StreamName: 'orders',
        Shards: [{ ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: '340282366920938463463374607431768211455' } }],
        HasMoreShards: false,
        RetentionPeriodHours: 24,
        StreamCreationTimestamp: new Date(1700000000500),
        Tags: [],
        Empty: {},
      },
      Data: Buffer.from('hello'),
    };
    const decoded = decodeJsonBody(Buffer.from(encodeJson(value))) as Record<string, Record<string, unknown>>;
    assert.equal(decoded.Data, Buffer.from('hello').toString('base64'));
    assert.equal(decoded.StreamDescription.StreamCreationTimestamp, 1700000000.5);
    assert.deepEqual(decoded.StreamDescription.Shards, value.StreamDescription.Shards);
    assert.deepEqual(decoded.StreamDescription.Empty, {});
    assert.deepEqual(decoded.StreamDescription.Tags, []);
    assert.equal(decoded.StreamDescription.RetentionPeriodHours, 24);
    assert.equal(decoded.StreamDescription.HasMoreShards, false);
  });

  void it('malformed JSON is SerializationException', () => {
    for (const text of ['{', '{"a":}', 'nope', '']) {
      assert.throws(
        () => decodeJsonBody(Buffer.from(text)),
        (e: unknown) => e instanceof ServiceError && e.code === 'SerializationException' && e.httpStatus === 400,
      );
    }
  });

  void it('error bodies are {"__type","message"}', () => {
    assert.equal(
      encodeErrorBody(jsonCodec, 'ResourceNotFoundException', 'Stream x under account 000000000000 not found.'),
      '{"__type":"ResourceNotFoundException","message":"Stream x under account 000000000000 not found."}',
    );
  });
});
