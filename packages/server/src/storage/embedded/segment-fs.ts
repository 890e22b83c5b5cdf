/**
 * The file operations the segment engine performs on segment and index files, behind an interface
 * so tests can inject faults (EIO, short writes) — see test/storage/embedded/faults.test.ts.
 * Plain callback `fs` wrapped in promises: cheaper per call than `fs/promises` FileHandles.
 */
import fs from 'node:fs';

export interface SegmentFs {
  /** Open a file; `flags` as for fs.open ('r', 'r+', 'wx+', …, or numeric O_* flags). */
  open(path: string, flags: string | number): Promise<number>;
  /**
   * Whether files opened with `O_DSYNC` ({@link dsyncFlags}) make each write durable on return, so the
   * log can skip the separate fdatasync (one I/O round trip per group commit instead of two).
   */
  readonly supportsDsync?: boolean | undefined;
  close(fd: number): Promise<void>;
  /** Write the whole buffer at `position` (loops over short writes). */
  writeAll(fd: number, buf: Uint8Array, position: number): Promise<void>;
  /**
   * Optional: {@link writeAll} on the calling thread. For small writes that go to the page cache (no
   * fsync per write) it costs a few µs instead of a round trip through the I/O thread pool.
   */
  writeAllSync?(fd: number, buf: Uint8Array, position: number): void;
  /** Read up to `length` bytes at `position` into `buf` at `offset`; resolves with the bytes read. */
  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  fdatasync(fd: number): Promise<void>;
  fsync(fd: number): Promise<void>;
  ftruncate(fd: number, length: number): Promise<void>;
  fileSize(fd: number): Promise<number>;
}

function writeOnce(fd: number, buf: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.write(fd, buf, offset, length, position, (err, written) => (err ? reject(err) : resolve(written)));
  });
}

/**
 * Numeric open flags equivalent to 'w+' (create: read/write, create, truncate) or 'r+', plus O_DSYNC;
 * undefined where the platform has no O_DSYNC.
 */
export function dsyncFlags(create: boolean): number | undefined {
  const c = fs.constants;
  if (c.O_DSYNC === undefined) return undefined;
  return c.O_RDWR | c.O_DSYNC | (create ? c.O_CREAT | c.O_TRUNC : 0);
}

export const nodeSegmentFs: SegmentFs = {
  supportsDsync: dsyncFlags(false) !== undefined,
  open: (path, flags) =>
    new Promise((resolve, reject) => {
      fs.open(path, flags, 0o644, (err, fd) => (err ? reject(err) : resolve(fd)));
    }),
  close: (fd) =>
    new Promise((resolve, reject) => {
      fs.close(fd, (err) => (err ? reject(err) : resolve()));
    }),
  writeAll: async (fd, buf, position) => {
    let done = 0;
    while (done < buf.length) {
      const n = await writeOnce(fd, buf, done, buf.length - done, position + done);
      if (n <= 0) throw new Error(`write returned ${n}`);
      done += n;
    }
  },
  writeAllSync: (fd, buf, position) => {
    let done = 0;
    while (done < buf.length) {
      const n = fs.writeSync(fd, buf, done, buf.length - done, position + done);
      if (n <= 0) throw new Error(`write returned ${n}`);
      done += n;
    }
  },
  read: (fd, buf, offset, length, position) =>
    new Promise((resolve, reject) => {
      fs.read(fd, buf, offset, length, position, (err, n) => (err ? reject(err) : resolve(n)));
    }),
  fdatasync: (fd) =>
    new Promise((resolve, reject) => {
      fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()));
    }),
  fsync: (fd) =>
    new Promise((resolve, reject) => {
      fs.fsync(fd, (err) => (err ? reject(err) : resolve()));
    }),
  ftruncate: (fd, length) =>
    new Promise((resolve, reject) => {
      fs.ftruncate(fd, length, (err) => (err ? reject(err) : resolve()));
    }),
  fileSize: (fd) =>
    new Promise((resolve, reject) => {
      fs.fstat(fd, (err, st) => (err ? reject(err) : resolve(st.size)));
    }),
};

/** Read exactly `length` bytes at `position` (fewer only at end of file). */
export async function readFully(sfs: SegmentFs, fd: number, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = await sfs.read(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return done === length ? buf : buf.subarray(0, done);
}
