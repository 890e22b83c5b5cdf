/**
 * PutResourcePolicy: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutResourcePolicy.html
 * The policy of a stream or consumer is stored (and returned by GetResourcePolicy) as given, after a
 * check that it is a JSON object; enforcing it is a later issue. Replaces any existing policy.
 */
import type { RequestContext } from '../../model/context.js';
import type { PutResourcePolicyInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import type { ResourcePolicyRecord } from '../records.js';
import { policyKey } from '../records.js';

export async function putResourcePolicy(env: KinesisEnv, input: PutResourcePolicyInput, context: RequestContext): Promise<void> {
  const resource = await env.streams.resolveResource(context, input.ResourceARN);
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.Policy);
  } catch (err) {
    throw new ServiceError('InvalidArgumentException', 'Policy is not valid JSON.', { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ServiceError('InvalidArgumentException', 'Policy must be a JSON object.');
  }
  const record: ResourcePolicyRecord = { resourceArn: input.ResourceARN, policy: input.Policy, updatedMs: env.clock.now() };
  await env.storage.metadata.commit([
    { type: 'put', key: policyKey(resource.stream.value.uid, input.ResourceARN), value: record },
  ]);
}
