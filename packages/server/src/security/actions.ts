/**
 * The IAM action and resource(s) each Kinesis operation is authorized on, as the Service
 * Authorization Reference lists them ("Actions, resources, and condition keys for Amazon Kinesis Data
 * Streams", https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonkinesisdatastreams.html):
 *
 *   stream     arn:${Partition}:kinesis:${Region}:${Account}:stream/${StreamName}
 *   consumer   arn:${Partition}:kinesis:${Region}:${Account}:${StreamType}/${StreamName}/consumer/${ConsumerName}:${ConsumerCreationTimpstamp}
 *
 * - Stream operations (PutRecord(s), GetShardIterator, DescribeStream…, resharding, retention,
 *   monitoring, encryption, tags-for-stream, RegisterStreamConsumer, ListStreamConsumers) → the stream.
 * - DescribeStreamConsumer, DeregisterStreamConsumer, SubscribeToShard → the consumer.
 * - Resource-ARN operations (Get/Put/DeleteResourcePolicy, TagResource, UntagResource,
 *   ListTagsForResource) → the stream or consumer named by ResourceARN.
 * - GetRecords → the stream of the shard iterator (or StreamARN when given).
 * - ListStreams, DescribeLimits, Describe/UpdateAccountSettings (and channel listing) → `*`.
 * The action is always `kinesis:<Operation>`.
 */
import { parseConsumerArn, parseStreamArn, streamArn } from '../kinesis/arn.js';

export interface ActionTarget {
  /** `kinesis:<Operation>` */
  readonly action: string;
  /** The resource ARN(s) to authorize on (`*` for operations without a resource type). */
  readonly resources: readonly string[];
}

export interface ActionResolution {
  /** The caller's account and region (from the credential scope or the server defaults). */
  readonly accountId: string;
  readonly region: string;
  /** Stream ARN of a shard iterator, when it can be read (GetRecords without StreamARN). */
  readonly iteratorStreamArn?: ((shardIterator: string) => string | undefined) | undefined;
  /** Consumer ARN of a consumer named by stream ARN + name (Describe/DeregisterStreamConsumer). */
  readonly consumerArn?: ((streamArn: string, consumerName: string) => Promise<string | undefined>) | undefined;
}

/** Operations with no resource type: the policy must allow `*` (or a matching pattern). */
const accountLevel = new Set([
  'ListStreams',
  'DescribeLimits',
  'DescribeAccountSettings',
  'UpdateAccountSettings',
  'ListChannels',
  'CreateChannel',
]);

/** Operations addressed by ResourceARN (stream or consumer). */
const byResourceArn = new Set(['GetResourcePolicy', 'PutResourcePolicy', 'DeleteResourcePolicy', 'TagResource', 'UntagResource', 'ListTagsForResource']);

/** Operations on a registered consumer. */
const byConsumer = new Set(['DescribeStreamConsumer', 'DeregisterStreamConsumer', 'SubscribeToShard']);

/** Data-plane operations (CloudTrail data events): the audit log records them only when asked. */
export const dataPlaneOperations: ReadonlySet<string> = new Set(['PutRecord', 'PutRecords', 'GetRecords', 'GetShardIterator', 'SubscribeToShard']);

export function isReadOnlyOperation(operation: string): boolean {
  return /^(Describe|List|Get)/.test(operation) || operation === 'SubscribeToShard';
}

function str(input: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const v = input[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The account that owns an ARN (`*` → the caller's account). */
export function resourceAccountOf(arn: string, callerAccountId: string): string {
  if (arn === '*') return callerAccountId;
  const parts = arn.split(':');
  return parts.length >= 6 && /^\d{12}$/.test(parts[4]) ? parts[4] : callerAccountId;
}

function streamResource(input: Readonly<Record<string, unknown>>, r: ActionResolution): string {
  const arn = str(input, 'StreamARN');
  if (arn !== undefined) return arn;
  const name = str(input, 'StreamName');
  return name === undefined ? '*' : streamArn(r.region, r.accountId, name);
}

/**
 * The action and resources for `operation` with its validated input. Never throws for odd input: an
 * unresolvable resource is authorized as `*` (the handler then rejects the input itself).
 */
export async function actionTarget(operation: string, rawInput: unknown, r: ActionResolution): Promise<ActionTarget> {
  const input: Readonly<Record<string, unknown>> =
    typeof rawInput === 'object' && rawInput !== null ? (rawInput as Record<string, unknown>) : {};
  const action = `kinesis:${operation}`;
  if (accountLevel.has(operation)) return { action, resources: ['*'] };
  if (byResourceArn.has(operation)) return { action, resources: [str(input, 'ResourceARN') ?? '*'] };
  if (operation === 'DescribeChannel' || operation === 'DeleteChannel' || operation === 'UpdateChannel') {
    return { action, resources: [str(input, 'ChannelARN') ?? '*'] };
  }
  if (byConsumer.has(operation)) {
    const consumer = str(input, 'ConsumerARN');
    if (consumer !== undefined) return { action, resources: [consumer] };
    const stream = str(input, 'StreamARN');
    const name = str(input, 'ConsumerName');
    if (stream !== undefined && name !== undefined) {
      const resolved = r.consumerArn ? await r.consumerArn(stream, name) : undefined;
      // Without the creation time the consumer ARN is not known: the wildcard matches policies that
      // name the consumer with `:*` or any broader pattern.
      return { action, resources: [resolved ?? `${stream}/consumer/${name}:*`] };
    }
    return { action, resources: ['*'] };
  }
  if (operation === 'GetRecords') {
    const stream = str(input, 'StreamARN');
    if (stream !== undefined) return { action, resources: [stream] };
    const iterator = str(input, 'ShardIterator');
    const fromIterator = iterator !== undefined && r.iteratorStreamArn ? r.iteratorStreamArn(iterator) : undefined;
    return { action, resources: [fromIterator ?? '*'] };
  }
  // Every other Kinesis operation is on a stream (named by StreamName or StreamARN).
  return { action, resources: [streamResource(input, r)] };
}

/** Whether an ARN is a Kinesis stream or consumer ARN (for resource-policy lookups). */
export function isKinesisResourceArn(arn: string): boolean {
  return parseStreamArn(arn) !== undefined || parseConsumerArn(arn) !== undefined;
}
