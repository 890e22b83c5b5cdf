/**
 * UntagResource: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UntagResource.html
 */
import type { RequestContext } from '../../model/context.js';
import type { UntagResourceInput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { changeResourceTags, untagChange } from './tag-resource.js';

export async function untagResource(env: KinesisEnv, input: UntagResourceInput, context: RequestContext): Promise<void> {
  await changeResourceTags(env, context, input.ResourceARN, untagChange(input.TagKeys));
}
