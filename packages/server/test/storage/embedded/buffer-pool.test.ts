import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BufferPool } from '../../../src/storage/embedded/buffer-pool.js';

void describe('BufferPool', () => {
  void it('hands back a released buffer that is large enough, rounds sizes up, and bounds what it keeps', () => {
    const pool = new BufferPool(2, 1024 * 1024);
    const a = pool.acquire(100_000);
    assert.equal(a.length, 128 * 1024);
    pool.release(a);
    assert.equal(pool.acquire(50_000), a, 'reused');
    const big = pool.acquire(2 * 1024 * 1024);
    assert.equal(big.length, 2 * 1024 * 1024, 'above the cap: exact size, never pooled');
    pool.release(big);
    assert.notEqual(pool.acquire(2 * 1024 * 1024), big);
    const b = pool.acquire(10);
    const c = pool.acquire(300_000);
    const d = pool.acquire(600_000);
    pool.release(b);
    pool.release(c);
    pool.release(d); // full: d replaces the smallest (b)
    assert.equal(pool.acquire(200_000), c, 'best fit');
    assert.equal(pool.acquire(500_000), d);
    assert.notEqual(pool.acquire(10), b);
  });
});
