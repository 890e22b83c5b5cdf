/**
 * Small state files (markers, names) are replaced atomically and durably: write a temp file, fsync
 * it, rename it over the target, fsync the directory (DESIGN.md convention 10).
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Temp files end with this; a directory scan removes leftovers from a crash. */
export const TEMP_SUFFIX = '.tmp';

export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function writeFileDurable(path: string, content: string | Uint8Array, syncDirectory = true): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await unlink(temp).catch(() => undefined); // best effort: the temp file is garbage either way
    throw err;
  }
  await handle.close();
  await rename(temp, path);
  if (syncDirectory) await fsyncDirectory(dirname(path));
}
