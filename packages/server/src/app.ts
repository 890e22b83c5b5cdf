/**
 * Composition root: builds the logger, storage, services, protocol router and listener from a
 * {@link ServerConfig}, and tears them down in reverse order. Nothing else wires collaborators.
 */
import type { ServerConfig } from './config/server-config.js';
import { validateServerConfig } from './config/server-config.js';
import { HttpListener } from './http/listener.js';
import type { ListeningAddress } from './http/listener.js';
import { loadTlsMaterial } from './http/tls.js';
import type { TlsMaterial } from './http/tls.js';
import { createKinesisBinding } from './kinesis/binding.js';
import type { KinesisSettings } from './kinesis/settings.js';
import { defaultKinesisSettings } from './kinesis/settings.js';
import type { LogSink, Logger } from './logger.js';
import { JsonLogger } from './logger.js';
import { createMetricsRoutes } from './metrics/http-routes.js';
import { MetricsService } from './metrics/metrics-service.js';
import type { Clock } from './model/context.js';
import { systemClock } from './model/context.js';
import type { ServiceBinding } from './model/operation.js';
import { createEventStreamResponder } from './protocol/event-stream.js';
import { AwsProtocolRouter } from './protocol/router.js';
import type { EventStreamResponder } from './protocol/router.js';
import type { Storage } from './storage/contract.js';
import { openStorage } from './storage/open-storage.js';
import { createSecurity, keysDirFor } from './security/security.js';
import type { Security } from './security/security.js';

export interface App {
  readonly config: ServerConfig;
  readonly storage: Storage;
  readonly logger: Logger;
  /** Start listening; resolves with the endpoint URL and the real port (useful with port 0). */
  listen(): Promise<ListeningAddress>;
  /** Graceful stop: listener (in-flight requests finish), services, then storage. Idempotent. */
  close(): Promise<void>;
}

export interface AppOptions {
  /** Serve these bindings instead of the built-in services (protocol tests). */
  readonly bindings?: readonly ServiceBinding[] | undefined;
  readonly clock?: Clock | undefined;
  /** Use this logger instead of JSON lines on `logSink` at `config.logLevel`. */
  readonly logger?: Logger | undefined;
  /** Where JSON log lines go (default stderr). */
  readonly logSink?: LogSink | undefined;
  /** Event-stream response writer (SubscribeToShard); default: protocol/event-stream.ts. */
  readonly eventStreams?: EventStreamResponder | undefined;
  /** Count Kinesis metrics and serve /metrics and the CloudWatch reads (default true; false for benchmarks). */
  readonly metrics?: boolean | undefined;
}

/** Kinesis settings from the server config (quotas not on the command line keep AWS defaults). */
export function kinesisSettingsFrom(config: ServerConfig): KinesisSettings {
  return {
    ...defaultKinesisSettings,
    defaultAccountId: config.accountId,
    defaultRegion: config.region,
    limits: config.limits,
    createStreamMs: config.createStreamMs,
    updateStreamMs: config.updateStreamMs,
    deleteStreamMs: config.deleteStreamMs,
    consumerMs: config.consumerMs,
  };
}

interface Services {
  readonly bindings: readonly ServiceBinding[];
  /** End long-lived requests (event-stream subscriptions) once the listener stops accepting. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

interface ServiceDeps {
  readonly storage: Storage;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: KinesisSettings;
}

/** The built-in services (Kinesis Data Streams; Firehose joins here later). */
async function createServices(deps: ServiceDeps, metrics: MetricsService | undefined): Promise<Services> {
  const kinesis = await createKinesisBinding(deps, { instrument: metrics ? (handlers, streams) => metrics.instrument(handlers, streams) : undefined });
  return { bindings: [kinesis.binding], drain: () => kinesis.drain(), close: () => kinesis.close() };
}

export async function createApp(config: ServerConfig, options: AppOptions = {}): Promise<App> {
  const startedMs = performance.now();
  validateServerConfig(config);
  const logger = options.logger ?? new JsonLogger(config.logLevel, options.logSink ?? process.stderr);
  const clock = options.clock ?? systemClock;
  const tls: TlsMaterial | undefined = config.tls === undefined ? undefined : await loadTlsMaterial(config.tls);

  const storage = await openStorage({
    inMemory: config.inMemory,
    dataDir: config.dataDir,
    fsync: config.fsync,
    tailCacheBudgetBytes: config.tailCacheBudgetBytes,
    clock,
    logger: logger.child({ component: 'storage' }),
  });
  let services: Services;
  let metrics: MetricsService | undefined;
  let security: Security | undefined;
  try {
    // Authentication, authorization, audit log and the encryption key store (security/security.ts).
    security = await createSecurity(
      {
        auth: config.auth ?? 'off',
        authFile: config.authFile,
        rootAccessKeyId: config.rootAccessKeyId,
        rootSecretAccessKey: config.rootSecretAccessKey,
        accountId: config.accountId,
        auditLog: config.auditLog,
        auditDataEvents: config.auditDataEvents,
        keysDir: config.inMemory ? undefined : keysDirFor(config.dataDir),
        masterKey: config.masterKey,
        masterKeyFile: config.masterKeyFile,
      },
      { clock, logger: logger.child({ component: 'security' }), metadata: storage.metadata },
    );
    for (const note of security.notes) logger.warn(note, { component: 'security' });
    // Records of KMS-encrypted streams are sealed on their way to disk and opened on the way back.
    const serviceStorage: Storage = {
      logs: security.wrapLogs(storage.logs),
      metadata: storage.metadata,
      isReady: () => storage.isReady(),
      close: () => storage.close(),
    };
    if (options.metrics !== false && options.bindings === undefined) {
      const securityForMetrics = security;
      metrics = await MetricsService.open({
        clock,
        logger: logger.child({ component: 'metrics' }),
        dataDir: config.inMemory ? undefined : config.dataDir,
        defaultAccountId: config.accountId,
        defaultRegion: config.region,
        // CloudWatch reads are signed for `monitoring`; same credentials and --auth mode as Kinesis.
        authenticate: async (r) => {
          const who = await securityForMetrics.authenticateService('monitoring', { method: r.method, path: r.path, query: {}, headers: r.headers, body: r.body });
          return { accountId: who.caller.accountId, region: who.region };
        },
      });
    }
    services =
      options.bindings !== undefined
        ? { bindings: options.bindings, drain: async () => {}, close: async () => {} }
        : await createServices({ storage: serviceStorage, clock, logger, settings: kinesisSettingsFrom(config) }, metrics);
  } catch (error) {
    await metrics?.close();
    await security?.close();
    await storage.close();
    throw error;
  }

  const protocolLogger = logger.child({ component: 'protocol' });
  const router = new AwsProtocolRouter({
    bindings: services.bindings,
    logger: protocolLogger,
    defaultRegion: config.region,
    defaultAccountId: config.accountId,
    eventStreams: options.eventStreams ?? createEventStreamResponder(protocolLogger),
    guard: security.guard,
  });
  const securityOpen = security;
  let closing = false;
  const listener = new HttpListener({
    host: config.host,
    port: config.port,
    tls,
    maxBodyBytes: config.maxBodyBytes,
    maxHeaderBytes: config.maxHeaderBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    keepAliveTimeoutMs: config.keepAliveTimeoutMs,
    router,
    isReady: () => !closing && storage.isReady(),
    logger: logger.child({ component: 'http' }),
    sideRoutes: metrics ? securityOpen.guardSideRoutes(createMetricsRoutes(metrics)) : undefined,
  });

  let closePromise: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    closing = true;
    logger.info('shutting down');
    // Stop accepting first, then end subscriptions at once, so their requests do not hold the
    // shutdown for the whole grace period.
    const listenerClosed = listener.close(config.shutdownGraceMs);
    await services.drain();
    await listenerClosed;
    try {
      await services.close();
      await metrics?.close();
      await securityOpen.close();
    } finally {
      await storage.close();
    }
    logger.info('stopped');
  };

  return {
    config,
    storage,
    logger,
    async listen() {
      const address = await listener.listen();
      logger.info('listening', {
        url: address.url,
        startupMs: Math.round(performance.now() - startedMs),
        storage: config.inMemory ? 'memory' : config.dataDir,
        tls: tls === undefined ? 'off' : config.tls?.mode,
        auth: securityOpen.mode,
        ...(tls?.fingerprint !== undefined ? { certificateFingerprint: tls.fingerprint } : {}),
      });
      return address;
    },
    close() {
      closePromise ??= close();
      return closePromise;
    },
  };
}
