/**
 * RemoveTagsFromStream: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RemoveTagsFromStream.html
 * Keys that are not set are ignored.
 */
import type { RequestContext } from '../../model/context.js';
import type { RemoveTagsFromStreamInput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { StreamStatus } from '../records.js';
import { requireStatus } from '../stream-store.js';
import { removeTags } from '../tags.js';

export async function removeTagsFromStream(env: KinesisEnv, input: RemoveTagsFromStreamInput, context: RequestContext): Promise<void> {
  await env.streams.update(context, input, (s) => {
    requireStatus(s, [StreamStatus.ACTIVE, StreamStatus.UPDATING]);
    return { ...s, tags: removeTags(s.tags, input.TagKeys) };
  });
}
