/**
 * `shardline serve` options: one table drives parsing (flags and `SHARDLINE_<NAME>` environment
 * variables), validation and the --help text, so the help can never drift from what is accepted.
 *
 * Precedence: command-line flag > environment variable > default.
 * Forms accepted: `--name value`, `--name=value`; boolean flags also bare (`--in-memory`) or with
 * `=true|false`. Environment booleans accept true/false, 1/0, yes/no, on/off.
 */
import { LogLevel } from '../logger.js';
import { formatFsyncPolicy, parseFsyncPolicy } from '../storage/fsync-policy.js';
import type { ServerConfig } from './server-config.js';
import { ConfigError, defaultServerConfig, validateServerConfig } from './server-config.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Raw option values after flags and environment are merged (before typed conversion). */
interface Draft {
  config: Mutable<ServerConfig>;
  tlsCert?: string;
  tlsKey?: string;
  tlsSelfSigned: boolean;
}

interface OptionSpec {
  /** Flag name without dashes, e.g. "data-dir"; the env variable is SHARDLINE_DATA_DIR. */
  readonly name: string;
  /** Bare flag means true. */
  readonly boolean: boolean;
  /** Placeholder in help, e.g. "<dir>". */
  readonly valueName?: string;
  readonly description: string;
  readonly defaultText: string;
  /** Convert and store; `where` names the flag or variable for messages. Throws ConfigError. */
  readonly apply: (draft: Draft, value: string, where: string) => void;
}

export function envName(flag: string): string {
  return 'SHARDLINE_' + flag.toUpperCase().replace(/-/g, '_');
}

function bad(where: string, value: string, expected: string): ConfigError {
  return new ConfigError(`invalid value for ${where}: ${JSON.stringify(value)} (expected ${expected})`);
}

function parseBool(value: string, where: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  throw bad(where, value, 'true or false');
}

function parseInteger(value: string, where: string, min: number, max: number): number {
  const v = value.trim();
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw bad(where, value, `an integer from ${min} to ${max}`);
  return n;
}

function nonEmpty(value: string, where: string, expected: string): string {
  if (value.trim() === '') throw bad(where, value, expected);
  return value;
}

const DAY_MS = 24 * 3600 * 1000;
const MIB = 1024 * 1024;

/** Every `serve` option, in help order. */
export const serveOptions: readonly OptionSpec[] = [
  {
    name: 'host',
    boolean: false,
    valueName: '<host>',
    description: 'Interface to listen on. A non-loopback address needs --auth sigv4, or --insecure to serve it without authentication.',
    defaultText: defaultServerConfig.host,
    apply: (d, v, w) => (d.config.host = nonEmpty(v, w, 'a host name or IP address')),
  },
  {
    name: 'port',
    boolean: false,
    valueName: '<port>',
    description: 'TCP port for HTTP/1.1 and HTTP/2 (h2c, or h2 over TLS). 0 picks a free port.',
    defaultText: String(defaultServerConfig.port),
    apply: (d, v, w) => (d.config.port = parseInteger(v, w, 0, 65535)),
  },
  {
    name: 'data-dir',
    boolean: false,
    valueName: '<dir>',
    description: 'Directory of the embedded storage engine (created if missing).',
    defaultText: defaultServerConfig.dataDir,
    apply: (d, v, w) => (d.config.dataDir = nonEmpty(v, w, 'a directory path')),
  },
  {
    name: 'in-memory',
    boolean: true,
    description: 'Keep all data in memory; nothing survives a restart. --data-dir is ignored.',
    defaultText: 'false',
    apply: (d, v, w) => (d.config.inMemory = parseBool(v, w)),
  },
  {
    name: 'region',
    boolean: false,
    valueName: '<region>',
    description: "Region used when a request's signature carries none (ARNs, DescribeStream).",
    defaultText: defaultServerConfig.region,
    apply: (d, v, w) => (d.config.region = nonEmpty(v, w, 'a region name such as us-east-1').trim()),
  },
  {
    name: 'account-id',
    boolean: false,
    valueName: '<12 digits>',
    description: 'Account id of every caller (used in ARNs).',
    defaultText: defaultServerConfig.accountId,
    apply: (d, v, w) => {
      if (!/^\d{12}$/.test(v.trim())) throw bad(w, v, '12 digits');
      d.config.accountId = v.trim();
    },
  },
  {
    name: 'log-level',
    boolean: false,
    valueName: '<level>',
    description: `JSON log lines on stderr at this level or above: ${Object.keys(LogLevel).join(', ')}. debug logs one line per request.`,
    defaultText: defaultServerConfig.logLevel,
    apply: (d, v, w) => {
      const level = v.trim().toLowerCase();
      if (!Object.hasOwn(LogLevel, level)) throw bad(w, v, Object.keys(LogLevel).join(', '));
      d.config.logLevel = level as keyof typeof LogLevel;
    },
  },
  {
    name: 'tls-cert',
    boolean: false,
    valueName: '<file>',
    description: 'PEM certificate (chain) for TLS; needs --tls-key. ALPN then picks h2 or http/1.1.',
    defaultText: '(none: plaintext)',
    apply: (d, v, w) => (d.tlsCert = nonEmpty(v, w, 'a file path')),
  },
  {
    name: 'tls-key',
    boolean: false,
    valueName: '<file>',
    description: 'PEM private key for --tls-cert.',
    defaultText: '(none)',
    apply: (d, v, w) => (d.tlsKey = nonEmpty(v, w, 'a file path')),
  },
  {
    name: 'tls-self-signed',
    boolean: true,
    description: 'Serve TLS with a certificate generated at start for localhost/127.0.0.1/::1 (clients must skip verification).',
    defaultText: 'false',
    apply: (d, v, w) => (d.tlsSelfSigned = parseBool(v, w)),
  },
  {
    name: 'insecure',
    boolean: true,
    description: 'Allow a non-loopback --host with --auth off (requests are then not authenticated).',
    defaultText: 'false',
    apply: (d, v, w) => (d.config.insecure = parseBool(v, w)),
  },
  {
    name: 'auth',
    boolean: false,
    valueName: 'off|sigv4',
    description: 'off: any well-formed SigV4 is accepted (account from the key or the default); sigv4: signatures verified and IAM-style policies enforced.',
    defaultText: 'off',
    apply: (d, v, w) => {
      const mode = v.trim().toLowerCase();
      if (mode !== 'off' && mode !== 'sigv4') throw bad(w, v, 'off or sigv4');
      d.config.auth = mode;
    },
  },
  {
    name: 'auth-file',
    boolean: false,
    valueName: '<file>',
    description: 'JSON file of accounts, users, access keys and identity policies (see README, Authentication).',
    defaultText: 'none',
    apply: (d, v, w) => (d.config.authFile = nonEmpty(v, w, 'a file path')),
  },
  {
    name: 'root-access-key-id',
    boolean: false,
    valueName: '<key id>',
    description: 'Access key id of a root user of --account-id (all permissions); needs --root-secret-access-key.',
    defaultText: 'none',
    apply: (d, v, w) => (d.config.rootAccessKeyId = nonEmpty(v, w, 'an access key id')),
  },
  {
    name: 'root-secret-access-key',
    boolean: false,
    valueName: '<secret>',
    description: 'Secret access key of the root key (prefer the environment variable to the flag).',
    defaultText: 'none',
    apply: (d, v, w) => (d.config.rootSecretAccessKey = nonEmpty(v, w, 'a secret access key')),
  },
  {
    name: 'audit-log',
    boolean: false,
    valueName: '<file>',
    description: 'Append one CloudTrail-like JSON line per control-plane call to this file.',
    defaultText: 'none',
    apply: (d, v, w) => (d.config.auditLog = nonEmpty(v, w, 'a file path')),
  },
  {
    name: 'audit-data-events',
    boolean: true,
    description: 'Also audit data-plane calls (PutRecord(s), GetRecords, GetShardIterator, SubscribeToShard).',
    defaultText: 'false',
    apply: (d, v, w) => (d.config.auditDataEvents = parseBool(v, w)),
  },
  {
    name: 'master-key',
    boolean: false,
    valueName: '<hex|base64>',
    description: 'Master key of the encryption key store (32 bytes); prefer the environment variable or --master-key-file.',
    defaultText: 'generated into <data-dir>/keys/master.key',
    apply: (d, v, w) => (d.config.masterKey = nonEmpty(v, w, '64 hex characters or base64 of 32 bytes')),
  },
  {
    name: 'master-key-file',
    boolean: false,
    valueName: '<file>',
    description: 'File holding the master key of the encryption key store.',
    defaultText: 'none',
    apply: (d, v, w) => (d.config.masterKeyFile = nonEmpty(v, w, 'a file path')),
  },
  {
    name: 'fsync',
    boolean: false,
    valueName: '<policy>',
    description: 'When appends are made durable: always (before acknowledging), interval:<ms>, or never.',
    defaultText: formatFsyncPolicy(defaultServerConfig.fsync),
    apply: (d, v, w) => {
      try {
        d.config.fsync = parseFsyncPolicy(v);
      } catch (cause) {
        throw new ConfigError(`invalid value for ${w}: ${JSON.stringify(v)} (expected always, never or interval:<ms>)`, { cause });
      }
    },
  },
  {
    name: 'tail-cache-mb',
    boolean: false,
    valueName: '<MiB>',
    description:
      'Memory for recently appended records kept to serve reads at the tail, shared by all shards (up to about 1 MiB per shard); 0 turns the cache off.',
    defaultText: String((defaultServerConfig.tailCacheBudgetBytes ?? 0) / MIB),
    apply: (d, v, w) => (d.config.tailCacheBudgetBytes = parseInteger(v, w, 0, 1024 * 1024) * MIB),
  },
  {
    name: 'limits',
    boolean: false,
    valueName: 'on|off',
    description: 'Enforce the AWS per-shard rate limits and quotas (off for self-hosted throughput).',
    defaultText: defaultServerConfig.limits ? 'on' : 'off',
    apply: (d, v, w) => (d.config.limits = parseBool(v, w)),
  },
  {
    name: 'create-stream-ms',
    boolean: false,
    valueName: '<ms>',
    description: 'Time a new stream stays CREATING before it becomes ACTIVE.',
    defaultText: String(defaultServerConfig.createStreamMs),
    apply: (d, v, w) => (d.config.createStreamMs = parseInteger(v, w, 0, DAY_MS)),
  },
  {
    name: 'update-stream-ms',
    boolean: false,
    valueName: '<ms>',
    description: 'Time a stream stays UPDATING (resharding, mode or encryption change).',
    defaultText: String(defaultServerConfig.updateStreamMs),
    apply: (d, v, w) => (d.config.updateStreamMs = parseInteger(v, w, 0, DAY_MS)),
  },
  {
    name: 'delete-stream-ms',
    boolean: false,
    valueName: '<ms>',
    description: 'Time a deleted stream stays DELETING before it is gone.',
    defaultText: String(defaultServerConfig.deleteStreamMs),
    apply: (d, v, w) => (d.config.deleteStreamMs = parseInteger(v, w, 0, DAY_MS)),
  },
  {
    name: 'consumer-ms',
    boolean: false,
    valueName: '<ms>',
    description: 'Time a stream consumer stays CREATING (or DELETING) before it is ACTIVE (or gone).',
    defaultText: String(defaultServerConfig.consumerMs),
    apply: (d, v, w) => (d.config.consumerMs = parseInteger(v, w, 0, DAY_MS)),
  },
  {
    name: 'max-body-bytes',
    boolean: false,
    valueName: '<bytes>',
    description: 'Largest request body accepted; larger ones get RequestEntityTooLargeException (413).',
    defaultText: String(defaultServerConfig.maxBodyBytes),
    apply: (d, v, w) => (d.config.maxBodyBytes = parseInteger(v, w, 1024, 1024 * 1024 * 1024)),
  },
  {
    name: 'request-timeout-ms',
    boolean: false,
    valueName: '<ms>',
    description: 'Time allowed to receive a whole request; slower clients are disconnected.',
    defaultText: String(defaultServerConfig.requestTimeoutMs),
    apply: (d, v, w) => (d.config.requestTimeoutMs = parseInteger(v, w, 1000, DAY_MS)),
  },
];

const byName = new Map(serveOptions.map((o) => [o.name, o]));

export type ServeCommand = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'serve'; readonly config: ServerConfig };

/**
 * Parse `shardline serve` arguments (after the word "serve") and the environment.
 * Throws {@link ConfigError} with a message naming the flag or variable.
 */
export function parseServeCommand(args: readonly string[], env: Readonly<Record<string, string | undefined>>): ServeCommand {
  const fromFlags = new Map<string, { value: string; where: string }>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--help' || arg === '-h') return { kind: 'help', text: serveHelpText() };
    if (!arg.startsWith('--')) {
      throw new ConfigError(`unexpected argument ${JSON.stringify(arg)} for "shardline serve" (see shardline serve --help)`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const option = byName.get(name);
    if (option === undefined) throw new ConfigError(`unknown option --${name} for "shardline serve" (see shardline serve --help)`);
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (option.boolean) value = 'true';
    else {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new ConfigError(`option --${name} needs a value ${option.valueName ?? ''}`.trimEnd());
      }
      value = next;
      i++;
    }
    fromFlags.set(name, { value, where: `--${name}` });
  }

  const draft: Draft = { config: { ...defaultServerConfig }, tlsSelfSigned: false };
  for (const option of serveOptions) {
    const flag = fromFlags.get(option.name);
    const variable = envName(option.name);
    const envValue = env[variable];
    if (flag !== undefined) option.apply(draft, flag.value, flag.where);
    else if (envValue !== undefined && envValue !== '') option.apply(draft, envValue, variable);
  }

  if (draft.tlsSelfSigned && (draft.tlsCert !== undefined || draft.tlsKey !== undefined)) {
    throw new ConfigError('--tls-self-signed cannot be combined with --tls-cert/--tls-key');
  }
  if ((draft.tlsCert === undefined) !== (draft.tlsKey === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key must be given together');
  }
  if (draft.tlsSelfSigned) draft.config.tls = { mode: 'self-signed' };
  else if (draft.tlsCert !== undefined && draft.tlsKey !== undefined) {
    draft.config.tls = { mode: 'files', certFile: draft.tlsCert, keyFile: draft.tlsKey };
  }
  const config: ServerConfig = draft.config;
  validateServerConfig(config);
  return { kind: 'serve', config };
}

/** The options table as help text (used by `shardline serve --help` and `shardline --help`). */
export function serveOptionsHelp(): string {
  const rows = serveOptions.map((o) => ({
    left: `--${o.name}${o.valueName !== undefined ? ' ' + o.valueName : ''}`,
    right: [o.description, `env ${envName(o.name)}; default ${o.defaultText}`],
  }));
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  const lines: string[] = [];
  for (const row of rows) {
    lines.push(`  ${row.left.padEnd(width)}${row.right[0]}`);
    lines.push(`  ${''.padEnd(width)}${row.right[1]}`);
  }
  lines.push(`  ${'--help'.padEnd(width)}Show this help.`);
  return lines.join('\n');
}

export function serveHelpText(): string {
  return [
    'Usage: shardline serve [options]',
    '',
    'Run a Kinesis-compatible server (AWS JSON 1.1 and CBOR, HTTP/1.1 and HTTP/2 on one port).',
    'Prints the endpoint URL when ready; SIGINT/SIGTERM stop it gracefully.',
    'Every option can also be set with the environment variable shown (a flag wins over the variable).',
    '',
    'Options:',
    serveOptionsHelp(),
    '',
  ].join('\n');
}
