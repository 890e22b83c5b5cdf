import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kinesisPlainOutputs } from '../../src/model/kinesis.js';
import { plainOutputOperations } from '../../src/model/plain-output.js';
import type { ShapeTable } from '../../src/model/shape.js';
import { encodeJson } from '../../src/protocol/json-codec.js';

void describe('plainOutputOperations', () => {
  void it('lists outputs without blobs, timestamps or event streams', () => {
    for (const op of ['PutRecords', 'PutRecord', 'ListShards', 'GetShardIterator', 'CreateStream', 'ListTagsForStream']) {
      assert.ok(kinesisPlainOutputs.has(op), `${op} should be plain`);
    }
    // GetRecords has Data (blob) and ApproximateArrivalTimestamp; ListStreams and DescribeStream carry
    // creation timestamps; SubscribeToShard is an event stream.
    for (const op of ['GetRecords', 'ListStreams', 'DescribeStream', 'DescribeStreamSummary', 'SubscribeToShard', 'DescribeStreamConsumer']) {
      assert.ok(!kinesisPlainOutputs.has(op), `${op} must not be plain`);
    }
  });

  void it('follows recursive shapes without looping and sees blobs through lists and maps', () => {
    const shapes: ShapeTable = {
      Out: { type: 'structure', members: { Node: { target: 'Node' } } },
      Node: { type: 'structure', members: { Children: { target: 'Nodes' }, Name: { target: 'S' } } },
      Nodes: { type: 'list', member: { target: 'Node' } },
      S: { type: 'string' },
      BlobOut: { type: 'structure', members: { M: { target: 'BlobMap' } } },
      BlobMap: { type: 'map', key: { target: 'S' }, value: { target: 'B' } },
      B: { type: 'blob' },
    };
    const spec = {
      targetPrefix: 'T',
      signingName: 't',
      operations: {
        Tree: { name: 'Tree', input: 'Out', output: 'Out', errors: [] },
        Bin: { name: 'Bin', input: 'Out', output: 'BlobOut', errors: [] },
        Nothing: { name: 'Nothing', input: 'Out', errors: [] },
      },
    };
    assert.deepEqual([...plainOutputOperations(shapes, spec)].sort(), ['Nothing', 'Tree']);
  });

  void it('native JSON.stringify renders a PutRecords output exactly as the JSON writer does', () => {
    const output = {
      FailedRecordCount: 1,
      Records: [
        { SequenceNumber: '3064991081731777716716694054307855554236522790330089571', ShardId: 'shardId-000000000000', ErrorCode: undefined },
        { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard "x" — ünïcode' },
      ],
      EncryptionType: 'NONE',
    };
    assert.equal(JSON.stringify(output), encodeJson(output));
  });
});
