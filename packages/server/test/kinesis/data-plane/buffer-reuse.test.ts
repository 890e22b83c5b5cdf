/**
 * Reused request buffers (model/buffer-pool.ts): listener bodies and the PutRecords scanner's arena and
 * layout come back to the pool only when nothing can read them. The pool poisons what it gets back, so
 * a buffer reused too early shows up as corrupt records here.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  StartStreamEncryptionCommand,
  DescribeStreamSummaryCommand,
} from '@aws-sdk/client-kinesis';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { BufferPool, requestBuffers } from '../../../src/model/buffer-pool.js';
import { PLAIN_INPUT, RELEASE_INPUT } from '../../../src/model/operation.js';
import { scanPutRecordsJson } from '../../../src/kinesis/put-records-scan.js';
import { startTestServer } from '../../support/server.js';
import type { TestServer } from '../../support/server.js';

void describe('BufferPool', () => {
  void it('hands out power-of-two arenas from 64 KiB, reuses what comes back, ignores views and foreign buffers', () => {
    const pool = new BufferPool();
    const a = pool.acquireArena(70_000);
    assert.equal(a.length, 128 * 1024);
    pool.releaseArena(a);
    assert.equal(pool.acquireArena(100_000), a, 'same size class: reused');
    assert.equal(pool.acquireArena(10).length, 64 * 1024);
    pool.releaseArena(a.subarray(0, 64 * 1024)); // a view: not taken
    pool.releaseArena(Buffer.alloc(100_000)); // not a pool size: not taken
    assert.notEqual(pool.acquireArena(100_000), a);
    assert.equal(pool.stats().freeBytes, 0);
  });

  void it('poisons what it takes back', () => {
    const pool = new BufferPool();
    pool.poison = true;
    const a = pool.acquireArena(1);
    a.fill(1);
    pool.releaseArena(a);
    assert.ok(pool.acquireArena(1).every((b) => b === 0xa5));
    const layout = pool.acquireLayout();
    layout.fill(7);
    pool.releaseLayout(layout);
    assert.ok(pool.acquireLayout().every((v) => v === -0x5a5a5a5b));
  });
});

function body(records: number, bytes: number): Buffer {
  return Buffer.from(JSON.stringify({ StreamName: 's', Records: Array.from({ length: records }, (_, i) => ({ Data: randomBytes(bytes).toString('base64'), PartitionKey: `k${i}` })) }));
}

void describe('ScannedPutRecords lifetime', () => {
  void it('gives its buffers and the body back after the request and every append in flight, not before', () => {
    const before = requestBuffers.stats().released;
    const scanned = scanPutRecordsJson(body(10, 100));
    assert.ok(scanned);
    scanned.retain(); // an append in flight
    let bodyBack = 0;
    scanned[RELEASE_INPUT](() => bodyBack++);
    assert.equal(bodyBack, 0, 'an append still reads the source');
    assert.equal(requestBuffers.stats().released, before);
    scanned.release();
    assert.equal(bodyBack, 1);
    assert.equal(requestBuffers.stats().released, before + 2, 'arena and layout');
  });

  void it('never gives anything back once views escaped (the plain input)', () => {
    const before = requestBuffers.stats().released;
    const scanned = scanPutRecordsJson(body(10, 100));
    assert.ok(scanned);
    const plain = scanned[PLAIN_INPUT]();
    let bodyBack = 0;
    scanned[RELEASE_INPUT](() => bodyBack++);
    assert.equal(bodyBack, 0);
    assert.equal(requestBuffers.stats().released, before);
    assert.equal(plain.Records.length, 10);
  });
});

async function waitActive(kinesis: KinesisClient, name: string, encrypted = false): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const s = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }))).StreamDescriptionSummary;
    if (s?.StreamStatus === 'ACTIVE' && (!encrypted || s.EncryptionType === 'KMS')) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${name} never became ACTIVE`);
}

/** Many concurrent PutRecords large enough for pooled bodies; then every record must read back byte-exact. */
const sentTo = new Map<string, Map<string, { key: string; data: Buffer }>>();
async function hammerAndCheck(kinesis: KinesisClient, stream: string, calls: number): Promise<void> {
  const sent = sentTo.get(stream) ?? new Map<string, { key: string; data: Buffer }>();
  sentTo.set(stream, sent);
  await Promise.all(
    Array.from({ length: calls }, async (_, c) => {
      const records = Array.from({ length: 300 }, (_, i) => ({ PartitionKey: `p${c}-${i}`, Data: randomBytes(150 + ((c * 7 + i) % 400)) }));
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records }));
      assert.equal(out.FailedRecordCount, 0);
      out.Records?.forEach((r, i) => sent.set(r.SequenceNumber ?? '', { key: records[i].PartitionKey, data: records[i].Data }));
    }),
  );
  let read = 0;
  // Every record sent to the stream so far (also by earlier calls) must read back.
  for (const shard of (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    for (;;) {
      const got = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of got.Records ?? []) {
        const want = sent.get(r.SequenceNumber ?? '');
        assert.ok(want, `unknown record ${r.SequenceNumber}`);
        assert.equal(r.PartitionKey, want.key);
        assert.ok(Buffer.from(r.Data ?? []).equals(want.data), `record ${r.SequenceNumber} (${want.key}) is corrupt`);
        read++;
      }
      if ((got.Records ?? []).length === 0 && got.MillisBehindLatest === 0) break;
      iterator = got.NextShardIterator;
    }
  }
  assert.equal(read, sent.size);
}

const setups = [
  { persistent: false, audited: false, label: 'memory storage' },
  { persistent: true, audited: false, label: 'embedded engine' },
  { persistent: true, audited: true, label: 'embedded engine, data events audited' },
];
for (const { persistent, audited, label } of setups) {
  void describe(`reused buffers under concurrent PutRecords (${label})`, () => {
    let server: TestServer;
    let kinesis: KinesisClient;
    const audit = join(tmpdir(), `shardline-buffer-reuse-audit-${process.pid}-${persistent ? 'e' : 'm'}.log`);
    before(async () => {
      sentTo.clear();
      requestBuffers.poison = true;
      server = await startTestServer({ persistent, limits: false, createStreamMs: 0, updateStreamMs: 0, ...(audited ? { auditLog: audit, auditDataEvents: true } : {}) });
      kinesis = server.kinesis({ http1: true });
    });
    after(async () => {
      requestBuffers.poison = false;
      await server.stop();
      await rm(audit, { force: true });
    });

    void it('every record reads back byte-exact: plain stream', async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'plain', ShardCount: 3 }));
      await waitActive(kinesis, 'plain');
      const reused = requestBuffers.stats().reused;
      await hammerAndCheck(kinesis, 'plain', 24);
      // Memory storage keeps views of what it is given, and the audit log's plain input is made of
      // views: then nothing is reused. The embedded engine copies, so its requests reuse buffers.
      await hammerAndCheck(kinesis, 'plain', 4);
      // HTTP/2: bodies arrive in many DATA frames.
      await hammerAndCheck(server.kinesis(), 'plain', 4);
      if (persistent && !audited) assert.ok(requestBuffers.stats().reused >= reused + 12, 'the pool was used');
      if (audited) {
        // The audit log is written in the background.
        let lines = 0;
        for (let i = 0; i < 200 && lines < 32; i++) {
          lines = (await readFile(audit, 'utf8')).split('\n').filter((l) => l.includes('"PutRecords"')).length;
          await new Promise((r) => setTimeout(r, 10));
        }
        assert.equal(lines, 32, 'one audit record per PutRecords');
      }
    });

    void it('every record reads back byte-exact: KMS-encrypted stream', async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'sealed', ShardCount: 2 }));
      await waitActive(kinesis, 'sealed');
      await kinesis.send(new StartStreamEncryptionCommand({ StreamName: 'sealed', EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' }));
      await waitActive(kinesis, 'sealed', true);
      await hammerAndCheck(kinesis, 'sealed', 12);
    });
  });
}
