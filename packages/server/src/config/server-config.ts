/**
 * The server's typed configuration. This module (with ./serve-options.ts) is the only code that reads
 * command-line flags and `SHARDLINE_*` environment variables (DESIGN.md convention 8); everything else
 * receives a {@link ServerConfig}.
 */
import type { FsyncPolicy } from '../storage/fsync-policy.js';
import { DEFAULT_TAIL_CACHE_BUDGET_BYTES } from '../storage/embedded/tail-cache-budget.js';
import type { LogLevel } from '../logger.js';

/** How the listener gets its TLS certificate; absent = plaintext (HTTP/1.1 + h2c on one port). */
export type TlsConfig =
  | { readonly mode: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly mode: 'self-signed' };

/** `off`: any well-formed SigV4 is accepted (no verification); `sigv4`: signatures verified, policies enforced. */
export type AuthModeSetting = 'off' | 'sigv4';

export interface ServerConfig {
  /** Interface to listen on. Non-loopback hosts need `auth: 'sigv4'` or {@link insecure}. */
  readonly host: string;
  /** TCP port; 0 picks a free one (the real port is printed). */
  readonly port: number;
  /** Data directory of the embedded storage engine (ignored with {@link inMemory}). */
  readonly dataDir: string;
  /** Keep everything in memory; nothing survives a restart. */
  readonly inMemory: boolean;
  /** Default region when a request carries no credential scope. */
  readonly region: string;
  /** Account id of every caller (until access keys are mapped to accounts). */
  readonly accountId: string;
  readonly logLevel: LogLevel;
  readonly tls: TlsConfig | undefined;
  /** Allow listening on a non-loopback interface without authentication. */
  readonly insecure: boolean;
  /** When appended records are fsynced (embedded engine). */
  readonly fsync: FsyncPolicy;
  /**
   * Memory for the embedded engine's tail caches of recent records, shared by all shard logs
   * (`--tail-cache-mb`); 0 turns the caches off. Optional so that configs built in code need not name it.
   */
  readonly tailCacheBudgetBytes?: number | undefined;
  /** Enforce the AWS rate limits and quotas. */
  readonly limits: boolean;
  /** Stream CREATING → ACTIVE delay. */
  readonly createStreamMs: number;
  /** Stream UPDATING → ACTIVE delay. */
  readonly updateStreamMs: number;
  /** Stream DELETING → gone delay. */
  readonly deleteStreamMs: number;
  /** Consumer CREATING → ACTIVE and DELETING → gone delay. */
  readonly consumerMs: number;
  /** Largest request body accepted; larger bodies get RequestEntityTooLargeException (413). */
  readonly maxBodyBytes: number;
  /** Largest request header block accepted (HTTP/1.1 and HTTP/2). */
  readonly maxHeaderBytes: number;
  /** Time allowed to receive a whole request (headers and body). */
  readonly requestTimeoutMs: number;
  /** An idle keep-alive connection (HTTP/1.1) or session (HTTP/2) is closed after this. */
  readonly keepAliveTimeoutMs: number;
  /** On shutdown, in-flight requests get this long to finish before they are cut off. */
  readonly shutdownGraceMs: number;
  // Security (security/security.ts). Optional so that configs built in code need not name them.
  /** Request authentication; default `off`. */
  readonly auth?: AuthModeSetting | undefined;
  /** JSON file of accounts, users, access keys and identity policies (`--auth-file`). */
  readonly authFile?: string | undefined;
  /** A single root key for the default account (both or neither). */
  readonly rootAccessKeyId?: string | undefined;
  readonly rootSecretAccessKey?: string | undefined;
  /** Append a CloudTrail-like JSON line per control-plane call to this file. */
  readonly auditLog?: string | undefined;
  /** Also audit data-plane calls (PutRecord(s), GetRecords, GetShardIterator, SubscribeToShard). */
  readonly auditDataEvents?: boolean | undefined;
  /** Master key of the encryption key store (64 hex characters or base64 of 32 bytes). */
  readonly masterKey?: string | undefined;
  /** File holding the master key. Without either, one is generated in `<dataDir>/keys/master.key`. */
  readonly masterKeyFile?: string | undefined;
}

export const defaultServerConfig: ServerConfig = {
  host: '127.0.0.1',
  port: 4567,
  dataDir: './data',
  inMemory: false,
  region: 'us-east-1',
  accountId: '000000000000',
  logLevel: 'info',
  tls: undefined,
  insecure: false,
  fsync: { mode: 'always' },
  tailCacheBudgetBytes: DEFAULT_TAIL_CACHE_BUDGET_BYTES,
  limits: true,
  createStreamMs: 500,
  updateStreamMs: 500,
  deleteStreamMs: 500,
  consumerMs: 500,
  maxBodyBytes: 32 * 1024 * 1024,
  maxHeaderBytes: 64 * 1024,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  shutdownGraceMs: 10_000,
  auth: 'off',
  auditDataEvents: false,
};

/** A configuration value is wrong; the message says which flag/variable and what is expected. */
export class ConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** True for names and addresses that only reach this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return h.startsWith('::ffff:127.');
}

/**
 * Cross-field rules. Throws {@link ConfigError}. Called by the option parser and by `createApp`, so a
 * config built in code is held to the same rules as one from the command line.
 */
export function validateServerConfig(config: ServerConfig): void {
  if (!config.insecure && config.auth !== 'sigv4' && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `refusing to listen on non-loopback host ${JSON.stringify(config.host)}: with --auth off request signatures ` +
        'are not verified (any well-formed signature is accepted), so anyone who can reach the port could read and ' +
        'write every stream. Use --auth sigv4 with --auth-file or a root key, or pass --insecure ' +
        '(SHARDLINE_INSECURE=true) to listen anyway.',
    );
  }
  if (config.auth !== undefined && config.auth !== 'off' && config.auth !== 'sigv4') {
    throw new ConfigError(`auth must be off or sigv4, got ${JSON.stringify(config.auth)}`);
  }
  const hasRootId = config.rootAccessKeyId !== undefined && config.rootAccessKeyId !== '';
  const hasRootSecret = config.rootSecretAccessKey !== undefined && config.rootSecretAccessKey !== '';
  if (hasRootId !== hasRootSecret) {
    throw new ConfigError('--root-access-key-id and --root-secret-access-key must be given together');
  }
  if (config.auth === 'sigv4' && config.authFile === undefined && !hasRootId) {
    throw new ConfigError('--auth sigv4 needs identities: give --auth-file <file> and/or --root-access-key-id with --root-secret-access-key');
  }
  if (config.masterKey !== undefined && config.masterKeyFile !== undefined) {
    throw new ConfigError('give the master key either with --master-key or with --master-key-file, not both');
  }
  const tailCache = config.tailCacheBudgetBytes;
  if (tailCache !== undefined && (!Number.isSafeInteger(tailCache) || tailCache < 0)) {
    throw new ConfigError(`tail cache budget must be a non-negative integer number of bytes, got ${tailCache}`);
  }
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    throw new ConfigError(`port must be an integer from 0 to 65535, got ${config.port}`);
  }
  if (!config.inMemory && config.dataDir.trim() === '') {
    throw new ConfigError('data dir must not be empty (or pass --in-memory)');
  }
  if (!/^\d{12}$/.test(config.accountId)) {
    throw new ConfigError(`account id must be 12 digits, got ${JSON.stringify(config.accountId)}`);
  }
  if (!/^[a-z]{2}(-[a-z0-9]+)+-\d+$/.test(config.region)) {
    throw new ConfigError(`region must look like an AWS region (e.g. us-east-1), got ${JSON.stringify(config.region)}`);
  }
  if (config.tls?.mode === 'files' && (config.tls.certFile === '' || config.tls.keyFile === '')) {
    throw new ConfigError('--tls-cert and --tls-key must both be given');
  }
}
