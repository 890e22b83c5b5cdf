import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kinesisErrorShapes } from '../../src/model/generated/kinesis-errors.js';
import { kinesisServiceSpec } from '../../src/model/kinesis.js';
import { errorCatalogue } from '../../src/model/service-error.js';

void describe('error catalogue vs the Kinesis model', () => {
  void it('has every Kinesis error shape, 500 for server faults and 4xx for client faults', () => {
    const names = Object.keys(kinesisErrorShapes);
    assert.ok(names.length >= 17, `expected the model's error shapes, got ${names.length}`);
    for (const [name, spec] of Object.entries(kinesisErrorShapes)) {
      assert.ok(Object.hasOwn(errorCatalogue, name), `${name} is missing from errorCatalogue`);
      const status = errorCatalogue[name as keyof typeof errorCatalogue].httpStatus;
      const modeled: number | undefined = 'httpError' in spec ? (spec as { httpError: number }).httpError : undefined;
      if (modeled !== undefined) assert.equal(status, modeled, `${name}: model says httpError ${modeled}`);
      else if (spec.fault === 'server') assert.equal(status, 500, `${name} is a server fault`);
      else assert.ok(status >= 400 && status < 500, `${name} is a client fault but has status ${status}`);
    }
  });

  void it('every error an operation lists is an error shape of the service', () => {
    for (const op of Object.values(kinesisServiceSpec.operations)) {
      for (const e of op.errors) assert.ok(Object.hasOwn(kinesisErrorShapes, e), `${op.name} lists unknown error ${e}`);
    }
  });
});
