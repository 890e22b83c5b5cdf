/**
 * In-memory metadata store for unit tests and `--in-memory`. Values are deep-copied on the way in
 * and out (structuredClone), so callers cannot mutate committed state by accident — as with a
 * store that serialises.
 */
import type { MetadataOp, MetadataStore, Versioned } from '../contract.js';
import { StorageError, StorageErrorCode } from '../contract.js';
import { compareKeys, planCommit } from '../metadata-plan.js';

interface Entry {
  readonly version: number;
  readonly value: unknown;
}

export class MemoryMetadataStore implements MetadataStore {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    this.assertOpen();
    const e = this.entries.get(key);
    return e ? { key, version: e.version, value: structuredClone(e.value) as T } : undefined;
  }

  async list<T>(prefix: string): Promise<Versioned<T>[]> {
    this.assertOpen();
    const keys = [...this.entries.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
    return keys.map((key) => {
      const e = this.entries.get(key) as Entry;
      return { key, version: e.version, value: structuredClone(e.value) as T };
    });
  }

  async commit(ops: readonly MetadataOp[]): Promise<void> {
    this.assertOpen();
    const writes = planCommit(ops, (key) => this.entries.get(key)?.version);
    // Clone everything before changing anything, so a value that cannot be cloned changes nothing.
    const cloned = writes.map((w) => (w.version === undefined ? undefined : structuredClone(w.value)));
    writes.forEach((w, i) => {
      if (w.version === undefined) this.entries.delete(w.key);
      else this.entries.set(w.key, { version: w.version, value: cloned[i] });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError(StorageErrorCode.CLOSED, 'metadata store is closed');
  }
}
