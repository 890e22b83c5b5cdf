/**
 * The compare-and-set rules of {@link MetadataStore.commit}, shared by every backend: operations
 * apply in order against a staged view (so a commit may check, then put, the same key), any failed
 * condition rejects the whole commit with CONFLICT, and versions start at 1 and grow by 1 per write.
 */
import type { MetadataOp } from './contract.js';
import { StorageError, StorageErrorCode } from './contract.js';

/** One change a commit makes: `version` undefined means delete. */
export interface PlannedWrite {
  readonly key: string;
  readonly version: number | undefined;
  readonly value: unknown;
}

/**
 * Check every condition and work out the writes. `currentVersion` reads the committed state
 * (undefined when the key does not exist). Throws StorageError CONFLICT on the first failed condition.
 */
export function planCommit(
  ops: readonly MetadataOp[],
  currentVersion: (key: string) => number | undefined,
): PlannedWrite[] {
  const staged = new Map<string, PlannedWrite>();
  const versionOf = (key: string): number | undefined => {
    const s = staged.get(key);
    return s ? s.version : currentVersion(key);
  };
  for (const op of ops) {
    if (typeof op.key !== 'string' || op.key.length === 0) {
      throw new TypeError(`metadata key must be a non-empty string, got ${JSON.stringify(op.key)}`);
    }
    const version = versionOf(op.key);
    if (op.expectVersion !== undefined) {
      const ok = op.expectVersion === 0 ? version === undefined : version === op.expectVersion;
      if (!ok) {
        throw new StorageError(
          StorageErrorCode.CONFLICT,
          `metadata ${op.type} of ${op.key}: expected ${op.expectVersion === 0 ? 'no record' : `version ${op.expectVersion}`}, found ${version === undefined ? 'no record' : `version ${version}`}`,
        );
      }
    }
    if (op.type === 'put') {
      if (op.value === undefined) throw new TypeError(`metadata put of ${op.key}: value must not be undefined`);
      staged.set(op.key, { key: op.key, version: (version ?? 0) + 1, value: op.value });
    } else if (op.type === 'delete') {
      if (version !== undefined || staged.has(op.key)) staged.set(op.key, { key: op.key, version: undefined, value: undefined });
    }
  }
  return [...staged.values()];
}

/** Compare keys the way `list` sorts them (by UTF-16 code units, i.e. plain `<`). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
