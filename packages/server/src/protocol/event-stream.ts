/**
 * `application/vnd.amazon.eventstream`: message framing and writing an event stream (SubscribeToShard)
 * to an HTTP/1.1 or HTTP/2 response.
 *
 * Message layout (https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html, "Event stream
 * encoding"), all integers big-endian, CRC-32 = IEEE 802.3:
 *
 *   | total length u32 | headers length u32 | prelude CRC u32 (bytes 0..8) |
 *   | headers (name_len u8, name, type u8, value)* | payload | message CRC u32 (bytes 0..total-4) |
 *
 * Framing is done by `@smithy/eventstream-codec`, not by hand. The messages Kinesis emits
 * (API_SubscribeToShard; wire notes B.4):
 *
 *   initial-response   :message-type=event      :event-type=initial-response   :content-type=<protocol>  payload {}
 *   event              :message-type=event      :event-type=<union member>     :content-type=<protocol>  payload = member
 *   modeled exception  :message-type=exception  :exception-type=<error name>   :content-type=<protocol>  payload {"message"}
 *
 * Back-pressure: the writer pulls the next event only after the previous one was accepted by the
 * response (`write()` returned true, or 'drain' fired), so a slow reader is held back by TCP / HTTP/2
 * flow control and at most one event per subscription is ever buffered here.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { Logger } from '../logger.js';
import type { EventStreamEvent } from '../model/operation.js';
import { isServiceError } from '../model/service-error.js';
import { CBOR_CONTENT_TYPE } from './cbor-codec.js';
import type { EventStreamResponder, ResponseSink } from './router.js';
import type { WireCodec } from './wire-protocol.js';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function stringHeader(value: string): { type: 'string'; value: string } {
  return { type: 'string', value };
}

/** Frame one message. */
export function encodeEventStreamMessage(headers: MessageHeaders, payload: Uint8Array): Uint8Array {
  return codec.encode({ headers, body: payload });
}

/** Decode one complete message (tests and tools); throws on a bad length or CRC. */
export function decodeEventStreamMessage(bytes: Uint8Array): { headers: MessageHeaders; body: Uint8Array } {
  return codec.decode(bytes);
}

/** An `event` message (`initial-response` or a union member such as `SubscribeToShardEvent`). */
export function encodeEventMessage(eventType: string, payload: Uint8Array, payloadContentType: string): Uint8Array {
  return encodeEventStreamMessage(
    {
      ':message-type': stringHeader('event'),
      ':event-type': stringHeader(eventType),
      ':content-type': stringHeader(payloadContentType),
    },
    payload,
  );
}

/** A modeled `exception` message; `payload` is the encoded `{"message": …}` structure. */
export function encodeExceptionMessage(exceptionType: string, payload: Uint8Array, payloadContentType: string): Uint8Array {
  return encodeEventStreamMessage(
    {
      ':message-type': stringHeader('exception'),
      ':exception-type': stringHeader(exceptionType),
      ':content-type': stringHeader(payloadContentType),
    },
    payload,
  );
}

/**
 * The exceptions a SubscribeToShard stream may carry (members of SubscribeToShardEventStream). Any
 * other error becomes InternalFailureException.
 */
const inStreamExceptions: ReadonlySet<string> = new Set([
  'ResourceNotFoundException',
  'ResourceInUseException',
  'KMSDisabledException',
  'KMSInvalidStateException',
  'KMSAccessDeniedException',
  'KMSNotFoundException',
  'KMSOptInRequired',
  'KMSThrottlingException',
  'InternalFailureException',
]);

/**
 * What {@link writeEventStream} writes to: the common part of `http.ServerResponse` and
 * `http2.Http2ServerResponse` (both are Writables).
 */
export interface EventStreamTarget {
  writeHead(statusCode: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener(event: 'drain' | 'close', listener: () => void): unknown;
  destroy(): unknown;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
}

export interface EventStreamWriteOptions {
  /** Extra response headers (x-amzn-RequestId, …); content-type is set here. */
  readonly headers: Readonly<Record<string, string>>;
  /** `:content-type` of every payload: application/json or application/x-amz-cbor-1.1. */
  readonly payloadContentType: string;
  /** Encoded payload of the initial-response message (the output without its stream member: `{}`). */
  readonly initialResponse: Uint8Array;
  readonly events: AsyncIterable<EventStreamEvent>;
  /** Encode an event member (e.g. the SubscribeToShardEvent structure) or an exception `{message}`. */
  encodePayload(memberName: string, value: unknown): Uint8Array;
  /** Called with an unexpected (non-ServiceError) failure before it is sent as InternalFailureException. */
  onInternalError(err: unknown): void;
}

/** How long a response whose client stopped reading may linger after its stream ended. */
const STALLED_END_GRACE_MS = 10_000;

type Settled = { readonly ok: true; readonly result: IteratorResult<EventStreamEvent> } | { readonly ok: false; readonly error: unknown };

function settle(p: Promise<IteratorResult<EventStreamEvent>>): Promise<Settled> {
  return p.then(
    (result) => ({ ok: true, result }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/**
 * Answer 200 with an event stream: initial-response, then each event the source yields, then end the
 * response. An error thrown by the source becomes an exception message and ends the stream. When the
 * client goes away the source's iterator is closed (`return()`), so it can release its resources.
 *
 * While the client is not taking data (write() returned false), at most one further event is
 * requested from the source; if the source ends meanwhile (lifetime over, taken over), the final
 * message is queued, the response ended, and destroyed if the client still has not read it after a
 * grace period — so a stalled client never pins a subscription.
 * Resolves when the response is finished or the client is gone; never rejects.
 */
export async function writeEventStream(target: EventStreamTarget, options: EventStreamWriteOptions): Promise<void> {
  const iterator = options.events[Symbol.asyncIterator]();
  let gone = false;
  let onGone: (() => void) | undefined;
  const onClose = (): void => {
    gone = true;
    onGone?.();
    // Close the source even while its next() is pending (it may be waiting for records).
    closeIterator(iterator);
  };
  target.once('close', onClose);

  /** Resolves true once the target can take more, false when the client is gone. */
  const drained = (): Promise<boolean> =>
    new Promise<boolean>((resolve) => {
      if (gone || target.destroyed) {
        resolve(false);
        return;
      }
      const onDrain = (): void => {
        onGone = undefined;
        resolve(true);
      };
      onGone = () => {
        target.removeListener('drain', onDrain);
        onGone = undefined;
        resolve(false);
      };
      target.once('drain', onDrain);
    });

  const write = (bytes: Uint8Array): boolean => {
    if (gone || target.destroyed || target.writableEnded) return false;
    return target.write(bytes);
  };

  let stalledAtEnd = false;
  try {
    target.writeHead(200, { ...options.headers, 'content-type': EVENT_STREAM_CONTENT_TYPE });
    let accepted = write(encodeEventMessage('initial-response', options.initialResponse, options.payloadContentType));
    while (!gone) {
      const next = settle(iterator.next());
      if (!accepted) {
        const drain = drained();
        const first = await Promise.race([drain.then((ok) => ({ drained: ok })), next]);
        if ('drained' in first) {
          if (!first.drained) return;
        } else if (first.ok && !first.result.done) {
          // One event is ready; hold it until the client takes more.
          if (!(await drain)) return;
        } else {
          stalledAtEnd = true;
        }
      }
      const settled = await next;
      if (gone) return;
      if (!settled.ok) {
        write(exceptionFor(settled.error, options));
        return;
      }
      if (settled.result.done) return;
      const event = settled.result.value;
      const memberName = Object.keys(event)[0];
      if (memberName === undefined) continue;
      accepted = write(frameFor(memberName, event[memberName], options));
    }
  } catch (err) {
    // Encoding failed (a bug): tell the client if it is still there.
    write(exceptionFor(err, options));
  } finally {
    target.removeListener('close', onClose);
    if (!gone) closeIterator(iterator);
    if (!target.writableEnded && !target.destroyed) target.end();
    if (stalledAtEnd && !gone && !target.destroyed) {
      const timer = setTimeout(() => {
        if (!target.destroyed) target.destroy();
      }, STALLED_END_GRACE_MS);
      timer.unref();
      target.once('close', () => clearTimeout(timer));
    }
  }
}

/**
 * Frames already encoded, by event member object: when a source hands the same (immutable) event to
 * many streams — the subscribers of one shard, caught up, getting the same new records — it is
 * encoded and framed once per payload content type.
 */
const frameCache = new WeakMap<object, { readonly memberName: string; readonly contentType: string; readonly frame: Uint8Array }>();

function frameFor(memberName: string, value: unknown, options: EventStreamWriteOptions): Uint8Array {
  const cacheable = typeof value === 'object' && value !== null;
  if (cacheable) {
    const hit = frameCache.get(value);
    if (hit && hit.memberName === memberName && hit.contentType === options.payloadContentType) return hit.frame;
  }
  const frame = encodeEventMessage(memberName, options.encodePayload(memberName, value), options.payloadContentType);
  if (cacheable) frameCache.set(value, { memberName, contentType: options.payloadContentType, frame });
  return frame;
}

function exceptionFor(err: unknown, options: EventStreamWriteOptions): Uint8Array {
  let name = 'InternalFailureException';
  let message = 'Internal service failure.';
  if (isServiceError(err) && inStreamExceptions.has(err.code)) {
    name = err.code;
    message = err.message;
  } else {
    options.onInternalError(err);
  }
  return encodeExceptionMessage(name, options.encodePayload(name, { message }), options.payloadContentType);
}

function closeIterator(iterator: AsyncIterator<EventStreamEvent>): void {
  if (!iterator.return) return;
  // The source's cleanup failing must not break the response; there is nobody left to tell.
  iterator.return().catch(() => undefined);
}

/** `:content-type` of event payloads: JSON for JSON requests, CBOR for CBOR requests (wire notes B.4). */
export function payloadContentTypeFor(codec: WireCodec): string {
  return codec.protocol === 'cbor' ? CBOR_CONTENT_TYPE : 'application/json';
}

function toBytes(body: Buffer | string): Uint8Array {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function isEventStreamTarget(response: ResponseSink): response is ResponseSink & EventStreamTarget {
  const r = response as Partial<EventStreamTarget>;
  return typeof r.once === 'function' && typeof r.removeListener === 'function' && typeof r.destroy === 'function';
}

function isAsyncIterable(value: unknown): value is AsyncIterable<EventStreamEvent> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * The router's hook for operations with an event-stream output member: writes the handler's output as
 * an event stream, payloads encoded with the request's codec (the same encoders as every response).
 */
export function createEventStreamResponder(logger: Logger): EventStreamResponder {
  return async ({ operation, output, context, codec, baseHeaders, response }) => {
    const member = operation.eventStreamMember;
    const events = member === undefined ? undefined : output[member];
    if (member === undefined || !isAsyncIterable(events)) {
      throw new Error(`${operation.name} handler returned no event stream in its output`);
    }
    if (!isEventStreamTarget(response)) throw new Error('the response cannot stream (no drain/close events)');
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(output)) if (key !== member) rest[key] = value;
    await writeEventStream(response, {
      headers: baseHeaders,
      payloadContentType: payloadContentTypeFor(codec),
      initialResponse: toBytes(codec.encode(rest)),
      events,
      encodePayload: (_memberName, value) => toBytes(codec.encode(value)),
      onInternalError: (err) => logger.error('event stream failed', { requestId: context.requestId, operation: operation.name, err }),
    });
  };
}
