/**
 * The metadata-store contract suite: every backend registers these tests with a fixture.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MetadataStore } from '../../src/storage/contract.js';
import { StorageErrorCode } from '../../src/storage/contract.js';
import { isStorageError } from './shard-log-contract.js';

export interface MetadataFixture {
  readonly persistent: boolean;
  /** May be called again after the previous store is closed (same data). */
  open(): Promise<MetadataStore>;
  cleanup(): Promise<void>;
}

export type MetadataFixtureFactory = () => Promise<MetadataFixture>;

export function metadataContract(backend: string, factory: MetadataFixtureFactory): void {
  async function withStore(fn: (store: MetadataStore, fixture: MetadataFixture) => Promise<void>): Promise<void> {
    const fixture = await factory();
    const store = await fixture.open();
    try {
      await fn(store, fixture);
    } finally {
      await store.close();
      await fixture.cleanup();
    }
  }

  void describe(`MetadataStore contract: ${backend}`, () => {
    void it('get of a missing key is undefined; versions start at 1 and grow by 1', () =>
      withStore(async (store) => {
        assert.equal(await store.get('nope'), undefined);
        await store.commit([{ type: 'put', key: 'stream/a', value: { n: 1 } }]);
        assert.deepEqual(await store.get('stream/a'), { key: 'stream/a', version: 1, value: { n: 1 } });
        await store.commit([{ type: 'put', key: 'stream/a', value: { n: 2 } }]);
        await store.commit([{ type: 'put', key: 'stream/a', value: { n: 3 } }]);
        assert.deepEqual(await store.get('stream/a'), { key: 'stream/a', version: 3, value: { n: 3 } });
      }));

    void it('values round-trip (nested objects, arrays, strings, numbers, booleans, null)', () =>
      withStore(async (store) => {
        const value = {
          name: 'orders',
          shards: [{ id: 'shardId-000000000000', range: ['0', '340282366920938463463374607431768211455'], parent: null }],
          count: 12,
          ratio: 0.25,
          big: 1_700_000_000_123,
          open: true,
          tags: { env: 'dev', 'ü': 'ñ' },
          empty: [],
        };
        await store.commit([{ type: 'put', key: 'k', value }]);
        const got = await store.get<typeof value>('k');
        assert.deepEqual(got?.value, value);
        await store.commit([{ type: 'put', key: 'str', value: 'plain' }]);
        assert.equal((await store.get<string>('str'))?.value, 'plain');
      }));

    void it('returned values are copies: mutating them does not change the store', () =>
      withStore(async (store) => {
        const v = { list: [1, 2] };
        await store.commit([{ type: 'put', key: 'k', value: v }]);
        v.list.push(3);
        const got = await store.get<{ list: number[] }>('k');
        assert.deepEqual(got?.value, { list: [1, 2] });
        got?.value.list.push(9);
        assert.deepEqual((await store.get('k'))?.value, { list: [1, 2] });
      }));

    void it('list(prefix) returns matching records sorted by key', () =>
      withStore(async (store) => {
        await store.commit([
          { type: 'put', key: 'stream/123/b', value: 2 },
          { type: 'put', key: 'stream/123/a', value: 1 },
          { type: 'put', key: 'stream/123/c', value: 3 },
          { type: 'put', key: 'stream/124/a', value: 4 },
          { type: 'put', key: 'streamx', value: 5 },
          { type: 'put', key: 'consumer/1', value: 6 },
        ]);
        const l = await store.list<number>('stream/123/');
        assert.deepEqual(
          l.map((x) => [x.key, x.value, x.version]),
          [
            ['stream/123/a', 1, 1],
            ['stream/123/b', 2, 1],
            ['stream/123/c', 3, 1],
          ],
        );
        assert.deepEqual(
          (await store.list('stream')).map((x) => x.key),
          ['stream/123/a', 'stream/123/b', 'stream/123/c', 'stream/124/a', 'streamx'],
        );
        assert.deepEqual(
          (await store.list('')).map((x) => x.key),
          ['consumer/1', 'stream/123/a', 'stream/123/b', 'stream/123/c', 'stream/124/a', 'streamx'],
        );
        assert.deepEqual(await store.list('zzz'), []);
      }));

    void it('expectVersion 0 means must not exist; n means must be at version n', () =>
      withStore(async (store) => {
        await store.commit([{ type: 'put', key: 'k', value: 'a', expectVersion: 0 }]);
        await assert.rejects(store.commit([{ type: 'put', key: 'k', value: 'b', expectVersion: 0 }]), isStorageError(StorageErrorCode.CONFLICT));
        await assert.rejects(store.commit([{ type: 'put', key: 'k', value: 'b', expectVersion: 2 }]), isStorageError(StorageErrorCode.CONFLICT));
        await store.commit([{ type: 'put', key: 'k', value: 'b', expectVersion: 1 }]);
        assert.deepEqual(await store.get('k'), { key: 'k', version: 2, value: 'b' });
        await assert.rejects(store.commit([{ type: 'put', key: 'missing', value: 'x', expectVersion: 1 }]), isStorageError(StorageErrorCode.CONFLICT));
        assert.equal(await store.get('missing'), undefined);
      }));

    void it('check and delete are conditional too; delete of a missing key is a no-op', () =>
      withStore(async (store) => {
        await store.commit([{ type: 'put', key: 'k', value: 1 }]);
        await store.commit([{ type: 'check', key: 'k', expectVersion: 1 }]);
        await assert.rejects(store.commit([{ type: 'check', key: 'k', expectVersion: 2 }]), isStorageError(StorageErrorCode.CONFLICT));
        await store.commit([{ type: 'check', key: 'absent', expectVersion: 0 }]);
        await assert.rejects(store.commit([{ type: 'check', key: 'k', expectVersion: 0 }]), isStorageError(StorageErrorCode.CONFLICT));
        await assert.rejects(store.commit([{ type: 'delete', key: 'k', expectVersion: 5 }]), isStorageError(StorageErrorCode.CONFLICT));
        assert.equal((await store.get('k'))?.version, 1);
        await store.commit([{ type: 'delete', key: 'k', expectVersion: 1 }]);
        assert.equal(await store.get('k'), undefined);
        await store.commit([{ type: 'delete', key: 'k' }]);
        await assert.rejects(store.commit([{ type: 'delete', key: 'k', expectVersion: 1 }]), isStorageError(StorageErrorCode.CONFLICT));
        // Re-created after delete: version starts again at 1.
        await store.commit([{ type: 'put', key: 'k', value: 2, expectVersion: 0 }]);
        assert.deepEqual(await store.get('k'), { key: 'k', version: 1, value: 2 });
      }));

    void it('a commit is atomic: one failed condition changes nothing', () =>
      withStore(async (store) => {
        await store.commit([
          { type: 'put', key: 'parent', value: { status: 'OPEN' } },
          { type: 'put', key: 'other', value: 'x' },
        ]);
        // A reshard: close parent, create two children, conditional on another record's version.
        await assert.rejects(
          store.commit([
            { type: 'put', key: 'parent', value: { status: 'CLOSED' }, expectVersion: 1 },
            { type: 'put', key: 'child/1', value: 'c1', expectVersion: 0 },
            { type: 'delete', key: 'other' },
            { type: 'put', key: 'child/2', value: 'c2', expectVersion: 0 },
            { type: 'check', key: 'stream', expectVersion: 3 },
          ]),
          isStorageError(StorageErrorCode.CONFLICT),
        );
        assert.deepEqual((await store.get('parent'))?.value, { status: 'OPEN' });
        assert.equal(await store.get('child/1'), undefined);
        assert.equal(await store.get('child/2'), undefined);
        assert.equal((await store.get('other'))?.value, 'x');
        await store.commit([
          { type: 'put', key: 'parent', value: { status: 'CLOSED' }, expectVersion: 1 },
          { type: 'put', key: 'child/1', value: 'c1', expectVersion: 0 },
          { type: 'put', key: 'child/2', value: 'c2', expectVersion: 0 },
          { type: 'delete', key: 'other' },
        ]);
        assert.deepEqual(
          (await store.list('')).map((x) => [x.key, x.version]),
          [
            ['child/1', 1],
            ['child/2', 1],
            ['parent', 2],
          ],
        );
      }));

    void it('operations in one commit see the earlier ones (put then check, put twice)', () =>
      withStore(async (store) => {
        await store.commit([
          { type: 'put', key: 'k', value: 'a', expectVersion: 0 },
          { type: 'check', key: 'k', expectVersion: 1 },
          { type: 'put', key: 'k', value: 'b', expectVersion: 1 },
        ]);
        assert.deepEqual(await store.get('k'), { key: 'k', version: 2, value: 'b' });
        await assert.rejects(
          store.commit([
            { type: 'put', key: 'k', value: 'c', expectVersion: 2 },
            { type: 'put', key: 'k', value: 'd', expectVersion: 2 },
          ]),
          isStorageError(StorageErrorCode.CONFLICT),
        );
        assert.deepEqual(await store.get('k'), { key: 'k', version: 2, value: 'b' });
      }));

    void it('concurrent compare-and-set: exactly one writer wins each version', () =>
      withStore(async (store) => {
        await store.commit([{ type: 'put', key: 'counter', value: 0 }]);
        const attempts = 20;
        const results = await Promise.allSettled(
          Array.from({ length: attempts }, (_, i) => store.commit([{ type: 'put', key: 'counter', value: i + 1, expectVersion: 1 }])),
        );
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        assert.equal(ok, 1);
        for (const r of results) if (r.status === 'rejected') isStorageError(StorageErrorCode.CONFLICT)(r.reason);
        assert.equal((await store.get('counter'))?.version, 2);
        // Read-modify-write loop with retries converges to the exact count.
        await Promise.all(
          Array.from({ length: 10 }, async () => {
            for (;;) {
              const cur = await store.get<number>('counter');
              assert.ok(cur);
              try {
                await store.commit([{ type: 'put', key: 'counter', value: cur.value + 1, expectVersion: cur.version }]);
                return;
              } catch (e) {
                isStorageError(StorageErrorCode.CONFLICT)(e);
              }
            }
          }),
        );
        assert.equal((await store.get('counter'))?.version, 12);
      }));

    void it('a closed store rejects with CLOSED', async () => {
      const fixture = await factory();
      try {
        const store = await fixture.open();
        await store.close();
        await assert.rejects(store.get('k'), isStorageError(StorageErrorCode.CLOSED));
        await assert.rejects(store.commit([{ type: 'put', key: 'k', value: 1 }]), isStorageError(StorageErrorCode.CLOSED));
      } finally {
        await fixture.cleanup();
      }
    });

    void it('committed records survive close and reopen', async () => {
      const fixture = await factory();
      if (!fixture.persistent) {
        await fixture.cleanup();
        return;
      }
      try {
        let store = await fixture.open();
        await store.commit([
          { type: 'put', key: 'a', value: { x: 1 } },
          { type: 'put', key: 'b', value: [1, 2, 3] },
        ]);
        await store.commit([{ type: 'put', key: 'a', value: { x: 2 } }]);
        await store.commit([{ type: 'delete', key: 'b' }]);
        await store.close();
        store = await fixture.open();
        assert.deepEqual(await store.list(''), [{ key: 'a', version: 2, value: { x: 2 } }]);
        await store.commit([{ type: 'put', key: 'a', value: { x: 3 }, expectVersion: 2 }]);
        await store.close();
        store = await fixture.open();
        assert.deepEqual(await store.get('a'), { key: 'a', version: 3, value: { x: 3 } });
        await store.close();
      } finally {
        await fixture.cleanup();
      }
    });
  });
}
