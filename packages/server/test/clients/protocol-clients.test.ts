/**
 * The protocol layer through real clients — JS SDK v3 over HTTP/2 (its default) and HTTP/1.1, the AWS
 * CLI, boto3, and a raw CBOR request — against an in-process server serving a test binding (so this
 * tests the wire, not the Kinesis service). Each client checks a success and an error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeLimitsCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  KinesisServiceException,
  ListStreamsCommand,
  PutRecordCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { decodeCborBody, encodeCbor } from '../../src/protocol/cbor-codec.js';
import type { RequestContext } from '../../src/model/context.js';
import { awsHeaders, rawRequest } from '../support/raw-request.js';
import type { TestServer } from '../support/server.js';
import { runAwsCli, runPython, startTestServer } from '../support/server.js';
import { FIXED_ARRIVAL, FIXED_DATA, createTestKinesisBinding } from '../support/test-binding.js';

const contexts: { operation: string; context: RequestContext }[] = [];
let server: TestServer;

before(async () => {
  server = await startTestServer({
    bindings: [createTestKinesisBinding({ onContext: (operation, context) => contexts.push({ operation, context }) })],
  });
});
after(() => server.stop());

for (const http1 of [false, true]) {
  void describe(`@aws-sdk/client-kinesis over ${http1 ? 'HTTP/1.1 (NodeHttpHandler)' : 'HTTP/2 (default handler)'}`, () => {
    void it('ListStreams succeeds with request id headers', async () => {
      const out = await server.kinesis({ http1 }).send(new ListStreamsCommand({}));
      assert.deepEqual(out.StreamNames, ['alpha', 'beta']);
      assert.equal(out.HasMoreStreams, false);
      assert.equal(out.$metadata.httpStatusCode, 200);
      assert.match(out.$metadata.requestId ?? '', /^[0-9a-f-]{36}$/);
      assert.ok(out.$metadata.extendedRequestId);
    });

    void it('a modeled error arrives typed, with its message', async () => {
      const error = await server
        .kinesis({ http1 })
        .send(new DescribeStreamSummaryCommand({ StreamName: 'nope' }))
        .then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof ResourceNotFoundException, `got ${String(error)}`);
      assert.equal(error.message, 'Stream nope under account 000000000000 not found.');
      assert.equal(error.$metadata.httpStatusCode, 400);
      assert.equal(error.$fault, 'client');
    });

    void it('blobs and timestamps round-trip in JSON (input and output)', async () => {
      const client = server.kinesis({ http1 });
      const got = await client.send(new GetRecordsCommand({ ShardIterator: 'it-1' }));
      const record = got.Records?.[0];
      assert.deepEqual(Buffer.from(record?.Data ?? []), FIXED_DATA);
      assert.equal(record?.ApproximateArrivalTimestamp?.getTime(), FIXED_ARRIVAL.getTime());
      assert.equal(record?.PartitionKey, 'it-1');
      const put = await client.send(new PutRecordCommand({ StreamName: 's', PartitionKey: 'k', Data: new Uint8Array([9, 8, 7]) }));
      assert.equal(put.ShardId, 'bytes:090807');
    });

    void it('an operation without output answers 200', async () => {
      const out = await server.kinesis({ http1 }).send(new CreateStreamCommand({ StreamName: 's', ShardCount: 1 }));
      assert.equal(out.$metadata.httpStatusCode, 200);
    });

    void it('an operation without a handler says it is not implemented (never a fake success)', async () => {
      const error = await server
        .kinesis({ http1 })
        .send(new DeleteStreamCommand({ StreamName: 's' }))
        .then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof KinesisServiceException);
      assert.equal(error.name, 'UnknownOperationException');
      assert.equal(error.message, 'Operation DeleteStream is part of the Kinesis API but is not implemented by this Shardline server yet');
      assert.equal(error.$metadata.httpStatusCode, 400);
    });

    void it('an unexpected handler failure is InternalFailureException 500 without the cause', async () => {
      const error = await server
        .kinesis({ http1 })
        .send(new DescribeLimitsCommand({}))
        .then(() => undefined, (e: unknown) => e);
      assert.ok(error instanceof KinesisServiceException);
      assert.equal(error.name, 'InternalFailureException');
      assert.equal(error.$metadata.httpStatusCode, 500);
      assert.doesNotMatch(error.message, /sda1|fire/);
    });
  });
}

void describe('request context', () => {
  void it('region comes from the credential scope, account from the server default', async () => {
    contexts.length = 0;
    await server.kinesis({ region: 'ap-southeast-2' }).send(new ListStreamsCommand({}));
    const seen = contexts.find((c) => c.operation === 'ListStreams');
    assert.equal(seen?.context.region, 'ap-southeast-2');
    assert.equal(seen?.context.caller.accountId, '000000000000');
    assert.equal(seen?.context.caller.accessKeyId, 'AKIDSHARDLINETEST');
    assert.equal(seen?.context.protocol, 'json');
    assert.equal(seen?.context.sourceIp.endsWith('127.0.0.1'), true);
  });
});

void describe('AWS CLI', () => {
  void it('kinesis list-streams succeeds', async () => {
    const result = await runAwsCli(['kinesis', 'list-streams'], server);
    assert.equal(result.exitCode, 0, result.stderr);
    assert.deepEqual((result.json as { StreamNames: string[] }).StreamNames, ['alpha', 'beta']);
  });

  void it('kinesis describe-stream-summary of a missing stream fails with ResourceNotFoundException', async () => {
    const result = await runAwsCli(['kinesis', 'describe-stream-summary', '--stream-name', 'nope'], server);
    assert.notEqual(result.exitCode, 0);
    assert.match(result.stderr, /ResourceNotFoundException/);
    assert.match(result.stderr, /Stream nope under account 000000000000 not found/);
  });
});

void describe('boto3', () => {
  void it('list_streams succeeds and a missing stream raises ResourceNotFoundException', async () => {
    const result = await runPython(
      `
out = {"names": kinesis.list_streams()["StreamNames"]}
try:
    kinesis.describe_stream_summary(StreamName="nope")
    out["error"] = None
except kinesis.exceptions.ResourceNotFoundException as e:
    out["error"] = e.response["Error"]["Code"]
    out["message"] = e.response["Error"]["Message"]
    out["status"] = e.response["ResponseMetadata"]["HTTPStatusCode"]
    out["requestId"] = e.response["ResponseMetadata"]["RequestId"]
r = kinesis.get_records(ShardIterator="it-py")["Records"][0]
out["data"] = base64.b64encode(r["Data"]).decode()
out["arrival"] = r["ApproximateArrivalTimestamp"].timestamp()
print(json.dumps(out))
`,
      server,
    );
    assert.equal(result.exitCode, 0, result.stderr);
    const out = result.json as Record<string, unknown>;
    assert.deepEqual(out.names, ['alpha', 'beta']);
    assert.equal(out.error, 'ResourceNotFoundException');
    assert.equal(out.message, 'Stream nope under account 000000000000 not found.');
    assert.equal(out.status, 400);
    assert.match(String(out.requestId), /^[0-9a-f-]{36}$/);
    assert.equal(out.data, FIXED_DATA.toString('base64'));
    assert.equal(out.arrival, FIXED_ARRIVAL.getTime() / 1000);
  });
});

void describe('raw AWS CBOR request', () => {
  const cbor = 'application/x-amz-cbor-1.1';

  void it('GetRecords answers CBOR with byte strings and tag-1 integer-millisecond timestamps', async () => {
    for (const http2 of [false, true]) {
      const res = await rawRequest(server.url, {
        http2,
        headers: awsHeaders('Kinesis_20131202.GetRecords', cbor),
        body: encodeCbor({ ShardIterator: 'it-cbor' }),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], cbor);
      // Java reads the timestamp as tag 1 + int64 millis: check the bytes, not just the decoded value.
      const millis = FIXED_ARRIVAL.getTime();
      const expected = Buffer.concat([Buffer.from([0xc1, 0x1b]), Buffer.alloc(8)]);
      expected.writeBigUInt64BE(BigInt(millis), 2);
      assert.ok(res.body.includes(expected), `tag 1 + uint64 ${millis} in ${res.body.toString('hex')}`);
      const body = decodeCborBody(res.body) as { Records: { Data: Uint8Array; ApproximateArrivalTimestamp: number; PartitionKey: string }[] };
      assert.deepEqual(Buffer.from(body.Records[0].Data), FIXED_DATA);
      assert.equal(body.Records[0].ApproximateArrivalTimestamp, millis);
      assert.equal(body.Records[0].PartitionKey, 'it-cbor');
    }
  });

  void it('CBOR input: byte strings stay bytes, tag-1 and plain integer timestamps are milliseconds', async () => {
    const tagged = Buffer.concat([
      Buffer.from('a3', 'hex'),
      encodeCbor('StreamName').subarray(0), encodeCbor('s'),
      encodeCbor('Data'), encodeCbor(Buffer.from([1, 2, 3])),
      encodeCbor('Timestamp'), Buffer.from([0xc1]), encodeCbor(1767225600123),
    ]);
    const res = await rawRequest(server.url, { headers: awsHeaders('Kinesis_20131202.PutRecord', cbor), body: tagged });
    assert.equal(res.status, 200);
    const out = decodeCborBody(res.body) as { ShardId: string; SequenceNumber: string };
    assert.equal(out.ShardId, 'bytes:010203');
    assert.equal(out.SequenceNumber, 'ms:1767225600123');
    const plain = await rawRequest(server.url, {
      headers: awsHeaders('Kinesis_20131202.PutRecord', cbor),
      body: encodeCbor({ StreamName: 's', Data: Buffer.from([4]), Timestamp: 1767225600456 }),
    });
    assert.equal((decodeCborBody(plain.body) as { SequenceNumber: string }).SequenceNumber, 'ms:1767225600456');
  });

  void it('errors come back CBOR-encoded with x-amzn-ErrorType', async () => {
    const res = await rawRequest(server.url, {
      headers: awsHeaders('Kinesis_20131202.DescribeStreamSummary', cbor, 'eu-west-3'),
      body: encodeCbor({ StreamName: 'nope' }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers['content-type'], cbor);
    assert.equal(res.headers['x-amzn-errortype'], 'ResourceNotFoundException');
    assert.deepEqual(decodeCborBody(res.body), {
      __type: 'ResourceNotFoundException',
      message: 'Stream nope under account 000000000000 not found.',
    });
    const context = contexts.at(-1)?.context;
    assert.equal(context?.protocol, 'cbor');
    assert.equal(context?.region, 'eu-west-3');
  });
});
