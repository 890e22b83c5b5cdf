/**
 * The security subsystem assembled for the composition root: credentials (auth file + root key), the
 * access gate, the key store with the encrypting log decorator, and the audit log — plus the
 * {@link RequestGuard} the protocol router calls around each operation.
 *
 *   const security = await createSecurity(settings, { clock, logger, metadata: storage.metadata });
 *   const logs = security.wrapLogs(storage.logs);          // encryption at rest
 *   new AwsProtocolRouter({ …, guard: security.guard });   // authentication, authorization, audit
 *   …
 *   await security.close();
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { StreamRecord, ResourcePolicyRecord, ConsumerRecord } from '../kinesis/records.js';
import { consumerKey, policyKey, streamKey } from '../kinesis/records.js';
import { parseConsumerArn, parseStreamArn, streamArn } from '../kinesis/arn.js';
import type { Logger } from '../logger.js';
import { peekShardIterator } from '../metrics/peek-shard-iterator.js';
import type { Caller, Clock, RequestContext } from '../model/context.js';
import { isServiceError } from '../model/service-error.js';
import type { ServiceError } from '../model/service-error.js';
import type { MetadataStore, ShardLogStore } from '../storage/contract.js';
import { AccessGate, AuthMode } from './access-gate.js';
import type { AuthenticatedRequest } from './access-gate.js';
import { AuditLog } from './audit-log.js';
import { loadCredentials } from './auth-file.js';
import { EncryptingShardLogStore, streamKeyLookupFromMetadata } from './encrypting-log-store.js';
import { KeyStore } from './keys.js';
import type { SigV4Request } from './sigv4.js';

export { AuthMode } from './access-gate.js';

/** Security settings, as the config module provides them. */
export interface SecuritySettings {
  /** `off` (default on loopback): signatures not verified; `sigv4`: verified and authorized. */
  readonly auth: AuthMode;
  readonly authFile?: string | undefined;
  readonly rootAccessKeyId?: string | undefined;
  readonly rootSecretAccessKey?: string | undefined;
  /** The server's default account (and the root key's account). */
  readonly accountId: string;
  /** Append audit records here (CloudTrail-like JSON lines). */
  readonly auditLog?: string | undefined;
  readonly auditDataEvents?: boolean | undefined;
  /** Key store directory (normally `<dataDir>/keys`); undefined = in memory (`--in-memory`). */
  readonly keysDir?: string | undefined;
  readonly masterKey?: string | undefined;
  readonly masterKeyFile?: string | undefined;
  /** Allowed clock skew of signed requests; AWS allows 5 minutes. */
  readonly maxSkewMs?: number | undefined;
}

export interface SecurityDeps {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Kinesis metadata (resource policies, consumers, streams' KMS keys). */
  readonly metadata: MetadataStore;
}

/** The request as the router sees it, for authentication (no HTTP types). */
export interface GuardRequest extends SigV4Request {
  /** SigV4 signing name of the addressed service (`kinesis`, `firehose`, …); default `kinesis`. */
  readonly service?: string | undefined;
}

/** What the router keeps between the guard's calls for one request. */
export interface GuardTicket {
  readonly caller: Caller;
  /** Region from the credential scope, if any. */
  readonly region?: string | undefined;
  readonly who: AuthenticatedRequest;
}

/**
 * The hooks the protocol router calls: authenticate before decoding the body, check after the input
 * is validated (authorization; KMS key checks for StartStreamEncryption), and record the outcome.
 */
export interface RequestGuard {
  authenticate(request: GuardRequest): Promise<GuardTicket>;
  authorize(ticket: GuardTicket, operation: string, input: unknown, context: RequestContext): Promise<void>;
  /** After the handler (or any failure once the operation is known). Never throws. */
  completed(ticket: GuardTicket | undefined, operation: string, input: unknown, context: Pick<RequestContext, 'requestId' | 'region' | 'sourceIp' | 'userAgent'>, error?: unknown): void;
}

/** A request answered outside the protocol router (the metrics side routes: CloudWatch-style reads). */
export interface SideRequestRoutes<R> {
  post(headers: Readonly<Record<string, string | string[] | undefined>>, body: Buffer): Promise<R>;
}

export interface Security {
  readonly mode: AuthMode;
  readonly gate: AccessGate;
  readonly keys: KeyStore;
  readonly audit?: AuditLog | undefined;
  readonly guard: RequestGuard;
  /** Start-up notes for the log (generated master key, …); never secrets. */
  readonly notes: readonly string[];
  /**
   * With `--auth sigv4`, make the CloudWatch-compatible side routes (awsJson1_0 and awsQuery POSTs)
   * authenticate (signing name `monitoring`) and authorize `cloudwatch:<Action>` on `*` before they
   * answer; failures are answered in the request's protocol. `GET /metrics` is left open (scrapers).
   */
  guardSideRoutes<T extends SideRequestRoutes<SideAnswer>>(routes: T): T;
  /** Wrap the shard-log store so that records of KMS-encrypted streams are encrypted on disk. */
  wrapLogs(logs: ShardLogStore): ShardLogStore;
  /**
   * Authenticate a request to another signing name served on this port (e.g. `monitoring`: the
   * CloudWatch-compatible reads of metrics/), with the same credentials and mode as Kinesis requests.
   */
  authenticateService(service: string, request: GuardRequest): Promise<AuthenticatedRequest>;
  close(): Promise<void>;
}

function str(input: unknown, key: string): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const v = (input as Record<string, unknown>)[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Resource policy of a stream or consumer ARN, from the control plane's metadata records. */
function resourcePolicyLookup(metadata: MetadataStore): (arn: string) => Promise<unknown> {
  return async (arn) => {
    const consumer = parseConsumerArn(arn);
    const stream = consumer ?? parseStreamArn(arn);
    if (!stream) return undefined;
    const s = await metadata.get<StreamRecord>(streamKey(stream.accountId, stream.region, stream.streamName));
    if (!s) return undefined;
    const p = await metadata.get<ResourcePolicyRecord>(policyKey(s.value.uid, arn));
    return p?.value.policy;
  };
}

function consumerArnLookup(metadata: MetadataStore): (streamArnValue: string, consumerName: string) => Promise<string | undefined> {
  return async (streamArnValue, consumerName) => {
    const parts = parseStreamArn(streamArnValue);
    if (!parts) return undefined;
    const s = await metadata.get<StreamRecord>(streamKey(parts.accountId, parts.region, parts.streamName));
    if (!s) return undefined;
    const c = await metadata.get<ConsumerRecord>(consumerKey(s.value.uid, consumerName));
    return c?.value.arn;
  };
}

/** The shape of a side-route answer (http/listener.ts SideResponse). */
export interface SideAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | Buffer;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

/** An authentication/authorization failure in the side request's own protocol (awsJson1_0 or awsQuery). */
export function sideErrorAnswer(headers: Readonly<Record<string, string | string[] | undefined>>, error: ServiceError, requestId: string): SideAnswer {
  const contentType = String(headers['content-type'] ?? '');
  if (contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    const body =
      `<ErrorResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/"><Error><Type>Sender</Type>` +
      `<Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`;
    return { status: error.httpStatus, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
  }
  return {
    status: error.httpStatus,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.code },
    body: JSON.stringify({ __type: error.code, message: error.message }),
  };
}

/** The CloudWatch action of a side request: X-Amz-Target suffix or the form's Action. */
function sideAction(headers: Readonly<Record<string, string | string[] | undefined>>, body: Buffer): string {
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.includes('.')) return target.slice(target.lastIndexOf('.') + 1);
  const action = new URLSearchParams(body.toString('utf8')).get('Action');
  return action ?? 'Unknown';
}

function iteratorStreamArn(iterator: string): string | undefined {
  const t = peekShardIterator(iterator);
  return t ? streamArn(t.region, t.accountId, t.streamName) : undefined;
}

export async function createSecurity(settings: SecuritySettings, deps: SecurityDeps): Promise<Security> {
  const notes: string[] = [];
  const credentials = await loadCredentials({
    authFile: settings.authFile,
    rootAccessKeyId: settings.rootAccessKeyId,
    rootSecretAccessKey: settings.rootSecretAccessKey,
    defaultAccountId: settings.accountId,
  });
  if (settings.auth === AuthMode.sigv4 && credentials.size === 0) {
    notes.push('--auth sigv4 without --auth-file or a root key: every request will be refused (UnrecognizedClientException)');
  }
  let keys: KeyStore;
  if (settings.keysDir === undefined) {
    keys = KeyStore.ephemeral(deps.clock);
  } else {
    const opened = await KeyStore.open({ dir: settings.keysDir, masterKey: settings.masterKey, masterKeyFile: settings.masterKeyFile, clock: deps.clock });
    keys = opened.store;
    notes.push(...opened.notes);
  }
  const gate = new AccessGate({
    mode: settings.auth,
    credentials,
    service: 'kinesis',
    defaultAccountId: settings.accountId,
    clock: deps.clock,
    maxSkewMs: settings.maxSkewMs,
    resourcePolicy: resourcePolicyLookup(deps.metadata),
    consumerArn: consumerArnLookup(deps.metadata),
    iteratorStreamArn,
  });
  const gates = new Map<string, AccessGate>([['kinesis', gate]]);
  const gateFor = (service: string): AccessGate => {
    let g = gates.get(service);
    if (!g) {
      g = new AccessGate({ mode: settings.auth, credentials, service, defaultAccountId: settings.accountId, clock: deps.clock, maxSkewMs: settings.maxSkewMs });
      gates.set(service, g);
    }
    return g;
  };
  const audit =
    settings.auditLog === undefined
      ? undefined
      : await AuditLog.open({ path: settings.auditLog, includeDataEvents: settings.auditDataEvents, clock: deps.clock, logger: deps.logger });

  const guard: RequestGuard = {
    async authenticate(request) {
      const who = await gate.authenticate(request, request.service);
      return { caller: who.caller, region: who.region, who };
    },
    async authorize(ticket, operation, input, context) {
      await gate.authorize(ticket.who, operation, input, { region: context.region, sourceIp: context.sourceIp, secureTransport: context.secureTransport });
      if (operation === 'StartStreamEncryption' && str(input, 'EncryptionType') === 'KMS') {
        // As Kinesis does through KMS: an unknown key is KMSNotFoundException, a disabled one
        // KMSDisabledException, before the stream changes. alias/aws/kinesis is created on first use.
        const keyRef = str(input, 'KeyId');
        const target = parseStreamArn(str(input, 'StreamARN') ?? '');
        if (keyRef !== undefined) {
          await keys.resolveForEncryption(keyRef, target?.accountId ?? ticket.caller.accountId, target?.region ?? context.region);
        }
      }
    },
    completed(ticket, operation, input, context, error) {
      if (!audit) return;
      const identity = ticket?.who.auditIdentity ?? { type: 'Unknown', accountId: settings.accountId };
      const failure = error === undefined ? undefined : isServiceError(error) ? error : undefined;
      void audit.record({
        operation,
        input,
        identity,
        region: context.region,
        sourceIp: context.sourceIp,
        userAgent: context.userAgent,
        requestId: context.requestId,
        errorCode: error === undefined ? undefined : (failure?.code ?? 'InternalFailureException'),
        errorMessage: error === undefined ? undefined : (failure?.message ?? 'Internal service failure'),
      });
    },
  };

  return {
    mode: settings.auth,
    gate,
    keys,
    audit,
    guard,
    notes,
    wrapLogs: (logs) => new EncryptingShardLogStore(logs, keys, streamKeyLookupFromMetadata(deps.metadata, deps.clock)),
    guardSideRoutes(routes) {
      if (settings.auth !== AuthMode.sigv4) return routes;
      const post = routes.post.bind(routes);
      const guarded = Object.create(routes) as typeof routes;
      guarded.post = async (headers, body) => {
        const request = { method: 'POST', path: '/', query: {}, headers, body };
        try {
          const who = await gate.authenticate(request, 'monitoring');
          // The side route sees no socket: aws:SourceIp is unknown (conditions on it do not match).
          await gate.authorizeAction(who, `cloudwatch:${sideAction(headers, body)}`, ['*'], { region: who.region ?? 'us-east-1', sourceIp: '', secureTransport: false });
        } catch (error) {
          if (isServiceError(error)) return sideErrorAnswer(headers, error, randomUUID());
          throw error;
        }
        return post(headers, body);
      };
      return guarded;
    },
    authenticateService: (service, request) => gateFor(service).authenticate(request),
    async close() {
      await audit?.close();
      await keys.close();
    },
  };
}

/** `<dataDir>/keys`, where the key store lives next to the data it protects. */
export function keysDirFor(dataDir: string): string {
  return join(dataDir, 'keys');
}
