/**
 * ListTagsForResource: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListTagsForResource.html
 * Every tag of a stream or consumer, sorted by key.
 */
import type { RequestContext } from '../../model/context.js';
import type { ListTagsForResourceInput, ListTagsForResourceOutput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { tagList } from '../tags.js';

export async function listTagsForResource(
  env: KinesisEnv,
  input: ListTagsForResourceInput,
  context: RequestContext,
): Promise<ListTagsForResourceOutput> {
  const resource = await env.streams.resolveResource(context, input.ResourceARN);
  const tags = resource.kind === 'stream' ? resource.stream.value.tags : (resource.consumer.value.tags ?? {});
  return { Tags: tagList(tags) };
}
