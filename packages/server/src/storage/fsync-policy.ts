/**
 * When the embedded engine makes appended bytes durable (`--fsync` on the command line).
 *
 * - `always`: an append is acknowledged only after the bytes are written and fsynced (group commit:
 *   appends that arrive while a write+fsync is in flight share the next one).
 * - `interval:<ms>`: acknowledged after the write; fsync runs on a timer every `intervalMs`.
 * - `never`: acknowledged after the write; the OS decides when to flush.
 */
export type FsyncPolicy =
  | { readonly mode: 'always' }
  | { readonly mode: 'interval'; readonly intervalMs: number }
  | { readonly mode: 'never' };

export const defaultFsyncPolicy: FsyncPolicy = { mode: 'always' };

/** Parse `always`, `never` or `interval:<ms>` (ms a positive integer). Throws a clear Error otherwise. */
export function parseFsyncPolicy(text: string): FsyncPolicy {
  const t = text.trim();
  if (t === 'always') return { mode: 'always' };
  if (t === 'never') return { mode: 'never' };
  const m = /^interval:(\d+)$/.exec(t);
  if (m) {
    const intervalMs = Number(m[1]);
    if (Number.isSafeInteger(intervalMs) && intervalMs > 0) return { mode: 'interval', intervalMs };
  }
  throw new Error(
    `invalid fsync policy ${JSON.stringify(text)}: expected "always", "never" or "interval:<ms>" with ms a positive integer`,
  );
}

/** The inverse of {@link parseFsyncPolicy}. */
export function formatFsyncPolicy(policy: FsyncPolicy): string {
  return policy.mode === 'interval' ? `interval:${policy.intervalMs}` : policy.mode;
}
