/**
 * The metrics subsystem as the composition root sees it: one store, the Kinesis recorder and handler
 * instrumentation, the Prometheus view, the CloudWatch-compatible API, and the journal that keeps
 * per-minute aggregates across restarts (flushed every `flushIntervalMs` and on close).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from '../logger.js';
import type { Clock } from '../model/context.js';
import type { OperationHandler } from '../model/operation.js';
import type { StreamStore } from '../kinesis/stream-store.js';
import { isServiceError, ServiceError } from '../model/service-error.js';
import { CloudWatchApi, CloudWatchError } from './cloudwatch-api.js';
import type { WireResponse } from './cloudwatch-json.js';
import { cloudWatchErrorResponse, handleCloudWatchJson, regionFromAuthorization } from './cloudwatch-json.js';
import { cloudWatchQueryErrorResponse, handleCloudWatchQuery, isCloudWatchQueryRequest } from './cloudwatch-query.js';
import { instrumentKinesisHandlers } from './instrument-kinesis.js';
import { KinesisMetrics } from './kinesis-recorder.js';
import { MINUTE_MS, MetricStore } from './metric-store.js';
import { MetricsJournal } from './metrics-journal.js';
import type { PrometheusView } from './prometheus.js';
import { createPrometheusView } from './prometheus.js';

export interface MetricsOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Data directory; metrics persist under `<dataDir>/metrics/`. Undefined: in memory only. */
  readonly dataDir?: string | undefined;
  /** How long per-minute aggregates are kept (default 25 hours: "at least 24 hours"). */
  readonly retentionMs?: number | undefined;
  /** Journal flush interval (default 10 s). */
  readonly flushIntervalMs?: number | undefined;
  readonly defaultAccountId: string;
  readonly defaultRegion: string;
  /**
   * Authenticates a CloudWatch request (SigV4, signing name `monitoring`) and names its account and
   * region; throws a ServiceError (InvalidSignatureException, UnrecognizedClientException, …) to
   * refuse it. A request without an Authorization header is always refused
   * (MissingAuthenticationTokenException). Default: the region comes from the credential scope, the
   * account is a 12-digit access key id or the default (what `--auth off` does).
   */
  readonly authenticate?: ((request: CloudWatchHttpRequest) => Promise<{ accountId: string; region?: string | undefined }>) | undefined;
}

export interface CloudWatchHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** `--auth off` identification: a signed-looking request; a 12-digit access key id names the account. */
function defaultIdentify(headers: IncomingHttpHeaders, defaultAccountId: string): { accountId: string } {
  const auth = headers.authorization;
  if (auth === undefined || auth === '') throw new ServiceError('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const key = /Credential=([^/,\s]+)\//.exec(auth)?.[1];
  return { accountId: key !== undefined && /^\d{12}$/.test(key) ? key : defaultAccountId };
}

export const DEFAULT_METRICS_RETENTION_MS = 25 * 3_600_000;

export class MetricsService {
  readonly store = new MetricStore();
  readonly kinesis = new KinesisMetrics(this.store);
  readonly prometheus: PrometheusView;
  readonly cloudWatch: CloudWatchApi;
  private readonly journal: MetricsJournal | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private readonly retentionMs: number;
  private prunedTo = -1;

  private constructor(private readonly options: MetricsOptions) {
    this.retentionMs = options.retentionMs ?? DEFAULT_METRICS_RETENTION_MS;
    this.prometheus = createPrometheusView(this.store);
    this.cloudWatch = new CloudWatchApi(this.store, this.retentionMs);
    this.journal = options.dataDir !== undefined ? new MetricsJournal(options.dataDir, this.store, options.logger, this.retentionMs) : undefined;
  }

  /** Create, load the retained aggregates, and start the periodic flush. */
  static async open(options: MetricsOptions): Promise<MetricsService> {
    const m = new MetricsService(options);
    if (m.journal) {
      const { files, points } = await m.journal.load(options.clock.now());
      options.logger.debug('metrics loaded', { files, points });
    }
    const interval = options.flushIntervalMs ?? 10_000;
    m.timer = setInterval(() => {
      m.flushing = m.flush().catch((err: unknown) => {
        options.logger.warn('metrics flush failed', { err });
      });
    }, interval);
    m.timer.unref();
    return m;
  }

  /** Wrap the Kinesis handler table so that calls are counted. */
  instrument(handlers: Readonly<Record<string, OperationHandler>>, streams: StreamStore): Record<string, OperationHandler> {
    return instrumentKinesisHandlers(handlers, { metrics: this.kinesis, streams, clock: this.options.clock });
  }

  /** Persist changed minutes and drop expired ones. */
  async flush(): Promise<void> {
    const now = this.options.clock.now();
    const cutoff = Math.floor((now - this.retentionMs) / MINUTE_MS);
    if (cutoff !== this.prunedTo) {
      // Minutes expire one at a time: walking every series once a minute is enough.
      this.store.prune(cutoff);
      this.prunedTo = cutoff;
    }
    if (this.journal) {
      await this.journal.flush(now);
      await this.journal.prune(now);
    } else {
      this.store.takeDirty(); // nothing persists in memory-only mode; drop the journal queue
    }
  }

  /** Answer a CloudWatch request (awsJson1_0 or awsQuery; see cloudwatch-json.ts, cloudwatch-query.ts). Never rejects. */
  async handleCloudWatch(request: CloudWatchHttpRequest): Promise<WireResponse> {
    const { headers, body } = request;
    let who: { accountId: string; region?: string | undefined };
    try {
      // Like the Kinesis router, an unsigned request is refused before anything else.
      const fallback = defaultIdentify(headers, this.options.defaultAccountId);
      who = this.options.authenticate ? await this.options.authenticate(request) : fallback;
    } catch (err) {
      const respond = isCloudWatchQueryRequest(headers) ? cloudWatchQueryErrorResponse : cloudWatchErrorResponse;
      if (isServiceError(err)) return respond(new CloudWatchError(err.code, err.code.replace(/Exception$/, ''), err.httpStatus, err.message));
      this.options.logger.error('cloudwatch authentication failed', { err });
      return respond(new CloudWatchError('InternalServiceFault', 'InternalServiceError', 500, 'Internal service error.', false));
    }
    const scope = {
      accountId: who.accountId,
      region: who.region ?? regionFromAuthorization(headers) ?? this.options.defaultRegion,
      nowMs: this.options.clock.now(),
    };
    const onInternalError = (err: unknown): void => this.options.logger.error('cloudwatch request failed', { err });
    if (isCloudWatchQueryRequest(headers)) return handleCloudWatchQuery(this.cloudWatch, body, scope, onInternalError);
    return handleCloudWatchJson(this.cloudWatch, headers, body, scope, onInternalError);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    if (this.journal) await this.journal.close(this.options.clock.now());
  }
}
