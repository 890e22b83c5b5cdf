/** The test-support server itself: persistence across restart(), clean-up on stop(). */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CreateStreamCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { startTestServer } from './server.js';

void describe('startTestServer', () => {
  void it('persistent: restart() keeps streams, on the same port; stop() removes the data dir', async () => {
    const server = await startTestServer({ persistent: true, createStreamMs: 0 });
    const dataDir = server.config.dataDir;
    try {
      assert.equal(server.config.inMemory, false);
      assert.ok(existsSync(dataDir));
      await server.kinesis().send(new CreateStreamCommand({ StreamName: 'kept', ShardCount: 1 }));
      const port = server.port;
      await server.restart();
      assert.equal(server.port, port);
      const out = await server.kinesis().send(new ListStreamsCommand({}));
      assert.deepEqual(out.StreamNames, ['kept']);
    } finally {
      await server.stop();
    }
    assert.equal(existsSync(dataDir), false);
  });

  void it('in memory by default: restart() starts empty', async () => {
    const server = await startTestServer({ createStreamMs: 0 });
    try {
      assert.equal(server.config.inMemory, true);
      await server.kinesis({ http1: true }).send(new CreateStreamCommand({ StreamName: 'gone', ShardCount: 1 }));
      await server.restart();
      const out = await server.kinesis().send(new ListStreamsCommand({}));
      assert.deepEqual(out.StreamNames, []);
    } finally {
      await server.stop();
    }
  });
});
