/**
 * Runs every `*.test.ts` under packages/<pkg>/test with node:test through tsx.
 * Usage: node --import tsx scripts/run-tests.ts [substring filter …]
 * Node 20's --test takes no globs, so this script finds the files.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function findTests(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) findTests(full, out);
    else if (entry.endsWith('.test.ts')) out.push(full);
  }
}

const files: string[] = [];
for (const pkg of readdirSync(join(root, 'packages'))) {
  const testDir = join(root, 'packages', pkg, 'test');
  try {
    if (statSync(testDir).isDirectory()) findTests(testDir, files);
  } catch {
    // a package without tests yet
  }
}
const filters = process.argv.slice(2);
const selected = files
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (selected.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=180000', ...selected],
  { cwd: root, stdio: 'inherit', env: { ...process.env, SHARDLINE_LOG_LEVEL: process.env.SHARDLINE_LOG_LEVEL ?? 'silent' } },
);
process.exit(result.status ?? 1);
