/**
 * The real app (Kinesis service, generated model validation, memory storage) through real clients:
 * JS SDK v3 over HTTP/2 and HTTP/1.1, the AWS CLI, boto3 and raw CBOR — a success and an error each,
 * plus one write/read round trip per wire protocol to check blobs and timestamps end to end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  PutRecordCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { decodeCborBody, encodeCbor } from '../../src/protocol/cbor-codec.js';
import { awsHeaders, rawRequest } from '../support/raw-request.js';
import type { TestServer } from '../support/server.js';
import { runAwsCli, runPython, startTestServer } from '../support/server.js';

let server: TestServer;

async function waitActive(name: string): Promise<void> {
  const client = server.kinesis();
  for (let i = 0; i < 100; i++) {
    const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`stream ${name} did not become ACTIVE`);
}

before(async () => {
  server = await startTestServer({ createStreamMs: 0 });
  await server.kinesis().send(new CreateStreamCommand({ StreamName: 'orders', ShardCount: 1 }));
  await waitActive('orders');
});
after(() => server.stop());

for (const http1 of [false, true]) {
  void describe(`real app: @aws-sdk/client-kinesis over ${http1 ? 'HTTP/1.1' : 'HTTP/2'}`, () => {
    void it('ListStreams lists the stream; a missing stream is ResourceNotFoundException', async () => {
      const client = server.kinesis({ http1 });
      const out = await client.send(new ListStreamsCommand({}));
      assert.ok(out.StreamNames?.includes('orders'));
      const error = await client.send(new DescribeStreamSummaryCommand({ StreamName: 'missing' })).then(
        () => undefined,
        (e: unknown) => e,
      );
      assert.ok(error instanceof ResourceNotFoundException, String(error));
      assert.equal(error.$metadata.httpStatusCode, 400);
    });

    void it('PutRecord then GetRecords returns the bytes and an arrival timestamp', async () => {
      const client = server.kinesis({ http1 });
      const data = Buffer.from(`payload-${http1 ? 'h1' : 'h2'}-\u00ff\u0000`, 'latin1');
      const before = Date.now();
      const put = await client.send(new PutRecordCommand({ StreamName: 'orders', PartitionKey: 'k', Data: data }));
      const it = await client.send(
        new GetShardIteratorCommand({
          StreamName: 'orders',
          ShardId: put.ShardId,
          ShardIteratorType: 'AT_SEQUENCE_NUMBER',
          StartingSequenceNumber: put.SequenceNumber,
        }),
      );
      const got = await client.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 1 }));
      const record = got.Records?.[0];
      assert.equal(record?.SequenceNumber, put.SequenceNumber);
      assert.deepEqual(Buffer.from(record?.Data ?? []), data);
      const arrival = record?.ApproximateArrivalTimestamp?.getTime() ?? 0;
      assert.ok(arrival >= before - 1000 && arrival <= Date.now() + 1000, `arrival ${arrival}`);
    });
  });
}

void describe('real app: AWS CLI and boto3', () => {
  void it('aws kinesis list-streams / describe-stream-summary', async () => {
    const ok = await runAwsCli(['kinesis', 'list-streams'], server);
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.ok((ok.json as { StreamNames: string[] }).StreamNames.includes('orders'));
    const missing = await runAwsCli(['kinesis', 'describe-stream-summary', '--stream-name', 'missing'], server);
    assert.notEqual(missing.exitCode, 0);
    assert.match(missing.stderr, /ResourceNotFoundException/);
  });

  void it('boto3 list_streams / put_record / a validation error', async () => {
    const result = await runPython(
      `
out = {"names": kinesis.list_streams()["StreamNames"]}
put = kinesis.put_record(StreamName="orders", PartitionKey="p", Data=b"from-boto3")
out["seq"] = put["SequenceNumber"]
try:
    kinesis.describe_stream_summary(StreamName="bad name!")
except kinesis.exceptions.ClientError as e:
    out["error"] = e.response["Error"]["Code"]
    out["message"] = e.response["Error"]["Message"]
print(json.dumps(out))
`,
      server,
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.json as { names: string[]; seq: string; error: string; message: string };
    assert.ok(out.names.includes('orders'));
    assert.match(out.seq, /^\d+$/);
    assert.equal(out.error, 'ValidationException');
    assert.match(out.message, /streamName/);
  });
});

void describe('real app: raw AWS CBOR', () => {
  const cbor = 'application/x-amz-cbor-1.1';
  const call = async (operation: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await rawRequest(server.url, { headers: awsHeaders(`Kinesis_20131202.${operation}`, cbor), body: encodeCbor(input) });
    assert.equal(res.headers['content-type'], cbor);
    return { status: res.status, body: decodeCborBody(res.body) as Record<string, unknown> };
  };

  void it('PutRecord / GetRecords in CBOR: byte strings and integer-millisecond timestamps', async () => {
    const put = await call('PutRecord', { StreamName: 'orders', PartitionKey: 'c', Data: Buffer.from([1, 2, 3, 0xff]) });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const iterator = await call('GetShardIterator', {
      StreamName: 'orders',
      ShardId: put.body.ShardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: put.body.SequenceNumber,
    });
    assert.equal(iterator.status, 200, JSON.stringify(iterator.body));
    const got = await call('GetRecords', { ShardIterator: iterator.body.ShardIterator, Limit: 1 });
    assert.equal(got.status, 200, JSON.stringify(got.body));
    const record = (got.body.Records as Record<string, unknown>[])[0];
    assert.deepEqual(Buffer.from(record.Data as Uint8Array), Buffer.from([1, 2, 3, 0xff]));
    const arrival = record.ApproximateArrivalTimestamp as number;
    assert.ok(Math.abs(arrival - Date.now()) < 60_000, `arrival ${arrival} must be epoch ms`);
  });

  void it('a missing stream is a CBOR ResourceNotFoundException', async () => {
    const res = await call('DescribeStreamSummary', { StreamName: 'missing' });
    assert.equal(res.status, 400);
    assert.equal(res.body.__type, 'ResourceNotFoundException');
    assert.equal(typeof res.body.message, 'string');
  });
});
