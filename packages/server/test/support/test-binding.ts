/**
 * A small Kinesis-shaped service binding for protocol-layer tests: it stands in for the real Kinesis
 * service so the codecs, router and listener can be tested through real clients on their own.
 *
 * - ListStreams → `{ StreamNames: [...names], HasMoreStreams: false }` (names from the options)
 * - DescribeStreamSummary → ResourceNotFoundException for every name except "known"
 * - GetRecords → one record echoing what was sent in ShardIterator, with a blob and a timestamp
 * - PutRecord → echoes the decoded input types (blob length, timestamp ms) in SequenceNumber/ShardId
 * - DescribeLimits → throws a plain Error (must become InternalFailureException, not leak)
 * - CreateStream → no output (200 `{}`)
 * - DeleteStream is in the spec without a handler (must answer "not implemented")
 *
 * parseInput is a minimal stand-in for the generated validator: base64 → bytes for `Data` in JSON,
 * and numbers → Date for `Timestamp` (seconds in JSON, milliseconds in CBOR).
 */
import type { RequestContext } from '../../src/model/context.js';
import type { OperationSpec, ServiceBinding } from '../../src/model/operation.js';
import { ServiceError } from '../../src/model/service-error.js';

export const FIXED_ARRIVAL = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
export const FIXED_DATA = Buffer.from([0, 1, 2, 250, 251, 255]);

function op(name: string): OperationSpec {
  return { name, input: `${name}Input`, output: `${name}Output`, errors: ['ResourceNotFoundException'] };
}

export interface TestBindingOptions {
  readonly streamNames?: readonly string[];
  /** Called with every handler's context (to inspect region, account, protocol, …). */
  readonly onContext?: (operation: string, context: RequestContext) => void;
}

export function createTestKinesisBinding(options: TestBindingOptions = {}): ServiceBinding {
  const names = options.streamNames ?? ['alpha', 'beta'];
  const seen = (operation: string, context: RequestContext): void => options.onContext?.(operation, context);
  return {
    spec: {
      targetPrefix: 'Kinesis_20131202',
      signingName: 'kinesis',
      operations: Object.fromEntries(
        ['ListStreams', 'DescribeStreamSummary', 'GetRecords', 'PutRecord', 'DescribeLimits', 'CreateStream', 'DeleteStream'].map((n) => [n, op(n)]),
      ),
    },
    parseInput(operation, raw, protocol) {
      const input = { ...(raw as Record<string, unknown>) };
      if (typeof input.Data === 'string') {
        if (protocol !== 'json') throw new ServiceError('SerializationException', 'Data must be a byte string');
        input.Data = Buffer.from(input.Data, 'base64');
      }
      if (typeof input.Timestamp === 'number') {
        input.Timestamp = new Date(protocol === 'json' ? input.Timestamp * 1000 : input.Timestamp);
      }
      if (operation === 'DescribeStreamSummary' && typeof input.StreamName !== 'string') {
        throw new ServiceError('ValidationException', "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null");
      }
      return input;
    },
    handlers: {
      async ListStreams(_input, context) {
        seen('ListStreams', context);
        return { StreamNames: [...names], HasMoreStreams: false, NextToken: undefined };
      },
      async DescribeStreamSummary(input, context) {
        seen('DescribeStreamSummary', context);
        const name = (input as { StreamName: string }).StreamName;
        if (name !== 'known') {
          throw new ServiceError('ResourceNotFoundException', `Stream ${name} under account ${context.caller.accountId} not found.`);
        }
        return { StreamDescriptionSummary: { StreamName: name, StreamCreationTimestamp: FIXED_ARRIVAL } };
      },
      async GetRecords(input, context) {
        seen('GetRecords', context);
        const iterator = (input as { ShardIterator?: unknown }).ShardIterator;
        return {
          Records: [
            {
              SequenceNumber: '49590338271490256608559692538361571095921575989136588898',
              ApproximateArrivalTimestamp: FIXED_ARRIVAL,
              Data: FIXED_DATA,
              PartitionKey: typeof iterator === 'string' ? iterator : 'pk',
              EncryptionType: undefined,
            },
          ],
          NextShardIterator: 'next',
          MillisBehindLatest: 0,
        };
      },
      async PutRecord(input, context) {
        seen('PutRecord', context);
        const { Data, Timestamp } = input as { Data?: unknown; Timestamp?: unknown };
        return {
          ShardId: `bytes:${Data instanceof Uint8Array ? Buffer.from(Data).toString('hex') : typeof Data}`,
          SequenceNumber: `ms:${Timestamp instanceof Date ? Timestamp.getTime() : typeof Timestamp}`,
        };
      },
      async DescribeLimits(_input, context) {
        seen('DescribeLimits', context);
        throw new Error('secret internal detail: disk /dev/sda1 on fire');
      },
      async CreateStream(_input, context) {
        seen('CreateStream', context);
        return undefined;
      },
    },
  };
}
