/**
 * Storage engine benchmark (issue #3). Run: `node --import tsx bench/storage.ts [--quick]`
 *
 * Prints the environment and a table:
 * - append throughput of the embedded engine (100 B and 1 KiB records; batches of 1 with 64
 *   concurrent appenders, so group commit shows, and batches of 500 from one appender) under each
 *   fsync policy, with records per fsync;
 * - the physical limit in the same run: the same payload bytes written with plain node `fs` (one
 *   write per batch, no framing) with the same fsync cadence;
 * - read throughput, cold (fresh open of the store) and warm (second pass);
 * - recovery time of a 1 GiB shard log after SIGKILL of the writing process (with indexes, and
 *   with every index file deleted so all of them are rebuilt).
 * Each scenario is bounded in time. Nothing here is asserted: these are measurements.
 * Options: `--quick` (shorter scenarios, 256 MiB recovery), `--only=<text>` (scenarios whose label
 * contains the text, e.g. `--only="1024 B × 500 always"`, `--only=read`, `--only=recovery`).
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../packages/server/src/logger.js';
import { systemClock } from '../packages/server/src/model/context.js';
import type { AppendRecord } from '../packages/server/src/storage/contract.js';
import { openEmbeddedStorage } from '../packages/server/src/storage/embedded/embedded-storage.js';
import type { SegmentFs } from '../packages/server/src/storage/embedded/segment-fs.js';
import { nodeSegmentFs } from '../packages/server/src/storage/embedded/segment-fs.js';
import { SegmentShardLogStore } from '../packages/server/src/storage/embedded/segment-shard-log-store.js';
import type { FsyncPolicy } from '../packages/server/src/storage/fsync-policy.js';
import { formatFsyncPolicy } from '../packages/server/src/storage/fsync-policy.js';

const quick = process.argv.includes('--quick');
/** `--only=<text>`: run only scenarios whose label contains it, e.g. `--only="1024 B × 500 always"`, `--only=read`. */
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const selected = (label: string): boolean => only === undefined || label.includes(only);
const SCENARIO_MS = quick ? 700 : 2500;
const INTERVAL_POLICY: FsyncPolicy = { mode: 'interval', intervalMs: 50 };
const POLICIES: FsyncPolicy[] = [{ mode: 'always' }, INTERVAL_POLICY, { mode: 'never' }];
const CONCURRENT_APPENDERS = 64;
const RECOVERY_BYTES = quick ? 256 * 1024 * 1024 : 1024 * 1024 * 1024;

type Row = Record<string, string>;
const rows: Row[] = [];

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function fsTypeOf(dir: string): string {
  try {
    return execFileSync('findmnt', ['-n', '-o', 'FSTYPE,SOURCE', '--target', dir], { encoding: 'utf8' }).trim().replace(/\s+/g, ' ');
  } catch {
    try {
      return execFileSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  }
}

function records(size: number, count: number): AppendRecord[] {
  return Array.from({ length: count }, (_, i) => ({ partitionKey: `pk-${String(i % 10000).padStart(6, '0')}`, data: Buffer.alloc(size, i & 0xff) }));
}

/** SegmentFs that counts writes and fsyncs of segment (.log) files, to show group commit. */
class CountingFs implements SegmentFs {
  writes = 0;
  syncs = 0;
  private readonly logFds = new Set<number>();
  read = nodeSegmentFs.read;
  fsync = nodeSegmentFs.fsync;
  ftruncate = nodeSegmentFs.ftruncate;
  fileSize = nodeSegmentFs.fileSize;
  open = async (path: string, flags: string): Promise<number> => {
    const fd = await nodeSegmentFs.open(path, flags);
    if (path.endsWith('.log')) this.logFds.add(fd);
    else this.logFds.delete(fd);
    return fd;
  };
  close = (fd: number): Promise<void> => {
    this.logFds.delete(fd);
    return nodeSegmentFs.close(fd);
  };
  writeAll = (fd: number, buf: Uint8Array, position: number): Promise<void> => {
    if (this.logFds.has(fd)) this.writes++;
    return nodeSegmentFs.writeAll(fd, buf, position);
  };
  fdatasync = (fd: number): Promise<void> => {
    if (this.logFds.has(fd)) this.syncs++;
    return nodeSegmentFs.fdatasync(fd);
  };
}

interface Throughput {
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly recordsPerSync: number;
  readonly recordsPerWrite: number;
}

/** Accumulates records and seconds over several time slices. */
class Tally {
  records = 0;
  seconds = 0;
  writes = 0;
  syncs = 0;
  result(size: number): Throughput {
    return {
      recordsPerSec: this.records / this.seconds,
      mbPerSec: (this.records * size) / this.seconds / 1e6,
      recordsPerSync: this.syncs > 0 ? this.records / this.syncs : NaN,
      recordsPerWrite: this.writes > 0 ? this.records / this.writes : NaN,
    };
  }
}

/** The engine under test: one shard log in a fresh directory, appended to in time slices. */
class EngineRun {
  private constructor(
    private readonly dir: string,
    private readonly store: SegmentShardLogStore,
    private readonly log: Awaited<ReturnType<SegmentShardLogStore['open']>>,
    private readonly counting: CountingFs,
    private readonly recs: AppendRecord[],
    private readonly appenders: number,
  ) {}

  static async start(root: string, policy: FsyncPolicy, size: number, batch: number, appenders: number): Promise<EngineRun> {
    const dir = await mkdtemp(join(root, 'append-'));
    const counting = new CountingFs();
    const store = await SegmentShardLogStore.open({ dir, fsync: policy, clock: systemClock, logger: silentLogger, fs: counting });
    const log = await store.open('bench/shardId-000000000000');
    const run = new EngineRun(dir, store, log, counting, records(size, batch), appenders);
    await run.slice(150, new Tally()); // warm-up: JIT, file creation
    return run;
  }

  async slice(ms: number, tally: Tally): Promise<void> {
    const startOffset = this.log.endOffset();
    const writes = this.counting.writes;
    const syncs = this.counting.syncs;
    const started = process.hrtime.bigint();
    const deadline = Date.now() + ms;
    await Promise.all(
      Array.from({ length: this.appenders }, async () => {
        while (Date.now() < deadline) await this.log.append(this.recs);
      }),
    );
    tally.seconds += Number(process.hrtime.bigint() - started) / 1e9;
    tally.records += this.log.endOffset() - startOffset;
    tally.writes += this.counting.writes - writes;
    tally.syncs += this.counting.syncs - syncs;
  }

  async stop(): Promise<void> {
    await this.store.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

function fsWrite(fd: number, buf: Buffer, position: number): Promise<void> {
  return new Promise((resolve, reject) => fs.write(fd, buf, 0, buf.length, position, (err) => (err ? reject(err) : resolve())));
}
function fsDatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

/** The physical limit: plain node fs, one write of batch×size payload bytes per batch, same fsync cadence, no framing. */
class PhysicalRun {
  private position = 0;
  private lastSync = Date.now();
  private constructor(
    private readonly path: string,
    private readonly fd: number,
    private readonly buf: Buffer,
    private readonly policy: FsyncPolicy,
    private readonly batch: number,
  ) {}

  static async start(root: string, policy: FsyncPolicy, size: number, batch: number): Promise<PhysicalRun> {
    const path = join(root, `physical-${process.hrtime.bigint()}.dat`);
    const run = new PhysicalRun(path, fs.openSync(path, 'w'), Buffer.alloc(size * batch, 7), policy, batch);
    await run.slice(150, new Tally());
    return run;
  }

  async slice(ms: number, tally: Tally): Promise<void> {
    const started = process.hrtime.bigint();
    const deadline = Date.now() + ms;
    let n = 0;
    while (Date.now() < deadline) {
      await fsWrite(this.fd, this.buf, this.position);
      this.position += this.buf.length;
      n++;
      tally.writes++;
      if (this.policy.mode === 'always') {
        await fsDatasync(this.fd);
        tally.syncs++;
      } else if (this.policy.mode === 'interval' && Date.now() - this.lastSync >= this.policy.intervalMs) {
        this.lastSync = Date.now();
        await fsDatasync(this.fd);
        tally.syncs++;
      }
    }
    tally.seconds += Number(process.hrtime.bigint() - started) / 1e9;
    tally.records += n * this.batch;
  }

  async stop(): Promise<void> {
    fs.closeSync(this.fd);
    await rm(this.path, { force: true });
  }
}

/**
 * Engine and physical limit in alternating slices (4 of each), so both see the same machine
 * conditions even when other work shares the disk and CPUs.
 */
async function appendComparison(root: string, policy: FsyncPolicy, size: number, batch: number, appenders: number, withPhysical: boolean): Promise<{ engine: Throughput; physical: Throughput | undefined }> {
  const slices = 4;
  const engine = await EngineRun.start(root, policy, size, batch, appenders);
  const physical = withPhysical ? await PhysicalRun.start(root, policy, size, batch) : undefined;
  const e = new Tally();
  const p = new Tally();
  try {
    for (let i = 0; i < slices; i++) {
      await engine.slice(SCENARIO_MS / slices, e);
      if (physical) await physical.slice(SCENARIO_MS / slices, p);
    }
  } finally {
    await engine.stop();
    await physical?.stop();
  }
  return { engine: e.result(size), physical: physical ? p.result(size) : undefined };
}

async function readScenario(root: string): Promise<void> {
  const dir = await mkdtemp(join(root, 'read-'));
  const size = 1024;
  const total = quick ? 100_000 : 400_000;
  let store = await SegmentShardLogStore.open({ dir, fsync: { mode: 'never' }, clock: systemClock, logger: silentLogger });
  let log = await store.open('bench/shardId-000000000000');
  const recs = records(size, 500);
  while (log.endOffset() < total) await log.append(recs);
  await store.close();
  const pass = async (label: string): Promise<void> => {
    const started = process.hrtime.bigint();
    let next = 0;
    let n = 0;
    let bytes = 0;
    const deadline = Date.now() + SCENARIO_MS * 4;
    while (Date.now() < deadline) {
      const r = await log.read(next, { maxRecords: 10_000, maxBytes: 10 * 1024 * 1024 });
      if (r.records.length === 0) break;
      n += r.records.length;
      for (const rec of r.records) bytes += rec.data.length;
      next = r.nextOffset;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rows.push({
      scenario: `read ${label}`,
      records: '1 KiB',
      batch: '10,000/read',
      fsync: '-',
      'records/s': fmt(n / seconds),
      'MB/s': fmt(bytes / seconds / 1e6, 1),
      note: `${fmt(n)} records (${fmt(bytes / 2 ** 20)} MiB) in ${fmt(seconds * 1000)} ms`,
    });
  };
  store = await SegmentShardLogStore.open({ dir, fsync: { mode: 'never' }, clock: systemClock, logger: silentLogger });
  log = await store.open('bench/shardId-000000000000');
  await pass('cold (fresh open; OS page cache not dropped)');
  await pass('warm');
  await store.close();
  await rm(dir, { recursive: true, force: true });
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.log')) total += (await stat(join(entry.parentPath ?? entry.path, entry.name))).size;
  }
  return total;
}

/** Fill a shard log to RECOVERY_BYTES in a child process, SIGKILL it, then time the reopen. */
async function recoveryScenario(root: string): Promise<void> {
  const dataDir = await mkdtemp(join(root, 'recovery-'));
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./lib/storage-recovery-child.ts', import.meta.url)), dataDir, String(RECOVERY_BYTES)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  await new Promise<void>((resolve) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { bytes: number };
      if (msg.bytes >= RECOVERY_BYTES) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('close', () => resolve());
  });
  await exited;
  clearTimeout(guard);
  const bytes = await dirBytes(dataDir);
  const timeOpen = async (): Promise<{ ms: number; end: number }> => {
    const started = process.hrtime.bigint();
    const storage = await openEmbeddedStorage({ dataDir, clock: systemClock, logger: silentLogger });
    const log = await storage.logs.open('bench-recovery/shardId-000000000000');
    await log.read(Math.max(0, log.endOffset() - 10), { maxRecords: 10, maxBytes: 1 << 20 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const end = log.endOffset();
    await storage.close();
    return { ms, end };
  };
  const first = await timeOpen();
  rows.push({
    scenario: 'recovery after SIGKILL',
    records: '1 KiB',
    batch: '500',
    fsync: 'never',
    'records/s': '-',
    'MB/s': '-',
    note: `${fmt(bytes / 2 ** 30, 2)} GiB, ${fmt(first.end)} records: open + first read ${fmt(first.ms)} ms`,
  });
  // Again with every index file deleted: all segments are scanned and their indexes rebuilt.
  for (const entry of await readdir(dataDir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && (entry.name.endsWith('.index') || entry.name.endsWith('.timeindex'))) await rm(join(entry.parentPath ?? entry.path, entry.name));
  }
  const rebuilt = await timeOpen();
  rows.push({
    scenario: 'recovery, all indexes deleted',
    records: '1 KiB',
    batch: '500',
    fsync: '-',
    'records/s': '-',
    'MB/s': fmt(bytes / (rebuilt.ms / 1000) / 1e6),
    note: `full scan + CRC of ${fmt(bytes / 2 ** 30, 2)} GiB: ${fmt(rebuilt.ms)} ms`,
  });
  await rm(dataDir, { recursive: true, force: true });
}

function printTable(table: Row[]): void {
  const cols = Object.keys(table[0]);
  const widths = cols.map((c) => Math.max(c.length, ...table.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(line(cols));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of table) console.log(line(cols.map((c) => r[c] ?? '')));
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(os.tmpdir(), 'shardline-bench-storage-'));
  const cpus = os.cpus();
  console.log('Shardline storage benchmark');
  console.log(`node        ${process.version}`);
  console.log(`cpu         ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} cores`);
  console.log(`memory      ${Math.round(os.totalmem() / 2 ** 30)} GiB`);
  console.log(`os          ${os.type()} ${os.release()}`);
  console.log(`temp dir    ${root} (${fsTypeOf(root)})`);
  console.log(`load avg    ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (1/5/15 min, at start)`);
  console.log(`scenario    ${SCENARIO_MS} ms each${quick ? ' (--quick)' : ''}; engine and plain-fs slices alternate`);
  console.log('');
  try {
    for (const size of [100, 1024]) {
      for (const policy of POLICIES) {
        for (const batch of [1, 500]) {
          if (!selected(`append ${size} B × ${batch} ${formatFsyncPolicy(policy)}`)) continue;
          const appenders = batch === 1 ? CONCURRENT_APPENDERS : 1;
          const { engine: r, physical: p } = await appendComparison(root, policy, size, batch, appenders, batch === 500);
          let note = `${fmt(r.recordsPerWrite, 1)} records/write`;
          if (policy.mode === 'always') note += `, ${fmt(r.recordsPerSync, 1)} records/fsync`;
          if (p) note += `; plain fs ${fmt(p.recordsPerSec)} rec/s (${fmt(p.mbPerSec, 1)} MB/s) → ${fmt((100 * r.recordsPerSec) / p.recordsPerSec)}% of it`;
          rows.push({
            scenario: `append ×${appenders}`,
            records: size === 100 ? '100 B' : '1 KiB',
            batch: String(batch),
            fsync: formatFsyncPolicy(policy),
            'records/s': fmt(r.recordsPerSec),
            'MB/s': fmt(r.mbPerSec, 1),
            note,
          });
          console.error(`done: append ${size} B × ${batch} ${formatFsyncPolicy(policy)}`);
        }
      }
    }
    if (selected('read')) {
      await readScenario(root);
      console.error('done: read');
    }
    if (selected('recovery')) {
      await recoveryScenario(root);
      console.error('done: recovery');
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  printTable(rows);
  console.log('');
  console.log(`load avg at end: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
}

await main();
