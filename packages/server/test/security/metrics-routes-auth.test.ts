/**
 * With --auth sigv4 the CloudWatch-compatible reads served beside the Kinesis API (metrics side
 * routes) are authenticated and authorized too (cloudwatch:<Action> on *).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';

const OPS = { accessKeyId: 'AKIAOPS0000000000001', secretAccessKey: 'ops-secret' };
const KINESIS_ONLY = { accessKeyId: 'AKIAKINESISONLY00001', secretAccessKey: 'k-secret' };
let dir: string;
let server: TestServer;
const clients: CloudWatchClient[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shardline-cw-auth-'));
  await writeFile(
    join(dir, 'auth.json'),
    JSON.stringify({
      accounts: [
        {
          id: '111122223333',
          users: [
            { name: 'ops', ...OPS, policies: [{ Statement: [{ Effect: 'Allow', Action: ['cloudwatch:ListMetrics', 'cloudwatch:Get*'], Resource: '*' }] }] },
            { name: 'kinesis-only', ...KINESIS_ONLY, policies: [{ Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }] }] },
          ],
        },
      ],
    }),
  );
  server = await startTestServer({ auth: 'sigv4', authFile: join(dir, 'auth.json') });
});
after(async () => {
  for (const c of clients) c.destroy();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

function cloudwatch(keys: { accessKeyId: string; secretAccessKey: string }): CloudWatchClient {
  const c = new CloudWatchClient({ endpoint: server.url, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
  clients.push(c);
  return c;
}

void describe('metrics side routes under --auth sigv4', () => {
  void it('authenticates and authorizes CloudWatch reads', async () => {
    const out = await cloudwatch(OPS).send(new ListMetricsCommand({ Namespace: 'AWS/Kinesis' }));
    assert.ok(Array.isArray(out.Metrics));
    await assert.rejects(cloudwatch({ ...OPS, secretAccessKey: 'wrong' }).send(new ListMetricsCommand({})), (e: unknown) => {
      assert.equal((e as Error).name, 'InvalidSignatureException');
      return true;
    });
    await assert.rejects(cloudwatch({ accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' }).send(new ListMetricsCommand({})), (e: unknown) => {
      assert.equal((e as Error).name, 'UnrecognizedClientException');
      return true;
    });
    await assert.rejects(cloudwatch(KINESIS_ONLY).send(new ListMetricsCommand({})), (e: unknown) => {
      assert.equal((e as Error).name, 'AccessDeniedException');
      assert.match((e as Error).message, /is not authorized to perform: cloudwatch:ListMetrics on resource: \*/);
      return true;
    });
  });
});
