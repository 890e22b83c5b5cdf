import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '../../src/logger.js';
import { MINUTE_MS, MetricStore } from '../../src/metrics/metric-store.js';
import type { SeriesId } from '../../src/metrics/metric-store.js';
import { MetricsJournal } from '../../src/metrics/metrics-journal.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 0, 1, 12, 30, 0);
const RETENTION = 25 * HOUR;
const ID: SeriesId = {
  namespace: 'AWS/Kinesis',
  accountId: '000000000000',
  region: 'us-east-1',
  metricName: 'IncomingBytes',
  unit: 'Bytes',
  dimensions: [{ Name: 'StreamName', Value: 'orders' }],
};

void describe('MetricsJournal', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shardline-metrics-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  void it('persists minute deltas and merges them back after a restart within the same minute', async () => {
    const data = join(dir, 'restart');
    const minute = Math.floor(NOW / MINUTE_MS);
    const store1 = new MetricStore();
    const j1 = new MetricsJournal(data, store1, silentLogger, RETENTION);
    await j1.load(NOW);
    const s1 = store1.series(ID);
    s1.add(minute, 100);
    s1.add(minute, 50);
    await j1.flush(NOW);
    s1.add(minute, 10); // grows after a flush: only the delta is written next time
    s1.add(minute + 1, 7);
    await j1.close(NOW + MINUTE_MS);

    const store2 = new MetricStore();
    const j2 = new MetricsJournal(data, store2, silentLogger, RETENTION);
    const loaded = await j2.load(NOW + MINUTE_MS);
    assert.equal(loaded.files, 1);
    const s2 = store2.series(ID);
    const m = s2.minute(minute);
    assert.ok(m);
    assert.deepEqual([m.sum, m.count, m.min, m.max], [160, 3, 10, 100]);
    assert.equal(s2.minute(minute + 1)?.sum, 7);
    // the second process appends to the same hour's file under a new header; ids do not collide
    const other = store2.series({ ...ID, metricName: 'IncomingRecords', unit: 'Count' });
    other.add(minute + 1, 3);
    s2.add(minute + 1, 1);
    await j2.close(NOW + MINUTE_MS);

    const store3 = new MetricStore();
    await new MetricsJournal(data, store3, silentLogger, RETENTION).load(NOW + 2 * MINUTE_MS);
    assert.equal(store3.series(ID).minute(minute)?.sum, 160);
    assert.equal(store3.series(ID).minute(minute + 1)?.sum, 8);
    assert.equal(store3.series({ ...ID, metricName: 'IncomingRecords', unit: 'Count' }).minute(minute + 1)?.sum, 3);
    const files = await readdir(join(data, 'metrics'));
    assert.equal(files.length, 1);
    const text = await readFile(join(data, 'metrics', files[0]), 'utf8');
    assert.equal(text.split('\n').filter((l) => l.startsWith('{"v":1')).length, 2, 'one header per process');
  });

  void it('writes a minute once it is complete (one line per series and minute), the current one at close', async () => {
    const data = join(dir, 'complete');
    const minute = Math.floor(NOW / MINUTE_MS);
    const store = new MetricStore();
    const j = new MetricsJournal(data, store, silentLogger, RETENTION);
    const s = store.series(ID);
    const dataLines = async (): Promise<string[]> => {
      const files = await readdir(join(data, 'metrics')).catch(() => []);
      const lines: string[] = [];
      for (const f of files) lines.push(...(await readFile(join(data, 'metrics', f), 'utf8')).split('\n').filter((l) => l.startsWith('{"s":')));
      return lines;
    };
    for (let i = 0; i < 5; i++) {
      s.add(minute, 10);
      await j.flush(NOW + i * 10_000); // still inside `minute`
    }
    assert.deepEqual(await dataLines(), []);
    s.add(minute + 1, 1);
    await j.flush(NOW + MINUTE_MS); // `minute` is complete now
    assert.deepEqual((await dataLines()).map((l) => JSON.parse(l) as { t: number; c: number; v: number }).map((d) => [d.t - minute, d.c, d.v]), [[0, 5, 50]]);
    await j.close(NOW + MINUTE_MS);
    assert.equal((await dataLines()).length, 2);
  });

  void it('skips a torn last line and keeps everything before it', async () => {
    const data = join(dir, 'torn');
    const minute = Math.floor(NOW / MINUTE_MS);
    const store = new MetricStore();
    const j = new MetricsJournal(data, store, silentLogger, RETENTION);
    store.series(ID).add(minute, 42);
    await j.close(NOW);
    const [file] = await readdir(join(data, 'metrics'));
    await appendFile(join(data, 'metrics', file), '{"s":1,"t":' + minute + ',"c":1,"v":99');
    const again = new MetricStore();
    const j2 = new MetricsJournal(data, again, silentLogger, RETENTION);
    await j2.load(NOW);
    assert.equal(again.series(ID).minute(minute)?.sum, 42);
    // the next writer terminates the torn line, so its own lines parse
    again.series(ID).add(minute, 1);
    await j2.close(NOW);
    const third = new MetricStore();
    await new MetricsJournal(data, third, silentLogger, RETENTION).load(NOW);
    assert.equal(third.series(ID).minute(minute)?.sum, 43);
  });

  void it('ignores minutes older than the retention window and deletes whole expired files', async () => {
    const data = join(dir, 'retention');
    const oldNow = NOW - 30 * HOUR;
    const store = new MetricStore();
    const j = new MetricsJournal(data, store, silentLogger, RETENTION);
    store.series(ID).add(Math.floor(oldNow / MINUTE_MS), 5);
    await j.close(oldNow);
    const recent = new MetricStore();
    const j2 = new MetricsJournal(data, recent, silentLogger, RETENTION);
    const loaded = await j2.load(NOW);
    assert.equal(loaded.points, 0);
    assert.equal(await j2.prune(NOW), 1);
    assert.deepEqual(await readdir(join(data, 'metrics')), []);
  });

  void it('does not read files it does not own', async () => {
    const data = join(dir, 'foreign');
    const store = new MetricStore();
    const j = new MetricsJournal(data, store, silentLogger, RETENTION);
    await j.load(NOW);
    await writeFile(join(data, 'metrics', 'notes.txt'), 'hello');
    await j.load(NOW);
    assert.equal([...store.all()].length, 0);
  });
});
