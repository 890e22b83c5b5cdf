/**
 * Local key store for encryption at rest: a KMS-like set of keys under `<dataDir>/keys/`, all wrapped
 * by one master key, plus the per-stream data keys that actually encrypt records (see envelope.ts).
 *
 * Key hierarchy
 *   master key (32 bytes)                 from --master-key / --master-key-file, or generated once into
 *                                         keys/master.key (mode 0600)
 *     └─ KMS keys (32 bytes each)         id = UUID, arn:aws:kms:<region>:<account>:key/<id>; aliases
 *          │                              (`alias/aws/kinesis` = the AWS-managed default, created on demand)
 *          └─ data keys (32 bytes each)   one per (stream, KMS key, server run); id = 16 hex characters
 *
 * Files
 *   keys/master.key     64 hex characters + "\n" (only when generated here), mode 0600
 *   keys/keystore.json  {"format":"shardline-keystore","version":1,"keyCheck":…,"keys":[…],
 *                        "aliases":[…],"dataKeys":[…]}; replaced atomically (temp file → fsync → rename
 *                        → fsync dir), mode 0600. Holds no plaintext key material.
 *
 * Wrapped key material (base64 in keystore.json), AES-256-GCM:
 *   offset 0  1 byte   version (1)
 *          1  12 bytes nonce
 *         13  32 bytes ciphertext of the key
 *         45  16 bytes GCM tag
 *   AAD: "shardline kms-key <keyId>" for KMS keys, "shardline data-key <id> <keyId> <context>" for data keys,
 *   so a wrapped key cannot be moved to another slot.
 *
 * One process at a time: the server holds the store in memory and replaces the file on every change,
 * so keys must be administered (a `shardline keys` command) while the server is stopped, or through the
 * running server's KeyStore instance.
 *
 * Key-check value: base64(HMAC-SHA256(master, "shardline keystore key-check v1")). Opening a store with
 * a different master key fails with {@link KeyStoreError} code WRONG_MASTER_KEY before anything is
 * decrypted, so a wrong key can never produce garbage records.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../model/context.js';
import { systemClock } from '../model/context.js';
import { ServiceError } from '../model/service-error.js';

export const KeyState = { Enabled: 'Enabled', Disabled: 'Disabled' } as const;
export type KeyState = (typeof KeyState)[keyof typeof KeyState];

export const KeyManager = { AWS: 'AWS', CUSTOMER: 'CUSTOMER' } as const;
export type KeyManager = (typeof KeyManager)[keyof typeof KeyManager];

export const DEFAULT_KINESIS_ALIAS = 'alias/aws/kinesis';

export interface KeyMetadata {
  readonly keyId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly description: string;
  readonly state: KeyState;
  readonly manager: KeyManager;
  readonly createdMs: number;
  readonly aliases: readonly string[];
}

export const KeyStoreErrorCode = {
  WRONG_MASTER_KEY: 'WRONG_MASTER_KEY',
  MASTER_KEY_MISSING: 'MASTER_KEY_MISSING',
  BAD_MASTER_KEY: 'BAD_MASTER_KEY',
  CORRUPT: 'CORRUPT',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;
export type KeyStoreErrorCode = (typeof KeyStoreErrorCode)[keyof typeof KeyStoreErrorCode];

/** Start-up and administration failures of the key store (not client-visible). */
export class KeyStoreError extends Error {
  constructor(
    readonly code: KeyStoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KeyStoreError';
  }
}

interface StoredKey {
  keyId: string;
  accountId: string;
  region: string;
  description: string;
  state: KeyState;
  manager: KeyManager;
  createdMs: number;
  material: string;
}
interface StoredAlias {
  name: string;
  accountId: string;
  region: string;
  keyId: string;
}
interface StoredDataKey {
  id: string;
  keyId: string;
  context: string;
  createdMs: number;
  wrapped: string;
}
interface StoreFile {
  format: 'shardline-keystore';
  version: 1;
  keyCheck: string;
  keys: StoredKey[];
  aliases: StoredAlias[];
  dataKeys: StoredDataKey[];
}

/** A data key in plaintext, held in memory only. */
export interface DataKey {
  readonly id: string;
  readonly keyId: string;
  readonly key: Buffer;
}

const KEY_CHECK_LABEL = 'shardline keystore key-check v1';
const WRAP_VERSION = 1;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const aliasPattern = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;

function keyCheckValue(master: Buffer): string {
  return createHmac('sha256', master).update(KEY_CHECK_LABEL).digest('base64');
}

export function wrapKey(master: Buffer, plaintext: Buffer, aad: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([WRAP_VERSION]), nonce, body, cipher.getAuthTag()]).toString('base64');
}

export function unwrapKey(master: Buffer, wrapped: string, aad: string): Buffer {
  const raw = Buffer.from(wrapped, 'base64');
  if (raw.length < 1 + 12 + 16 + 1 || raw[0] !== WRAP_VERSION) {
    throw new KeyStoreError(KeyStoreErrorCode.CORRUPT, 'wrapped key has an unknown version or is truncated');
  }
  const decipher = createDecipheriv('aes-256-gcm', master, raw.subarray(1, 13));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  try {
    return Buffer.concat([decipher.update(raw.subarray(13, raw.length - 16)), decipher.final()]);
  } catch (err) {
    throw new KeyStoreError(KeyStoreErrorCode.CORRUPT, 'wrapped key failed authentication (wrong master key or damaged key store)', { cause: err });
  }
}

/** Parse a master key given as 64 hex characters, base64 of 32 bytes, or 32 raw bytes. */
export function parseMasterKey(value: string | Buffer, source: string): Buffer {
  if (Buffer.isBuffer(value) && value.length === 32) return Buffer.from(value);
  const text = (Buffer.isBuffer(value) ? value.toString('utf8') : value).trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(text)) {
    const b = Buffer.from(text, 'base64');
    if (b.length === 32) return b;
  }
  throw new KeyStoreError(KeyStoreErrorCode.BAD_MASTER_KEY, `${source}: a master key must be 32 bytes, written as 64 hex characters or base64`);
}

async function writeFileAtomic(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const dir = await open(join(path, '..'), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export interface KeyStoreOptions {
  /** Directory of the key store, normally `<dataDir>/keys`. */
  readonly dir: string;
  /** Master key from --master-key (hex/base64). */
  readonly masterKey?: string | undefined;
  /** Path of a file holding the master key (--master-key-file). */
  readonly masterKeyFile?: string | undefined;
  readonly clock?: Clock | undefined;
}

export interface KeyStoreOpenResult {
  readonly store: KeyStore;
  /** Human-readable notes for the start-up log (e.g. "generated a new master key"). Never contains key material. */
  readonly notes: readonly string[];
}

export function kmsKeyArn(region: string, accountId: string, keyId: string): string {
  return `arn:aws:kms:${region}:${accountId}:key/${keyId}`;
}
export function kmsAliasArn(region: string, accountId: string, alias: string): string {
  return `arn:aws:kms:${region}:${accountId}:${alias}`;
}

/** Data keys are rotated after this many encryptions (random 96-bit nonces stay far from collision). */
export const DATA_KEY_MAX_USES = 2 ** 30;

export class KeyStore {
  private readonly dataKeyCache = new Map<string, Buffer>();
  /** Current data key per `${keyId} ${context}` for this server run. */
  private readonly currentDataKey = new Map<string, { key: DataKey; uses: number }>();
  /** First-use creation in flight per slot, so concurrent appends share one new data key. */
  private readonly pendingDataKey = new Map<string, Promise<DataKey>>();
  private readonly keysById = new Map<string, StoredKey>();
  private readonly dataKeysById = new Map<string, StoredDataKey>();
  private writeChain: Promise<void> = Promise.resolve();

  private constructor(
    /** undefined for an in-memory store (nothing is written). */
    private readonly dir: string | undefined,
    private readonly master: Buffer,
    private readonly file: StoreFile,
    private readonly clock: Clock,
  ) {
    for (const k of file.keys) this.keysById.set(k.keyId, k);
    for (const d of file.dataKeys) this.dataKeysById.set(d.id, d);
  }

  /**
   * Open (or create) the key store. Fails with KeyStoreError when the master key does not match the
   * store (WRONG_MASTER_KEY), when a store exists but no master key is available (MASTER_KEY_MISSING),
   * or when the store is damaged (CORRUPT).
   */
  static async open(options: KeyStoreOptions): Promise<KeyStoreOpenResult> {
    const notes: string[] = [];
    const clock = options.clock ?? systemClock;
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const storePath = join(options.dir, 'keystore.json');
    const masterPath = join(options.dir, 'master.key');
    let existing: StoreFile | undefined;
    try {
      existing = KeyStore.parseStoreFile(await readFile(storePath, 'utf8'), storePath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    let master: Buffer;
    if (options.masterKey !== undefined && options.masterKeyFile !== undefined) {
      throw new KeyStoreError(KeyStoreErrorCode.BAD_MASTER_KEY, 'give the master key either as a value or as a file, not both');
    }
    if (options.masterKey !== undefined) {
      master = parseMasterKey(options.masterKey, 'master key');
    } else if (options.masterKeyFile !== undefined) {
      let raw: Buffer;
      try {
        raw = await readFile(options.masterKeyFile);
      } catch (err) {
        throw new KeyStoreError(KeyStoreErrorCode.BAD_MASTER_KEY, `master key file ${options.masterKeyFile} cannot be read`, { cause: err });
      }
      master = parseMasterKey(raw, `master key file ${options.masterKeyFile}`);
    } else {
      let raw: Buffer | undefined;
      try {
        raw = await readFile(masterPath);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (raw !== undefined) {
        master = parseMasterKey(raw, masterPath);
        const mode = (await stat(masterPath)).mode & 0o777;
        if ((mode & 0o077) !== 0) notes.push(`${masterPath} is readable by other users (mode ${mode.toString(8)}); it should be 600`);
      } else if (existing) {
        throw new KeyStoreError(
          KeyStoreErrorCode.MASTER_KEY_MISSING,
          `the key store ${storePath} exists but its master key is not available: give the master key it was created with (--master-key or --master-key-file) or restore ${masterPath}`,
        );
      } else {
        master = randomBytes(32);
        await writeFileAtomic(masterPath, master.toString('hex') + '\n');
        await chmod(masterPath, 0o600);
        notes.push(`generated a new master key in ${masterPath} (mode 600); back it up: encrypted records cannot be read without it`);
      }
    }
    const check = keyCheckValue(master);
    if (existing) {
      const a = Buffer.from(existing.keyCheck, 'base64');
      const b = Buffer.from(check, 'base64');
      if (a.length !== b.length || !timingSafeEqual(a, b)) {
        throw new KeyStoreError(
          KeyStoreErrorCode.WRONG_MASTER_KEY,
          `the master key does not match the key store ${storePath} (key-check value differs): start with the master key this data directory was created with`,
        );
      }
      return { store: new KeyStore(options.dir, master, existing, clock), notes };
    }
    const file: StoreFile = { format: 'shardline-keystore', version: 1, keyCheck: check, keys: [], aliases: [], dataKeys: [] };
    const store = new KeyStore(options.dir, master, file, clock);
    await store.persist();
    return { store, notes };
  }

  /**
   * A key store that lives in memory only (for `--in-memory` servers): a random master key, nothing
   * written to disk, everything gone with the process.
   */
  static ephemeral(clock: Clock = systemClock): KeyStore {
    const master = randomBytes(32);
    const file: StoreFile = { format: 'shardline-keystore', version: 1, keyCheck: keyCheckValue(master), keys: [], aliases: [], dataKeys: [] };
    return new KeyStore(undefined, master, file, clock);
  }

  private static parseStoreFile(text: string, path: string): StoreFile {
    let raw: unknown;
    try {
      raw = JSON.parse(text) as unknown;
    } catch (err) {
      throw new KeyStoreError(KeyStoreErrorCode.CORRUPT, `${path} is not valid JSON`, { cause: err });
    }
    const f = raw as Partial<StoreFile> | null;
    if (
      !f ||
      f.format !== 'shardline-keystore' ||
      f.version !== 1 ||
      typeof f.keyCheck !== 'string' ||
      !Array.isArray(f.keys) ||
      !Array.isArray(f.aliases) ||
      !Array.isArray(f.dataKeys)
    ) {
      throw new KeyStoreError(KeyStoreErrorCode.CORRUPT, `${path} is not a shardline key store (format/version/keyCheck/keys/aliases/dataKeys)`);
    }
    return f as StoreFile;
  }

  /** Serialise writes; each write replaces the file atomically. */
  private persist(): Promise<void> {
    const dir = this.dir;
    if (dir === undefined) return Promise.resolve();
    const next = this.writeChain.then(() => writeFileAtomic(join(dir, 'keystore.json'), JSON.stringify(this.file, null, 1) + '\n'));
    // Keep the chain alive after a failure; the failure is reported to this caller.
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private metadata(k: StoredKey): KeyMetadata {
    return {
      keyId: k.keyId,
      arn: kmsKeyArn(k.region, k.accountId, k.keyId),
      accountId: k.accountId,
      region: k.region,
      description: k.description,
      state: k.state,
      manager: k.manager,
      createdMs: k.createdMs,
      aliases: this.file.aliases.filter((a) => a.keyId === k.keyId).map((a) => a.name),
    };
  }

  /** Create a customer key (optionally with an alias) in an account and region. */
  async createKey(options: { accountId: string; region: string; description?: string; alias?: string }): Promise<KeyMetadata> {
    if (options.alias !== undefined) this.checkNewAlias(options.alias, options.accountId, options.region);
    const key = this.addKey(options.accountId, options.region, options.description ?? '', KeyManager.CUSTOMER);
    if (options.alias !== undefined) this.file.aliases.push({ name: options.alias, accountId: options.accountId, region: options.region, keyId: key.keyId });
    await this.persist();
    return this.metadata(key);
  }

  private addKey(accountId: string, region: string, description: string, manager: KeyManager): StoredKey {
    const keyId = randomUUID();
    const material = randomBytes(32);
    const key: StoredKey = {
      keyId,
      accountId,
      region,
      description,
      state: KeyState.Enabled,
      manager,
      createdMs: this.clock.now(),
      material: wrapKey(this.master, material, `shardline kms-key ${keyId}`),
    };
    this.file.keys.push(key);
    this.keysById.set(keyId, key);
    return key;
  }

  private checkNewAlias(alias: string, accountId: string, region: string): void {
    if (!aliasPattern.test(alias)) throw new KeyStoreError(KeyStoreErrorCode.INVALID_ARGUMENT, `alias must look like alias/<name>: ${alias}`);
    if (alias.startsWith('alias/aws/')) throw new KeyStoreError(KeyStoreErrorCode.INVALID_ARGUMENT, `alias/aws/ is reserved for AWS-managed keys: ${alias}`);
    if (this.file.aliases.some((a) => a.name === alias && a.accountId === accountId && a.region === region)) {
      throw new KeyStoreError(KeyStoreErrorCode.INVALID_ARGUMENT, `alias ${alias} already exists in ${accountId}/${region}`);
    }
  }

  /** Point a new alias at an existing key. */
  async createAlias(alias: string, keyRef: string, accountId: string, region: string): Promise<KeyMetadata> {
    this.checkNewAlias(alias, accountId, region);
    const key = this.find(keyRef, accountId, region);
    this.file.aliases.push({ name: alias, accountId, region, keyId: key.keyId });
    await this.persist();
    return this.metadata(key);
  }

  listKeys(filter: { accountId?: string; region?: string } = {}): KeyMetadata[] {
    return this.file.keys
      .filter((k) => (filter.accountId === undefined || k.accountId === filter.accountId) && (filter.region === undefined || k.region === filter.region))
      .map((k) => this.metadata(k));
  }

  /** Resolve a key id, key ARN, alias name or alias ARN; throws KMSNotFoundException. */
  describeKey(keyRef: string, accountId: string, region: string): KeyMetadata {
    return this.metadata(this.find(keyRef, accountId, region));
  }

  async disableKey(keyRef: string, accountId: string, region: string): Promise<KeyMetadata> {
    return this.setState(keyRef, accountId, region, KeyState.Disabled);
  }

  async enableKey(keyRef: string, accountId: string, region: string): Promise<KeyMetadata> {
    return this.setState(keyRef, accountId, region, KeyState.Enabled);
  }

  private async setState(keyRef: string, accountId: string, region: string, state: KeyState): Promise<KeyMetadata> {
    const key = this.find(keyRef, accountId, region);
    key.state = state;
    await this.persist();
    return this.metadata(key);
  }

  private find(keyRef: string, accountId: string, region: string): StoredKey {
    let account = accountId;
    let reg = region;
    let ref = keyRef;
    const arn = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):(\d{12}):(key\/.+|alias\/.+)$/.exec(keyRef);
    if (arn) {
      reg = arn[1];
      account = arn[2];
      ref = arn[3];
    }
    if (ref.startsWith('alias/')) {
      const alias = this.file.aliases.find((a) => a.name === ref && a.accountId === account && a.region === reg);
      const key = alias && this.keysById.get(alias.keyId);
      if (!key) throw new ServiceError('KMSNotFoundException', `Alias ${kmsAliasArn(reg, account, ref)} is not found.`);
      return key;
    }
    const id = ref.startsWith('key/') ? ref.slice(4) : ref;
    const candidate = uuidPattern.test(id) ? this.keysById.get(id) : undefined;
    const key = candidate && candidate.accountId === account && candidate.region === reg ? candidate : undefined;
    if (!key) throw new ServiceError('KMSNotFoundException', `Key '${kmsKeyArn(reg, account, id)}' does not exist`);
    return key;
  }

  /**
   * Resolve the key for StartStreamEncryption: `alias/aws/kinesis` is created on first use (the
   * AWS-managed key); unknown → KMSNotFoundException; disabled → KMSDisabledException.
   */
  async resolveForEncryption(keyRef: string, accountId: string, region: string): Promise<KeyMetadata> {
    const isDefault = keyRef === DEFAULT_KINESIS_ALIAS || keyRef === kmsAliasArn(region, accountId, DEFAULT_KINESIS_ALIAS);
    if (isDefault && !this.file.aliases.some((a) => a.name === DEFAULT_KINESIS_ALIAS && a.accountId === accountId && a.region === region)) {
      const key = this.addKey(accountId, region, 'Default key that protects my Kinesis data when no other key is defined', KeyManager.AWS);
      this.file.aliases.push({ name: DEFAULT_KINESIS_ALIAS, accountId, region, keyId: key.keyId });
      await this.persist();
    }
    const key = this.find(keyRef, accountId, region);
    this.assertEnabled(key);
    return this.metadata(key);
  }

  private assertEnabled(key: StoredKey): void {
    if (key.state !== KeyState.Enabled) {
      throw new ServiceError('KMSDisabledException', `${kmsKeyArn(key.region, key.accountId, key.keyId)} is disabled.`);
    }
  }

  private keyMaterial(key: StoredKey): Buffer {
    return unwrapKey(this.master, key.material, `shardline kms-key ${key.keyId}`);
  }

  /**
   * The data key to encrypt `records` new records of `context` (a stream uid) under KMS key `keyId`:
   * created on first use in this server run (and rotated after {@link DATA_KEY_MAX_USES} records), persisted wrapped
   * before it is returned. Throws KMSNotFoundException / KMSDisabledException.
   */
  async dataKeyForEncryption(keyId: string, context: string, records = 1): Promise<DataKey> {
    const slot = `${keyId} ${context}`;
    const current = this.currentDataKey.get(slot);
    const key = this.keysById.get(keyId);
    if (!key) throw new ServiceError('KMSNotFoundException', `Key '${keyId}' does not exist`);
    this.assertEnabled(key);
    if (current && current.uses + records <= DATA_KEY_MAX_USES) {
      current.uses += records;
      return current.key;
    }
    const pending = this.pendingDataKey.get(slot);
    if (pending) return pending;
    const created = this.createDataKey(key, context, slot, records).finally(() => this.pendingDataKey.delete(slot));
    this.pendingDataKey.set(slot, created);
    return created;
  }

  private async createDataKey(key: StoredKey, context: string, slot: string, records: number): Promise<DataKey> {
    const keyId = key.keyId;
    const id = randomBytes(8).toString('hex');
    const plaintext = randomBytes(32);
    const entry: StoredDataKey = {
      id,
      keyId,
      context,
      createdMs: this.clock.now(),
      wrapped: wrapKey(this.keyMaterial(key), plaintext, `shardline data-key ${id} ${keyId} ${context}`),
    };
    this.file.dataKeys.push(entry);
    this.dataKeysById.set(id, entry);
    await this.persist();
    const dataKey: DataKey = { id, keyId, key: plaintext };
    this.dataKeyCache.set(id, plaintext);
    this.currentDataKey.set(slot, { key: dataKey, uses: records });
    return dataKey;
  }

  /**
   * The plaintext of data key `id` (for reading records). A disabled KMS key makes its records
   * unreadable (KMSDisabledException), as on AWS; an unknown id is KMSNotFoundException.
   */
  dataKeyForDecryption(id: string): Buffer {
    const entry = this.dataKeysById.get(id);
    const key = entry && this.keysById.get(entry.keyId);
    if (!entry || !key) throw new ServiceError('KMSNotFoundException', `The data key ${id} of this record does not exist in the key store.`);
    this.assertEnabled(key);
    const cached = this.dataKeyCache.get(id);
    if (cached) return cached;
    const plaintext = unwrapKey(this.keyMaterial(key), entry.wrapped, `shardline data-key ${entry.id} ${entry.keyId} ${entry.context}`);
    this.dataKeyCache.set(id, plaintext);
    return plaintext;
  }

  /** Wait for pending writes. */
  async close(): Promise<void> {
    await this.writeChain;
  }
}
