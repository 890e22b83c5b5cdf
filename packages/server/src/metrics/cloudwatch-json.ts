/**
 * The CloudWatch wire for the reads in cloudwatch-api.ts: awsJson1_0 with AWS-query compatibility,
 * which is what both the AWS CLI (botocore ≥ 1.3x picks "json" from the model's
 * `protocols: ["smithy-rpc-v2-cbor","json","query"]`) and `@aws-sdk/client-cloudwatch`
 * (`AwsJson1_0Protocol`, `awsQueryCompatible: true`) send:
 *
 *   POST /  Content-Type: application/x-amz-json-1.0
 *           X-Amz-Target: GraniteServiceVersion20100801.<Operation>
 *           body: JSON input (timestamps as epoch seconds)
 *   200     Content-Type: application/x-amz-json-1.0, body: JSON output (timestamps as epoch seconds)
 *   4xx/5xx {"__type":"<ShapeName>","message":"…"} plus `x-amzn-query-error: <Code>;Sender|Receiver`,
 *           the header query-compatible clients read the awsQuery error code from.
 *
 * Spec: https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html and
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { CloudWatchApi, CloudWatchScope } from './cloudwatch-api.js';
import { CloudWatchError } from './cloudwatch-api.js';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801.';
export const CLOUDWATCH_CONTENT_TYPE = 'application/x-amz-json-1.0';

export interface WireResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** True for requests addressed to the CloudWatch service (by their X-Amz-Target). */
export function isCloudWatchRequest(headers: IncomingHttpHeaders): boolean {
  return header(headers, 'x-amz-target')?.startsWith(CLOUDWATCH_TARGET_PREFIX) === true;
}

/** Region from a SigV4 credential scope (`Credential=AKID/date/region/service/aws4_request`). */
export function regionFromAuthorization(headers: IncomingHttpHeaders): string | undefined {
  const auth = header(headers, 'authorization');
  if (!auth) return undefined;
  const m = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//.exec(auth);
  return m ? m[1] : undefined;
}

function toJson(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : v;
  });
}

/** The wire form of a CloudWatch error (also used for authentication failures). */
export function cloudWatchErrorResponse(err: CloudWatchError, requestId: string = randomUUID()): WireResponse {
  return {
    status: err.httpStatus,
    headers: {
      'content-type': CLOUDWATCH_CONTENT_TYPE,
      'x-amzn-requestid': requestId,
      'x-amzn-query-error': `${err.code};${err.sender ? 'Sender' : 'Receiver'}`,
    },
    body: Buffer.from(toJson({ __type: err.type, message: err.message })),
  };
}

/**
 * Answer one CloudWatch request. Never throws: unexpected failures become InternalServiceFault (500)
 * and are handed to `onInternalError` for logging.
 */
export function handleCloudWatchJson(
  api: CloudWatchApi,
  headers: IncomingHttpHeaders,
  body: Buffer,
  scope: CloudWatchScope,
  onInternalError: (err: unknown) => void = () => undefined,
): WireResponse {
  const requestId = randomUUID();
  try {
    const target = header(headers, 'x-amz-target') ?? '';
    const operation = target.startsWith(CLOUDWATCH_TARGET_PREFIX) ? target.slice(CLOUDWATCH_TARGET_PREFIX.length) : '';
    let raw: unknown = {};
    let text = body;
    if (header(headers, 'content-encoding') === 'gzip') text = gunzipSync(body);
    if (text.length > 0) {
      try {
        raw = JSON.parse(text.toString('utf8'));
      } catch {
        throw new CloudWatchError('SerializationException', 'SerializationException', 400, 'The request body is not valid JSON.');
      }
    }
    const out = api.call(operation, raw, scope);
    if (out === undefined) {
      throw new CloudWatchError(
        'UnknownOperationException',
        'UnknownOperationException',
        400,
        `Operation ${operation || '(none)'} is not supported; Shardline serves GetMetricStatistics, GetMetricData and ListMetrics.`,
      );
    }
    return {
      status: 200,
      headers: { 'content-type': CLOUDWATCH_CONTENT_TYPE, 'x-amzn-requestid': requestId },
      body: Buffer.from(toJson(out)),
    };
  } catch (err) {
    if (err instanceof CloudWatchError) return cloudWatchErrorResponse(err, requestId);
    onInternalError(err);
    return cloudWatchErrorResponse(new CloudWatchError('InternalServiceFault', 'InternalServiceError', 500, 'Internal service error.', false), requestId);
  }
}
