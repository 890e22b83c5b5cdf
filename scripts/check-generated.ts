/**
 * Fails when regenerating the model code would change a committed file (DESIGN.md convention 15).
 * Skipped with a notice when ../shared/aws-models is not beside the repository.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const models = new URL('../../shared/aws-models/kinesis/kinesis.smithy.json', import.meta.url).pathname;
if (!existsSync(models)) {
  console.log(`check-generated: ${models} not found; skipping the regeneration check`);
  process.exit(0);
}
const gen = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-model.ts', '--check'], { cwd: root, stdio: 'inherit' });
process.exit(gen.status ?? 1);
