/**
 * A node:crypto SHA-256 / HMAC-SHA256 for @smithy/signature-v4 in tests that sign requests. Kept apart
 * from the server's own adapter (src/security/sigv4.ts) so that tests sign independently of the code
 * they check.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';

export class TestSha256 implements Checksum {
  private h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(private readonly key?: SourceData) {
    this.h = key === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(key as Uint8Array));
  }
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {
    this.h = this.key === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(this.key as Uint8Array));
  }
}
