import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateService, services } from '../../../../scripts/generate-model.js';

const root = new URL('../../../../', import.meta.url).pathname;
const sharedModels = new URL('../shared/aws-models/', `file://${root}`).pathname;

void describe('generated model code', () => {
  void it('equals a fresh generation (scripts/generate-model.ts --check)', (t) => {
    if (!existsSync(sharedModels)) {
      t.skip(`${sharedModels} not found`);
      return;
    }
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-model.ts', '--check'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(run.status, 0, `regeneration differs from the committed files:\n${run.stdout}${run.stderr}`);
  });

  void it('is service-generic: the Firehose model generates too', (t) => {
    if (!existsSync(`${sharedModels}firehose/firehose.smithy.json`)) {
      t.skip('firehose model not found');
      return;
    }
    const files = generateService({ id: 'firehose', typePrefix: 'Firehose', model: '../shared/aws-models/firehose/firehose.smithy.json' }, root);
    const types = files.get('packages/server/src/model/generated/firehose-types.ts') ?? '';
    const schema = files.get('packages/server/src/model/generated/firehose-schema.ts') ?? '';
    const errors = files.get('packages/server/src/model/generated/firehose-errors.ts') ?? '';
    assert.match(types, /export interface FirehoseOperationMap \{/);
    assert.match(types, /PutRecordBatch: \{ input: PutRecordBatchInput; output: PutRecordBatchOutput \};/);
    assert.match(schema, /targetPrefix: 'Firehose_20150804'/);
    assert.match(schema, /signingName: 'firehose'/);
    assert.match(errors, /ServiceUnavailableException: \{ fault: 'server', httpError: 503 \}/);
    assert.ok(services.some((s) => s.id === 'kinesis'));
  });
});
