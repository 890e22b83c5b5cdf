/**
 * `shardline keys <subcommand>`: administer the encryption key store of a data directory (the server
 * must be stopped: the command takes the data directory's lock, as the server does).
 *
 *   shardline keys list
 *   shardline keys create [--alias alias/<name>] [--description <text>]
 *   shardline keys describe <key id | key ARN | alias | alias ARN>
 *   shardline keys disable <key>      shardline keys enable <key>
 *   shardline keys create-alias <alias/name> <key>
 *
 * Options: --data-dir (SHARDLINE_DATA_DIR, default ./data), --master-key / --master-key-file
 * (SHARDLINE_MASTER_KEY / SHARDLINE_MASTER_KEY_FILE), --account-id (SHARDLINE_ACCOUNT_ID, default
 * 000000000000), --region (SHARDLINE_REGION, default us-east-1). Output: JSON shaped like AWS KMS
 * (`{"KeyMetadata": {...}}`, `{"Keys": [...]}`).
 */
import { mkdir } from 'node:fs/promises';
import { silentLogger } from '../logger.js';
import { isServiceError } from '../model/service-error.js';
import { DataDirLock } from '../storage/embedded/data-dir-lock.js';
import { KeyStore, KeyStoreError } from './keys.js';
import type { KeyMetadata } from './keys.js';
import { keysDirFor } from './security.js';

export interface KeysIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
}

const USAGE = [
  'Usage: shardline keys <list | create | describe | disable | enable | create-alias> [arguments] [options]',
  '',
  '  list                                 All keys of the account and region',
  '  create [--alias alias/<name>] [--description <text>]',
  '  describe <key>                       Key id, key ARN, alias or alias ARN',
  '  disable <key> | enable <key>         Records of a disabled key cannot be read or written',
  '  create-alias <alias/name> <key>',
  '',
  'Options: --data-dir <dir> --master-key <hex|base64> --master-key-file <file> --account-id <12 digits> --region <region>',
  '(also SHARDLINE_DATA_DIR, SHARDLINE_MASTER_KEY, SHARDLINE_MASTER_KEY_FILE, SHARDLINE_ACCOUNT_ID, SHARDLINE_REGION).',
  'Stop the server first: the command takes the data directory lock.',
  '',
].join('\n');

const valueOptions = ['data-dir', 'master-key', 'master-key-file', 'account-id', 'region', 'alias', 'description'] as const;
type ValueOption = (typeof valueOptions)[number];

class UsageError extends Error {}

function parseArgs(args: readonly string[]): { positional: string[]; options: Partial<Record<ValueOption, string>> } {
  const positional: string[] = [];
  const options: Partial<Record<ValueOption, string>> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = (eq === -1 ? arg.slice(2) : arg.slice(2, eq)) as ValueOption;
    if (!valueOptions.includes(name)) throw new UsageError(`unknown option ${arg.slice(0, eq === -1 ? undefined : eq)}`);
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`option --${name} needs a value`);
    options[name] = value;
  }
  return { positional, options };
}

function awsShape(k: KeyMetadata): Record<string, unknown> {
  return {
    KeyId: k.keyId,
    Arn: k.arn,
    AWSAccountId: k.accountId,
    Description: k.description,
    Enabled: k.state === 'Enabled',
    KeyState: k.state,
    KeyManager: k.manager,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeySpec: 'SYMMETRIC_DEFAULT',
    CreationDate: new Date(k.createdMs).toISOString(),
    Aliases: k.aliases,
  };
}

/** Run `shardline keys …`; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runKeys(args: readonly string[], io: KeysIo): Promise<number> {
  if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
    io.stdout.write(USAGE);
    return args.length === 0 ? 2 : 0;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(args.slice(1));
  } catch (err) {
    io.stderr.write(`shardline keys: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const sub = args[0];
  const o = parsed.options;
  const dataDir = o['data-dir'] ?? io.env.SHARDLINE_DATA_DIR ?? './data';
  const accountId = o['account-id'] ?? io.env.SHARDLINE_ACCOUNT_ID ?? '000000000000';
  const region = o.region ?? io.env.SHARDLINE_REGION ?? 'us-east-1';
  const masterKey = o['master-key'] ?? (o['master-key-file'] === undefined ? io.env.SHARDLINE_MASTER_KEY : undefined);
  const masterKeyFile = o['master-key-file'] ?? (masterKey === undefined ? io.env.SHARDLINE_MASTER_KEY_FILE : undefined);
  const need = (n: number): string[] => {
    if (parsed.positional.length !== n) throw new UsageError(`"${sub}" takes ${n} argument${n === 1 ? '' : 's'}`);
    return parsed.positional;
  };
  let lock: DataDirLock | undefined;
  let store: KeyStore | undefined;
  try {
    if (!['list', 'create', 'describe', 'disable', 'enable', 'create-alias'].includes(sub)) throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}`);
    await mkdir(dataDir, { recursive: true });
    lock = await DataDirLock.acquire(dataDir, silentLogger);
    const opened = await KeyStore.open({ dir: keysDirFor(dataDir), masterKey, masterKeyFile });
    store = opened.store;
    for (const note of opened.notes) io.stderr.write(`shardline keys: ${note}\n`);
    let out: unknown;
    switch (sub) {
      case 'list':
        need(0);
        out = { Keys: store.listKeys({ accountId, region }).map(awsShape) };
        break;
      case 'create':
        need(0);
        out = { KeyMetadata: awsShape(await store.createKey({ accountId, region, description: o.description, alias: o.alias })) };
        break;
      case 'describe':
        out = { KeyMetadata: awsShape(store.describeKey(need(1)[0], accountId, region)) };
        break;
      case 'disable':
        out = { KeyMetadata: awsShape(await store.disableKey(need(1)[0], accountId, region)) };
        break;
      case 'enable':
        out = { KeyMetadata: awsShape(await store.enableKey(need(1)[0], accountId, region)) };
        break;
      default: {
        const [alias, key] = need(2);
        out = { KeyMetadata: awsShape(await store.createAlias(alias, key, accountId, region)) };
      }
    }
    io.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`shardline keys: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof KeyStoreError || isServiceError(err)) {
      io.stderr.write(`shardline keys: ${err instanceof KeyStoreError ? err.message : `${err.code}: ${err.message}`}\n`);
      return 1;
    }
    io.stderr.write(`shardline keys: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await store?.close();
    await lock?.release();
  }
}
