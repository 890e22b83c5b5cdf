/**
 * Builds the Kinesis service for the composition root: the environment shared by all operations, the
 * handler table (control plane + data plane), and the background duties (state transitions,
 * retention, on-demand scaling), with one close() for shutdown.
 */
import { renderGetRecordsJson } from './get-records-render.js';
import { scanPutRecordsJson } from './put-records-scan.js';
import { scanPutRecordsCbor } from './put-records-scan-cbor.js';
import { kinesisPlainOutputs, kinesisServiceSpec, parseKinesisInput } from '../model/kinesis.js';
import type { OperationHandler, ServiceBinding } from '../model/operation.js';
import { controlPlane } from './control-plane.js';
import { dataPlane } from './data-plane.js';
import { fanOut } from './fan-out.js';
import type { KinesisDeps, KinesisEnv } from './env.js';
import { StreamStore } from './stream-store.js';
import { ShardUsageMeter } from './usage.js';

export interface KinesisService {
  readonly binding: ServiceBinding;
  readonly env: KinesisEnv;
  /**
   * Called when the server stops accepting requests: ends long-lived work (event-stream
   * subscriptions) so that in-flight requests can finish well inside the shutdown grace period.
   */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/** A part of the service: its handlers and an optional close for its background work. */
export interface KinesisPart {
  readonly handlers: Readonly<Record<string, OperationHandler>>;
  /** End long-lived requests (subscriptions) at shutdown; see KinesisService.drain. */
  drain?(): Promise<void>;
  close?(): Promise<void>;
}

/** Optional steps over the handler table (the composition root passes metrics counting here). */
export interface KinesisBindingOptions {
  /** Wrap the handler table, e.g. to count calls (metrics/instrument-kinesis.ts). */
  readonly instrument?: ((handlers: Readonly<Record<string, OperationHandler>>, streams: StreamStore) => Record<string, OperationHandler>) | undefined;
}

/** The fast input path (model/operation.ts `scanInput`): PutRecords over JSON and over CBOR. */
function scanKinesisInput(operation: string, body: Buffer, protocol: 'json' | 'cbor'): unknown {
  if (operation !== 'PutRecords') return undefined;
  return protocol === 'json' ? scanPutRecordsJson(body) : scanPutRecordsCbor(body);
}

/** The fast output path (model/operation.ts `renderJsonOutput`): GetRecords over JSON. */
function renderKinesisJsonOutput(operation: string, output: unknown): Buffer | undefined {
  return operation === 'GetRecords' ? renderGetRecordsJson(output) : undefined;
}

export async function createKinesisBinding(deps: KinesisDeps, options: KinesisBindingOptions = {}): Promise<KinesisService> {
  const streams = new StreamStore(deps.storage.metadata, deps.storage.logs, deps.clock, deps.logger.child({ service: 'kinesis' }));
  const env: KinesisEnv = { ...deps, streams, usage: new ShardUsageMeter() };
  const parts: KinesisPart[] = [await controlPlane(env), await dataPlane(env), await fanOut(env)];
  const handlers: Record<string, OperationHandler> = {};
  for (const part of parts) Object.assign(handlers, part.handlers);
  const served = options.instrument ? options.instrument(handlers, streams) : handlers;
  return {
    env,
    binding: {
      spec: kinesisServiceSpec,
      parseInput: parseKinesisInput,
      handlers: served,
      plainOutputs: kinesisPlainOutputs,
      scanInput: scanKinesisInput,
      renderJsonOutput: renderKinesisJsonOutput,
    },
    async drain() {
      for (const part of parts) await part.drain?.();
    },
    async close() {
      for (const part of [...parts].reverse()) await part.close?.();
    },
  };
}
