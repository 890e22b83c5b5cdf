/**
 * ListTagsForStream: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListTagsForStream.html
 * Tags sorted by key, starting after ExclusiveStartTagKey, at most Limit (1–50; default 50, which is
 * every tag a stream can have), with HasMoreTags.
 */
import type { RequestContext } from '../../model/context.js';
import type { ListTagsForStreamInput, ListTagsForStreamOutput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { tagList } from '../tags.js';

export async function listTagsForStream(env: KinesisEnv, input: ListTagsForStreamInput, context: RequestContext): Promise<ListTagsForStreamOutput> {
  const stream = (await env.streams.resolve(context, input)).value;
  let tags = tagList(stream.tags);
  if (input.ExclusiveStartTagKey !== undefined) {
    const after = input.ExclusiveStartTagKey;
    tags = tags.filter((t) => t.Key > after);
  }
  const limit = input.Limit ?? 50;
  const page = tags.slice(0, limit);
  return { Tags: page, HasMoreTags: tags.length > page.length };
}
