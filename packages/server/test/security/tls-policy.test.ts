/**
 * --auth sigv4 over TLS: signatures verify over HTTPS, and aws:SecureTransport reaches policy
 * conditions (a TLS-only policy allows over HTTPS and denies over plaintext).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent as HttpsAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';

const KEYS = { accessKeyId: 'AKIATLSONLY000000001', secretAccessKey: 'tls-only-secret' };
let dir: string;
let tlsServer: TestServer;
let plainServer: TestServer;
const clients: KinesisClient[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shardline-tls-auth-'));
  const authFile = join(dir, 'auth.json');
  await writeFile(
    authFile,
    JSON.stringify({
      accounts: [
        {
          id: '111122223333',
          users: [{ name: 'tls-only', ...KEYS, policies: [{ Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }] }] }],
        },
      ],
    }),
  );
  tlsServer = await startTestServer({ auth: 'sigv4', authFile, tls: { mode: 'self-signed' } });
  plainServer = await startTestServer({ auth: 'sigv4', authFile });
});
after(async () => {
  for (const c of clients) c.destroy();
  await tlsServer.stop();
  await plainServer.stop();
  await rm(dir, { recursive: true, force: true });
});

function client(url: string): KinesisClient {
  const c = new KinesisClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: KEYS,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({ httpsAgent: new HttpsAgent({ rejectUnauthorized: false }) }),
  });
  clients.push(c);
  return c;
}

void describe('--auth sigv4 over TLS', () => {
  void it('verifies over HTTPS and feeds aws:SecureTransport to policies', async () => {
    assert.ok(tlsServer.url.startsWith('https://'));
    const out = await client(tlsServer.url).send(new ListStreamsCommand({}));
    assert.deepEqual(out.StreamNames, []);
    await assert.rejects(client(plainServer.url).send(new ListStreamsCommand({})), (e: unknown) => {
      assert.equal((e as Error).name, 'AccessDeniedException');
      assert.match((e as Error).message, /kinesis:ListStreams on resource: \* because no identity-based policy allows/);
      return true;
    });
  });
});
