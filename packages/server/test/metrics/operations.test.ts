/**
 * Operations: startup time logged for an empty data directory, health and readiness, and a shutdown that
 * ends enhanced fan-out subscriptions at once (the Kinesis service drains them as soon as the listener
 * stops accepting) instead of waiting for the grace period to run out.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  CreateStreamCommand,
  DescribeStreamConsumerCommand,
  DescribeStreamSummaryCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
} from '@aws-sdk/client-kinesis';
import { createApp } from '../../src/app.js';
import { defaultServerConfig } from '../../src/config/server-config.js';
import type { LogSink } from '../../src/logger.js';
import { startTestServer } from '../support/server.js';

void describe('operations', () => {
  void it('logs its startup time on an empty data directory and is ready once listening', async () => {
    // The figure itself (< 1 s) is measured by bench/metrics-startup.ts: timings are not asserted in
    // tests (DESIGN.md convention 14), the suite runs on a loaded machine.
    const dir = await mkdtemp(join(tmpdir(), 'shardline-startup-'));
    const lines: string[] = [];
    const sink: LogSink = { write: (l: string) => lines.push(l) };
    try {
      const app = await createApp({ ...defaultServerConfig, port: 0, dataDir: join(dir, 'data'), fsync: { mode: 'never' }, logLevel: 'info' }, { logSink: sink });
      const { url } = await app.listen();
      try {
        assert.equal((await fetch(`${url}/ready`)).status, 200);
      } finally {
        await app.close();
      }
      const listening = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'listening');
      assert.ok(listening, lines.join(''));
      assert.equal(typeof listening.startupMs, 'number');
      assert.ok((listening.startupMs as number) >= 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('answers /health and /ready, and a shutdown ends live subscriptions within the grace period', async () => {
    const server = await startTestServer({ createStreamMs: 0, consumerMs: 0, shutdownGraceMs: 8000 });
    let stopped = false;
    try {
      const kinesis = server.kinesis();
      assert.equal((await fetch(`${server.url}/ready`)).status, 200);
      assert.equal((await fetch(`${server.url}/health`)).status, 200);
      await kinesis.send(new CreateStreamCommand({ StreamName: 'live', ShardCount: 1 }));
      let arn = '';
      for (let i = 0; i < 50 && arn === ''; i++) {
        const d = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: 'live' }));
        if (d.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') arn = d.StreamDescriptionSummary.StreamARN ?? '';
        else await new Promise((r) => setTimeout(r, 20));
      }
      const reg = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: 'tail' }));
      const consumerArn = reg.Consumer?.ConsumerARN ?? '';
      for (let i = 0; i < 50; i++) {
        const d = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: consumerArn }));
        if (d.ConsumerDescription?.ConsumerStatus === 'ACTIVE') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      const sub = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: 'shardId-000000000000', StartingPosition: { Type: 'LATEST' } }));
      const iterator = sub.EventStream?.[Symbol.asyncIterator]();
      assert.ok(iterator);
      await iterator.next(); // the first event arrives right away
      const ended = (async () => {
        try {
          while (!(await iterator.next()).done) {
            // heartbeats until the server ends the stream
          }
          return 'ended';
        } catch {
          return 'errored'; // a reset stream is an acceptable end for the client
        }
      })();
      const t0 = performance.now();
      const closing = server.app.close();
      stopped = true;
      await closing;
      const took = performance.now() - t0;
      assert.ok(took < 4000, `shutdown took ${took.toFixed(0)} ms with a live subscription (grace 8000 ms)`);
      assert.equal(await ended, 'ended', 'the subscription ends cleanly, as at the end of its 5-minute lifetime');
    } finally {
      if (!stopped) await server.app.close();
      await server.stop();
    }
  });
});
