/**
 * DeleteResourcePolicy: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_DeleteResourcePolicy.html
 * Deleting where no policy is attached answers ResourceNotFoundException.
 */
import type { RequestContext } from '../../model/context.js';
import type { DeleteResourcePolicyInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import { policyKey } from '../records.js';

export async function deleteResourcePolicy(env: KinesisEnv, input: DeleteResourcePolicyInput, context: RequestContext): Promise<void> {
  const resource = await env.streams.resolveResource(context, input.ResourceARN);
  const key = policyKey(resource.stream.value.uid, input.ResourceARN);
  const stored = await env.storage.metadata.get(key);
  if (!stored) throw new ServiceError('ResourceNotFoundException', `No resource policy found for resource ${input.ResourceARN}.`);
  await env.storage.metadata.commit([{ type: 'delete', key }]);
}
