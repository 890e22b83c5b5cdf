/**
 * PutRecords: up to 500 records (10 MiB per request including partition keys), each routed to the
 * open shard whose hash key range contains MD5(partition key) or its ExplicitHashKey. Results come
 * back in request order; each entry either succeeds (ShardId, SequenceNumber) or fails on its own
 * (ErrorCode ProvisionedThroughputExceededException or InternalFailure, with ErrorMessage) — never all
 * or nothing, never a silent drop.
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html
 *
 * Entries are grouped by shard and each shard's group is appended as one batch (one await per shard,
 * all shards in parallel).
 *
 * Two input forms share one write path: the generic PutRecordsInput, and the fast path's
 * {@link ScannedPutRecords} (JSON and CBOR requests scanned from their bytes: packed records, routed by
 * the MD5 of the key bytes, appended without an object per record, the answer rendered as JSON text or
 * CBOR bytes).
 */
import type { RequestContext } from '../../model/context.js';
import type { PutRecordsInput, PutRecordsOutput, PutRecordsResultEntry } from '../../model/generated/kinesis-types.js';
import { RenderedJsonOutput } from '../../model/operation.js';
import { ServiceError } from '../../model/service-error.js';
import type { AppendRecord, AppendResult, PackedAppend, ShardLog } from '../../storage/contract.js';
import { StorageError, StorageErrorCode, unpackAppend } from '../../storage/contract.js';
import type { Versioned } from '../../storage/contract.js';
import type { DataPlaneContext, WriteSlotState } from '../data-plane.js';
import { dryRunSucceeded, requireReadableOrWritable } from '../data-plane.js';
import type { ScannedPutRecords } from '../put-records-scan.js';
import type { ShardRecord, StreamRecord } from '../records.js';
import { RecordDistributionStrategy } from '../records.js';
import type { RoutingTable } from '../routing.js';
import { explicitHashKeyWords, md5HashKey, md5HashKeyOfBytes } from '../routing.js';
import type { SequenceNumberEncoder } from '../sequence-number.js';
import { SEQUENCE_NUMBER_V3_DIGITS, encodeSequenceNumber, sequenceNumberEncoder } from '../sequence-number.js';
import { RECORD_FLAG_KMS } from '../shard-reader.js';

export type { PutRecordsInput, PutRecordsOutput, PutRecordsResultEntry };

/** Most bytes (data + partition keys) of one PutRecords request. */
export const MAX_PUT_RECORDS_BYTES = 10 * 1024 * 1024;
/** Most entries of one PutRecords request. */
export const MAX_PUT_RECORDS_ENTRIES = 500;
/** How often a write is re-routed after its shard closed under it (split/merge in flight). */
const MAX_REROUTES = 5;

const INTERNAL_FAILURE_MESSAGE = 'Internal Service Failure';

/** Size of a record as the limits count it: data blob plus partition key (UTF-8). */
export function recordSize(data: Uint8Array, partitionKey: string | undefined): number {
  return data.length + (partitionKey === undefined ? 0 : Buffer.byteLength(partitionKey, 'utf8'));
}

export function throttledMessage(stream: StreamRecord, shardId: string): string {
  return `Rate exceeded for shard ${shardId} in stream ${stream.name} under account ${stream.accountId}.`;
}

export function recordTooLarge(stream: StreamRecord, size: number): ServiceError {
  return new ServiceError(
    'InvalidArgumentException',
    `Record size ${size} bytes (data blob plus partition key) exceeds the maximum record size of ${stream.maxRecordSizeKiB} KiB for stream ${stream.name} under account ${stream.accountId}.`,
  );
}

export function isAutoDistribution(stream: StreamRecord): boolean {
  return stream.recordDistributionStrategy === RecordDistributionStrategy.AUTO;
}

/** Reused for every routed record (routing is synchronous). */
const routeScratch = new Uint32Array(4);

/**
 * Slot index of a record in the routing table; throws InvalidArgumentException for a bad
 * ExplicitHashKey or a missing partition key, InternalFailure for a gap in the open shards.
 */
export function routeRecord<T>(
  table: RoutingTable<T>,
  stream: StreamRecord,
  partitionKey: string | undefined,
  explicitHashKey: string | undefined,
): number {
  if (table.slots.length === 0) throw new ServiceError('InternalFailureException', 'The stream has no open shard.');
  if (isAutoDistribution(stream)) return table.nextAutoIndex();
  let key: Uint32Array;
  if (explicitHashKey !== undefined) {
    const k = explicitHashKeyWords(explicitHashKey, routeScratch);
    if (!k) {
      throw new ServiceError(
        'InvalidArgumentException',
        `Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${explicitHashKey}`,
      );
    }
    key = k;
  } else if (partitionKey !== undefined) {
    key = md5HashKey(partitionKey, routeScratch);
  } else {
    throw new ServiceError(
      'InvalidArgumentException',
      `A partition key is required: stream ${stream.name} under account ${stream.accountId} uses the USER_PARTITION_KEY record distribution strategy.`,
    );
  }
  const index = table.indexOf(key);
  if (index < 0) throw new ServiceError('InternalFailureException', 'No open shard covers the hash key of the record.');
  return index;
}

export function isSealedError(err: unknown): boolean {
  return err instanceof StorageError && err.code === StorageErrorCode.SEALED;
}

/**
 * After an append found its shard sealed: the reshard seals the parent's log first and then commits
 * the closed parent and its children, so wait (briefly, with back-off) for a newer stream version.
 */
export async function resolveAfterSeal(
  dp: DataPlaneContext,
  context: RequestContext,
  ref: { readonly StreamName?: string | undefined; readonly StreamARN?: string | undefined },
  previous: Versioned<StreamRecord>,
): Promise<Versioned<StreamRecord>> {
  let stream = await dp.env.streams.resolve(context, ref);
  for (let delayMs = 2; stream.version <= previous.version && stream.value.uid === previous.value.uid && delayMs <= 512; delayMs *= 2) {
    await new Promise<void>((resolve) => setTimeout(resolve, delayMs));
    stream = await dp.env.streams.resolve(context, ref);
  }
  requireReadableOrWritable(stream.value);
  return stream;
}

/** Where each entry of a PutRecords call went: the shard and offset, or the error. */
interface PutOutcome {
  stream: Versioned<StreamRecord>;
  failed: number;
  /** Shard of each acknowledged entry (undefined for failed ones). */
  readonly shards: (ShardRecord | undefined)[];
  /** Log offset of each acknowledged entry. */
  readonly offsets: Float64Array;
  readonly errorCodes: (string | undefined)[];
  readonly errorMessages: (string | undefined)[];
}

/** What the shared write path needs from the entries of a call, whichever way they were parsed. */
interface PutEntries {
  readonly count: number;
  readonly ref: { readonly StreamName?: string | undefined; readonly StreamARN?: string | undefined };
  readonly dryRun: boolean;
  /** Data plus partition key bytes. */
  size(i: number): number;
  /** Slot of entry `i` in `table` (see {@link routeRecord}). */
  route(table: RoutingTable<WriteSlotState>, stream: StreamRecord, i: number): number;
  /** Append entries `indexes` (in order) to `log`. */
  append(log: ShardLog, indexes: readonly number[], flags: number, keepExplicitHashKeys: boolean): Promise<AppendResult>;
}

/** PutRecords for an input scanned by the fast path: the answer is rendered in the request's protocol (JSON or CBOR). */
export async function putScannedRecords(dp: DataPlaneContext, input: ScannedPutRecords, context: RequestContext): Promise<RenderedPutRecords> {
  const outcome = await putEntries(dp, scannedEntries(input), context);
  return context.protocol === 'cbor' ? renderOutcomeCbor(outcome) : renderOutcome(outcome);
}

export async function putRecords(dp: DataPlaneContext, input: PutRecordsInput, context: RequestContext): Promise<PutRecordsOutput> {
  const outcome = await putEntries(dp, plainEntries(input), context);
  const { shards, offsets, errorCodes, errorMessages } = outcome;
  const salt = outcome.stream.value.salt;
  const results: PutRecordsResultEntry[] = new Array<PutRecordsResultEntry>(shards.length);
  for (let i = 0; i < shards.length; i++) {
    const shard = shards[i];
    results[i] =
      shard !== undefined
        ? { ShardId: shard.shardId, SequenceNumber: encodeSequenceNumber(shard.index, offsets[i], salt) }
        : { ErrorCode: errorCodes[i], ErrorMessage: errorMessages[i] };
  }
  return { FailedRecordCount: outcome.failed, Records: results, EncryptionType: outcome.stream.value.encryptionType };
}

function plainEntries(input: PutRecordsInput): PutEntries {
  const entries = input.Records;
  return {
    count: entries.length,
    ref: input,
    dryRun: input.DryRun === true,
    size: (i) => recordSize(entries[i].Data, entries[i].PartitionKey),
    route: (table, stream, i) => routeRecord(table, stream, entries[i].PartitionKey, entries[i].ExplicitHashKey),
    append: (log, indexes, flags, keepExplicitHashKeys) => {
      const batch: AppendRecord[] = new Array<AppendRecord>(indexes.length);
      for (let j = 0; j < indexes.length; j++) {
        const e = entries[indexes[j]];
        batch[j] = { partitionKey: e.PartitionKey ?? '', explicitHashKey: keepExplicitHashKeys ? e.ExplicitHashKey : undefined, data: e.Data, flags };
      }
      return log.append(batch);
    },
  };
}

function scannedEntries(input: ScannedPutRecords): PutEntries {
  const { source } = input;
  const release = (): void => input.release();
  const { layout, keyBytes } = source;
  return {
    count: input.count,
    ref: input,
    dryRun: false,
    size: (i) => input.size(i),
    route: (table, stream, i) => {
      if (table.slots.length === 0 || isAutoDistribution(stream) || source.explicitHashKeys?.[i] !== undefined) {
        return routeRecord(table, stream, input.partitionKey(i), input.explicitHashKey(i));
      }
      const index = table.indexOf(md5HashKeyOfBytes(keyBytes, layout[4 * i], layout[4 * i] + layout[4 * i + 1], routeScratch));
      if (index < 0) throw new ServiceError('InternalFailureException', 'No open shard covers the hash key of the record.');
      return index;
    },
    append: (log, indexes, flags, keepExplicitHashKeys) => {
      const batch: PackedAppend = { source, indexes, flags, keepExplicitHashKeys };
      if (log.appendPacked === undefined) {
        // The store keeps the records it is given, which are views into the source.
        input.pin();
        return log.append(unpackAppend(batch));
      }
      // The store reads the source until its promise settles (storage/contract.ts appendPacked).
      input.retain();
      const appended = log.appendPacked(batch);
      appended.then(release, release);
      return appended;
    },
  };
}

/** The write path shared by both input forms: validate, route, throttle, append per shard, re-route after reshards. */
async function putEntries(dp: DataPlaneContext, entries: PutEntries, context: RequestContext): Promise<PutOutcome> {
  const { env } = dp;
  let stream: Versioned<StreamRecord> = await env.streams.resolve(context, entries.ref);
  requireReadableOrWritable(stream.value);
  const n = entries.count;
  if (n === 0 || n > MAX_PUT_RECORDS_ENTRIES) {
    throw new ServiceError('InvalidArgumentException', `PutRecords takes 1 to ${MAX_PUT_RECORDS_ENTRIES} records; the request has ${n}.`);
  }

  // Whole-request checks first: nothing is written when the request itself is invalid.
  const maxRecordBytes = stream.value.maxRecordSizeKiB * 1024;
  const sizes = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const size = entries.size(i);
    if (size > maxRecordBytes) throw recordTooLarge(stream.value, size);
    sizes[i] = size;
    total += size;
  }
  if (total > MAX_PUT_RECORDS_BYTES) {
    throw new ServiceError('InvalidArgumentException', `Records size exceeds ${MAX_PUT_RECORDS_BYTES / (1024 * 1024)} MiB limit (the request has ${total} bytes).`);
  }
  let table = dp.routing.get(stream);
  const slotOf = new Int32Array(n);
  for (let i = 0; i < n; i++) slotOf[i] = entries.route(table, stream.value, i);
  if (entries.dryRun) throw dryRunSucceeded();

  const outcome: PutOutcome = {
    stream,
    failed: 0,
    shards: new Array<ShardRecord | undefined>(n).fill(undefined),
    offsets: new Float64Array(n),
    errorCodes: new Array<string | undefined>(n).fill(undefined),
    errorMessages: new Array<string | undefined>(n).fill(undefined),
  };
  const fail = (i: number, code: string, message: string) => {
    outcome.errorCodes[i] = code;
    outcome.errorMessages[i] = message;
    outcome.failed++;
  };
  const flags = stream.value.encryptionType === 'KMS' ? RECORD_FLAG_KMS : 0;
  const keepExplicitHashKeys = !isAutoDistribution(stream.value);

  // Throttle per entry, then group the admitted entries by shard slot.
  let pending: number[] = [];
  const now = env.clock.now();
  for (let i = 0; i < n; i++) {
    const slot = table.slots[slotOf[i]];
    if (dp.limitsOn && !slot.state.writeLimiter.tryTake(sizes[i], now)) {
      fail(i, 'ProvisionedThroughputExceededException', throttledMessage(stream.value, slot.shard.shardId));
    } else {
      pending.push(i);
    }
  }

  for (let attempt = 0; pending.length > 0; attempt++) {
    const groups = groupBySlot(pending, slotOf, table.slots.length);
    const retry: number[] = [];
    const current = table;
    const streamValue = stream.value;
    await Promise.all(
      groups.map(async (group, slotIndex) => {
        if (group === undefined) return;
        const slot = current.slots[slotIndex];
        let bytes = 0;
        for (let j = 0; j < group.length; j++) bytes += sizes[group[j]];
        try {
          const log = await env.streams.shardLog(streamValue, slot.shard.shardId);
          const appended = await entries.append(log, group, flags, keepExplicitHashKeys);
          env.usage.recordWrite(streamValue.uid, slot.shard.shardId, bytes, group.length, env.clock.now());
          for (let j = 0; j < group.length; j++) {
            outcome.shards[group[j]] = slot.shard;
            outcome.offsets[group[j]] = appended.firstOffset + j;
          }
        } catch (err) {
          if (isSealedError(err) && attempt < MAX_REROUTES) {
            // The shard was closed by a split or merge after we routed: route these again.
            for (const i of group) retry.push(i);
            return;
          }
          env.logger.error('PutRecords append failed', { stream: streamValue.name, shard: slot.shard.shardId, err });
          for (const i of group) {
            if (dp.limitsOn) slot.state.writeLimiter.refund(sizes[i]);
            fail(i, 'InternalFailure', INTERNAL_FAILURE_MESSAGE);
          }
        }
      }),
    );
    pending = retry;
    if (pending.length > 0) {
      try {
        stream = await resolveAfterSeal(dp, context, entries.ref, stream);
        table = dp.routing.get(stream);
        for (const i of pending) slotOf[i] = entries.route(table, stream.value, i);
      } catch (err) {
        // Other entries may already be acknowledged: report these as failed instead of failing the call.
        env.logger.error('PutRecords could not re-route records after a reshard', { stream: stream.value.name, err });
        for (const i of pending) fail(i, 'InternalFailure', INTERNAL_FAILURE_MESSAGE);
        pending = [];
      }
    }
  }
  outcome.stream = stream;
  return outcome;
}

/**
 * A PutRecords output rendered by the fast path in the request's protocol, with what the metrics need
 * per entry. For JSON requests `json` is exactly the text JSON.stringify gives for the output the
 * generic path builds; for CBOR requests it is exactly the bytes the CBOR codec (protocol/cbor-codec.ts
 * `encodeCbor`) writes for that output.
 */
export class RenderedPutRecords extends RenderedJsonOutput {
  constructor(
    json: string | Buffer,
    readonly failedRecordCount: number,
    /** ShardId of each acknowledged entry, undefined for failed ones. */
    readonly shardIds: readonly (string | undefined)[],
    readonly errorCodes: readonly (string | undefined)[],
  ) {
    super(json);
  }
}

/**
 * The answer's JSON written straight into bytes: every character is ASCII (digits, shard ids, our own
 * messages), and the entries of acknowledged records are `{"ShardId":"…","SequenceNumber":"…"}` with a
 * shard-specific prefix and 56 digits, so no string per record is built.
 */
/** Reused for every answer (rendering is synchronous); grown on demand. */
let renderScratch = Buffer.allocUnsafe(64 * 1024);

function renderOutcome(outcome: PutOutcome): RenderedPutRecords {
  const { shards, offsets, errorCodes, errorMessages } = outcome;
  const salt = outcome.stream.value.salt;
  const n = shards.length;
  const shardIds = new Array<string | undefined>(n);
  const head = `{"FailedRecordCount":${outcome.failed},"Records":[`;
  const tail = `],"EncryptionType":"${outcome.stream.value.encryptionType}"}`;
  // Per shard: the entry's bytes up to the sequence number, and the shard's encoder.
  const prefixes = new Map<ShardRecord, { bytes: Buffer; encoder: SequenceNumberEncoder }>();
  const failures: (string | undefined)[] = [];
  let total = head.length + tail.length + Math.max(0, n - 1);
  for (let i = 0; i < n; i++) {
    const shard = shards[i];
    if (shard !== undefined) {
      let prefix = prefixes.get(shard);
      if (prefix === undefined) {
        prefix = { bytes: Buffer.from(`{"ShardId":"${shard.shardId}","SequenceNumber":"`, 'latin1'), encoder: sequenceNumberEncoder(shard.index, salt) };
        prefixes.set(shard, prefix);
      }
      shardIds[i] = shard.shardId;
      total += prefix.bytes.length + SEQUENCE_NUMBER_V3_DIGITS + 2;
    } else {
      const text = `{"ErrorCode":${JSON.stringify(errorCodes[i])},"ErrorMessage":${JSON.stringify(errorMessages[i])}}`;
      failures[i] = text;
      total += text.length;
    }
  }
  if (renderScratch.length < total) renderScratch = Buffer.allocUnsafe(Math.max(total, renderScratch.length * 2));
  const out = renderScratch;
  let p = out.write(head, 0, 'latin1');
  for (let i = 0; i < n; i++) {
    if (i > 0) out[p++] = 0x2c; // ,
    const shard = shards[i];
    if (shard !== undefined) {
      const prefix = prefixes.get(shard) as { bytes: Buffer; encoder: SequenceNumberEncoder };
      out.set(prefix.bytes, p);
      p = prefix.encoder.writeRecord(offsets[i], out, p + prefix.bytes.length);
      out[p] = 0x22; // "
      out[p + 1] = 0x7d; // }
      p += 2;
    } else {
      p += out.write(failures[i] as string, p, 'latin1');
    }
  }
  p += out.write(tail, p, 'latin1');
  if (p !== total) throw new Error(`PutRecords answer rendered ${p} bytes, sized ${total}`);
  // As a (one-byte, on-heap) string: a Buffer per answer would add external memory, whose pressure
  // drives full garbage collections at high PutRecords rates.
  return new RenderedPutRecords(out.toString('latin1', 0, total), outcome.failed, shardIds, errorCodes);
}

// CBOR heads of the answer's constant parts (RFC 8949; the same definite-length, shortest-head form
// as encodeCbor, and the generic output's member order).
const CBOR_FAILED_RECORD_COUNT = cborText('FailedRecordCount');
const CBOR_RECORDS = cborText('Records');
const CBOR_SHARD_ID = cborText('ShardId');
const CBOR_SEQUENCE_NUMBER = cborText('SequenceNumber');
const CBOR_ERROR_CODE = cborText('ErrorCode');
const CBOR_ERROR_MESSAGE = cborText('ErrorMessage');
const CBOR_ENCRYPTION_TYPE = cborText('EncryptionType');

/** A CBOR head (major type + argument, shortest form) as bytes; arguments here are below 2^32. */
function cborHead(major: number, n: number): Buffer {
  const m = major << 5;
  if (n < 24) return Buffer.from([m | n]);
  if (n < 0x100) return Buffer.from([m | 24, n]);
  if (n < 0x10000) return Buffer.from([m | 25, n >>> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = m | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** A CBOR text string (major type 3) as bytes. */
function cborText(s: string): Buffer {
  const text = Buffer.from(s, 'utf8');
  return Buffer.concat([cborHead(3, text.length), text]);
}

/**
 * The answer as AWS CBOR, byte for byte what encodeCbor writes for the generic path's output
 * `{FailedRecordCount, Records: [{ShardId, SequenceNumber} | {ErrorCode, ErrorMessage}], EncryptionType}`:
 * acknowledged entries are a per-shard prefix (map head, ShardId, the SequenceNumber name and text head)
 * followed by the 56 digits written in place. Sent as one Buffer (CBOR is binary), sized exactly.
 */
function renderOutcomeCbor(outcome: PutOutcome): RenderedPutRecords {
  const { shards, offsets, errorCodes, errorMessages } = outcome;
  const salt = outcome.stream.value.salt;
  const encryptionType = outcome.stream.value.encryptionType as string | undefined;
  const n = shards.length;
  const shardIds = new Array<string | undefined>(n);
  const parts: Buffer[] = [cborHead(5, encryptionType === undefined ? 2 : 3), CBOR_FAILED_RECORD_COUNT, cborHead(0, outcome.failed), CBOR_RECORDS, cborHead(4, n)];
  const tail = encryptionType === undefined ? Buffer.alloc(0) : Buffer.concat([CBOR_ENCRYPTION_TYPE, cborText(encryptionType)]);
  const prefixes = new Map<ShardRecord, { bytes: Buffer; encoder: SequenceNumberEncoder }>();
  const failures: (Buffer | undefined)[] = [];
  let total = tail.length;
  for (const part of parts) total += part.length;
  for (let i = 0; i < n; i++) {
    const shard = shards[i];
    if (shard !== undefined) {
      let prefix = prefixes.get(shard);
      if (prefix === undefined) {
        const bytes = Buffer.concat([cborHead(5, 2), CBOR_SHARD_ID, cborText(shard.shardId), CBOR_SEQUENCE_NUMBER, cborHead(3, SEQUENCE_NUMBER_V3_DIGITS)]);
        prefix = { bytes, encoder: sequenceNumberEncoder(shard.index, salt) };
        prefixes.set(shard, prefix);
      }
      shardIds[i] = shard.shardId;
      total += prefix.bytes.length + SEQUENCE_NUMBER_V3_DIGITS;
    } else {
      const bytes = Buffer.concat([cborHead(5, 2), CBOR_ERROR_CODE, cborText(errorCodes[i] ?? ''), CBOR_ERROR_MESSAGE, cborText(errorMessages[i] ?? '')]);
      failures[i] = bytes;
      total += bytes.length;
    }
  }
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  for (const part of parts) {
    out.set(part, p);
    p += part.length;
  }
  for (let i = 0; i < n; i++) {
    const shard = shards[i];
    if (shard !== undefined) {
      const prefix = prefixes.get(shard) as { bytes: Buffer; encoder: SequenceNumberEncoder };
      out.set(prefix.bytes, p);
      p = prefix.encoder.writeRecord(offsets[i], out, p + prefix.bytes.length);
    } else {
      const bytes = failures[i] as Buffer;
      out.set(bytes, p);
      p += bytes.length;
    }
  }
  out.set(tail, p);
  p += tail.length;
  if (p !== total) throw new Error(`PutRecords CBOR answer rendered ${p} bytes, sized ${total}`);
  return new RenderedPutRecords(out, outcome.failed, shardIds, errorCodes);
}

/** Entry indexes per slot (undefined for slots with no entry), preserving request order. */
function groupBySlot(indexes: readonly number[], slotOf: Int32Array, slotCount: number): (number[] | undefined)[] {
  const groups = new Array<number[] | undefined>(slotCount).fill(undefined);
  for (const i of indexes) {
    const s = slotOf[i];
    const g = groups[s];
    if (g === undefined) groups[s] = [i];
    else g.push(i);
  }
  return groups;
}
