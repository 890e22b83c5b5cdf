/**
 * Runtime shape descriptors: the data form of an AWS Smithy model that the generator
 * (scripts/generate-model.ts) writes to model/generated/<service>-schema.ts, and that model/input.ts
 * compiles into a parser + validator.
 *
 * Constraint traits (https://smithy.io/2.0/spec/constraint-traits.html) are copied onto each member
 * descriptor already merged: the target shape's traits, overridden by the member's own traits. So a
 * validator only ever looks at the member it is checking, never at the target shape's traits.
 */

/** The Smithy shape types (https://smithy.io/2.0/spec/model.html#shape-types) a descriptor can have. */
export const ShapeType = {
  STRUCTURE: 'structure',
  UNION: 'union',
  LIST: 'list',
  MAP: 'map',
  STRING: 'string',
  ENUM: 'enum',
  INT_ENUM: 'intEnum',
  BLOB: 'blob',
  BOOLEAN: 'boolean',
  BYTE: 'byte',
  SHORT: 'short',
  INTEGER: 'integer',
  LONG: 'long',
  FLOAT: 'float',
  DOUBLE: 'double',
  BIG_INTEGER: 'bigInteger',
  BIG_DECIMAL: 'bigDecimal',
  TIMESTAMP: 'timestamp',
  DOCUMENT: 'document',
} as const;
export type ShapeType = (typeof ShapeType)[keyof typeof ShapeType];

/** Smithy `timestampFormat` values. Absent means the protocol default (epoch-seconds for awsJson1_1). */
export type TimestampFormat = 'epoch-seconds' | 'date-time' | 'http-date';

/** Constraint traits, as they apply to one value. */
export interface Constraints {
  /** `@length` min: characters (code points) for strings, bytes for blobs, entries for lists and maps. */
  readonly lengthMin?: number;
  readonly lengthMax?: number;
  /** `@range` min/max for numbers. */
  readonly rangeMin?: number;
  readonly rangeMax?: number;
  /** `@pattern` exactly as the Smithy model writes it (ECMA-262). */
  readonly pattern?: string;
  /**
   * The pattern as AWS prints it in "Member must satisfy regular expression pattern: …" (the service's
   * original form, without the anchors the Smithy conversion added).
   */
  readonly patternText?: string;
  /** Allowed values of an enum shape (or a Smithy 1 string with the `@enum` trait). */
  readonly enum?: readonly string[];
  /** Allowed values of an intEnum shape. */
  readonly intEnum?: readonly number[];
}

/** One member of a structure or union, a list's member, or a map's key or value. */
export interface MemberDescriptor extends Constraints {
  /** Key of the target shape in the service's shape table. */
  readonly target: string;
  readonly required?: boolean;
  readonly timestampFormat?: TimestampFormat;
}

interface ShapeBase extends Constraints {
  /** Set on error structures: who is at fault (`smithy.api#error`). */
  readonly error?: 'client' | 'server';
  readonly httpError?: number;
  readonly timestampFormat?: TimestampFormat;
}

export interface StructureShape extends ShapeBase {
  readonly type: 'structure';
  readonly members: Readonly<Record<string, MemberDescriptor>>;
}

export interface UnionShape extends ShapeBase {
  readonly type: 'union';
  readonly members: Readonly<Record<string, MemberDescriptor>>;
  /** `@streaming` union: an event stream. */
  readonly streaming?: boolean;
}

export interface ListShape extends ShapeBase {
  readonly type: 'list';
  readonly member: MemberDescriptor;
  /** `@sparse`: null elements are allowed. */
  readonly sparse?: boolean;
}

export interface MapShape extends ShapeBase {
  readonly type: 'map';
  readonly key: MemberDescriptor;
  readonly value: MemberDescriptor;
  readonly sparse?: boolean;
}

export interface SimpleShape extends ShapeBase {
  readonly type: Exclude<ShapeType, 'structure' | 'union' | 'list' | 'map'>;
}

export type ShapeDescriptor = StructureShape | UnionShape | ListShape | MapShape | SimpleShape;

/** The shape table of one service, keyed by shape name (the Smithy shape name without namespace). */
export type ShapeTable = Readonly<Record<string, ShapeDescriptor>>;

/** An error shape of a service: generated into model/generated/<service>-errors.ts. */
export interface ModelErrorSpec {
  readonly fault: 'client' | 'server';
  /** `@httpError` when the model sets one. */
  readonly httpError?: number;
  /** `@retryable` when the model sets it. */
  readonly retryable?: boolean;
}
