/**
 * Sequence numbers: decimal strings that encode the shard and the position, so AT_SEQUENCE_NUMBER is
 * a lookup, not a scan.
 *
 * Positions: the record at log offset `o` has position `o + 1`; position 0 is the start of the shard
 * (its StartingSequenceNumber), before every record. So AT_SEQUENCE_NUMBER(p) reads from offset
 * max(p − 1, 0) and AFTER_SEQUENCE_NUMBER(p) from offset p, and both give the first record for a
 * shard's StartingSequenceNumber (see {@link offsetAtSequenceNumber}, {@link offsetAfterSequenceNumber}).
 *
 * Layout "v3" (issued now): a fixed-width 56-digit decimal string, fields zero-padded, most significant
 * first, so numeric order is field order:
 *
 *   | 1 digit version = 4 | 10 shard index | 16 position | 10 stream salt (uint32) | 19 check |
 *
 * - Within a shard, numbers strictly increase with the position.
 * - A child shard has a higher index than its parents, so its numbers are larger than theirs.
 * - The stream salt and the check field (mixes of index, salt and position; see
 *   {@link SequenceNumberEncoder}) make a number from another stream, or a made-up or altered one, fail
 *   to decode, as AWS rejects them with InvalidArgumentException. Decoding re-encodes and compares, so
 *   only the exact string this server issued is accepted.
 * - Encoding needs no BigInt: a {@link SequenceNumberEncoder} per (shard index, salt) caches the digits
 *   that change rarely, and one record costs one 32-bit mix, table lookups and four concatenations.
 * - As integers, v3 numbers lie in [4·10^55, 4.000000004295·10^55] ⊂ [2^184, 2^185): always 185 bits.
 *   The KCL (SequenceNumberValidator) reads a shard id out of 186-bit numbers whose top nibble is 2
 *   (AWS's layout) and skips its check for any other length, so it never misreads ours. Keep the
 *   version digit below 4.9 (2^185 ≈ 4.904·10^55) if the layout ever changes.
 *
 * Legacy layout "v2" (issued before v3; still decoded so checkpoints taken before an upgrade keep
 * working), a 184-bit integer written in decimal (always 55 digits):
 *
 *   | 4 bits version = 2 | 32 bits shard index | 64 bits offset | 32 bits stream salt | 52 bits check |
 *
 * where `offset` is the record's log offset (position offset + 1), and a shard's StartingSequenceNumber
 * was its first record's number. Every v3 number (56 digits) is larger than every v2 number (55
 * digits), so a shard's numbers keep increasing across the upgrade. SubscribeToShard used to emit
 * "first record's v2 number − 1" as the continuation of a subscription that had delivered nothing from
 * a shard's start; it decodes as position 0.
 */

/** Digits of a v3 sequence number. */
export const SEQUENCE_NUMBER_V3_DIGITS = 56;
/** Digits of a legacy v2 sequence number. */
export const SEQUENCE_NUMBER_V2_DIGITS = 55;

const V3_VERSION = '4';
const INDEX_DIGITS = 10;
const POSITION_DIGITS = 16;
const SALT_DIGITS = 10;
const INDEX_END = 1 + INDEX_DIGITS;
const POSITION_END = INDEX_END + POSITION_DIGITS;
const SALT_END = POSITION_END + SALT_DIGITS;
const UINT32_MAX = 0xffff_ffff;
const TWO_POW_32 = 0x1_0000_0000;

/** ZEROS[n] is n zeros (padding lookups instead of padStart). */
const ZEROS: readonly string[] = Array.from({ length: POSITION_DIGITS + 1 }, (_, n) => '0'.repeat(n));

export interface SequenceNumberParts {
  readonly shardIndex: number;
  /** 0 = the start of the shard; offset + 1 for the record at log offset `offset`. */
  readonly position: number;
  /** The stream salt (uint32). */
  readonly salt: number;
}

/**
 * Murmur3's 32-bit finalizer. The check field only has to make numbers from another stream or made-up
 * ones fail to decode (an unkeyed cryptographic hash would be no stronger), and it runs once per record
 * on the write and read hot paths, so it must be cheap.
 */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function isUint32(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= UINT32_MAX;
}

function isPosition(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= Number.MAX_SAFE_INTEGER;
}

/** Mix of shard index and salt: the seed of every check digit. */
function shardSeed(shardIndex: number, salt: number): number {
  return mix32(Math.imul(shardIndex ^ 0x9e3779b9, 0x27d4eb2f) ^ mix32(salt ^ 0x5bd1e995));
}

/** The 3 check digits that depend on shard index and salt only (0 … 999). */
function constantCheck(seed: number, salt: number): number {
  return mix32(seed ^ Math.imul(salt + 0x632be5ab, 0x94d049bb)) % 1000;
}

/** First mix of a block of 10,000 positions (its first 4 check digits: `% 10,000`). */
function blockMixA(seed: number, block: number): number {
  const lo = block >>> 0;
  const hi = (block / TWO_POW_32) >>> 0;
  return mix32(seed ^ mix32(lo ^ 0x165667b1) ^ Math.imul(hi + 0x7f4a7c15, 0x27d4eb2f));
}

/** Second mix of a block (its next 4 check digits), which also seeds the per-position mix. */
function blockMixB(a: number): number {
  return mix32(a ^ 0x61c88647);
}

/** Mix of a position within its block: the last 8 check digits are (h >>> 16) % 10,000, (h & 0xffff) % 10,000. */
function positionMix(blockB: number, within: number): number {
  return mix32(blockB ^ Math.imul(within + 0x3c6ef372, 0x85ebca77));
}

/** FOUR_DIGITS[n] is n (0 … 9999) as 4 zero-padded digits. */
const FOUR_DIGITS: readonly string[] = Array.from({ length: 10_000 }, (_, n) => String(n).padStart(4, '0'));
/** Positions are written as a 12-digit block number (cached per block) and 4 digits within the block. */
const BLOCK = 10_000;
const BLOCK_DIGITS = POSITION_DIGITS - 4;

/** Characters of `blockHead` (version, index, the block's 12 position digits) and of `blockMiddle` (salt, 11 check digits). */
const HEAD_CHARS = 1 + INDEX_DIGITS + BLOCK_DIGITS;
const MIDDLE_CHARS = SALT_DIGITS + 3 + 8;

/** Write n (0 … 9999) as 4 ASCII digits. */
function writeFourDigits(out: Uint8Array, p: number, n: number): number {
  out[p] = 0x30 + ((n / 1000) | 0);
  out[p + 1] = 0x30 + (((n / 100) | 0) % 10);
  out[p + 2] = 0x30 + (((n / 10) | 0) % 10);
  out[p + 3] = 0x30 + (n % 10);
  return p + 4;
}

/**
 * Encodes the v3 sequence numbers of one shard of one stream. Hot paths hold one per shard (or take the
 * cached one from {@link sequenceNumberEncoder}) and call {@link record} per record.
 *
 * Cost: the digits that depend on the shard, the salt and the block of 10,000 positions are cached, so
 * encoding one record is one 32-bit mix, three table lookups and four concatenations — no BigInt and no
 * number-to-string conversion (those cost ≈ 40 ns each for small integers and ≈ 200 ns for doubles).
 *
 * The 19 check digits: 3 from the shard index and salt, 8 from the block, 8 from the position within
 * the block (each mixed with everything before it), so a number whose index, position or salt was
 * changed fails to decode.
 */
export class SequenceNumberEncoder {
  readonly shardIndex: number;
  /** The stream salt as a uint32. */
  readonly salt: number;
  /** Version digit and shard index. */
  private readonly head: string;
  /** Salt digits and the 3 check digits that depend on index and salt only. */
  private readonly saltAndConstant: string;
  private readonly seed: number;
  /** The cached block: its number, `head` + its 12 digits, its check mix, salt + 11 check digits. */
  private block = -1;
  private blockHead = '';
  private blockMix = 0;
  private blockMiddle = '';
  /** `blockHead` and `blockMiddle` as ASCII bytes, for {@link writeRecord}. */
  private readonly headBytes = new Uint8Array(HEAD_CHARS);
  private readonly middleBytes = new Uint8Array(MIDDLE_CHARS);

  constructor(shardIndex: number, salt: number) {
    if (!isUint32(shardIndex)) throw new RangeError(`shard index ${shardIndex} is not a uint32`);
    const s = salt >>> 0;
    this.shardIndex = shardIndex;
    this.salt = s;
    const index = String(shardIndex);
    this.head = V3_VERSION + ZEROS[INDEX_DIGITS - index.length] + index;
    this.seed = shardSeed(shardIndex, s);
    const salted = String(s);
    this.saltAndConstant = ZEROS[SALT_DIGITS - salted.length] + salted + FOUR_DIGITS[constantCheck(this.seed, s)].slice(1);
  }

  private loadBlock(block: number): void {
    const a = blockMixA(this.seed, block);
    const b = blockMixB(a);
    const digits = String(block);
    this.blockHead = this.head + ZEROS[BLOCK_DIGITS - digits.length] + digits;
    this.blockMiddle = this.saltAndConstant + FOUR_DIGITS[a % BLOCK] + FOUR_DIGITS[b % BLOCK];
    this.blockMix = b;
    this.block = block;
    for (let i = 0; i < HEAD_CHARS; i++) this.headBytes[i] = this.blockHead.charCodeAt(i);
    for (let i = 0; i < MIDDLE_CHARS; i++) this.middleBytes[i] = this.blockMiddle.charCodeAt(i);
  }

  /** The number at `position` (0 = the shard's start; offset + 1 = the record at log offset `offset`). */
  at(position: number): string {
    if (!isPosition(position)) throw new RangeError(`sequence number position ${position} out of range`);
    const block = Math.floor(position / BLOCK);
    if (block !== this.block) this.loadBlock(block);
    const within = position - block * BLOCK;
    const h = positionMix(this.blockMix, within);
    return this.blockHead + FOUR_DIGITS[within] + this.blockMiddle + FOUR_DIGITS[(h >>> 16) % BLOCK] + FOUR_DIGITS[(h & 0xffff) % BLOCK];
  }

  /** The number of the record at log offset `offset` (position offset + 1). */
  record(offset: number): string {
    return this.at(offset + 1);
  }

  /**
   * Write the number of the record at log offset `offset` as {@link SEQUENCE_NUMBER_V3_DIGITS} ASCII
   * digits into `out` at `pos` (no string: for answers rendered straight into bytes); returns the
   * position after it. Same digits as {@link record}.
   */
  writeRecord(offset: number, out: Uint8Array, pos: number): number {
    const position = offset + 1;
    if (!isPosition(position)) throw new RangeError(`sequence number position ${position} out of range`);
    const block = Math.floor(position / BLOCK);
    if (block !== this.block) this.loadBlock(block);
    const within = position - block * BLOCK;
    const h = positionMix(this.blockMix, within);
    out.set(this.headBytes, pos);
    let p = writeFourDigits(out, pos + HEAD_CHARS, within);
    out.set(this.middleBytes, p);
    p = writeFourDigits(out, p + MIDDLE_CHARS, (h >>> 16) % BLOCK);
    return writeFourDigits(out, p, (h & 0xffff) % BLOCK);
  }

  /** The shard's StartingSequenceNumber (position 0). */
  start(): string {
    return this.at(0);
  }
}

/** Small direct-mapped cache: PutRecords and GetRecords touch a handful of shards at a time. */
const ENCODER_CACHE_SIZE = 256;
const encoderCache: (SequenceNumberEncoder | undefined)[] = new Array<SequenceNumberEncoder | undefined>(ENCODER_CACHE_SIZE);

/** The encoder of a shard of a stream (cached; cheap to call once per request or per record). */
export function sequenceNumberEncoder(shardIndex: number, salt: number): SequenceNumberEncoder {
  const s = salt >>> 0;
  const slot = (Math.imul(shardIndex, 0x9e3779b1) ^ s) & (ENCODER_CACHE_SIZE - 1);
  const cached = encoderCache[slot];
  if (cached !== undefined && cached.shardIndex === shardIndex && cached.salt === s) return cached;
  const encoder = new SequenceNumberEncoder(shardIndex, s);
  encoderCache[slot] = encoder;
  return encoder;
}

/** The (v3) sequence number of the record at log offset `offset` of a shard: position offset + 1. */
export function encodeSequenceNumber(shardIndex: number, offset: number, salt: number): string {
  return sequenceNumberEncoder(shardIndex, salt).at(offset + 1);
}

/** The (v3) sequence number at `position` of a shard (0 = its StartingSequenceNumber). */
export function encodeSequenceNumberAt(shardIndex: number, position: number, salt: number): string {
  return sequenceNumberEncoder(shardIndex, salt).at(position);
}

/** Log offset AT_SEQUENCE_NUMBER starts at: the record itself, or the first record for position 0. */
export function offsetAtSequenceNumber(position: number): number {
  return position > 0 ? position - 1 : 0;
}

/** Log offset AFTER_SEQUENCE_NUMBER starts at: the record after the one at `position`. */
export function offsetAfterSequenceNumber(position: number): number {
  return position;
}

/** Decode, or undefined when the string is not a sequence number this server issued (v3 or legacy v2). */
export function decodeSequenceNumber(value: string): SequenceNumberParts | undefined {
  if (typeof value !== 'string') return undefined;
  if (value.length === SEQUENCE_NUMBER_V3_DIGITS) return decodeV3(value);
  if (value.length === SEQUENCE_NUMBER_V2_DIGITS) return decodeLegacyV2(value);
  return undefined;
}

function allDigits(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The decimal value of value[from, to), or -1 when a character is not a digit. */
function digitsValue(value: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = value.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * One pass over the string, no allocation: read the fields, recompute the check digits and compare.
 * Fixed-width fields make the accepted string canonical (one string per index, position and salt).
 */
function decodeV3(value: string): SequenceNumberParts | undefined {
  if (value.charCodeAt(0) !== 52 /* '4' */) return undefined;
  const shardIndex = digitsValue(value, 1, INDEX_END);
  // Up to 16 digits: exact up to 2^53, and anything larger stays larger than MAX_SAFE_INTEGER.
  const position = digitsValue(value, INDEX_END, POSITION_END);
  const salt = digitsValue(value, POSITION_END, SALT_END);
  if (shardIndex < 0 || shardIndex > UINT32_MAX || salt < 0 || salt > UINT32_MAX || position < 0 || position > Number.MAX_SAFE_INTEGER) {
    return undefined;
  }
  const seed = shardSeed(shardIndex, salt);
  if (digitsValue(value, SALT_END, SALT_END + 3) !== constantCheck(seed, salt)) return undefined;
  const block = Math.floor(position / BLOCK);
  const a = blockMixA(seed, block);
  const b = blockMixB(a);
  const h = positionMix(b, position - block * BLOCK);
  const c = SALT_END + 3;
  if (
    digitsValue(value, c, c + 4) !== a % BLOCK ||
    digitsValue(value, c + 4, c + 8) !== b % BLOCK ||
    digitsValue(value, c + 8, c + 12) !== (h >>> 16) % BLOCK ||
    digitsValue(value, c + 12, c + 16) !== (h & 0xffff) % BLOCK
  ) {
    return undefined;
  }
  return { shardIndex, position, salt };
}

// ---------------------------------------------------------------------------------------------
// Legacy v2 (BigInt; off the hot path: decoding checkpoints taken before the upgrade, and tests)
// ---------------------------------------------------------------------------------------------

const V2_VERSION = 2n;
const V2_CHECK_BITS = 52n;
const V2_SALT_BITS = 32n;
const V2_OFFSET_BITS = 64n;
const V2_INDEX_BITS = 32n;
const V2_CHECK_MASK = (1n << V2_CHECK_BITS) - 1n;
const V2_SALT_MASK = (1n << V2_SALT_BITS) - 1n;
const V2_OFFSET_MASK = (1n << V2_OFFSET_BITS) - 1n;
const V2_INDEX_MASK = (1n << V2_INDEX_BITS) - 1n;

/** The v2 check field: its high 20 and low 32 bits. */
function legacyCheck(shardIndex: number, offset: number, salt: number): bigint {
  const offsetHi = Math.floor(offset / TWO_POW_32) >>> 0;
  const offsetLo = offset >>> 0;
  const a = mix32(Math.imul(shardIndex ^ 0x9e3779b9, 0x27d4eb2f) ^ mix32(offsetLo ^ 0x165667b1) ^ mix32(salt ^ 0x5bd1e995));
  const b = mix32(a ^ Math.imul(offsetHi + 0x7f4a7c15, 0x94d049bb) ^ mix32(offsetLo + salt + 0x632be5ab));
  return ((BigInt(a >>> 12) << 32n) | BigInt(b)) & V2_CHECK_MASK;
}

/**
 * The legacy v2 number of the record at log offset `offset` (what this server issued before v3). For
 * tests and benchmarks: nothing issues v2 numbers any more.
 */
export function encodeLegacySequenceNumber(shardIndex: number, offset: number, salt: number): string {
  const s = salt >>> 0;
  const v =
    (V2_VERSION << (V2_INDEX_BITS + V2_OFFSET_BITS + V2_SALT_BITS + V2_CHECK_BITS)) |
    (BigInt(shardIndex) << (V2_OFFSET_BITS + V2_SALT_BITS + V2_CHECK_BITS)) |
    (BigInt(offset) << (V2_SALT_BITS + V2_CHECK_BITS)) |
    (BigInt(s) << V2_CHECK_BITS) |
    legacyCheck(shardIndex, offset, s);
  return v.toString(10);
}

/** The v2 fields of a 184-bit value, or undefined when its version or check field is wrong. */
function legacyFields(v: bigint): { shardIndex: number; offset: number; salt: number } | undefined {
  if (v >> (V2_INDEX_BITS + V2_OFFSET_BITS + V2_SALT_BITS + V2_CHECK_BITS) !== V2_VERSION) return undefined;
  const c = v & V2_CHECK_MASK;
  const s = (v >> V2_CHECK_BITS) & V2_SALT_MASK;
  const o = (v >> (V2_SALT_BITS + V2_CHECK_BITS)) & V2_OFFSET_MASK;
  const i = (v >> (V2_OFFSET_BITS + V2_SALT_BITS + V2_CHECK_BITS)) & V2_INDEX_MASK;
  // Positions must stay safe integers: offset + 1 ≤ MAX_SAFE_INTEGER.
  if (o >= BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const shardIndex = Number(i);
  const offset = Number(o);
  const salt = Number(s);
  if (legacyCheck(shardIndex, offset, salt) !== c) return undefined;
  return { shardIndex, offset, salt };
}

function decodeLegacyV2(value: string): SequenceNumberParts | undefined {
  if (value.charCodeAt(0) === 48 || !allDigits(value)) return undefined;
  const v = BigInt(value);
  const record = legacyFields(v);
  if (record) return { shardIndex: record.shardIndex, position: record.offset + 1, salt: record.salt };
  // "First record's number − 1": the continuation SubscribeToShard sent for a subscription that had
  // delivered nothing from the start of a shard. It stands for the shard's start.
  const next = legacyFields(v + 1n);
  if (next && next.offset === 0) return { shardIndex: next.shardIndex, position: 0, salt: next.salt };
  return undefined;
}

// ---------------------------------------------------------------------------------------------

/** Numeric comparison of two decimal sequence numbers (-1, 0, 1), without BigInt. */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = stripLeadingZeros(a);
  const y = stripLeadingZeros(b);
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function stripLeadingZeros(s: string): string {
  let i = 0;
  while (i < s.length - 1 && s.charCodeAt(i) === 48) i++;
  return i === 0 ? s : s.slice(i);
}
