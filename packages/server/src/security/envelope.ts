/**
 * Record encryption at rest (server-side encryption as StartStreamEncryption asks for it):
 * AES-256-GCM with a per-stream data key from the key store (keys.ts), a fresh random nonce per
 * record, and the record's storage flags bit 0 set. The stream uid is bound in as additional
 * authenticated data, so a record copied into another stream's log does not decrypt.
 *
 * Stored record data when flags bit 0 (ENCRYPTED_FLAG) is set:
 *
 *   offset      size  field
 *   0           1     envelope version, 0x01
 *   1           1     L: length of the data key id (1…64)
 *   2           L     data key id, ASCII (names a wrapped data key in keys/keystore.json)
 *   2+L         12    nonce (random)
 *   14+L        n     ciphertext (n = plaintext length)
 *   14+L+n      16    GCM authentication tag
 *
 *   AAD = byte 0x01 ‖ data key id ‖ 0x00 ‖ context (the stream uid, UTF-8)
 *
 * Overhead per record: 30 + L bytes (46 with the key store's 16-character ids). A record that fails
 * authentication (tampered bytes, wrong key) raises {@link EnvelopeError}; it is never returned as data.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { AppendRecord, StoredRecord } from '../storage/contract.js';
import type { DataKey, KeyStore } from './keys.js';

/** Storage flag: the record's data is an encryption envelope (storage/contract.ts, bit 0). */
export const ENCRYPTED_FLAG = 1;
export const ENVELOPE_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export const EnvelopeErrorCode = { MALFORMED: 'MALFORMED', AUTHENTICATION_FAILED: 'AUTHENTICATION_FAILED' } as const;
export type EnvelopeErrorCode = (typeof EnvelopeErrorCode)[keyof typeof EnvelopeErrorCode];

/** An encrypted record that cannot be opened; callers report InternalFailure, never the bytes. */
export class EnvelopeError extends Error {
  constructor(
    readonly code: EnvelopeErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EnvelopeError';
  }
}

function aad(keyId: Buffer, context: string): Buffer {
  return Buffer.concat([Buffer.from([ENVELOPE_VERSION]), keyId, Buffer.from([0]), Buffer.from(context, 'utf8')]);
}

/**
 * Encrypt one record's data under `dataKey`, bound to `context` (the stream uid). `nonce` (12 random
 * bytes, never reused with the same key) is drawn here unless the caller drew a batch of them at once.
 */
export function sealRecord(data: Uint8Array, dataKey: Pick<DataKey, 'id' | 'key'>, context: string, nonce: Buffer = randomBytes(NONCE_BYTES)): Buffer {
  const keyId = Buffer.from(dataKey.id, 'ascii');
  if (keyId.length < 1 || keyId.length > 64) throw new RangeError('data key id must be 1 to 64 ASCII characters');
  if (nonce.length !== NONCE_BYTES) throw new RangeError('nonce must be 12 bytes');
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, nonce);
  cipher.setAAD(aad(keyId, context));
  const head = Buffer.allocUnsafe(2 + keyId.length);
  head[0] = ENVELOPE_VERSION;
  head[1] = keyId.length;
  keyId.copy(head, 2);
  const body = cipher.update(data);
  const final = cipher.final();
  return Buffer.concat([head, nonce, body, final, cipher.getAuthTag()]);
}

/** The data key id of an envelope, without decrypting it. */
export function envelopeKeyId(stored: Uint8Array): string {
  if (stored.length < 2 || stored[0] !== ENVELOPE_VERSION) {
    throw new EnvelopeError(EnvelopeErrorCode.MALFORMED, 'encrypted record has an unknown envelope version');
  }
  const l = stored[1];
  if (l < 1 || l > 64 || stored.length < 2 + l + NONCE_BYTES + TAG_BYTES) {
    throw new EnvelopeError(EnvelopeErrorCode.MALFORMED, 'encrypted record is truncated');
  }
  return Buffer.from(stored.buffer, stored.byteOffset + 2, l).toString('ascii');
}

/** Decrypt an envelope made by {@link sealRecord}; `key` is the data key its header names. */
export function openRecord(stored: Uint8Array, key: Buffer, context: string): Buffer {
  envelopeKeyId(stored);
  const buf = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const l = buf[1];
  const keyId = buf.subarray(2, 2 + l);
  const nonce = buf.subarray(2 + l, 2 + l + NONCE_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(aad(keyId, context));
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(buf.subarray(2 + l + NONCE_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
  } catch (err) {
    throw new EnvelopeError(EnvelopeErrorCode.AUTHENTICATION_FAILED, 'encrypted record failed authentication (damaged data or wrong key)', {
      cause: err,
    });
  }
}

/**
 * What the data plane calls: encrypt a batch before append when the stream is encrypted, decrypt on
 * read when a record carries the flag. Per-stream state comes from the key store (cached there).
 */
export class RecordCipher {
  constructor(private readonly keys: KeyStore) {}

  /**
   * Encrypt `records` for stream `streamUid` under KMS key `keyId` (a key id as returned by
   * KeyStore.resolveForEncryption). Sets flags bit 0. Throws KMSNotFoundException / KMSDisabledException.
   */
  async sealBatch(records: readonly AppendRecord[], streamUid: string, keyId: string): Promise<AppendRecord[]> {
    const dataKey = await this.keys.dataKeyForEncryption(keyId, streamUid, records.length);
    // One call to the random source per batch, not per record.
    const nonces = randomBytes(NONCE_BYTES * records.length);
    return records.map((r, i) => ({
      partitionKey: r.partitionKey,
      explicitHashKey: r.explicitHashKey,
      data: sealRecord(r.data, dataKey, streamUid, nonces.subarray(i * NONCE_BYTES, (i + 1) * NONCE_BYTES)),
      flags: (r.flags ?? 0) | ENCRYPTED_FLAG,
    }));
  }

  /**
   * The plaintext of a stored record (records without bit 0 are returned as they are).
   * Throws KMSDisabledException / KMSNotFoundException (key state) or EnvelopeError (damaged).
   */
  openStored(record: Pick<StoredRecord, 'data' | 'flags'>, streamUid: string): Uint8Array {
    if ((record.flags & ENCRYPTED_FLAG) === 0) return record.data;
    const key = this.keys.dataKeyForDecryption(envelopeKeyId(record.data));
    return openRecord(record.data, key, streamUid);
  }

  /** Whether a stored record was encrypted (GetRecords reports EncryptionType KMS per record). */
  static isEncrypted(record: Pick<StoredRecord, 'flags'>): boolean {
    return (record.flags & ENCRYPTED_FLAG) !== 0;
  }
}
