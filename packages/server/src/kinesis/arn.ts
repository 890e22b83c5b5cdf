/**
 * Kinesis ARNs, as AWS writes them:
 *   stream   arn:aws:kinesis:<region>:<account>:stream/<name>
 *   consumer arn:aws:kinesis:<region>:<account>:stream/<name>/consumer/<consumer>:<creation epoch seconds>
 * https://docs.aws.amazon.com/streams/latest/dev/controlling-access.html
 */

export interface StreamArnParts {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly streamName: string;
}

export interface ConsumerArnParts extends StreamArnParts {
  readonly consumerName: string;
  readonly creationEpochSeconds: number;
}

export function streamArn(region: string, accountId: string, streamName: string): string {
  return `arn:aws:kinesis:${region}:${accountId}:stream/${streamName}`;
}

export function consumerArn(streamArnValue: string, consumerName: string, createdMs: number): string {
  return `${streamArnValue}/consumer/${consumerName}:${Math.floor(createdMs / 1000)}`;
}

const streamArnPattern = /^arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})$/;
const consumerArnPattern =
  /^arn:(aws[a-z-]*):kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]{1,128})\/consumer\/([a-zA-Z0-9_.-]{1,128}):(\d+)$/;

export function parseStreamArn(arn: string): StreamArnParts | undefined {
  const m = streamArnPattern.exec(arn);
  if (!m) return undefined;
  return { partition: m[1], region: m[2], accountId: m[3], streamName: m[4] };
}

export function parseConsumerArn(arn: string): ConsumerArnParts | undefined {
  const m = consumerArnPattern.exec(arn);
  if (!m) return undefined;
  return {
    partition: m[1],
    region: m[2],
    accountId: m[3],
    streamName: m[4],
    consumerName: m[5],
    creationEpochSeconds: Number(m[6]),
  };
}
