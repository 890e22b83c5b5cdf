/**
 * Encryption at rest as a storage decorator: a {@link ShardLogStore} that wraps the real one.
 *
 * - append: records whose flags have bit 0 set (the data plane sets it while the stream's
 *   EncryptionType is KMS) are sealed with the stream's data key (envelope.ts) before they reach the
 *   inner log; other records pass through untouched. So StopStreamEncryption affects new records only,
 *   and the bytes on disk never hold an encrypted stream's payloads in clear.
 * - read: records with bit 0 set are opened again; the flag stays, so the API reports
 *   `EncryptionType: KMS` per record. A record that cannot be opened is an error (KMSDisabledException
 *   for a disabled key, EnvelopeError → InternalFailure for damage), never garbage.
 *
 * Which KMS key protects a stream comes from its StreamRecord (`keyId`, set by StartStreamEncryption),
 * found by the stream uid in the log name (`<streamUid>/<shardId>`, storage/contract.ts). The lookup is
 * cached for `cacheMs`; a changed key (StartStreamEncryption again with another key) takes effect for
 * new records within that time. Reads need no lookup: every envelope names its data key.
 */
import type { Clock } from '../model/context.js';
import type { StreamRecord } from '../kinesis/records.js';
import type { AppendRecord, AppendResult, MetadataStore, PackedAppend, ReadOptions, ReadResult, ShardLog, ShardLogStore, StoredRecord } from '../storage/contract.js';
import { unpackAppend } from '../storage/contract.js';
import { ENCRYPTED_FLAG, RecordCipher } from './envelope.js';
import type { KeyStore } from './keys.js';

/** The KMS key a stream's new records are encrypted under. */
export interface StreamKeyRef {
  /** As given to StartStreamEncryption: key id, key ARN, alias name or alias ARN. */
  readonly keyRef: string;
  readonly accountId: string;
  readonly region: string;
}

export type StreamKeyLookup = (streamUid: string) => Promise<StreamKeyRef | undefined>;

/**
 * Look a stream's key up by uid in the Kinesis metadata (`kinesis/stream/…` records), caching each
 * answer for `cacheMs`.
 */
export function streamKeyLookupFromMetadata(metadata: MetadataStore, clock: Clock, cacheMs = 1000): StreamKeyLookup {
  const cache = new Map<string, { ref: StreamKeyRef | undefined; untilMs: number }>();
  return async (streamUid) => {
    const now = clock.now();
    const hit = cache.get(streamUid);
    if (hit && hit.untilMs > now && hit.ref !== undefined) return hit.ref;
    const streams = await metadata.list<StreamRecord>('kinesis/stream/');
    cache.clear();
    let found: StreamKeyRef | undefined;
    for (const s of streams) {
      const v = s.value;
      const ref = v.keyId === undefined ? undefined : { keyRef: v.keyId, accountId: v.accountId, region: v.region };
      cache.set(v.uid, { ref, untilMs: now + cacheMs });
      if (v.uid === streamUid) found = ref;
    }
    return found;
  };
}

/** The stream uid of a shard log name `<streamUid>/<shardId>`. */
export function streamUidOfLog(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

class EncryptingShardLog implements ShardLog {
  private readonly uid: string;
  constructor(
    private readonly inner: ShardLog,
    private readonly cipher: RecordCipher,
    private readonly keys: KeyStore,
    private readonly lookup: StreamKeyLookup,
  ) {
    this.uid = streamUidOfLog(inner.name);
  }

  get name(): string {
    return this.inner.name;
  }

  async append(records: readonly AppendRecord[]): Promise<AppendResult> {
    let any = false;
    for (const r of records) if (((r.flags ?? 0) & ENCRYPTED_FLAG) !== 0) any = true;
    if (!any) return this.inner.append(records);
    const ref = await this.lookup(this.uid);
    if (!ref) throw new Error(`stream ${this.uid} asks for encrypted records but has no KMS key recorded`);
    const key = await this.keys.resolveForEncryption(ref.keyRef, ref.accountId, ref.region);
    const toSeal = records.filter((r) => ((r.flags ?? 0) & ENCRYPTED_FLAG) !== 0);
    const sealed = await this.cipher.sealBatch(toSeal, this.uid, key.keyId);
    let j = 0;
    const batch = records.map((r) => (((r.flags ?? 0) & ENCRYPTED_FLAG) !== 0 ? sealed[j++] : r));
    return this.inner.append(batch);
  }

  appendPacked(batch: PackedAppend): Promise<AppendResult> {
    // Records to encrypt go through append (sealing needs each record's data); others pass straight on.
    // Sealed records are new buffers. A store without appendPacked keeps what it is given, and the
    // source may be reused once the append settles (storage/contract.ts): it gets copies.
    if ((batch.flags & ENCRYPTED_FLAG) !== 0) return this.append(unpackAppend(batch));
    if (this.inner.appendPacked === undefined) return this.append(unpackAppend(batch).map((r) => ({ ...r, data: Buffer.from(r.data) })));
    return this.inner.appendPacked(batch);
  }

  async read(fromOffset: number, options: ReadOptions): Promise<ReadResult> {
    const result = await this.inner.read(fromOffset, options);
    let any = false;
    for (const r of result.records) if ((r.flags & ENCRYPTED_FLAG) !== 0) any = true;
    if (!any) return result;
    const records: StoredRecord[] = result.records.map((r) =>
      (r.flags & ENCRYPTED_FLAG) === 0 ? r : { ...r, data: this.cipher.openStored(r, this.uid) },
    );
    return { records, nextOffset: result.nextOffset };
  }

  offsetAtTime(timestampMs: number): Promise<number> {
    return this.inner.offsetAtTime(timestampMs);
  }
  startOffset(): number {
    return this.inner.startOffset();
  }
  endOffset(): number {
    return this.inner.endOffset();
  }
  lastArrivalMs(): number | undefined {
    return this.inner.lastArrivalMs();
  }
  seal(): Promise<void> {
    return this.inner.seal();
  }
  isSealed(): boolean {
    return this.inner.isSealed();
  }
  trimBefore(horizonMs: number): Promise<void> {
    return this.inner.trimBefore(horizonMs);
  }
  onAppend(listener: (endOffset: number) => void): () => void {
    return this.inner.onAppend(listener);
  }
}

export class EncryptingShardLogStore implements ShardLogStore {
  private readonly wrapped = new Map<ShardLog, EncryptingShardLog>();
  private readonly cipher: RecordCipher;

  constructor(
    private readonly inner: ShardLogStore,
    private readonly keys: KeyStore,
    private readonly lookup: StreamKeyLookup,
  ) {
    this.cipher = new RecordCipher(keys);
  }

  async open(name: string): Promise<ShardLog> {
    const log = await this.inner.open(name);
    let w = this.wrapped.get(log);
    if (!w) {
      w = new EncryptingShardLog(log, this.cipher, this.keys, this.lookup);
      this.wrapped.set(log, w);
    }
    return w;
  }

  async destroy(name: string): Promise<void> {
    for (const log of this.wrapped.keys()) if (log.name === name) this.wrapped.delete(log);
    await this.inner.destroy(name);
  }

  list(): Promise<string[]> {
    return this.inner.list();
  }

  async close(): Promise<void> {
    this.wrapped.clear();
    await this.inner.close();
  }
}
