/**
 * GetResourcePolicy: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetResourcePolicy.html
 * A resource without a policy answers an empty policy document ("{}").
 */
import type { RequestContext } from '../../model/context.js';
import type { GetResourcePolicyInput, GetResourcePolicyOutput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import type { ResourcePolicyRecord } from '../records.js';
import { policyKey } from '../records.js';

export async function getResourcePolicy(env: KinesisEnv, input: GetResourcePolicyInput, context: RequestContext): Promise<GetResourcePolicyOutput> {
  const resource = await env.streams.resolveResource(context, input.ResourceARN);
  const stored = await env.storage.metadata.get<ResourcePolicyRecord>(policyKey(resource.stream.value.uid, input.ResourceARN));
  return { Policy: stored?.value.policy ?? '{}' };
}
