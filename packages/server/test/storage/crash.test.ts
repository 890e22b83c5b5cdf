/**
 * Crash safety of the embedded engine under fsync always: a child process appends batches and
 * reports each acknowledged one; we SIGKILL it at random moments (20 rounds, ~25 s when idle) and
 * after each reopen check that every acknowledged record is present, in order, byte-exact, that the
 * end offset never goes backwards, and that the log accepts new appends.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/logger.js';
import { systemClock } from '../../src/model/context.js';
import { openEmbeddedStorage } from '../../src/storage/embedded/embedded-storage.js';
import { tempDir } from './embedded/temp-dir.js';
import { CRASH_LOG_NAME, batchDigest } from './fixtures/crash-digest.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-appender.ts', import.meta.url));
const MIN_ROUNDS = 20;
/**
 * Hard cap. 20 rounds take ~25 s on an idle 2-core machine (most of it child start-up through tsx);
 * the cap leaves room for a loaded CI machine while keeping the test bounded.
 */
const BUDGET_MS = 90_000;

interface Ack {
  readonly firstOffset: number;
  readonly count: number;
  readonly digest: string;
}

/** A tiny deterministic PRNG so a failure can be replayed from the printed seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Run one child until killed; resolves with the acknowledged batches it reported. */
function runChild(dataDir: string, round: number, killAfterReadyMs: number, killBeforeReady: boolean): Promise<{ acks: Ack[]; stderr: string; ready: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, dataDir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let stderr = '';
    let ready = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    // Safety net: never let a child outlive the round.
    const guard = setTimeout(kill, 15_000);
    if (killBeforeReady) timer = setTimeout(kill, killAfterReadyMs);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      let msg: { ready?: boolean; ack?: Ack };
      try {
        msg = JSON.parse(line) as { ready?: boolean; ack?: Ack };
      } catch {
        return; // a line cut by the kill was never a complete report
      }
      if (msg.ready && !ready) {
        ready = true;
        if (!killBeforeReady) timer = setTimeout(kill, killAfterReadyMs);
      }
      if (msg.ack) acks.push(msg.ack);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child exited with ${code ?? signal}: ${stderr}`));
      else resolve({ acks, stderr, ready });
    });
  });
}

void describe('embedded engine: crash safety (SIGKILL)', () => {
  void it(`every acknowledged batch survives ≥ ${MIN_ROUNDS} random kills`, async (t) => {
    const seed = Number(process.env.SHARDLINE_CRASH_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const dir = await tempDir('shardline-crash-');
    const dataDir = join(dir.path, 'data');
    const acked: Ack[] = [];
    let lastEnd = 0;
    const started = Date.now();
    let rounds = 0;
    try {
      while (rounds < MIN_ROUNDS && Date.now() - started < BUDGET_MS) {
        const killBeforeReady = random() < 0.15;
        const delay = killBeforeReady ? Math.floor(random() * 600) : Math.floor(20 + random() * 280);
        const { acks } = await runChild(dataDir, rounds, delay, killBeforeReady);
        acked.push(...acks);
        rounds++;

        const storage = await openEmbeddedStorage({ dataDir, fsync: { mode: 'always' }, clock: systemClock, logger: silentLogger });
        try {
          const log = await storage.logs.open(CRASH_LOG_NAME);
          const end = log.endOffset();
          assert.ok(end >= lastEnd, `seed ${seed} round ${rounds}: end offset went backwards (${lastEnd} → ${end})`);
          const maxAcked = acked.reduce((m, a) => Math.max(m, a.firstOffset + a.count), 0);
          assert.ok(end >= maxAcked, `seed ${seed} round ${rounds}: end ${end} < acknowledged end ${maxAcked}`);
          // Read the whole log once, then check each acknowledged batch's records in place.
          const records: { partitionKey: string; data: Uint8Array; offset: number }[] = [];
          let next = 0;
          for (;;) {
            const r = await log.read(next, { maxRecords: 10_000, maxBytes: 64 << 20 });
            if (r.records.length === 0) break;
            for (const rec of r.records) records.push(rec);
            next = r.nextOffset;
          }
          assert.equal(records.length, end, `seed ${seed} round ${rounds}: every offset below the end is readable`);
          records.forEach((r, i) => assert.equal(r.offset, i));
          for (const a of acked) {
            const got = records.slice(a.firstOffset, a.firstOffset + a.count);
            assert.equal(batchDigest(got), a.digest, `seed ${seed} round ${rounds}: batch at ${a.firstOffset} (+${a.count}) differs`);
          }
          // The log accepts appends after recovery.
          const probe = [{ partitionKey: `probe-${rounds}`, data: Buffer.from(`after crash ${rounds}`) }];
          const res = await log.append(probe);
          assert.equal(res.firstOffset, end);
          acked.push({ firstOffset: res.firstOffset, count: 1, digest: batchDigest(probe) });
          lastEnd = end + 1;
        } finally {
          await storage.close();
        }
      }
      t.diagnostic(`seed ${seed}: ${rounds} rounds, ${acked.length} acknowledged batches, final end offset ${lastEnd}, ${Date.now() - started} ms`);
      assert.ok(rounds >= MIN_ROUNDS, `only ${rounds} rounds in the time budget`);
      assert.ok(acked.length > rounds * 2, `children acknowledged ${acked.length} batches`);
    } finally {
      await dir.remove();
    }
  });
});
