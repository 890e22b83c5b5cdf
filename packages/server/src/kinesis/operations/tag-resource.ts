/**
 * TagResource: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_TagResource.html
 * A stream ARN or a registered consumer's ARN; same rules as AddTagsToStream.
 */
import type { RequestContext } from '../../model/context.js';
import type { TagResourceInput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import type { ConsumerRecord, StreamRecord } from '../records.js';
import { StreamStatus } from '../records.js';
import { resolveKinesisSettings } from '../settings.js';
import { requireStatus } from '../stream-store.js';
import { mergeTags, removeTags } from '../tags.js';

/** Apply a tag change to the stream or consumer named by `arn`, with compare-and-set retries. */
export async function changeResourceTags(
  env: KinesisEnv,
  context: RequestContext,
  arn: string,
  change: (tags: Readonly<Record<string, string>>) => Record<string, string>,
): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const resource = await env.streams.resolveResource(context, arn);
    if (resource.kind === 'stream') {
      const s: StreamRecord = resource.stream.value;
      requireStatus(s, [StreamStatus.ACTIVE, StreamStatus.UPDATING]);
      if (await env.streams.replace(resource.stream, { ...s, tags: change(s.tags) })) return;
    } else {
      const c: ConsumerRecord = resource.consumer.value;
      if (await env.streams.replaceConsumer(resource.consumer, { ...c, tags: change(c.tags ?? {}) })) return;
    }
  }
  throw new ServiceError('LimitExceededException', 'Too many concurrent updates to the resource; retry the request.');
}

export async function tagResource(env: KinesisEnv, input: TagResourceInput, context: RequestContext): Promise<void> {
  const max = resolveKinesisSettings(env.settings).maxTagsPerResource;
  await changeResourceTags(env, context, input.ResourceARN, (tags) => mergeTags(tags, input.Tags, max));
}

/** Shared with untag-resource.ts. */
export function untagChange(keys: readonly string[]): (tags: Readonly<Record<string, string>>) => Record<string, string> {
  return (tags) => removeTags(tags, keys);
}
