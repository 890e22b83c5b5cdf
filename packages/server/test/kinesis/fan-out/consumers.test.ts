/**
 * Consumer operations called directly (memory storage, ManualClock): CREATING → ACTIVE, the ARN
 * format, quotas (20 per stream, 5 CREATING at once), lookup by ARN or stream ARN + name,
 * ListStreamConsumers pagination and StreamCreationTimestamp, DELETING → gone, and consumers of a
 * deleted stream.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from '../../../src/model/service-error.js';
import { deregisterStreamConsumer } from '../../../src/kinesis/operations/deregister-stream-consumer.js';
import { describeStreamConsumer } from '../../../src/kinesis/operations/describe-stream-consumer.js';
import { listStreamConsumers } from '../../../src/kinesis/operations/list-stream-consumers.js';
import { registerStreamConsumer } from '../../../src/kinesis/operations/register-stream-consumer.js';
import { StreamStatus } from '../../../src/kinesis/records.js';
import { createTestStream } from '../data-plane/support.js';
import type { FanOutPlane } from './support.js';
import { openFanOutPlane } from './support.js';

function isError(code: string, message?: RegExp): (err: unknown) => boolean {
  return (err: unknown) => {
    assert.ok(err instanceof ServiceError, `expected ServiceError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  };
}

void describe('stream consumers', () => {
  let plane: FanOutPlane;
  let streamArn: string;
  before(async () => {
    plane = await openFanOutPlane();
    streamArn = (await createTestStream(plane, 'consumers', 1)).value.arn;
  });
  after(() => plane.close());

  void it('registers CREATING with the AWS ARN format, ACTIVE after the delay', async () => {
    const created = plane.clock.now();
    const out = await registerStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: 'app.one-1', Tags: { team: 'a' } }, plane.ctx);
    assert.equal(out.Consumer.ConsumerName, 'app.one-1');
    assert.equal(out.Consumer.ConsumerStatus, 'CREATING');
    assert.equal(out.Consumer.ConsumerARN, `${streamArn}/consumer/app.one-1:${Math.floor(created / 1000)}`);
    assert.equal(out.Consumer.ConsumerCreationTimestamp.getTime(), created);
    const byArn = await describeStreamConsumer(plane.fan, { ConsumerARN: out.Consumer.ConsumerARN }, plane.ctx);
    assert.equal(byArn.ConsumerDescription.ConsumerStatus, 'CREATING');
    assert.equal(byArn.ConsumerDescription.StreamARN, streamArn);
    plane.clock.advance(plane.env.settings.consumerMs);
    const byName = await describeStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: 'app.one-1' }, plane.ctx);
    assert.deepEqual(byName.ConsumerDescription, { ...byArn.ConsumerDescription, ConsumerStatus: 'ACTIVE' });
    await assert.rejects(
      registerStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: 'app.one-1' }, plane.ctx),
      isError('ResourceInUseException', /already exists/),
    );
  });

  void it('checks tags like stream tags', async () => {
    await assert.rejects(
      registerStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: 'tagged', Tags: { 'aws:reserved': 'x' } }, plane.ctx),
      isError('InvalidArgumentException', /aws:/),
    );
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    await assert.rejects(
      registerStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: 'tagged', Tags: many }, plane.ctx),
      isError('LimitExceededException'),
    );
  });

  void it('looks up with AWS errors', async () => {
    await assert.rejects(describeStreamConsumer(plane.fan, {}, plane.ctx), isError('InvalidArgumentException'));
    await assert.rejects(describeStreamConsumer(plane.fan, { StreamARN: streamArn }, plane.ctx), isError('InvalidArgumentException'));
    await assert.rejects(describeStreamConsumer(plane.fan, { ConsumerARN: 'arn:aws:kinesis:nope' }, plane.ctx), isError('InvalidArgumentException'));
    await assert.rejects(
      describeStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: 'nobody' }, plane.ctx),
      isError('ResourceNotFoundException'),
    );
    // Right name, wrong creation time: another incarnation of the consumer.
    const { ConsumerDescription } = await describeStreamConsumer(plane.fan, { StreamARN: streamArn, ConsumerName: 'app.one-1' }, plane.ctx);
    const stale = ConsumerDescription.ConsumerARN.replace(/:(\d+)$/, (_, s: string) => `:${Number(s) - 1}`);
    await assert.rejects(describeStreamConsumer(plane.fan, { ConsumerARN: stale }, plane.ctx), isError('ResourceNotFoundException'));
    const otherStream = streamArn.replace('/consumers', '/missing');
    await assert.rejects(
      describeStreamConsumer(plane.fan, { ConsumerARN: `${otherStream}/consumer/x:1` }, plane.ctx),
      isError('ResourceNotFoundException'),
    );
    await assert.rejects(
      registerStreamConsumer(plane.fan, { StreamARN: otherStream, ConsumerName: 'x' }, plane.ctx),
      isError('ResourceNotFoundException'),
    );
  });

  void it('allows 5 CREATING at once and 20 per stream', async () => {
    const { value: s } = await createTestStream(plane, 'quota', 1);
    for (let i = 0; i < 5; i++) await registerStreamConsumer(plane.fan, { StreamARN: s.arn, ConsumerName: `q${i}` }, plane.ctx);
    await assert.rejects(
      registerStreamConsumer(plane.fan, { StreamARN: s.arn, ConsumerName: 'q5' }, plane.ctx),
      isError('LimitExceededException', /CREATING/),
    );
    for (let i = 5; i < 20; i++) {
      if (i % 5 === 0) plane.clock.advance(plane.env.settings.consumerMs);
      await registerStreamConsumer(plane.fan, { StreamARN: s.arn, ConsumerName: `q${i}` }, plane.ctx);
    }
    plane.clock.advance(plane.env.settings.consumerMs);
    await assert.rejects(
      registerStreamConsumer(plane.fan, { StreamARN: s.arn, ConsumerName: 'q20' }, plane.ctx),
      isError('LimitExceededException', /20/),
    );
  });

  void it('lists with MaxResults, NextToken (expiring) and StreamCreationTimestamp', async () => {
    const { value: s } = await createTestStream(plane, 'listing', 1);
    for (let i = 0; i < 5; i++) await registerStreamConsumer(plane.fan, { StreamARN: s.arn, ConsumerName: `l${i}` }, plane.ctx);
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await listStreamConsumers(plane.fan, { StreamARN: s.arn, MaxResults: 2, NextToken: token }, plane.ctx);
      names.push(...(page.Consumers ?? []).map((c) => c.ConsumerName));
      token = page.NextToken;
      pages++;
    } while (token !== undefined);
    assert.deepEqual(names, ['l0', 'l1', 'l2', 'l3', 'l4']);
    assert.equal(pages, 3);
    const all = await listStreamConsumers(plane.fan, { StreamARN: s.arn, StreamCreationTimestamp: new Date(s.createdMs) }, plane.ctx);
    assert.equal(all.Consumers?.length, 5);
    assert.equal(all.NextToken, undefined);
    assert.deepEqual(Object.keys(all.Consumers?.[0] ?? {}).sort(), ['ConsumerARN', 'ConsumerCreationTimestamp', 'ConsumerName', 'ConsumerStatus']);
    await assert.rejects(
      listStreamConsumers(plane.fan, { StreamARN: s.arn, StreamCreationTimestamp: new Date(s.createdMs - 60_000) }, plane.ctx),
      isError('ResourceNotFoundException'),
    );
    const first = await listStreamConsumers(plane.fan, { StreamARN: s.arn, MaxResults: 1 }, plane.ctx);
    assert.ok(first.NextToken);
    await assert.rejects(listStreamConsumers(plane.fan, { StreamARN: s.arn, NextToken: 'garbage!' }, plane.ctx), isError('InvalidArgumentException'));
    plane.clock.advance(300_001);
    await assert.rejects(
      listStreamConsumers(plane.fan, { StreamARN: s.arn, NextToken: first.NextToken }, plane.ctx),
      isError('ExpiredNextTokenException'),
    );
  });

  void it('deregisters: DELETING, then gone; the name can be registered again with a new ARN', async () => {
    const { value: s } = await createTestStream(plane, 'dereg', 1);
    const first = await registerStreamConsumer(plane.fan, { StreamARN: s.arn, ConsumerName: 'd' }, plane.ctx);
    plane.clock.advance(plane.env.settings.consumerMs);
    await deregisterStreamConsumer(plane.fan, { StreamARN: s.arn, ConsumerName: 'd' }, plane.ctx);
    const during = await describeStreamConsumer(plane.fan, { ConsumerARN: first.Consumer.ConsumerARN }, plane.ctx);
    assert.equal(during.ConsumerDescription.ConsumerStatus, 'DELETING');
    plane.clock.advance(plane.env.settings.consumerMs);
    await assert.rejects(
      describeStreamConsumer(plane.fan, { ConsumerARN: first.Consumer.ConsumerARN }, plane.ctx),
      isError('ResourceNotFoundException'),
    );
    await assert.rejects(deregisterStreamConsumer(plane.fan, { ConsumerARN: first.Consumer.ConsumerARN }, plane.ctx), isError('ResourceNotFoundException'));
    plane.clock.advance(1000);
    const again = await registerStreamConsumer(plane.fan, { StreamARN: s.arn, ConsumerName: 'd' }, plane.ctx);
    assert.notEqual(again.Consumer.ConsumerARN, first.Consumer.ConsumerARN);
  });

  void it('forgets the consumers of a deleted stream; a re-created stream starts with none', async () => {
    const created = await createTestStream(plane, 'gone', 1);
    await registerStreamConsumer(plane.fan, { StreamARN: created.value.arn, ConsumerName: 'g' }, plane.ctx);
    await plane.env.streams.replace(created, { ...created.value, status: StreamStatus.DELETING, statusReadyAtMs: plane.clock.now() });
    await assert.rejects(listStreamConsumers(plane.fan, { StreamARN: created.value.arn }, plane.ctx), isError('ResourceNotFoundException'));
    assert.deepEqual(await plane.storage.metadata.list(`kinesis/consumer/${created.value.uid}/`), []);
    const recreated = await createTestStream(plane, 'gone', 1);
    assert.deepEqual((await listStreamConsumers(plane.fan, { StreamARN: recreated.value.arn }, plane.ctx)).Consumers, []);
  });
});
