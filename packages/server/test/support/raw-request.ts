/**
 * Raw HTTP/1.1 and HTTP/2 requests for protocol tests (no SDK in the way): send bytes, get status,
 * headers and body bytes back.
 */
import http from 'node:http';
import http2 from 'node:http2';
import { request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly httpVersion: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
  /** Use HTTP/2 prior knowledge instead of HTTP/1.1. */
  readonly http2?: boolean;
  /** TLS options for https URLs (e.g. `{ ca }` or `{ rejectUnauthorized: false }`). */
  readonly tls?: { readonly ca?: string; readonly rejectUnauthorized?: boolean };
}

/** A signature-shaped Authorization header (the server checks the form only, for now). */
export function dummyAuthorization(region = 'us-east-1'): string {
  return (
    `AWS4-HMAC-SHA256 Credential=AKIDSHARDLINETEST/20260101/${region}/kinesis/aws4_request, ` +
    'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' + 'ab'.repeat(32)
  );
}

export function awsHeaders(target: string, contentType = 'application/x-amz-json-1.1', region = 'us-east-1'): Record<string, string> {
  return { 'content-type': contentType, 'x-amz-target': target, authorization: dummyAuthorization(region) };
}

export function rawRequest(url: string, request: RawRequest): Promise<RawResponse> {
  const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body);
  if (request.http2 === true) {
    return new Promise((resolve, reject) => {
      const session = http2.connect(url, { ...request.tls });
      session.on('error', reject);
      const stream = session.request({
        ':method': request.method ?? 'POST',
        ':path': request.path ?? '/',
        ...request.headers,
      });
      const chunks: Buffer[] = [];
      let headers: IncomingHttpHeaders = {};
      stream.on('response', (h) => (headers = h as IncomingHttpHeaders));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('end', () => {
        session.close();
        resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks), httpVersion: '2.0' });
      });
      stream.end(body);
    });
  }
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? (httpsRequest as typeof http.request) : http.request)(
      {
        host: u.hostname,
        port: u.port,
        method: request.method ?? 'POST',
        path: request.path ?? '/',
        headers: { ...request.headers, ...(body !== undefined ? { 'content-length': String(body.length) } : {}) },
        agent: false,
        ...request.tls,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), httpVersion: res.httpVersion }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}


