/**
 * The server's typed configuration. This module (with ./serve-options.ts) is the only code that reads
 * command-line flags and `SHARDLINE_*` environment variables (DESIGN.md convention 8); everything else
 * receives a {@link ServerConfig}.
 */
import type { FsyncPolicy } from '../storage/fsync-policy.js';
import type { LogLevel } from '../logger.js';

/** How the listener gets its TLS certificate; absent = plaintext (HTTP/1.1 + h2c on one port). */
export type TlsConfig =
  | { readonly mode: 'files'; readonly certFile: string; readonly keyFile: string }
  | { readonly mode: 'self-signed' };

export interface ServerConfig {
  /** Interface to listen on. Non-loopback hosts need {@link insecure} until authentication exists. */
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
  if (!config.insecure && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `refusing to listen on non-loopback host ${JSON.stringify(config.host)}: this Shardline version does not ` +
        'authenticate requests yet (request signatures are parsed but not verified; authentication arrives in a ' +
        'later release), so anyone who can reach the port could read and write every stream. ' +
        'Pass --insecure (SHARDLINE_INSECURE=true) to listen anyway.',
    );
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
