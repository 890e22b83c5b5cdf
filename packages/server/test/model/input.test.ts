import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createInputParser } from '../../src/model/input.js';
import { parseKinesisInput } from '../../src/model/kinesis.js';
import type { ServiceSpec } from '../../src/model/operation.js';
import { ServiceError } from '../../src/model/service-error.js';
import type { ShapeTable } from '../../src/model/shape.js';

/** Runs a parse expected to fail; returns the ServiceError. */
function failure(fn: () => unknown): ServiceError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ServiceError, `expected a ServiceError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the parse to throw');
}

function validation(op: string, raw: unknown, protocol: 'json' | 'cbor' = 'json'): string {
  const err = failure(() => parseKinesisInput(op, raw, protocol));
  assert.equal(err.code, 'ValidationException', err.message);
  assert.equal(err.httpStatus, 400);
  return err.message;
}

function serialization(op: string, raw: unknown, protocol: 'json' | 'cbor' = 'json'): string {
  const err = failure(() => parseKinesisInput(op, raw, protocol));
  assert.equal(err.code, 'SerializationException', err.message);
  return err.message;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

void describe('parseKinesisInput: validation (one test per constraint kind)', () => {
  void it('required: a missing or null member is "Member must not be null"', () => {
    assert.equal(
      validation('GetShardIterator', { StreamName: 's', ShardIteratorType: 'LATEST' }),
      "1 validation error detected: Value null at 'shardId' failed to satisfy constraint: Member must not be null",
    );
    assert.equal(
      validation('GetShardIterator', { StreamName: 's', ShardId: null, ShardIteratorType: 'LATEST' }),
      "1 validation error detected: Value null at 'shardId' failed to satisfy constraint: Member must not be null",
    );
  });

  void it('length min and max on strings count characters (code points)', () => {
    assert.equal(
      validation('PutRecord', { StreamName: 's', Data: '', PartitionKey: '' }),
      "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const long = 'k'.repeat(257);
    assert.equal(
      validation('PutRecord', { StreamName: 's', Data: '', PartitionKey: long }),
      `1 validation error detected: Value '${long}' at 'partitionKey' failed to satisfy constraint: Member must have length less than or equal to 256`,
    );
    // 256 astral characters are 512 UTF-16 units but 256 characters: accepted.
    const astral = '😀'.repeat(256);
    const ok = parseKinesisInput('PutRecord', { StreamName: 's', Data: '', PartitionKey: astral }, 'json') as { PartitionKey: string };
    assert.equal(ok.PartitionKey, astral);
  });

  void it('pattern: must match the whole value; the message shows the service pattern', () => {
    assert.equal(
      validation('DescribeStreamSummary', { StreamName: 'bad name' }),
      "1 validation error detected: Value 'bad name' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
    // A valid prefix followed by an invalid character still fails (anchored).
    assert.match(validation('DescribeStreamSummary', { StreamName: 'abc/' }), /Value 'abc\/' at 'streamName'/);
    assert.match(
      validation('PutRecord', { StreamName: 's', Data: '', PartitionKey: 'k', ExplicitHashKey: '0123' }),
      /Value '0123' at 'explicitHashKey' failed to satisfy constraint: Member must satisfy regular expression pattern: 0\|\(\[1-9\]\\d\{0,38\}\)$/,
    );
  });

  void it('range min and max on numbers', () => {
    assert.equal(
      validation('GetRecords', { ShardIterator: 'it', Limit: 0 }),
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    assert.equal(
      validation('GetRecords', { ShardIterator: 'it', Limit: 10001 }),
      "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
    );
  });

  void it('enum: "Member must satisfy enum value set: [...]"', () => {
    assert.equal(
      validation('GetShardIterator', { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'OLDEST' }),
      "1 validation error detected: Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: " +
        'Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]',
    );
  });

  void it('list length uses the length texts and prints the list', () => {
    assert.equal(
      validation('PutRecords', { StreamName: 's', Records: [] }),
      "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const records = Array.from({ length: 501 }, () => ({ Data: '', PartitionKey: 'k' }));
    assert.match(
      validation('PutRecords', { StreamName: 's', Records: records }),
      /^1 validation error detected: Value '\[.*\]' at 'records' failed to satisfy constraint: Member must have length less than or equal to 500$/,
    );
  });

  void it('blob length counts bytes and prints the value as AWS (a Java ByteBuffer)', () => {
    const data = Buffer.alloc(10 * 1024 * 1024 + 1).toString('base64');
    assert.equal(
      validation('PutRecord', { StreamName: 's', Data: data, PartitionKey: 'k' }),
      "1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=10485761 cap=10485761]' at 'data' " +
        'failed to satisfy constraint: Member must have length less than or equal to 10485760',
    );
  });

  void it('nested list members are reported at records.N.member.<member> (1-based)', () => {
    assert.equal(
      validation('PutRecords', {
        StreamName: 's',
        Records: [
          { Data: b64('a'), PartitionKey: 'k' },
          { Data: b64('b'), PartitionKey: '' },
          { PartitionKey: 'k' },
        ],
      }),
      '2 validation errors detected: ' +
        "Value '' at 'records.2.member.partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value null at 'records.3.member.data' failed to satisfy constraint: Member must not be null",
    );
  });

  void it('a list of simple values fails as a whole, listing the element constraints', () => {
    assert.equal(
      validation('RemoveTagsFromStream', { StreamName: 's', TagKeys: ['ok', ''] }),
      "1 validation error detected: Value '[ok, ]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: " +
        '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]',
    );
    assert.match(
      validation('EnableEnhancedMonitoring', { StreamName: 's', ShardLevelMetrics: ['ALL', 'Nope'] }),
      /Value '\[ALL, Nope\]' at 'shardLevelMetrics' failed to satisfy constraint: Member must satisfy constraint: \[Member must satisfy enum value set: \[IncomingBytes, .*, ALL\]\]$/,
    );
  });

  void it('map keys and values fail once each, "Map keys/value must satisfy constraint"', () => {
    assert.equal(
      validation('AddTagsToStream', { StreamName: 's', Tags: { '': 'v', k: 'x'.repeat(257) } }),
      '2 validation errors detected: ' +
        `Value '{=v, k=${'x'.repeat(257)}}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: ` +
        '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1]; ' +
        `Value '{=v, k=${'x'.repeat(257)}}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: ` +
        '[Member must have length less than or equal to 256, Member must have length greater than or equal to 0]',
    );
    assert.match(validation('AddTagsToStream', { StreamName: 's', Tags: {} }), /Value '\{\}' at 'tags' .* greater than or equal to 1$/);
  });

  void it('collects every error: "N validation errors detected: …; …"', () => {
    assert.equal(
      validation('GetShardIterator', { StreamName: 'a b', ShardIteratorType: 'NOPE' }),
      '3 validation errors detected: ' +
        "Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; " +
        "Value null at 'shardId' failed to satisfy constraint: Member must not be null; " +
        "Value 'NOPE' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: " +
        '[AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]',
    );
    // One value breaking two constraints gives two errors.
    assert.equal(
      validation('DescribeStreamSummary', { StreamName: '' }),
      '2 validation errors detected: ' +
        "Value '' at 'streamName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
        "Value '' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
    );
  });
});

void describe('parseKinesisInput: coercion', () => {
  void it('decodes base64 blobs into Buffers (JSON)', () => {
    const input = parseKinesisInput('PutRecords', { StreamName: 's', Records: [{ Data: b64('hello'), PartitionKey: 'k' }] }, 'json') as {
      Records: { Data: Uint8Array }[];
    };
    assert.ok(Buffer.isBuffer(input.Records[0].Data));
    assert.equal(Buffer.from(input.Records[0].Data).toString(), 'hello');
    const empty = parseKinesisInput('PutRecord', { StreamName: 's', Data: '', PartitionKey: 'k' }, 'json') as { Data: Uint8Array };
    assert.equal(empty.Data.byteLength, 0);
  });

  void it('rejects bad base64 with a SerializationException naming the value', () => {
    assert.equal(
      serialization('PutRecord', { StreamName: 's', Data: 'abcde', PartitionKey: 'k' }),
      "'abcde' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 5",
    );
    assert.equal(
      serialization('PutRecord', { StreamName: 's', Data: 'ab*d', PartitionKey: 'k' }),
      "'ab*d' can not be converted to a Blob: Invalid Base64 character: '*'",
    );
    assert.equal(
      serialization('PutRecord', { StreamName: 's', Data: '+/+=', PartitionKey: 'k' }),
      "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected",
    );
    // Characters Node's decoder would accept or skip are still rejected.
    for (const [bad, ch] of [['aGk-', '-'], ['aGk_', '_'], ['aG k', ' '], ['aGék', 'é'], ['ab=c', '=']]) {
      assert.equal(
        serialization('PutRecord', { StreamName: 's', Data: bad, PartitionKey: 'k' }),
        `'${bad}' can not be converted to a Blob: Invalid Base64 character: '${ch}'`,
      );
    }
    assert.match(serialization('PutRecords', { StreamName: 's', Records: [{ Data: 'a', PartitionKey: 'k' }] }), /can not be converted to a Blob/);
  });

  void it('takes CBOR byte strings as blobs without copying', () => {
    const bytes = new Uint8Array([1, 2, 3, 4]).subarray(1, 3);
    const input = parseKinesisInput('PutRecord', { StreamName: 's', Data: bytes, PartitionKey: 'k' }, 'cbor') as { Data: Buffer };
    assert.ok(Buffer.isBuffer(input.Data));
    assert.deepEqual([...input.Data], [2, 3]);
    assert.equal(input.Data.buffer, bytes.buffer);
  });

  void it('JSON timestamps: epoch seconds as int, float or numeric string', () => {
    const at = (ts: unknown): Date =>
      (
        parseKinesisInput(
          'GetShardIterator',
          { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: ts },
          'json',
        ) as { Timestamp: Date }
      ).Timestamp;
    assert.equal(at(1700000000).getTime(), 1700000000000);
    assert.equal(at(1700000000.123).getTime(), 1700000000123);
    assert.equal(at('1700000000.5').getTime(), 1700000000500);
    assert.ok(at(1) instanceof Date);
    assert.equal(
      serialization('GetShardIterator', { StreamName: 's', ShardId: 'x', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: 'yesterday' }),
      'STRING_VALUE can not be converted to a Timestamp',
    );
  });

  void it('CBOR timestamps: Date (tag 1) or integer epoch milliseconds', () => {
    const at = (ts: unknown): Date =>
      (
        parseKinesisInput(
          'GetShardIterator',
          { StreamName: 's', ShardId: 'shardId-000000000000', ShardIteratorType: 'AT_TIMESTAMP', Timestamp: ts },
          'cbor',
        ) as { Timestamp: Date }
      ).Timestamp;
    assert.equal(at(new Date(1700000000123)).getTime(), 1700000000123);
    assert.equal(at(1700000000123).getTime(), 1700000000123);
    assert.equal(at(1700000000123n).getTime(), 1700000000123);
  });

  void it('wrong JSON types are SerializationExceptions with the service wording', () => {
    assert.equal(serialization('GetRecords', { ShardIterator: 'it', Limit: '5' }), 'STRING_VALUE can not be converted to an Integer');
    assert.equal(serialization('GetRecords', { ShardIterator: 'it', Limit: true }), 'TRUE_VALUE can not be converted to an Integer');
    assert.equal(serialization('DescribeStreamSummary', { StreamName: 5 }), 'NUMBER_VALUE can not be converted to a String');
    assert.equal(serialization('DescribeStreamSummary', { StreamName: false }), 'FALSE_VALUE can not be converted to a String');
    assert.equal(serialization('DescribeStreamSummary', { StreamName: ['s'] }), 'Start of list found where not expected');
    assert.equal(serialization('DescribeStreamSummary', { StreamName: {} }), 'Start of structure or map found where not expected.');
    assert.equal(serialization('PutRecords', { StreamName: 's', Records: 'r' }), 'Expected list or null');
    assert.equal(serialization('AddTagsToStream', { StreamName: 's', Tags: ['a'] }), 'Start of list found where not expected');
    assert.equal(serialization('PutRecord', { StreamName: 's', PartitionKey: 'k', Data: 'aGk=', DryRun: 'yes' }), 'STRING_VALUE can not be converted to a Boolean');
    // A fraction for an integer member is truncated, as the service does.
    const input = parseKinesisInput('GetRecords', { ShardIterator: 'it', Limit: 7.9 }, 'json') as { Limit: number };
    assert.equal(input.Limit, 7);
  });

  void it('a body that is not an object is a SerializationException', () => {
    for (const body of [[], ['x'], 'string', 42, true]) {
      const err = failure(() => parseKinesisInput('ListStreams', body, 'json'));
      assert.equal(err.code, 'SerializationException');
    }
    assert.equal(serialization('ListStreams', [], 'cbor'), 'Start of list found where not expected');
    // An empty body (undefined/null) is an empty input.
    assert.deepEqual(parseKinesisInput('ListStreams', undefined, 'json'), {});
  });

  void it('drops members the model does not know, at every level', () => {
    const input = parseKinesisInput(
      'PutRecords',
      { StreamName: 's', Unknown: 1, Records: [{ Data: b64('x'), PartitionKey: 'k', Extra: { deep: true } }] },
      'json',
    );
    assert.deepEqual(Object.keys(input as object).sort(), ['Records', 'StreamName']);
    assert.deepEqual(Object.keys((input as { Records: object[] }).Records[0]).sort(), ['Data', 'PartitionKey']);
  });

  void it('accepts an operation with an empty input, and rejects an unknown operation', () => {
    assert.deepEqual(parseKinesisInput('DescribeLimits', {}, 'json'), {});
    assert.equal(failure(() => parseKinesisInput('NoSuchOperation', {}, 'json')).code, 'UnknownOperationException');
  });
});

void describe('createInputParser on a hand-written model', () => {
  const shapes: ShapeTable = {
    In: {
      type: 'structure',
      members: {
        Node: { target: 'Tree' },
        Ratio: { target: 'Ratio', rangeMin: 0, rangeMax: 1 },
        Level: { target: 'Level', intEnum: [1, 2] },
        Ids: { target: 'Ids' },
        Items: { target: 'Items' },
        When: { target: 'When' },
        Choice: { target: 'Choice' },
      },
    },
    Tree: { type: 'structure', members: { Name: { target: 'Name', required: true, pattern: 'x+' }, Child: { target: 'Tree' } } },
    Name: { type: 'string' },
    Ratio: { type: 'double' },
    Level: { type: 'intEnum', intEnum: [1, 2] },
    Ids: { type: 'list', sparse: true, member: { target: 'Name', lengthMax: 2 } },
    Items: { type: 'map', key: { target: 'Name' }, value: { target: 'Tree' } },
    When: { type: 'timestamp', timestampFormat: 'date-time' },
    Choice: { type: 'union', members: { A: { target: 'Name' }, B: { target: 'Ratio' } } },
  };
  const spec: ServiceSpec = { targetPrefix: 'T', signingName: 't', operations: { Op: { name: 'Op', input: 'In', errors: [] } } };
  const parse = createInputParser(shapes, spec);

  void it('handles recursive structures, unanchored patterns (whole-match), doubles and intEnums', () => {
    const ok = parse('Op', { Node: { Name: 'x', Child: { Name: 'xx' } }, Ratio: 0.5, Level: 2 }, 'json');
    assert.deepEqual(ok, { Node: { Name: 'x', Child: { Name: 'xx' } }, Ratio: 0.5, Level: 2 });
    const err = failure(() => parse('Op', { Node: { Name: 'x', Child: { Name: 'xyx', Child: {} } }, Ratio: 2, Level: 3 }, 'json'));
    assert.equal(
      err.message,
      '4 validation errors detected: ' +
        "Value 'xyx' at 'node.child.name' failed to satisfy constraint: Member must satisfy regular expression pattern: x+; " +
        "Value null at 'node.child.child.name' failed to satisfy constraint: Member must not be null; " +
        "Value '2' at 'ratio' failed to satisfy constraint: Member must have value less than or equal to 1; " +
        "Value '3' at 'level' failed to satisfy constraint: Member must satisfy enum value set: [1, 2]",
    );
  });

  void it('sparse lists keep nulls; maps of structures report under <key>.member', () => {
    assert.deepEqual(parse('Op', { Ids: ['a', null] }, 'json'), { Ids: ['a', null] });
    const err = failure(() => parse('Op', { Ids: ['abc'], Items: { k: { Name: 'y' } } }, 'json'));
    assert.equal(
      err.message,
      '2 validation errors detected: ' +
        "Value '[abc]' at 'ids' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 2]; " +
        "Value 'y' at 'items.k.member.name' failed to satisfy constraint: Member must satisfy regular expression pattern: x+",
    );
  });

  void it('date-time timestamps and unions', () => {
    const out = parse('Op', { When: '2026-01-02T03:04:05Z', Choice: { B: 0.25 } }, 'json') as { When: Date; Choice: object };
    assert.equal(out.When.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.deepEqual(out.Choice, { B: 0.25 });
  });
});
