/**
 * The contract between the protocol layer and the services: a service is a spec (generated from the
 * AWS model) plus a table from operation name to handler, built by the composition root. Protocol code
 * never imports a service; services never import protocol code.
 */
import type { RequestContext } from './context.js';

export interface OperationSpec {
  /** e.g. "PutRecords" */
  readonly name: string;
  /** Shape name of the input structure, e.g. "PutRecordsInput" (a key of ServiceSpec.shapes). */
  readonly input: string;
  /** Shape name of the output structure, or undefined for operations with no output (Unit). */
  readonly output?: string | undefined;
  /** Names of the modeled errors. */
  readonly errors: readonly string[];
  /**
   * When the output has an event-stream member (SubscribeToShard): its member name. The handler's
   * output then carries an AsyncIterable<EventStreamEvent> in that member.
   */
  readonly eventStreamMember?: string | undefined;
}

export interface ServiceSpec {
  /** X-Amz-Target prefix, e.g. "Kinesis_20131202". */
  readonly targetPrefix: string;
  /** SigV4 signing name, e.g. "kinesis". */
  readonly signingName: string;
  readonly operations: Readonly<Record<string, OperationSpec>>;
}

/**
 * One event of an event stream, as a handler yields it: exactly one key, the union member name
 * (e.g. `{ SubscribeToShardEvent: {...} }`). A ServiceError thrown by the iterator becomes a modeled
 * exception event; anything else an InternalFailureException event.
 */
export type EventStreamEvent = Readonly<Record<string, unknown>>;

/**
 * A handler takes the validated, decoded input (blobs as Uint8Array, timestamps as Date) and returns
 * the output with Buffer/Uint8Array for blobs and Date for timestamps; the codec renders them per
 * protocol. It throws ServiceError for client-visible failures.
 */
export type OperationHandler = (input: unknown, context: RequestContext) => Promise<unknown>;

/** What the router is given for one service. Operations without a handler answer a clear error. */
export interface ServiceBinding {
  readonly spec: ServiceSpec;
  /**
   * Decode + validate a raw decoded body (JSON or CBOR value) into the typed input of `operation`.
   * Throws ServiceError (SerializationException / ValidationException).
   */
  readonly parseInput: (operation: string, raw: unknown, protocol: RequestContext['protocol']) => unknown;
  readonly handlers: Readonly<Partial<Record<string, OperationHandler>>>;
  /**
   * Operations whose outputs hold no blob or timestamp (model/plain-output.ts): the JSON codec may
   * render them with the native JSON.stringify. Optional; absent means "walk every output".
   */
  readonly plainOutputs?: ReadonlySet<string> | undefined;
  /**
   * Fast output path for hot operations over AWS JSON 1.1: the answer's bytes (or text), exactly what
   * the generic JSON codec would write for `output`, or undefined to let the codec write it.
   */
  readonly renderJsonOutput?: ((operation: string, output: unknown) => string | Buffer | undefined) | undefined;
  /**
   * Fast input path for hot operations: turn the raw request body straight into the operation's input,
   * skipping the generic decode and {@link parseInput}. It returns undefined whenever the generic path
   * must decide (anything unusual, any validation failure), so both paths give the same outcome for
   * every request. The returned input may be a special object; it then implements {@link PLAIN_INPUT}
   * for consumers that need the plain form (the audit log), and has the plain input's StreamName /
   * StreamARN-style identifying members as own properties (authorization reads those).
   */
  readonly scanInput?: ((operation: string, body: Buffer, protocol: RequestContext['protocol']) => unknown) | undefined;
}

/** Method of a scanned input (see {@link ServiceBinding.scanInput}) that builds the plain input it stands for. */
export const PLAIN_INPUT: unique symbol = Symbol('shardline.plainInput');

export interface HasPlainInput {
  [PLAIN_INPUT](): unknown;
}

export function hasPlainInput(value: unknown): value is HasPlainInput {
  return typeof value === 'object' && value !== null && typeof (value as Partial<HasPlainInput>)[PLAIN_INPUT] === 'function';
}

/**
 * Method of a scanned input whose buffers are reused once nothing reads them (model/buffer-pool.ts):
 * the router calls it exactly once, after the handler, the guard's audit record and the answer. The
 * input calls `then` (which gives the request body back) once its last holder is done, unless views
 * into its bytes escaped; then it never calls it.
 */
export const RELEASE_INPUT: unique symbol = Symbol('shardline.releaseInput');

export interface ReleasableInput {
  [RELEASE_INPUT](then?: () => void): void;
}

export function isReleasableInput(value: unknown): value is ReleasableInput {
  return typeof value === 'object' && value !== null && typeof (value as Partial<ReleasableInput>)[RELEASE_INPUT] === 'function';
}

/**
 * An output its handler already rendered in the request's protocol (only for requests whose input
 * came from {@link ServiceBinding.scanInput}): the router sends `json` as the body unchanged. For AWS
 * JSON 1.1 it is text, or its UTF-8 bytes (which spares the router measuring a long string); for CBOR
 * it is the CBOR bytes (the router refuses text for a CBOR request). The name is historical.
 */
export class RenderedJsonOutput {
  constructor(readonly json: string | Buffer) {}
}
