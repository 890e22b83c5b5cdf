/**
 * Shard-log names (e.g. `<streamUid>/shardId-000000000000`) map to one safe directory name each:
 * ASCII letters, digits, `_` and `-` stay; every other byte of the UTF-8 name (including `/` and `.`)
 * becomes `%XX`. Encoded names never start with `.`, so they cannot clash with `.trash` or temp
 * entries. Names that would encode to more than 200 bytes use `%h-` + a SHA-256 prefix instead; the
 * exact name is always kept in the directory's NAME file, which `list()` reads.
 */
import { createHash } from 'node:crypto';

const SAFE = /^[A-Za-z0-9_-]$/;
const MAX_DIR_NAME = 200;

export function logDirName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && SAFE.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > MAX_DIR_NAME) out = `%h-${createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 40)}`;
  return out;
}
