/**
 * End to end with --auth sigv4: a real server (embedded storage in a temp dir) and real clients — the
 * JS SDK (HTTP/2 and HTTP/1.1), the AWS CLI with a named profile, boto3 — with good and bad keys; raw
 * signed requests for tampering and presigned URLs; policies (identity, resource, cross-account);
 * encryption at rest checked in the raw files; the audit log; a restart with the wrong master key.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdir, readFile, stat, writeFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListStreamsCommand,
  PutRecordCommand,
  PutResourcePolicyCommand,
  StartStreamEncryptionCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
import { createApp } from '../../src/app.js';
import type { TestServer } from '../support/server.js';
import { startTestServer } from '../support/server.js';
import { TestSha256 } from '../support/sha256.js';


const ACCOUNT = '111122223333';
const PARTNER_ACCOUNT = '444455556666';
const ADMIN = { accessKeyId: 'AKIAADMIN00000000001', secretAccessKey: 'admin/secret+key' };
const READER = { accessKeyId: 'AKIAREADER0000000001', secretAccessKey: 'reader-secret' };
const PARTNER = { accessKeyId: 'AKIAPARTNER000000001', secretAccessKey: 'partner-secret' };
const authDoc = {
  accounts: [
    {
      id: ACCOUNT,
      users: [
        { name: 'admin', ...ADMIN, policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }] }] },
        {
          name: 'reader',
          ...READER,
          policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kinesis:Describe*', 'kinesis:List*', 'kinesis:Get*'], Resource: '*' }] }],
        },
      ],
    },
    { id: PARTNER_ACCOUNT, users: [{ name: 'partner', ...PARTNER, policies: [{ Statement: [{ Effect: 'Allow', Action: 'kinesis:*', Resource: '*' }] }] }] },
  ],
};

let dir: string;
let server: TestServer;
const clients: KinesisClient[] = [];

function client(keys: { accessKeyId: string; secretAccessKey: string }, options: { http1?: boolean; systemClockOffset?: number; maxAttempts?: number } = {}): KinesisClient {
  const c = new KinesisClient({
    endpoint: server.url,
    region: 'us-east-1',
    credentials: keys,
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.systemClockOffset !== undefined ? { systemClockOffset: options.systemClockOffset } : {}),
    ...(options.http1 === true ? { requestHandler: new NodeHttpHandler() } : {}),
  });
  clients.push(c);
  return c;
}

async function rejectsWith(p: Promise<unknown>, name: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.equal((e as Error).name, name, String((e as Error).message));
    if (message) assert.match((e as Error).message, message);
    return true;
  });
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

function rawPost(path: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: { __type?: string; message?: string } }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, body: text === '' ? {} : (JSON.parse(text) as { __type?: string; message?: string }) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function signedRaw(target: string, payload: object, options: { presign?: { expiresIn: number; at: Date } } = {}): Promise<{ path: string; headers: Record<string, string>; body: Buffer }> {
  const url = new URL(server.url);
  const body = Buffer.from(JSON.stringify(payload));
  const signer = new SignatureV4({ credentials: ADMIN, region: 'us-east-1', service: 'kinesis', sha256: TestSha256 });
  const request = {
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Kinesis_20131202.${target}` },
    body,
  };
  if (options.presign) {
    const p = await signer.presign(request, { expiresIn: options.presign.expiresIn, signingDate: options.presign.at, unhoistableHeaders: new Set(['x-amz-target']) });
    const qs = new URLSearchParams(p.query as Record<string, string>).toString();
    return { path: `/?${qs}`, headers: p.headers, body };
  }
  const s = await signer.sign(request);
  return { path: '/', headers: s.headers, body };
}

async function rawFilesContaining(root: string, needle: Buffer): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d)) {
      const p = join(d, entry);
      const st = await stat(p);
      if (st.isDirectory()) await walk(p);
      else if ((await readFile(p)).includes(needle)) hits.push(p);
    }
  };
  await walk(root);
  return hits;
}

const STREAM = 'secured';
const STREAM_ARN = `arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/${STREAM}`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shardline-sigv4-'));
  await writeFile(join(dir, 'auth.json'), JSON.stringify(authDoc));
  server = await startTestServer({
    persistent: true,
    auth: 'sigv4',
    authFile: join(dir, 'auth.json'),
    auditLog: join(dir, 'audit.log'),
    accountId: ACCOUNT,
    createStreamMs: 0,
    updateStreamMs: 0,
  });
  await client(ADMIN).send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 1 }));
});
after(async () => {
  for (const c of clients) c.destroy();
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

void describe('--auth sigv4 with real clients', () => {
  void it('JS SDK over HTTP/2 and HTTP/1.1: good keys work, bad ones get the AWS errors', async () => {
    for (const http1 of [false, true]) {
      const admin = client(ADMIN, { http1 });
      const names = await admin.send(new ListStreamsCommand({}));
      assert.deepEqual(names.StreamNames, [STREAM]);
      await rejectsWith(client({ ...ADMIN, secretAccessKey: 'wrong' }, { http1 }).send(new ListStreamsCommand({})), 'InvalidSignatureException', /^The request signature we calculated does not match/);
      await rejectsWith(client({ accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' }, { http1 }).send(new ListStreamsCommand({})), 'UnrecognizedClientException', /^The security token included in the request is invalid\.$/);
      await rejectsWith(client(ADMIN, { http1, systemClockOffset: -10 * 60_000 }).send(new ListStreamsCommand({})), 'InvalidSignatureException', /^Signature expired: \d{8}T\d{6}Z is now earlier than/);
      // With retries the SDK corrects its clock from the response's Date header, as against AWS.
      const skewed = await client(ADMIN, { http1, systemClockOffset: -10 * 60_000, maxAttempts: 3 }).send(new ListStreamsCommand({}));
      assert.equal(skewed.$metadata.attempts, 2);
    }
  });

  void it('enforces identity policies with the AWS AccessDenied message', async () => {
    const reader = client(READER);
    await reader.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
    await rejectsWith(
      reader.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'k', Data: Buffer.from('x') })),
      'AccessDeniedException',
      new RegExp(`^User: arn:aws:iam::${ACCOUNT}:user/reader is not authorized to perform: kinesis:PutRecord on resource: ${STREAM_ARN} because no identity-based policy allows the kinesis:PutRecord action$`),
    );
  });

  void it('cross-account access needs a resource policy', async () => {
    const partner = client(PARTNER);
    await rejectsWith(partner.send(new PutRecordCommand({ StreamARN: STREAM_ARN, PartitionKey: 'k', Data: Buffer.from('x') })), 'AccessDeniedException', /because no resource-based policy allows the kinesis:PutRecord action/);
    await client(ADMIN).send(
      new PutResourcePolicyCommand({
        ResourceARN: STREAM_ARN,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER_ACCOUNT}:root` }, Action: 'kinesis:PutRecord', Resource: STREAM_ARN }] }),
      }),
    );
    const put = await partner.send(new PutRecordCommand({ StreamARN: STREAM_ARN, PartitionKey: 'k', Data: Buffer.from('from partner') }));
    assert.ok(put.SequenceNumber);
    await rejectsWith(partner.send(new DescribeStreamSummaryCommand({ StreamARN: STREAM_ARN })), 'AccessDeniedException');
  });

  void it('rejects a tampered body; accepts a valid presigned URL and rejects an expired one', async () => {
    const ok = await signedRaw('DescribeStreamSummary', { StreamName: STREAM });
    assert.equal((await rawPost(ok.path, ok.headers, ok.body)).status, 200);
    const tampered = await signedRaw('DescribeStreamSummary', { StreamName: STREAM });
    const res = await rawPost(tampered.path, tampered.headers, Buffer.from(JSON.stringify({ StreamName: 'other' })));
    assert.equal(res.body.__type, 'InvalidSignatureException');
    const pre = await signedRaw('DescribeStreamSummary', { StreamName: STREAM }, { presign: { expiresIn: 60, at: new Date() } });
    const preRes = await rawPost(pre.path, pre.headers, pre.body);
    assert.equal(preRes.status, 200, JSON.stringify(preRes.body));
    const old = await signedRaw('DescribeStreamSummary', { StreamName: STREAM }, { presign: { expiresIn: 60, at: new Date(Date.now() - 120_000) } });
    const oldRes = await rawPost(old.path, old.headers, old.body);
    assert.equal(oldRes.body.__type, 'InvalidSignatureException');
    assert.match(oldRes.body.message ?? '', /^Signature expired/);
    const unsigned = await rawPost('/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Kinesis_20131202.ListStreams' }, Buffer.from('{}'));
    assert.equal(unsigned.body.__type, 'MissingAuthenticationTokenException');
  });

  void it('AWS CLI with a profile and boto3, good and bad keys', async () => {
    const config = join(dir, 'aws-config');
    const credentials = join(dir, 'aws-credentials');
    await writeFile(config, '[profile shardline]\nregion = us-east-1\n[profile wrong]\nregion = us-east-1\n');
    await writeFile(credentials, `[shardline]\naws_access_key_id = ${ADMIN.accessKeyId}\naws_secret_access_key = ${ADMIN.secretAccessKey}\n[wrong]\naws_access_key_id = ${ADMIN.accessKeyId}\naws_secret_access_key = nope\n`);
    const env = { PATH: process.env.PATH, HOME: dir, AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_MAX_ATTEMPTS: '1', AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true' };
    const good = await run('aws', ['--profile', 'shardline', '--endpoint-url', server.url, 'kinesis', 'list-streams', '--output', 'json'], env);
    assert.equal(good.code, 0, good.stderr);
    assert.deepEqual((JSON.parse(good.stdout) as { StreamNames: string[] }).StreamNames, [STREAM]);
    const bad = await run('aws', ['--profile', 'wrong', '--endpoint-url', server.url, 'kinesis', 'list-streams'], env);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /InvalidSignatureException/);

    const py = (keys: { accessKeyId: string; secretAccessKey: string }): Promise<{ code: number; stdout: string; stderr: string }> =>
      run('python3', ['-c', [
        'import boto3, botocore, json, sys',
        `k = boto3.client("kinesis", endpoint_url="${server.url}", region_name="us-east-1", aws_access_key_id="${keys.accessKeyId}", aws_secret_access_key="${keys.secretAccessKey}", config=botocore.config.Config(retries={"max_attempts": 1}))`,
        'try:',
        '    print(json.dumps(k.list_streams()["StreamNames"]))',
        'except botocore.exceptions.ClientError as e:',
        '    print(json.dumps(e.response["Error"]["Code"]))',
      ].join('\n')], env);
    const pyGood = await py(ADMIN);
    assert.equal(pyGood.code, 0, pyGood.stderr);
    assert.deepEqual(JSON.parse(pyGood.stdout), [STREAM]);
    assert.equal(JSON.parse((await py({ ...ADMIN, secretAccessKey: 'bad' })).stdout), 'InvalidSignatureException');
    assert.equal(JSON.parse((await py({ accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'bad' })).stdout), 'UnrecognizedClientException');
  });

  void it('encrypts records at rest after StartStreamEncryption, GetRecords returns them intact', async () => {
    const admin = client(ADMIN);
    const before = Buffer.from('KNOWN-PAYLOAD-BEFORE-ENCRYPTION-31337');
    const afterPayload = Buffer.from('KNOWN-PAYLOAD-AFTER-ENCRYPTION-27182');
    await admin.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'k', Data: before }));
    await rejectsWith(admin.send(new StartStreamEncryptionCommand({ StreamName: STREAM, EncryptionType: 'KMS', KeyId: 'alias/does-not-exist' })), 'KMSNotFoundException');
    await admin.send(new StartStreamEncryptionCommand({ StreamName: STREAM, EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
    for (let i = 0; i < 50; i++) {
      const s = await admin.send(new DescribeStreamSummaryCommand({ StreamName: STREAM }));
      if (s.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const put = await admin.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: 'k', Data: afterPayload }));
    assert.equal(put.EncryptionType, 'KMS');
    const it0 = await admin.send(new GetShardIteratorCommand({ StreamName: STREAM, ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
    const got = await admin.send(new GetRecordsCommand({ ShardIterator: it0.ShardIterator, Limit: 100 }));
    const byData = new Map((got.Records ?? []).map((r) => [Buffer.from(r.Data ?? []).toString(), r.EncryptionType]));
    assert.equal(byData.get(before.toString()), 'NONE');
    assert.equal(byData.get(afterPayload.toString()), 'KMS');
    const dataDir = server.config.dataDir;
    assert.ok((await rawFilesContaining(dataDir, before)).length > 0, 'the payload written before encryption is on disk in clear');
    assert.deepEqual(await rawFilesContaining(dataDir, afterPayload), [], 'the payload written after StartStreamEncryption is not');
  });

  void it('writes the audit log', async () => {
    const lines = (await readFile(join(dir, 'audit.log'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { eventName: string; errorCode?: string; userIdentity: { arn?: string }; requestParameters: Record<string, unknown> | null });
    const create = lines.find((l) => l.eventName === 'CreateStream');
    assert.ok(create);
    assert.equal(create.userIdentity.arn, `arn:aws:iam::${ACCOUNT}:user/admin`);
    assert.deepEqual(create.requestParameters, { streamName: STREAM, shardCount: 1 });
    assert.ok(lines.some((l) => l.eventName === 'StartStreamEncryption' && l.errorCode === 'KMSNotFoundException'));
    assert.ok(!lines.some((l) => l.eventName === 'PutRecord'), 'data events are off by default');
    // Calls refused at authentication (wrong secret, unknown key, skewed clock) are audited too, with
    // no identity and no request parameters.
    for (const code of ['InvalidSignatureException', 'UnrecognizedClientException']) {
      const refused = lines.find((l) => l.eventName === 'ListStreams' && l.errorCode === code);
      assert.ok(refused, `a ListStreams refused with ${code} is in the audit log`);
      assert.equal(refused.userIdentity.arn, undefined);
      assert.equal(refused.requestParameters, null);
    }
    assert.ok(!JSON.stringify(lines).includes(ADMIN.secretAccessKey));
  });

  void it('refuses to start with the wrong master key', async () => {
    await server.app.close(); // releases the data directory; stop() in after() removes it
    await assert.rejects(
      createApp({ ...server.config, port: 0, masterKey: 'ab'.repeat(32) }),
      /master key does not match the key store .*key-check value differs/,
    );
  });
});
