/**
 * Run a server in a child process (so the load generator and the server do not share an event loop)
 * and wait for it to print `listening <url>` on stdout.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';

export interface ChildServer {
  readonly url: string;
  readonly child: ChildProcess;
  /** CPU time (user + system, µs) the child has used so far (children call {@link answerCpuQueries}). */
  cpuMicros(): Promise<number>;
  /** SIGTERM, then wait for exit (SIGKILL after 5 s). */
  stop(): Promise<void>;
}

export function startChildServer(script: string, args: readonly string[]): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      env: { ...process.env, SHARDLINE_LOG_LEVEL: 'silent' },
    });
    let out = '';
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /listening (\S+)/.exec(out);
      if (m) {
        child.stdout?.removeListener('data', onData);
        child.stdout?.resume();
        resolve({
          url: m[1],
          child,
          cpuMicros: () =>
            new Promise<number>((answer) => {
              child.once('message', (m: unknown) => answer(typeof m === 'object' && m !== null && 'cpuMicros' in m ? Number(m.cpuMicros) : NaN));
              child.send('cpu');
            }),
          async stop() {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
            await exited;
            clearTimeout(timer);
          },
        });
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server child exited (${code}) before listening: ${out}`)));
  });
}

/** In a child server: answer the parent's CPU-time queries over IPC. */
export function answerCpuQueries(): void {
  process.on('message', (m: unknown) => {
    if (m === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({ cpuMicros: usage.user + usage.system });
    }
  });
}
