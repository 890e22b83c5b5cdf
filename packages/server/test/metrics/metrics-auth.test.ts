/**
 * With `--auth sigv4`, the CloudWatch reads verify signatures (signing name `monitoring`) with the same
 * credentials as the Kinesis API, and answer for the caller's account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { TEST_ACCESS_KEY_ID, TEST_REGION, TEST_SECRET_ACCESS_KEY, startTestServer } from '../support/server.js';
import type { TestServer } from '../support/server.js';

void describe('CloudWatch reads with --auth sigv4', () => {
  let server: TestServer;
  const clients: CloudWatchClient[] = [];
  const cloudwatch = (secretAccessKey: string): CloudWatchClient => {
    const c = new CloudWatchClient({ endpoint: server.url, region: TEST_REGION, credentials: { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey }, maxAttempts: 1 });
    clients.push(c);
    return c;
  };

  before(async () => {
    server = await startTestServer({ auth: 'sigv4', rootAccessKeyId: TEST_ACCESS_KEY_ID, rootSecretAccessKey: TEST_SECRET_ACCESS_KEY, createStreamMs: 0 });
    const kinesis = server.kinesis();
    await kinesis.send(new CreateStreamCommand({ StreamName: 'secure', ShardCount: 1 }));
    for (let i = 0; i < 50; i++) {
      const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'secure' }));
      if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await kinesis.send(new PutRecordCommand({ StreamName: 'secure', PartitionKey: 'k', Data: Buffer.from('x') }));
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await server.stop();
  });

  void it('answers a correctly signed request', async () => {
    const out = await cloudwatch(TEST_SECRET_ACCESS_KEY).send(new ListMetricsCommand({ Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords' }));
    assert.deepEqual(out.Metrics, [{ Namespace: 'AWS/Kinesis', MetricName: 'IncomingRecords', Dimensions: [{ Name: 'StreamName', Value: 'secure' }] }]);
  });

  void it('refuses a wrong signature', async () => {
    await assert.rejects(cloudwatch('not-the-secret').send(new ListMetricsCommand({ Namespace: 'AWS/Kinesis' })), (err: unknown) => {
      const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
      assert.equal(e.$metadata?.httpStatusCode, 400);
      assert.match(String(e.name), /InvalidSignature/);
      return true;
    });
  });

  void it('refuses an unsigned request', async () => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' },
      body: '{}',
    });
    assert.equal(res.status, 403);
  });
});
