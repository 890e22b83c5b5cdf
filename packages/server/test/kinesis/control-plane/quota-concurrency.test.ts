/**
 * Account quotas hold under concurrent calls: the check and the commit it guards run as one step per
 * account and region, so parallel CreateStream / SplitShard / UpdateShardCount calls never exceed the
 * shard quota or the limit of streams in CREATING state together.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceError } from '../../../src/model/service-error.js';
import { testKinesis } from './env.js';

function outcomes(results: PromiseSettledResult<unknown>[]): { ok: number; limited: number } {
  let ok = 0;
  let limited = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') ok++;
    else if (r.reason instanceof ServiceError && r.reason.code === 'LimitExceededException') limited++;
    else throw r.reason;
  }
  return { ok, limited };
}

void describe('account quotas under concurrent calls', () => {
  void it('parallel CreateStream calls never exceed the shard quota', async () => {
    const k = await testKinesis({ shardLimit: 10 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => k.call('CreateStream', { StreamName: `s${i}`, ShardCount: 4 })));
      assert.deepEqual(outcomes(results), { ok: 2, limited: 4 });
      const summary = await k.call('DescribeLimits', {});
      assert.equal(summary.OpenShardCount, 8);
    } finally {
      await k.close();
    }
  });

  void it('parallel CreateStream calls never exceed the limit of streams in CREATING state', async () => {
    const k = await testKinesis({ maxCreatingStreams: 3 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => k.call('CreateStream', { StreamName: `c${i}`, ShardCount: 1 })));
      assert.deepEqual(outcomes(results), { ok: 3, limited: 5 });
    } finally {
      await k.close();
    }
  });

  void it('parallel UpdateShardCount on different streams never exceeds the shard quota together', async () => {
    const k = await testKinesis({ shardLimit: 13 });
    try {
      for (const name of ['a', 'b', 'c']) await k.call('CreateStream', { StreamName: name, ShardCount: 3 });
      await k.settle();
      // 9 open; each 3 → 5 adds 2: two fit (13), the third would make 15.
      const results = await Promise.allSettled(['a', 'b', 'c'].map((name) => k.call('UpdateShardCount', { StreamName: name, TargetShardCount: 5, ScalingType: 'UNIFORM_SCALING' })));
      assert.deepEqual(outcomes(results), { ok: 2, limited: 1 });
    } finally {
      await k.close();
    }
  });
});
