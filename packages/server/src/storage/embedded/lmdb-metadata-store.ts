/**
 * Metadata in LMDB (the `lmdb` package): one write transaction per commit, conditions checked inside
 * it, versions kept by LMDB's entry versions. `commit` resolves only after the transaction is
 * flushed to disk (`db.flushed`), so a resolved commit survives a crash.
 */
import { open } from 'lmdb';
import type { Database } from 'lmdb';
import type { MetadataOp, MetadataStore, Versioned } from '../contract.js';
import { StorageError, StorageErrorCode } from '../contract.js';
import { compareKeys, planCommit } from '../metadata-plan.js';

/** LMDB's default key limit is 1978 bytes; keys may not contain NUL. */
const MAX_KEY_BYTES = 1978;

function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new TypeError(`metadata key too long: ${key.slice(0, 80)}…`);
  if (key.includes('\u0000')) throw new TypeError('metadata key must not contain NUL');
}

export class LmdbMetadataStore implements MetadataStore {
  private closed = false;

  private constructor(
    private readonly db: Database<unknown, string>,
    readonly path: string,
  ) {}

  static async open(path: string): Promise<LmdbMetadataStore> {
    try {
      const db = open<unknown, string>({ path, useVersions: true, encoding: 'msgpack', compression: false });
      return new LmdbMetadataStore(db, path);
    } catch (err) {
      throw new StorageError(StorageErrorCode.IO, `cannot open metadata store ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    this.assertOpen();
    const entry = this.db.getEntry(key);
    if (entry === undefined) return undefined;
    return { key, version: entry.version as number, value: entry.value as T };
  }

  async list<T>(prefix: string): Promise<Versioned<T>[]> {
    this.assertOpen();
    const out: Versioned<T>[] = [];
    for (const entry of this.db.getRange({ start: prefix, versions: true })) {
      if (!entry.key.startsWith(prefix)) break;
      out.push({ key: entry.key, version: entry.version as number, value: entry.value as T });
    }
    // LMDB orders by UTF-8 bytes; the contract (and the memory store) order by UTF-16 code units.
    return out.sort((a, b) => compareKeys(a.key, b.key));
  }

  async commit(ops: readonly MetadataOp[]): Promise<void> {
    this.assertOpen();
    for (const op of ops) checkKey(op.key);
    let failure: unknown;
    try {
      await this.db.transaction(() => {
        try {
          const writes = planCommit(ops, (key) => this.db.getEntry(key)?.version);
          for (const w of writes) {
            if (w.version === undefined) this.db.removeSync(w.key);
            else this.db.putSync(w.key, w.value, w.version);
          }
        } catch (err) {
          // planCommit throws before any write, so the transaction commits nothing of ours.
          failure = err;
        }
      });
      if (failure === undefined) await this.db.flushed;
    } catch (err) {
      throw new StorageError(StorageErrorCode.IO, `metadata commit failed in ${this.path}: ${(err as Error).message}`, { cause: err });
    }
    if (failure !== undefined) throw failure;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(StorageErrorCode.CLOSED, 'metadata store is closed');
  }
}
