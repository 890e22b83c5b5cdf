/**
 * ListStreamConsumers: the consumers of one stream, sorted by name, MaxResults (1–10000, default 100)
 * at a time. NextToken is opaque (base64 of `{uid, after, issuedMs}`) and expires after 300 seconds
 * like AWS's (ExpiredNextTokenException). StreamCreationTimestamp picks one incarnation of a stream
 * name: a mismatch is ResourceNotFoundException.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListStreamConsumers.html
 */
import type { RequestContext } from '../../model/context.js';
import type { ListStreamConsumersInput, ListStreamConsumersOutput } from '../../model/generated/kinesis-types.js';
import { ServiceError } from '../../model/service-error.js';
import { consumerOutput } from '../consumers.js';
import type { FanOutEnv } from '../fan-out.js';

const DEFAULT_MAX_RESULTS = 100;
const NEXT_TOKEN_TTL_MS = 300_000;

interface NextToken {
  readonly uid: string;
  readonly after: string;
  readonly issuedMs: number;
}

export async function listStreamConsumers(
  fan: FanOutEnv,
  input: ListStreamConsumersInput,
  context: RequestContext,
): Promise<ListStreamConsumersOutput> {
  const stream = (await fan.consumers.streamByArn(context, input.StreamARN)).value;
  if (input.StreamCreationTimestamp !== undefined && !sameCreationTime(input.StreamCreationTimestamp, stream.createdMs)) {
    throw new ServiceError('ResourceNotFoundException', `Stream ${stream.name} under account ${stream.accountId} not found.`);
  }
  const now = fan.env.clock.now();
  let after: string | undefined;
  if (input.NextToken !== undefined) {
    const token = decodeNextToken(input.NextToken);
    if (token.uid !== stream.uid) throw invalidToken();
    if (now - token.issuedMs > NEXT_TOKEN_TTL_MS) {
      throw new ServiceError('ExpiredNextTokenException', `The NextToken has expired: it was issued more than ${NEXT_TOKEN_TTL_MS / 1000} seconds ago.`);
    }
    after = token.after;
  }
  const limit = input.MaxResults ?? DEFAULT_MAX_RESULTS;
  const all = await fan.consumers.listOfStream(stream);
  const remaining = after === undefined ? all : all.filter((c) => c.value.name > after);
  const page = remaining.slice(0, limit);
  const out: ListStreamConsumersOutput = { Consumers: page.map((c) => consumerOutput(c.value)) };
  if (remaining.length > page.length) {
    out.NextToken = encodeNextToken({ uid: stream.uid, after: page[page.length - 1].value.name, issuedMs: now });
  }
  return out;
}

/** Clients send the creation time with millisecond (JS, Java) or second (botocore) precision. */
function sameCreationTime(given: Date, createdMs: number): boolean {
  const ms = given.getTime();
  return ms === createdMs || Math.floor(ms / 1000) === Math.floor(createdMs / 1000);
}

function encodeNextToken(token: NextToken): string {
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64');
}

function decodeNextToken(value: string): NextToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch (err) {
    throw invalidToken(err);
  }
  if (
    typeof parsed === 'object' &&
    parsed !== null &&
    'uid' in parsed &&
    'after' in parsed &&
    'issuedMs' in parsed &&
    typeof parsed.uid === 'string' &&
    typeof parsed.after === 'string' &&
    typeof parsed.issuedMs === 'number'
  ) {
    return { uid: parsed.uid, after: parsed.after, issuedMs: parsed.issuedMs };
  }
  throw invalidToken();
}

function invalidToken(cause?: unknown): ServiceError {
  return new ServiceError('InvalidArgumentException', 'Invalid NextToken.', cause === undefined ? undefined : { cause });
}
