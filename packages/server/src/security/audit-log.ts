/**
 * Audit log: one JSON object per line per API call, shaped like a CloudTrail record
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html):
 *
 *   {"eventVersion":"1.09","userIdentity":{"type":"IAMUser","principalId":"AIDA…","arn":"arn:aws:iam::…:user/alice",
 *    "accountId":"111122223333","accessKeyId":"AKIA…","userName":"alice"},"eventTime":"2026-11-22T04:30:00Z",
 *    "eventSource":"kinesis.amazonaws.com","eventName":"CreateStream","awsRegion":"us-east-1",
 *    "sourceIPAddress":"127.0.0.1","userAgent":"aws-cli/1.x","requestParameters":{"streamName":"orders","shardCount":1},
 *    "responseElements":null,"errorCode":"ResourceInUseException","errorMessage":"…","requestID":"…","eventID":"…",
 *    "readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333",
 *    "eventCategory":"Management"}
 *
 * Control-plane calls are always recorded; data-plane calls (PutRecord(s), GetRecords, GetShardIterator,
 * SubscribeToShard) only with `includeDataEvents`. requestParameters never contain record payloads
 * (`Data`), policy documents are kept, secrets never appear (the caller has none to give). Request
 * parameter names are camel-cased as CloudTrail writes them (`StreamName` → `streamName`).
 *
 * The file is opened for appending (O_APPEND) and never rewritten; lines are written in call order
 * through one queue. A write failure is reported to the logger and does not fail the API call.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../logger.js';
import { silentLogger } from '../logger.js';
import type { Clock } from '../model/context.js';
import { systemClock } from '../model/context.js';
import { PLAIN_INPUT, hasPlainInput } from '../model/operation.js';
import { dataPlaneOperations, isReadOnlyOperation } from './actions.js';

export interface AuditIdentity {
  /** `IAMUser`, `Root`, or `AWSAccount` when authentication is off. */
  readonly type: string;
  readonly principalId?: string | undefined;
  readonly arn?: string | undefined;
  readonly accountId: string;
  readonly accessKeyId?: string | undefined;
  readonly userName?: string | undefined;
}

/** One API call, as the protocol layer knows it after the handler ran. */
export interface AuditCall {
  readonly operation: string;
  readonly input: unknown;
  readonly identity: AuditIdentity;
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly requestId: string;
  /** The ServiceError name and message when the call failed. */
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
  /** Event source; `kinesis.amazonaws.com` by default. */
  readonly eventSource?: string | undefined;
}

export interface AuditRecord {
  readonly eventVersion: string;
  readonly userIdentity: AuditIdentity;
  readonly eventTime: string;
  readonly eventSource: string;
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly requestParameters: Readonly<Record<string, unknown>> | null;
  readonly responseElements: null;
  readonly errorCode?: string | undefined;
  readonly errorMessage?: string | undefined;
  readonly requestID: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly eventType: 'AwsApiCall';
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management' | 'Data';
}

/** Member names whose values are never logged: record payloads and anything secret-like. */
const droppedMembers = new Set(['data', 'secretaccesskey', 'sessiontoken', 'password']);
const MAX_STRING = 2048;
const MAX_ARRAY = 100;

function camel(name: string): string {
  // StreamARN → streamARN, ShardId → shardId (CloudTrail lower-cases the first letter only).
  return name.length === 0 ? name : name[0].toLowerCase() + name.slice(1);
}

/** requestParameters: the input without payloads or secrets, bounded in size. */
export function sanitizeParameters(value: unknown, depth = 0): unknown {
  if (depth > 8) return '…';
  if (hasPlainInput(value)) return sanitizeParameters(value[PLAIN_INPUT](), depth);
  if (value === null || value === undefined) return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  if (typeof value === 'string') return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) {
    const items = value.slice(0, MAX_ARRAY).map((v) => sanitizeParameters(v, depth + 1));
    if (value.length > MAX_ARRAY) items.push(`… ${value.length - MAX_ARRAY} more`);
    return items;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (droppedMembers.has(k.toLowerCase())) continue;
      out[camel(k)] = sanitizeParameters(v, depth + 1);
    }
    return out;
  }
  return undefined;
}

function cloudTrailTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Build the record for one call (exported for tests and other sinks). */
export function auditRecord(call: AuditCall, nowMs: number): AuditRecord {
  const params = sanitizeParameters(call.input);
  const dataEvent = dataPlaneOperations.has(call.operation);
  return {
    eventVersion: '1.09',
    userIdentity: call.identity,
    eventTime: cloudTrailTime(nowMs),
    eventSource: call.eventSource ?? 'kinesis.amazonaws.com',
    eventName: call.operation,
    awsRegion: call.region,
    sourceIPAddress: call.sourceIp,
    userAgent: call.userAgent,
    requestParameters: params !== null && typeof params === 'object' && !Array.isArray(params) ? (params as Record<string, unknown>) : null,
    responseElements: null,
    ...(call.errorCode !== undefined ? { errorCode: call.errorCode, errorMessage: call.errorMessage ?? '' } : {}),
    requestID: call.requestId,
    eventID: randomUUID(),
    readOnly: isReadOnlyOperation(call.operation),
    eventType: 'AwsApiCall',
    managementEvent: !dataEvent,
    recipientAccountId: call.identity.accountId,
    eventCategory: dataEvent ? 'Data' : 'Management',
  };
}

export interface AuditLogOptions {
  readonly path: string;
  /** Also record data-plane calls. Default false. */
  readonly includeDataEvents?: boolean | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
}

/** Appends audit records to a file. */
export class AuditLog {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly handle: FileHandle,
    private readonly includeDataEvents: boolean,
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly path: string,
  ) {}

  /** Open (creating if needed, mode 0600) for appending. */
  static async open(options: AuditLogOptions): Promise<AuditLog> {
    await mkdir(dirname(options.path), { recursive: true });
    const handle = await open(options.path, 'a', 0o600);
    return new AuditLog(handle, options.includeDataEvents ?? false, options.clock ?? systemClock, options.logger ?? silentLogger, options.path);
  }

  /** Whether calls of this operation are recorded. */
  records(operation: string): boolean {
    return this.includeDataEvents || !dataPlaneOperations.has(operation);
  }

  /**
   * Queue one call's record. Returns at once; the write happens in order in the background (awaiting
   * the returned promise is optional — it never rejects; failures go to the logger).
   */
  record(call: AuditCall): Promise<void> {
    if (this.closed || !this.records(call.operation)) return Promise.resolve();
    const line = JSON.stringify(auditRecord(call, this.clock.now())) + '\n';
    this.chain = this.chain.then(async () => {
      try {
        await this.handle.appendFile(line, 'utf8');
      } catch (err) {
        this.logger.error('audit log write failed', { path: this.path, err });
      }
    });
    return this.chain;
  }

  /** Wait for queued lines, sync, and close the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain;
    try {
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }
}
