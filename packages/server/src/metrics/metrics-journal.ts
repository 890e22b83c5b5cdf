/**
 * Persistence of per-minute metric aggregates: append-only JSON-lines files in `<dataDir>/metrics/`,
 * one file per hour of writing, deleted whole once older than the retention window. Nothing is ever
 * rewritten in place.
 *
 * File `<epochHour, 10 digits>.jsonl` (epoch hour = epoch ms / 3 600 000), lines:
 *
 *   {"v":1,"format":"shardline-metrics"}                          header: starts a dictionary scope
 *   {"d":<id>,"ns":..,"a":..,"r":..,"m":..,"u":..,"dims":[[name,value],…]}   dictionary: series <id>
 *   {"s":<id>,"t":<epoch minute>,"c":<count>,"v":<sum>,"lo":<min>,"hi":<max>}  a statistic-set delta
 *
 * Every process that opens the file writes a header first. A series is defined after the latest header
 * before its first delta; ids are local to that header's scope. Deltas for the
 * same series and minute add up (sum, count) and combine (min, max), so a minute can be flushed in
 * several parts (periodic flush, shutdown, a restart within the same minute). A torn last line (crash
 * mid-write) fails to parse and is skipped with a warning; all earlier lines stay valid.
 */
import { mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import type { MetricStore, SeriesId } from './metric-store.js';
import { MINUTE_MS } from './metric-store.js';

const HOUR_MS = 3_600_000;
const FILE_RE = /^(\d{10})\.jsonl$/;
const HEADER = '{"v":1,"format":"shardline-metrics"}';

interface DictLine {
  d: number;
  ns: string;
  a: string;
  r: string;
  m: string;
  u: string;
  dims: [string, string][];
}
interface DataLine {
  s: number;
  t: number;
  c: number;
  v: number;
  lo: number;
  hi: number;
}

function isDict(x: unknown): x is DictLine {
  const o = x as Partial<DictLine> | null;
  return typeof o === 'object' && o !== null && typeof o.d === 'number' && typeof o.m === 'string' && Array.isArray(o.dims);
}
function isData(x: unknown): x is DataLine {
  const o = x as Partial<DataLine> | null;
  return typeof o === 'object' && o !== null && typeof o.s === 'number' && typeof o.t === 'number' && typeof o.c === 'number';
}

export class MetricsJournal {
  private readonly dir: string;
  private handle: FileHandle | undefined;
  private handleHour = -1;
  private written = new Set<number>();
  private writing: Promise<void> = Promise.resolve();

  constructor(
    dataDir: string,
    private readonly store: MetricStore,
    private readonly logger: Logger,
    private readonly retentionMs: number,
  ) {
    this.dir = join(dataDir, 'metrics');
  }

  /** Read every retained file into the store. */
  async load(nowMs: number): Promise<{ files: number; points: number }> {
    await mkdir(this.dir, { recursive: true });
    const cutoffMinute = Math.floor((nowMs - this.retentionMs) / MINUTE_MS);
    let files = 0;
    let points = 0;
    for (const name of (await readdir(this.dir)).sort()) {
      if (!FILE_RE.test(name)) continue;
      files++;
      const text = await readFile(join(this.dir, name), 'utf8');
      const ids = new Map<number, SeriesId>();
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (line === '') continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch (err) {
          // Only the last line can be torn by a crash; anything else is corruption we skip past.
          this.logger.warn('metrics journal: skipping unreadable line', { file: name, line: i + 1, err });
          continue;
        }
        if (line === HEADER) {
          ids.clear();
        } else if (isDict(parsed)) {
          ids.set(parsed.d, {
            namespace: parsed.ns,
            accountId: parsed.a,
            region: parsed.r,
            metricName: parsed.m,
            unit: parsed.u,
            dimensions: parsed.dims.map(([Name, Value]) => ({ Name, Value })),
          });
        } else if (isData(parsed)) {
          if (parsed.t < cutoffMinute) continue;
          const id = ids.get(parsed.s);
          if (!id) continue;
          this.store.series(id).merge(parsed.t, parsed.v, parsed.c, parsed.lo, parsed.hi);
          points++;
        }
      }
    }
    return { files, points };
  }

  /**
   * Append changed minutes (as deltas) to the current hour's file: the completed ones, or all of them
   * with `includeCurrentMinute` (shutdown). Serialized.
   */
  flush(nowMs: number, includeCurrentMinute = false): Promise<void> {
    const next = this.writing.then(() => this.flushNow(nowMs, includeCurrentMinute));
    // Keep the chain alive after a failure; the caller still sees the rejection.
    this.writing = next.catch(() => undefined);
    return next;
  }

  private async flushNow(nowMs: number, includeCurrentMinute: boolean): Promise<void> {
    const stats = this.store.takeDirty(includeCurrentMinute ? Infinity : Math.floor(nowMs / MINUTE_MS));
    if (stats.length === 0) return;
    const hour = Math.floor(nowMs / HOUR_MS);
    if (hour !== this.handleHour || !this.handle) await this.rotate(hour);
    const parts: string[] = [];
    for (const st of stats) {
      const c = st.count;
      if (c <= 0) continue;
      const series = st.series;
      const stat = series.minute(st.minute);
      if (!stat) continue; // pruned meanwhile
      if (!this.written.has(series.ordinal)) {
        const id = series.id;
        const dict: DictLine = {
          d: series.ordinal,
          ns: id.namespace,
          a: id.accountId,
          r: id.region,
          m: id.metricName,
          u: id.unit,
          dims: id.dimensions.map((d) => [d.Name, d.Value]),
        };
        parts.push(JSON.stringify(dict));
        this.written.add(series.ordinal);
      }
      // sum and count are the delta since the last flush; min and max are the minute's so far (merging
      // them is idempotent).
      const data: DataLine = { s: series.ordinal, t: st.minute, c, v: st.sum, lo: stat.min, hi: stat.max };
      parts.push(JSON.stringify(data));
    }
    if (parts.length === 0) return;
    const handle = this.handle;
    if (!handle) return;
    await handle.write(parts.join('\n') + '\n');
  }

  private async rotate(hour: number): Promise<void> {
    if (this.handle) {
      await this.handle.datasync();
      await this.handle.close();
    }
    this.handle = undefined;
    await mkdir(this.dir, { recursive: true });
    const name = `${String(hour).padStart(10, '0')}.jsonl`;
    const handle = await open(join(this.dir, name), 'a');
    const { size } = await handle.stat();
    // A header starts a new dictionary scope (a restart may append to the same hour's file); a leading
    // newline terminates a torn line a crash may have left.
    await handle.write((size === 0 ? '' : '\n') + HEADER + '\n');
    this.handle = handle;
    this.handleHour = hour;
    this.written = new Set();
  }

  /** Delete files entirely older than the retention window (plus an hour of slack). */
  async prune(nowMs: number): Promise<number> {
    const oldestHourKept = Math.floor((nowMs - this.retentionMs) / HOUR_MS) - 1;
    let removed = 0;
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0; // nothing written yet
    }
    for (const name of names) {
      const m = FILE_RE.exec(name);
      if (!m || Number(m[1]) >= oldestHourKept || Number(m[1]) === this.handleHour) continue;
      await unlink(join(this.dir, name));
      removed++;
    }
    return removed;
  }

  /** Flush everything (the current minute too), fsync and close the current file. */
  async close(nowMs: number): Promise<void> {
    await this.flush(nowMs, true);
    await this.writing;
    if (this.handle) {
      await this.handle.datasync();
      await this.handle.close();
      this.handle = undefined;
      this.handleHour = -1;
    }
  }
}
