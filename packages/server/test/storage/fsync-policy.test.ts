import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFsyncPolicy, parseFsyncPolicy } from '../../src/storage/fsync-policy.js';

void describe('parseFsyncPolicy', () => {
  void it('accepts always, never and interval:<ms>', () => {
    assert.deepEqual(parseFsyncPolicy('always'), { mode: 'always' });
    assert.deepEqual(parseFsyncPolicy('never'), { mode: 'never' });
    assert.deepEqual(parseFsyncPolicy('interval:250'), { mode: 'interval', intervalMs: 250 });
    assert.equal(formatFsyncPolicy(parseFsyncPolicy('interval:250')), 'interval:250');
  });
  void it('rejects anything else with a message naming the accepted forms', () => {
    for (const bad of ['', 'sometimes', 'interval', 'interval:', 'interval:0', 'interval:-5', 'interval:1.5', 'ALWAYS']) {
      assert.throws(() => parseFsyncPolicy(bad), /expected "always", "never" or "interval:<ms>"/);
    }
  });
});
