/**
 * The benchmarks' lean Kinesis client: one AWS JSON 1.1 (or CBOR) POST over a keep-alive HTTP/1.1 agent, with a
 * syntactically valid SigV4 Authorization header (the server reads account and region from its
 * credential scope; signatures are not verified without an auth file).
 */
import http from 'node:http';

export const BENCH_AUTH =
  'AWS4-HMAC-SHA256 Credential=AKIDBENCH/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' +
  '0'.repeat(64);

export interface KinesisHttpResponse {
  readonly status: number;
  readonly body: Buffer;
}

/** AWS JSON 1.1, what the lean client sends unless told otherwise. */
export const KINESIS_JSON = 'application/x-amz-json-1.1';
/** AWS CBOR, what the Java SDKs send. */
export const KINESIS_CBOR = 'application/x-amz-cbor-1.1';

/** POST `body` as Kinesis `operation` to 127.0.0.1:`port`; resolves with the status and the raw answer. */
export function postKinesis(agent: http.Agent, port: number, operation: string, body: Buffer | string, contentType = KINESIS_JSON): Promise<KinesisHttpResponse> {
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        agent,
        headers: {
          'content-type': contentType,
          'x-amz-target': `Kinesis_20131202.${operation}`,
          'x-amz-date': '20260101T000000Z',
          authorization: BENCH_AUTH,
          'content-length': payload.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
