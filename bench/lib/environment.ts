/** The environment a benchmark ran in, printed above its table. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export function describeEnvironment(): Record<string, string> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // not a git checkout: leave "unknown"
  }
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: `${cpus.length} × ${cpus[0]?.model ?? 'unknown'}`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  };
}

export function printEnvironment(extra: Record<string, string> = {}): void {
  const env = { ...describeEnvironment(), ...extra };
  const width = Math.max(...Object.keys(env).map((k) => k.length));
  for (const [key, value] of Object.entries(env)) console.log(`${key.padEnd(width)}  ${value}`);
  console.log('');
}
