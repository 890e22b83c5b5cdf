/**
 * The CloudWatch reads over the awsQuery protocol, which CloudWatch spoke alone until 2024 and which
 * older AWS CLI v1 / boto3 releases (botocore before the JSON switch, e.g. Debian's 1.29) and other
 * older SDKs still send:
 *
 *   POST /  Content-Type: application/x-www-form-urlencoded; charset=utf-8
 *           Action=GetMetricStatistics&Version=2010-08-01&Namespace=AWS%2FKinesis
 *           &Dimensions.member.1.Name=StreamName&Dimensions.member.1.Value=orders
 *           &StartTime=2026-01-01T00%3A00%3A00Z&Statistics.member.1=Sum&…
 *   200     text/xml: <GetMetricStatisticsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
 *             <GetMetricStatisticsResult>…</GetMetricStatisticsResult>
 *             <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></…Response>
 *   4xx/5xx <ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>
 *             <Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
 *
 * Lists are `Name.member.N` (1-based), nested structures use dots, timestamps are ISO 8601.
 * Spec: https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CloudWatchApi, CloudWatchScope } from './cloudwatch-api.js';
import { CloudWatchError } from './cloudwatch-api.js';
import type { WireResponse } from './cloudwatch-json.js';

const XMLNS = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
const XML_CONTENT_TYPE = 'text/xml';

/** True for form-encoded requests without an X-Amz-Target (the awsQuery shape; Kinesis never sends it). */
export function isCloudWatchQueryRequest(headers: IncomingHttpHeaders): boolean {
  const ct = headers['content-type'];
  return headers['x-amz-target'] === undefined && typeof ct === 'string' && ct.toLowerCase().startsWith('application/x-www-form-urlencoded');
}

type Tree = { [key: string]: Tree | string };

/** `A.member.1.B=x` → `{ A: [ { B: 'x' } ] }`; values stay strings (the API coerces). */
export function unflattenQuery(params: URLSearchParams): Record<string, unknown> {
  const root: Tree = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let node: Tree = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i];
      const next = node[p];
      if (typeof next === 'object') node = next;
      else {
        const created: Tree = {};
        node[p] = created;
        node = created;
      }
    }
    node[parts[parts.length - 1]] = value;
  }
  return listify(root) as Record<string, unknown>;
}

/** Turn `{ member: { '1': a, '2': b } }` into `[a, b]`, recursively. */
function listify(node: Tree | string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member') {
    const members = node.member;
    if (typeof members === 'string') return [members];
    return Object.keys(members)
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => listify(members[k]));
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = listify(node[k]);
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;'));
}

function xmlValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${xmlValue(v)}</member>`).join('');
  if (typeof value === 'object' && value !== null) {
    let out = '';
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      out += `<${k}>${xmlValue(v)}</${k}>`;
    }
    return out;
  }
  return escapeXml(String(value));
}

/** The awsQuery wire form of a CloudWatch error. */
export function cloudWatchQueryErrorResponse(err: CloudWatchError, requestId: string = randomUUID()): WireResponse {
  const body =
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${err.sender ? 'Sender' : 'Receiver'}</Type>` +
    `<Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
    `<RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: err.httpStatus, headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body: Buffer.from(body) };
}

/** Answer one awsQuery CloudWatch request. Never throws. */
export function handleCloudWatchQuery(
  api: CloudWatchApi,
  body: Buffer,
  scope: CloudWatchScope,
  onInternalError: (err: unknown) => void = () => undefined,
): WireResponse {
  const requestId = randomUUID();
  try {
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action') ?? '';
    const version = params.get('Version');
    if (version !== null && version !== '2010-08-01') {
      throw new CloudWatchError('InvalidAction', 'InvalidAction', 400, `Version ${version} is not supported; use 2010-08-01.`);
    }
    const input = unflattenQuery(params);
    const result = api.call(action, input, scope);
    if (result === undefined) {
      throw new CloudWatchError(
        'InvalidAction',
        'InvalidAction',
        400,
        `The action ${action || '(none)'} is not valid for this endpoint; Shardline serves GetMetricStatistics, GetMetricData and ListMetrics.`,
      );
    }
    const xml =
      `<${action}Response xmlns="${XMLNS}"><${action}Result>${xmlValue(result)}</${action}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
    return { status: 200, headers: { 'content-type': XML_CONTENT_TYPE, 'x-amzn-requestid': requestId }, body: Buffer.from(xml) };
  } catch (err) {
    if (err instanceof CloudWatchError) return cloudWatchQueryErrorResponse(err, requestId);
    onInternalError(err);
    return cloudWatchQueryErrorResponse(new CloudWatchError('InternalServiceFault', 'InternalServiceError', 500, 'Internal service error.', false), requestId);
  }
}
