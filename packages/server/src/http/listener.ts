/**
 * The listener: one port for every client.
 *
 * - Plaintext: a `net.Server` reads the first bytes of each connection. If they are the HTTP/2
 *   connection preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (RFC 9113 §3.4, "prior knowledge", what the JS
 *   SDK v3 and Java's async client send to an http:// endpoint) the socket goes to an `http2` server,
 *   otherwise to an HTTP/1.1 server (botocore, the AWS CLI, the Firehose JS client, curl). The bytes read
 *   are put back with `unshift` before the hand-over.
 * - TLS: `http2.createSecureServer({ allowHTTP1: true })`, so ALPN picks h2 or http/1.1.
 *
 * Both paths share one request handler (Node's compatibility API): `GET /health` and `GET /ready` are
 * answered here, everything else is read (within the body limit) and handed to the protocol router.
 *
 * The JS SDK opens a new HTTP/2 session per request, so per-connection work is kept to the sniff and
 * two listeners. Shutdown: stop accepting, send GOAWAY / `Connection: close`, let in-flight requests
 * finish within a grace period, then abort what is left and destroy the sockets.
 */
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import http2 from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse, Http2Session } from 'node:http2';
import net from 'node:net';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';
import { ServiceError } from '../model/service-error.js';
import { requestBuffers } from '../model/buffer-pool.js';
import type { AwsProtocolRouter, ProtocolRequest, ResponseSink } from '../protocol/router.js';
import type { TlsMaterial } from './tls.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly tls?: TlsMaterial | undefined;
  readonly maxBodyBytes: number;
  readonly maxHeaderBytes: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly router: AwsProtocolRouter;
  /** Readiness for `GET /ready` (storage open and not shutting down). */
  readonly isReady: () => boolean;
  readonly logger: Logger;
  /** Routes served beside the AWS router (metrics: `GET /metrics`, CloudWatch-compatible reads). */
  readonly sideRoutes?: SideRoutes | undefined;
}

export interface SideResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

/** Requests answered outside the AWS protocol router (implemented by metrics/http-routes.ts). */
export interface SideRoutes {
  /** The answer to `GET path`, or undefined when the path is not a side route. */
  get(path: string): Promise<SideResponse> | undefined;
  /** True when a request with these headers belongs to the side routes rather than the router. */
  claims(headers: IncomingHttpHeaders): boolean;
  /** Answer a claimed request (after its body is read within the limit). */
  post(headers: IncomingHttpHeaders, body: Buffer): Promise<SideResponse>;
}

export interface ListeningAddress {
  readonly url: string;
  readonly port: number;
}

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

/**
 * One request's lifetime. Its AbortSignal is created only when something reads it (creating one costs
 * more than the rest of the listener's per-request work); an abort before that is remembered.
 */
class RequestLifetime {
  private controller: AbortController | undefined;
  private abortReason: unknown;
  private aborted = false;

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}

/**
 * A request as handed to the router. `signal` is a getter on the class, not in an object literal: a
 * literal with a getter gets a fresh accessor closure and hidden class per request, and the old-space
 * hidden class keeps the closure (and the request, response and body) alive through young-generation
 * collections, so every request ended up promoted to the old generation.
 */
class ListenerRequest implements ProtocolRequest {
  readonly #lifetime: RequestLifetime;
  /** The pooled buffer the body is a view of (see {@link assembleBody}), until it is given back. */
  #pooled: Buffer | undefined;

  constructor(
    readonly headers: IncomingHttpHeaders,
    readonly body: Buffer,
    readonly sourceIp: string,
    readonly secure: boolean,
    lifetime: RequestLifetime,
    readonly method: string | undefined,
    readonly url: string | undefined,
    pooled: Buffer | undefined,
  ) {
    this.#lifetime = lifetime;
    this.#pooled = pooled;
  }

  get signal(): AbortSignal {
    return this.#lifetime.signal;
  }

  releaseBody(): void {
    const pooled = this.#pooled;
    this.#pooled = undefined;
    if (pooled !== undefined) requestBuffers.releaseArena(pooled);
  }
}

/** Bodies from this size up are assembled in a reused buffer (model/buffer-pool.ts). */
const POOLED_BODY_BYTES = 64 * 1024;

/** Set by {@link assembleBody}: the pooled buffer the body it returned is a view of, if any. */
let assembledFrom: Buffer | undefined;

/** The body from its chunks: one chunk as is; large bodies in a reused buffer; others by Buffer.concat. */
function assembleBody(chunks: readonly Buffer[], bytes: number): Buffer {
  assembledFrom = undefined;
  if (chunks.length === 1) return chunks[0];
  if (bytes < POOLED_BODY_BYTES) return Buffer.concat(chunks, bytes);
  const pooled = requestBuffers.acquireArena(bytes);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(pooled, at);
  assembledFrom = pooled;
  return pooled.subarray(0, bytes);
}

/** Bodies this much over the limit are not drained (the connection is cut after the 413). */
const DRAIN_FACTOR = 2;

function bodyTooLarge(limit: number): ServiceError {
  return new ServiceError('RequestEntityTooLargeException', `Request body exceeds the server limit of ${limit} bytes`);
}

export class HttpListener {
  private readonly h1: http.Server;
  private readonly h2: http2.Http2Server | undefined;
  private readonly outer: net.Server;
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<Http2Session>();
  private readonly inflight = new Set<RequestLifetime>();
  private closing = false;
  private closePromise: Promise<void> | undefined;

  constructor(private readonly options: ListenerOptions) {
    const handler = (req: AnyRequest, res: AnyResponse): void => this.onRequest(req, res);
    const h2Settings = { maxHeaderListSize: options.maxHeaderBytes, maxConcurrentStreams: 256 };
    this.h1 = http.createServer(
      {
        maxHeaderSize: options.maxHeaderBytes,
        requestTimeout: options.requestTimeoutMs,
        headersTimeout: Math.min(options.requestTimeoutMs, 60_000),
        keepAliveTimeout: options.keepAliveTimeoutMs,
        // how often Node checks the header/request timeouts (its default, 30 s, is coarser than short timeouts)
        connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(options.requestTimeoutMs / 4))),
        noDelay: true,
      },
      handler,
    );
    this.h1.on('clientError', (err: Error & { code?: string }, socket: Socket) => this.onClientError(err, socket));
    // This server never listens itself (sockets are handed to it), but Node only starts enforcing
    // headersTimeout/requestTimeout (its connection-checking interval) on 'listening'.
    this.h1.emit('listening');
    if (options.tls === undefined) {
      this.h2 = http2.createServer({ settings: h2Settings, maxSessionMemory: 32 }, handler);
      this.h2.setTimeout(options.keepAliveTimeoutMs);
      this.h2.on('session', (session: Http2Session) => this.trackSession(session));
      this.outer = net.createServer({ noDelay: true }, (socket) => this.sniff(socket));
    } else {
      const secure = http2.createSecureServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          allowHTTP1: true,
          settings: h2Settings,
          maxSessionMemory: 32,
          maxHeaderSize: options.maxHeaderBytes,
        } as http2.SecureServerOptions,
        handler,
      );
      secure.setTimeout(options.keepAliveTimeoutMs);
      secure.on('session', (session: Http2Session) => this.trackSession(session));
      secure.on('connection', (socket: Socket) => this.trackSocket(socket));
      secure.on('tlsClientError', (err: Error) => options.logger.debug('tls client error', { error: err.message }));
      this.h2 = undefined;
      this.outer = secure;
    }
    this.outer.on('error', (err) => options.logger.error('listener error', { error: err }));
  }

  listen(): Promise<ListeningAddress> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.outer.once('error', onError);
      this.outer.listen({ host: this.options.host, port: this.options.port }, () => {
        this.outer.removeListener('error', onError);
        const address = this.outer.address() as AddressInfo;
        const scheme = this.options.tls === undefined ? 'http' : 'https';
        const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve({ url: `${scheme}://${host}:${address.port}`, port: address.port });
      });
    });
  }

  /** Requests being served right now. */
  get inFlightCount(): number {
    return this.inflight.size;
  }

  /**
   * Graceful stop: no new connections, GOAWAY on HTTP/2 sessions, `Connection: close` on HTTP/1.1;
   * in-flight requests get `graceMs` to finish, then their signals are aborted and sockets destroyed.
   */
  close(graceMs: number): Promise<void> {
    this.closePromise ??= this.doClose(graceMs);
    return this.closePromise;
  }

  private async doClose(graceMs: number): Promise<void> {
    this.closing = true;
    const closed = new Promise<void>((resolve) => this.outer.close(() => resolve()));
    for (const session of this.sessions) session.close();
    this.h1.closeIdleConnections();
    await this.waitForInFlight(graceMs);
    if (this.inflight.size > 0) {
      this.options.logger.warn('shutdown grace period over; aborting requests still in flight', { requests: this.inflight.size });
      for (const request of this.inflight) request.abort(new Error('server shutting down'));
      await this.waitForInFlight(1000);
    }
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    // stops the HTTP/1.1 connection-checking interval (the "not running" error is expected)
    this.h1.close(() => {});
    await closed;
  }

  private waitForInFlight(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const deadline = Date.now() + ms;
      const tick = (): void => {
        this.h1.closeIdleConnections();
        if (this.inflight.size === 0 || Date.now() >= deadline) resolve();
        else setTimeout(tick, 20);
      };
      tick();
    });
  }

  private trackSocket(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket)); // 'on': closes once; once() costs a removeListener
  }

  private trackSession(session: Http2Session): void {
    this.sessions.add(session);
    session.on('close', () => this.sessions.delete(session)); // 'on': closes once; once() costs a removeListener
    // A session error (protocol violation, reset) ends that connection only.
    session.on('error', (err: Error) => this.options.logger.debug('http2 session error', { error: err.message }));
    if (this.closing) session.close();
  }

  /** Read just enough of a new plaintext connection to tell HTTP/2 prior knowledge from HTTP/1.1. */
  private sniff(socket: Socket): void {
    this.trackSocket(socket);
    if (this.closing) {
      socket.destroy();
      return;
    }
    let seen: Buffer | undefined;
    // Listeners are inline (under tsx a function kept in a named const costs a __name() call per
    // connection, and the JS SDK opens a connection per request). The socket was just accepted, so
    // the only 'data'/'error'/'timeout' listeners on it are these, removed together below.
    socket.setTimeout(this.options.requestTimeoutMs, () => {
      socket.destroy();
    });
    socket.on('error', () => {
      socket.destroy(); // reset before the first bytes: nothing to answer
    });
    socket.on('data', (chunk: Buffer) => {
      seen = seen === undefined ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, H2_PREFACE.length);
      const prefixMatches = seen.compare(H2_PREFACE, 0, n, 0, n) === 0;
      if (prefixMatches && seen.length < H2_PREFACE.length) return; // could still be HTTP/2: wait
      socket.removeAllListeners('data');
      socket.removeAllListeners('error');
      socket.removeAllListeners('timeout');
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(seen);
      // Both servers must see the socket paused with the bytes back in its buffer: the HTTP/2
      // session reads the buffered preface itself and takes over the handle; the HTTP/1.1 server
      // parses from 'data' events, so it needs the stream flowing again.
      if (prefixMatches) {
        this.h2?.emit('connection', socket);
      } else {
        this.h1.emit('connection', socket);
        socket.resume();
      }
    });
  }

  private onClientError(err: Error & { code?: string }, socket: Socket): void {
    // Malformed request line or headers, header block too large, request timeout: answer with the
    // matching status if the socket can still take it, never crash.
    if (socket.writable && !socket.writableEnded) {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large'
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout'
        : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
    this.options.logger.debug('http client error', { code: err.code, error: err.message });
  }

  private onRequest(req: AnyRequest, res: AnyResponse): void {
    const lifetime = new RequestLifetime();
    this.inflight.add(lifetime);
    // 'on', not 'once': the response emits 'close' once and is then dropped, and once() would add a
    // removeListener per request (measured: the costliest listener call on the HTTP/2 path).
    res.on('close', () => {
      this.inflight.delete(lifetime);
      // writableEnded, not writableFinished: Http2ServerResponse reports finished once its stream closes
      if (!res.writableEnded) lifetime.abort(new Error('client closed the connection'));
    });
    if (this.closing && req.httpVersionMajor === 1) (res as ServerResponse).shouldKeepAlive = false;

    const url = req.url;
    if (req.method === 'GET' && (url === '/health' || url === '/ready')) {
      this.health(url, res);
      return;
    }
    const side = req.method === 'GET' ? this.options.sideRoutes?.get(url ?? '') : undefined;
    if (side !== undefined) {
      this.sideResponse(side, res);
      return;
    }
    this.readBody(req, res, lifetime);
  }

  private sideResponse(answer: Promise<SideResponse>, res: AnyResponse): void {
    answer.then(
      (r) => {
        (res as ServerResponse).writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
        res.end(r.body);
      },
      (error: unknown) => {
        this.options.logger.error('side route failed', { error });
        res.destroy();
      },
    );
  }

  private health(url: string, res: AnyResponse): void {
    const ok = url === '/health' || (!this.closing && this.options.isReady());
    const body = url === '/health' ? '{"status":"ok"}' : ok ? '{"status":"ready"}' : '{"status":"not ready"}';
    (res as ServerResponse).writeHead(ok ? 200 : 503, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  }

  private readBody(req: AnyRequest, res: AnyResponse, lifetime: RequestLifetime): void {
    const sink = res as unknown as ResponseSink;
    const headers: IncomingHttpHeaders = req.headers;
    const limit = this.options.maxBodyBytes;
    const declared = headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
    if (declared !== undefined && declared > limit * DRAIN_FACTOR) {
      // Not worth reading: answer now and drop the connection (HTTP/1.1) or the stream (HTTP/2).
      this.options.router.reject(headers, sink, bodyTooLarge(limit), req.httpVersionMajor === 1 ? { connection: 'close' } : undefined);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let over = declared !== undefined && declared > limit;
    let done = false;
    // HTTP/1.1: Node's own requestTimeout bounds receiving the whole request. HTTP/2 has no such
    // bound per stream, so a stalled body is cut here.
    const timer =
      req.httpVersionMajor === 1
        ? undefined
        : setTimeout(() => {
            if (done) return;
            done = true;
            this.options.logger.debug('request body timeout', { received });
            req.destroy();
            res.destroy();
          }, this.options.requestTimeoutMs);
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) {
        over = true;
        chunks.length = 0; // discard: keep draining so the client can read the 413
        if (received > limit * DRAIN_FACTOR && !done) {
          done = true;
          clearTimeout(timer);
          this.options.router.reject(headers, sink, bodyTooLarge(limit), req.httpVersionMajor === 1 ? { connection: 'close' } : undefined);
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    // The client reset or hung up mid-body: nobody to answer. (Callbacks are written inline on this
    // path: under tsx, a function stored in a named const gets a per-call __name() wrapper.)
    req.on('error', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
    });
    req.on('aborted', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (over) {
        this.options.router.reject(headers, sink, bodyTooLarge(limit));
        return;
      }
      const body = assembleBody(chunks, received);
      const pooled = assembledFrom;
      const side = this.options.sideRoutes;
      if (side?.claims(headers)) {
        this.sideResponse(side.post(headers, body), res);
        return;
      }
      const request = new ListenerRequest(headers, body, req.socket?.remoteAddress ?? '', this.options.tls !== undefined, lifetime, req.method, req.url, pooled);
      // handle() writes every failure as an error response; a rejection here would be a bug in it.
      this.options.router.handle(request, sink).catch((error: unknown) => {
        this.options.logger.error('router failed', { error });
        res.destroy();
      });
    });
  }
}
