/**
 * Startup benchmark (issue #8, operations). Not a test: it prints a table.
 *
 *   node --import tsx bench/metrics-startup.ts [--runs 5]
 *
 * Starts `shardline serve` as a fresh process on an empty temporary data directory (embedded storage,
 * port 0), `--runs` times, and reports the server's own `startupMs` (createApp → listening, from its
 * log line) and the wall time from spawn until `GET /ready` answers 200 (includes Node and module
 * loading through tsx).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
const i = argv.indexOf('--runs');
const RUNS = i >= 0 ? Number(argv[i + 1]) : 5;
const bin = fileURLToPath(new URL('../packages/cli/bin/shardline.js', import.meta.url));

async function once(): Promise<{ startupMs: number; readyMs: number }> {
  const dir = await mkdtemp(join(os.tmpdir(), 'shardline-startup-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'serve', '--data-dir', join(dir, 'data'), '--port', '0', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const { url, startupMs } = await new Promise<{ url: string; startupMs: number }>((resolve, reject) => {
      let buf = '';
      const onData = (d: Buffer): void => {
        buf += d.toString();
        for (const line of buf.split('\n')) {
          if (!line.includes('"listening"')) continue;
          const l = JSON.parse(line) as { url: string; startupMs: number };
          resolve(l);
          return;
        }
      };
      child.stderr.on('data', onData);
      child.stdout.on('data', onData);
      child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${buf}`)));
    });
    for (;;) {
      const res = await fetch(`${url}/ready`).catch(() => undefined);
      if (res?.status === 200) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    return { startupMs, readyMs: performance.now() - t0 };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, load average ${os.loadavg()[0].toFixed(1)}`);
const rows: [number, number][] = [];
for (let r = 0; r < RUNS; r++) {
  const { startupMs, readyMs } = await once();
  rows.push([startupMs, readyMs]);
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log('\nrun  startupMs (server log)  spawn → /ready (ms)');
rows.forEach(([s, r], n) => console.log(`${String(n + 1).padStart(3)}  ${String(s).padStart(21)}  ${r.toFixed(0).padStart(19)}`));
console.log(`med  ${String(med(rows.map((x) => x[0]))).padStart(21)}  ${med(rows.map((x) => x[1])).toFixed(0).padStart(19)}`);
