/**
 * ListStreams: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListStreams.html
 * Streams of the caller's account and region sorted by name (DELETING ones included while they
 * exist). `Limit` default and maximum 100; `ExclusiveStartStreamName`; `NextToken` (self-contained,
 * 300 s); `HasMoreStreams`; `StreamNames` and `StreamSummaries`.
 */
import type { RequestContext } from '../../model/context.js';
import type { ListStreamsInput, ListStreamsOutput, StreamSummary } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import type { KinesisEnv } from '../env.js';
import { decodePageToken, encodePageToken } from '../stream-store.js';

const DEFAULT_LIMIT = 100;
const TOKEN_KIND = 'ListStreams';

export async function listStreams(env: KinesisEnv, input: ListStreamsInput, context: RequestContext): Promise<ListStreamsOutput> {
  const scope = env.streams.scopeOf(context);
  const now = env.clock.now();
  let after = input.ExclusiveStartStreamName;
  if (input.NextToken !== undefined) {
    const token = decodePageToken(TOKEN_KIND, input.NextToken, now);
    if (token.a !== scope.accountId || token.r !== scope.region || typeof token.after !== 'string') {
      throw new ServiceError('InvalidArgumentException', 'Invalid NextToken: it was not issued for this account and region.');
    }
    after = token.after;
  }
  const limit = Math.min(input.Limit ?? DEFAULT_LIMIT, DEFAULT_LIMIT);
  let streams = (await env.streams.list(scope)).map((v) => v.value);
  streams.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (after !== undefined) {
    const start = after;
    streams = streams.filter((s) => s.name > start);
  }
  const page = streams.slice(0, limit);
  const more = streams.length > page.length;
  const summaries: StreamSummary[] = page.map((s) => ({
    StreamName: s.name,
    StreamARN: s.arn,
    StreamStatus: s.status,
    StreamModeDetails: { StreamMode: s.mode },
    StreamCreationTimestamp: new Date(s.createdMs),
  }));
  const out: ListStreamsOutput = { StreamNames: page.map((s) => s.name), HasMoreStreams: more, StreamSummaries: summaries };
  if (more && page.length > 0) {
    out.NextToken = encodePageToken(TOKEN_KIND, now, { a: scope.accountId, r: scope.region, after: page[page.length - 1].name });
  }
  return out;
}
