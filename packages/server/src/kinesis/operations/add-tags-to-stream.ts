/**
 * AddTagsToStream: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_AddTagsToStream.html
 * Existing keys are overwritten; at most 50 tags per stream. Tags cannot change until the stream is
 * ACTIVE (ResourceInUseException); tagging does not change the stream's status.
 */
import type { RequestContext } from '../../model/context.js';
import type { AddTagsToStreamInput } from '../../model/generated/kinesis-types.js';
import type { KinesisEnv } from '../env.js';
import { StreamStatus } from '../records.js';
import { resolveKinesisSettings } from '../settings.js';
import { requireStatus } from '../stream-store.js';
import { mergeTags } from '../tags.js';

export async function addTagsToStream(env: KinesisEnv, input: AddTagsToStreamInput, context: RequestContext): Promise<void> {
  const max = resolveKinesisSettings(env.settings).maxTagsPerResource;
  await env.streams.update(context, input, (s) => {
    requireStatus(s, [StreamStatus.ACTIVE, StreamStatus.UPDATING]);
    return { ...s, tags: mergeTags(s.tags, input.Tags, max) };
  });
}
