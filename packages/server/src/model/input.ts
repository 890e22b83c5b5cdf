/**
 * Input parsing for AWS JSON 1.1 and AWS CBOR requests, driven by the generated shape descriptors
 * (model/shape.ts): a decoded body (JSON value or CBOR value) becomes the typed input of an operation.
 *
 * 1. Deserialisation (first failure wins → SerializationException, as AWS's front end does):
 *    - JSON blobs are base64 strings → Buffer; CBOR blobs are byte strings (Uint8Array/Buffer).
 *    - JSON timestamps are epoch seconds (int or float; numeric strings accepted) → Date;
 *      CBOR timestamps are Date (tag 1) or integer epoch milliseconds → Date.
 *    - A value of the wrong JSON type fails with AWS's wording, e.g.
 *      "STRING_VALUE can not be converted to an Integer", "Start of list found where not expected".
 *      Fractions for integer members are truncated (as the service does).
 *    - Members the model does not know are dropped.
 * 2. Validation of the constraint traits, collecting every failure into one ValidationException:
 *      "2 validation errors detected: Value null at 'shardId' failed to satisfy constraint: Member must
 *       not be null; Value '0' at 'limit' failed to satisfy constraint: Member must have value greater
 *       than or equal to 1"
 *    Paths are lower-camel member names joined by '.', list elements `records.1.member.partitionKey`
 *    (1-based). A list or map of simple values fails as a whole:
 *      "Value '[a, b]' at 'tagKeys' failed to satisfy constraint: Member must satisfy constraint: [...]"
 *      "Value '{k=v}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: [...]"
 *    Blobs print as AWS's Java service prints them: 'java.nio.HeapByteBuffer[pos=0 lim=N cap=N]'.
 *
 * Everything that can be computed from the model (node tree, regexes, messages' constant parts) is
 * compiled once in createInputParser; the per-call path allocates only the output objects, and builds
 * error paths only when there is an error.
 */
import type { ServiceSpec } from './operation.js';
import { ServiceError } from './service-error.js';
import type { MemberDescriptor, ShapeDescriptor, ShapeTable } from './shape.js';

export type InputProtocol = 'json' | 'cbor';
export type InputParser = (operation: string, raw: unknown, protocol: InputProtocol) => unknown;

const STRUCTURE = 0;
const UNION = 1;
const LIST = 2;
const MAP = 3;
const STRING = 4;
const BLOB = 5;
const BOOLEAN = 6;
const INTEGER = 7;
const FLOAT = 8;
const TIMESTAMP = 9;
const DOCUMENT = 10;
const INT_ENUM = 11;

/** A compiled shape: shared by every member that targets it. */
interface Node {
  kind: number;
  /** "an Integer", "a String", … for deserialisation messages. */
  label: string;
  /** Integer shapes: inclusive bounds of the Java type (int, long, …). */
  intMin: number;
  intMax: number;
  /** ISO-8601 string timestamps (`@timestampFormat("date-time")`). */
  dateTime: boolean;
  fields: Field[];
  element: Field | undefined;
  key: Field | undefined;
  value: Field | undefined;
  sparse: boolean;
}

/** A compiled member: its node plus its own (merged) constraints. */
interface Field {
  name: string;
  /** Path segment in messages: member name with its first letter lower-cased. */
  pathName: string;
  required: boolean;
  node: Node;
  check: Check | undefined;
}

interface Check {
  lengthMin: number;
  lengthMax: number;
  rangeMin: number;
  rangeMax: number;
  regex: RegExp | undefined;
  patternText: string;
  enumSet: ReadonlySet<string | number> | undefined;
  enumText: string;
  /** Every constraint as AWS words it, for the "[…]" of list and map failures. */
  texts: string[];
}

/** Per-call state. */
interface Ctx {
  json: boolean;
  path: (string | number)[];
  errors: string[] | undefined;
}

const integerBounds: Readonly<Record<string, readonly [number, number, string]>> = {
  byte: [-128, 127, 'a Byte'],
  short: [-32768, 32767, 'a Short'],
  integer: [-2147483648, 2147483647, 'an Integer'],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a Long'],
  bigInteger: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'a BigInteger'],
};

function lowerFirst(name: string): string {
  return name.length === 0 ? name : name[0].toLowerCase() + name.slice(1);
}

/** Smithy patterns are ECMA-262 and not implicitly anchored; AWS matches the whole value. */
function compilePattern(pattern: string): RegExp {
  const anchored = pattern.startsWith('^') || pattern.endsWith('$') ? pattern : `^(?:${pattern})$`;
  return new RegExp(anchored);
}

function compileCheck(m: MemberDescriptor, regexCache: Map<string, RegExp>): Check | undefined {
  const texts: string[] = [];
  const check: Check = {
    lengthMin: -1,
    lengthMax: -1,
    rangeMin: Number.NaN,
    rangeMax: Number.NaN,
    regex: undefined,
    patternText: '',
    enumSet: undefined,
    enumText: '',
    texts,
  };
  if (m.lengthMax !== undefined) {
    check.lengthMax = m.lengthMax;
    texts.push(`Member must have length less than or equal to ${m.lengthMax}`);
  }
  if (m.lengthMin !== undefined) {
    check.lengthMin = m.lengthMin;
    texts.push(`Member must have length greater than or equal to ${m.lengthMin}`);
  }
  if (m.rangeMax !== undefined) {
    check.rangeMax = m.rangeMax;
    texts.push(`Member must have value less than or equal to ${m.rangeMax}`);
  }
  if (m.rangeMin !== undefined) {
    check.rangeMin = m.rangeMin;
    texts.push(`Member must have value greater than or equal to ${m.rangeMin}`);
  }
  if (m.pattern !== undefined) {
    let regex = regexCache.get(m.pattern);
    if (regex === undefined) {
      regex = compilePattern(m.pattern);
      regexCache.set(m.pattern, regex);
    }
    check.regex = regex;
    check.patternText = `Member must satisfy regular expression pattern: ${m.patternText ?? m.pattern}`;
    texts.push(check.patternText);
  }
  const values = m.enum ?? m.intEnum;
  if (values !== undefined) {
    check.enumSet = new Set<string | number>(values);
    check.enumText = `Member must satisfy enum value set: [${values.join(', ')}]`;
    texts.push(check.enumText);
  }
  return texts.length === 0 ? undefined : check;
}

// ---------------------------------------------------------------------------------------------
// Messages

function serialization(message: string): ServiceError {
  return new ServiceError('SerializationException', message);
}

/** Coral's name for the JSON token that was found where another type was expected. */
function mismatch(value: unknown, label: string): ServiceError {
  if (Array.isArray(value)) return serialization('Start of list found where not expected');
  if (value instanceof Uint8Array) return serialization(`BYTES_VALUE can not be converted to ${label}`);
  if (value instanceof Date) return serialization(`TIMESTAMP_VALUE can not be converted to ${label}`);
  if (typeof value === 'object' && value !== null) return serialization('Start of structure or map found where not expected.');
  const token =
    typeof value === 'string'
      ? 'STRING_VALUE'
      : typeof value === 'number' || typeof value === 'bigint'
        ? 'NUMBER_VALUE'
        : value === true
          ? 'TRUE_VALUE'
          : 'FALSE_VALUE';
  return serialization(`${token} can not be converted to ${label}`);
}

/** A value as AWS prints it inside the quotes of "Value '…' at". */
function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${show(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function quoted(value: unknown): string {
  return value === null || value === undefined ? 'null' : `'${show(value)}'`;
}

function addError(ctx: Ctx, value: unknown, constraint: string, extra?: string | number): void {
  let path = ctx.path.join('.');
  if (extra !== undefined) path = path === '' ? String(extra) : `${path}.${extra}`;
  const message = `Value ${quoted(value)} at '${path}' failed to satisfy constraint: ${constraint}`;
  if (ctx.errors === undefined) ctx.errors = [message];
  else ctx.errors.push(message);
}

// ---------------------------------------------------------------------------------------------
// Base64 (RFC 4648 standard alphabet, padded), checked the way the service checks it.

const base64Values = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  base64Values['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i;
}

function decodeBase64(s: string): Buffer {
  const n = s.length;
  if (n % 4 !== 0) {
    throw serialization(`'${s}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${n}`);
  }
  let pad = 0;
  if (n > 0 && s.charCodeAt(n - 1) === 61) pad = s.charCodeAt(n - 2) === 61 ? 2 : 1;
  const end = n - pad;
  // Fast path: Node's decoder skips (or stops at) characters outside the alphabet, so a full-length
  // result proves every character valid, except the URL-safe '-' and '_' that Node also accepts.
  const bytes = Buffer.from(s, 'base64');
  if (bytes.length !== (n >> 2) * 3 - pad || s.indexOf('-') !== -1 || s.indexOf('_') !== -1) {
    for (let i = 0; i < end; i++) {
      const c = s.charCodeAt(i);
      if (c > 127 || base64Values[c] < 0) {
        throw serialization(`'${s}' can not be converted to a Blob: Invalid Base64 character: '${s[i]}'`);
      }
    }
  }
  if (pad > 0) {
    // The bits of the last character that fall beyond the data must be zero.
    const last = base64Values[s.charCodeAt(end - 1)];
    if ((pad === 1 && (last & 0x03) !== 0) || (pad === 2 && (last & 0x0f) !== 0)) {
      throw serialization(`'${s}' can not be converted to a Blob: Invalid last non-pad Base64 character dectected`);
    }
  }
  return bytes;
}

function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Coercion + validation

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) && !(value instanceof Date);
}

function parseStructure(node: Node, raw: unknown, ctx: Ctx): Record<string, unknown> {
  if (!isPlainObject(raw)) {
    if (Array.isArray(raw)) throw serialization('Start of list found where not expected');
    throw serialization('Expected null');
  }
  const out: Record<string, unknown> = {};
  const fields = node.fields;
  const path = ctx.path;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const value = raw[field.name];
    path.push(field.pathName);
    if (value === undefined || value === null) {
      if (field.required) addError(ctx, null, 'Member must not be null');
    } else {
      out[field.name] = parseField(field, value, ctx);
    }
    path.pop();
  }
  return out;
}

function parseUnion(node: Node, raw: unknown, ctx: Ctx): Record<string, unknown> {
  // Same wire form as a structure; exactly one member is expected to be set.
  return parseStructure(node, raw, ctx);
}

/** Coerces a non-null value for `field` and checks its constraints. The field's path is on ctx.path. */
function parseField(field: Field, raw: unknown, ctx: Ctx): unknown {
  const node = field.node;
  const value = parseValue(node, raw, ctx);
  const check = field.check;
  if (check !== undefined) {
    switch (node.kind) {
      case STRING:
        checkString(check, value as string, ctx);
        break;
      case BLOB:
        checkLength(check, value, (value as Uint8Array).byteLength, ctx);
        break;
      case INTEGER:
      case FLOAT:
      case INT_ENUM:
        checkNumber(check, value as number, ctx);
        break;
      case LIST:
        checkLength(check, value, (value as unknown[]).length, ctx);
        break;
      case MAP:
        checkLength(check, value, Object.keys(value as object).length, ctx);
        break;
      default:
        break;
    }
  }
  if (node.kind === LIST) checkListElements(node, value as unknown[], ctx);
  else if (node.kind === MAP) checkMapEntries(node, value as Record<string, unknown>, ctx);
  return value;
}

function parseValue(node: Node, raw: unknown, ctx: Ctx): unknown {
  switch (node.kind) {
    case STRUCTURE:
      return parseStructure(node, raw, ctx);
    case UNION:
      return parseUnion(node, raw, ctx);
    case STRING:
      if (typeof raw !== 'string') throw mismatch(raw, node.label);
      return raw;
    case BLOB:
      if (typeof raw === 'string') return decodeBase64(raw);
      if (raw instanceof Uint8Array) return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      throw mismatch(raw, node.label);
    case BOOLEAN:
      if (typeof raw !== 'boolean') throw mismatch(raw, node.label);
      return raw;
    case INTEGER:
    case INT_ENUM: {
      let n: number;
      if (typeof raw === 'number') n = raw;
      else if (typeof raw === 'bigint' && !ctx.json) n = Number(raw);
      else throw mismatch(raw, node.label);
      if (!Number.isFinite(n)) throw mismatch(raw, node.label);
      n = Math.trunc(n);
      if (n < node.intMin || n > node.intMax) throw mismatch(raw, node.label);
      return n;
    }
    case FLOAT:
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'bigint' && !ctx.json) return Number(raw);
      throw mismatch(raw, node.label);
    case TIMESTAMP:
      return parseTimestamp(node, raw, ctx);
    case LIST: {
      if (!Array.isArray(raw)) {
        if (isPlainObject(raw)) throw serialization('Start of structure or map found where not expected.');
        throw serialization('Expected list or null');
      }
      const element = node.element!;
      const out = new Array<unknown>(raw.length);
      const path = ctx.path;
      for (let i = 0; i < raw.length; i++) {
        const item: unknown = raw[i];
        if (item === null || item === undefined) {
          out[i] = null;
          if (!node.sparse) addError(ctx, null, 'Member must not be null', `${i + 1}.member`);
          continue;
        }
        if (element.node.kind <= MAP) {
          // Aggregates report their own failures under records.N.member.
          path.push(i + 1, 'member');
          out[i] = parseField(element, item, ctx);
          path.pop();
          path.pop();
        } else {
          // Simple elements: coerced here, checked as a whole in checkListElements.
          out[i] = parseValue(element.node, item, ctx);
        }
      }
      return out;
    }
    case MAP: {
      if (!isPlainObject(raw)) {
        if (Array.isArray(raw)) throw serialization('Start of list found where not expected');
        throw serialization('Expected map or null');
      }
      const valueField = node.value!;
      const keyNode = node.key!.node;
      const out: Record<string, unknown> = {};
      const path = ctx.path;
      for (const k of Object.keys(raw)) {
        parseValue(keyNode, k, ctx);
        const item = raw[k];
        if (item === null || item === undefined) {
          if (!node.sparse) addError(ctx, null, 'Member must not be null', `${k}.member`);
          continue;
        }
        if (valueField.node.kind <= MAP) {
          path.push(k, 'member');
          out[k] = parseField(valueField, item, ctx);
          path.pop();
          path.pop();
        } else {
          out[k] = parseValue(valueField.node, item, ctx);
        }
      }
      return out;
    }
    default:
      return raw;
  }
}

function parseTimestamp(node: Node, raw: unknown, ctx: Ctx): Date {
  let ms: number;
  if (raw instanceof Date) {
    ms = raw.getTime();
  } else if (typeof raw === 'number') {
    // JSON: epoch seconds with an optional fraction. CBOR: integer epoch milliseconds.
    ms = ctx.json ? Math.round(raw * 1000) : raw;
  } else if (typeof raw === 'bigint' && !ctx.json) {
    ms = Number(raw);
  } else if (typeof raw === 'string') {
    const trimmed = raw.trim();
    if (trimmed !== '' && Number.isFinite(Number(trimmed))) ms = Math.round(Number(trimmed) * 1000);
    else if (node.dateTime) ms = Date.parse(trimmed);
    else throw mismatch(raw, node.label);
  } else {
    throw mismatch(raw, node.label);
  }
  if (!Number.isFinite(ms)) throw mismatch(raw, node.label);
  return new Date(ms);
}

function checkLength(check: Check, value: unknown, length: number, ctx: Ctx): void {
  if (check.lengthMax >= 0 && length > check.lengthMax) {
    addError(ctx, value, `Member must have length less than or equal to ${check.lengthMax}`);
  }
  if (check.lengthMin >= 0 && length < check.lengthMin) {
    addError(ctx, value, `Member must have length greater than or equal to ${check.lengthMin}`);
  }
}

function checkString(check: Check, s: string, ctx: Ctx): void {
  if (check.lengthMax >= 0 || check.lengthMin >= 0) {
    // UTF-16 length bounds the code point count from above: count only when it can matter.
    const units = s.length;
    const mayFail = (check.lengthMax >= 0 && units > check.lengthMax) || (check.lengthMin >= 0 && units < 2 * check.lengthMin);
    if (mayFail) checkLength(check, s, codePointLength(s), ctx);
  }
  if (check.regex !== undefined && !check.regex.test(s)) addError(ctx, s, check.patternText);
  if (check.enumSet !== undefined && !check.enumSet.has(s)) addError(ctx, s, check.enumText);
}

function checkNumber(check: Check, n: number, ctx: Ctx): void {
  if (n > check.rangeMax) addError(ctx, n, `Member must have value less than or equal to ${check.rangeMax}`);
  if (n < check.rangeMin) addError(ctx, n, `Member must have value greater than or equal to ${check.rangeMin}`);
  if (check.enumSet !== undefined && !check.enumSet.has(n)) addError(ctx, n, check.enumText);
}

/** Whether a simple value violates any of `check` (no message: lists and maps report as a whole). */
function violates(check: Check, kind: number, value: unknown): boolean {
  let length = -1;
  if (kind === STRING) {
    const s = value as string;
    if (check.regex !== undefined && !check.regex.test(s)) return true;
    if (check.enumSet !== undefined && !check.enumSet.has(s)) return true;
    if (check.lengthMax >= 0 || check.lengthMin >= 0) length = codePointLength(s);
  } else if (kind === BLOB) {
    length = (value as Uint8Array).byteLength;
  } else if (kind === INTEGER || kind === FLOAT || kind === INT_ENUM) {
    const n = value as number;
    if (n > check.rangeMax || n < check.rangeMin) return true;
    if (check.enumSet !== undefined && !check.enumSet.has(n)) return true;
  }
  if (length >= 0) {
    if (check.lengthMax >= 0 && length > check.lengthMax) return true;
    if (check.lengthMin >= 0 && length < check.lengthMin) return true;
  }
  return false;
}

function checkListElements(node: Node, list: unknown[], ctx: Ctx): void {
  const element = node.element!;
  const check = element.check;
  if (check === undefined || element.node.kind <= MAP) return;
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (item !== null && violates(check, element.node.kind, item)) {
      addError(ctx, list, `Member must satisfy constraint: [${check.texts.join(', ')}]`);
      return;
    }
  }
}

function checkMapEntries(node: Node, map: Record<string, unknown>, ctx: Ctx): void {
  const keyCheck = node.key!.check;
  const valueField = node.value!;
  const valueCheck = valueField.node.kind <= MAP ? undefined : valueField.check;
  if (keyCheck === undefined && valueCheck === undefined) return;
  let badKey = false;
  let badValue = false;
  for (const k of Object.keys(map)) {
    if (!badKey && keyCheck !== undefined && violates(keyCheck, STRING, k)) badKey = true;
    const v = map[k];
    if (!badValue && valueCheck !== undefined && v !== null && v !== undefined && violates(valueCheck, valueField.node.kind, v)) badValue = true;
  }
  if (badKey) addError(ctx, map, `Map keys must satisfy constraint: [${keyCheck!.texts.join(', ')}]`);
  if (badValue) addError(ctx, map, `Map value must satisfy constraint: [${valueCheck!.texts.join(', ')}]`);
}

// ---------------------------------------------------------------------------------------------
// Compilation

function compile(shapes: ShapeTable): (name: string) => Node {
  const nodes = new Map<string, Node>();
  const regexCache = new Map<string, RegExp>();

  const field = (name: string, m: MemberDescriptor): Field => ({
    name,
    pathName: lowerFirst(name),
    required: m.required === true,
    node: nodeFor(m.target),
    check: compileCheck(m, regexCache),
  });

  function nodeFor(name: string): Node {
    const existing = nodes.get(name);
    if (existing !== undefined) return existing;
    const shape: ShapeDescriptor | undefined = shapes[name];
    if (shape === undefined) throw new Error(`model: unknown shape ${name}`);
    const node: Node = {
      kind: DOCUMENT,
      label: 'a Document',
      intMin: 0,
      intMax: 0,
      dateTime: shape.timestampFormat === 'date-time',
      fields: [],
      element: undefined,
      key: undefined,
      value: undefined,
      sparse: false,
    };
    // Registered before its children are compiled, so recursive shapes terminate.
    nodes.set(name, node);
    switch (shape.type) {
      case 'structure':
      case 'union':
        node.kind = shape.type === 'structure' ? STRUCTURE : UNION;
        node.label = 'a Structure';
        for (const [memberName, m] of Object.entries(shape.members)) node.fields.push(field(memberName, m));
        break;
      case 'list':
        node.kind = LIST;
        node.label = 'a List';
        node.element = field('member', shape.member);
        node.sparse = shape.sparse === true;
        break;
      case 'map':
        node.kind = MAP;
        node.label = 'a Map';
        node.key = field('key', shape.key);
        node.value = field('value', shape.value);
        node.sparse = shape.sparse === true;
        break;
      case 'string':
      case 'enum':
        node.kind = STRING;
        node.label = 'a String';
        break;
      case 'blob':
        node.kind = BLOB;
        node.label = 'a Blob';
        break;
      case 'boolean':
        node.kind = BOOLEAN;
        node.label = 'a Boolean';
        break;
      case 'byte':
      case 'short':
      case 'integer':
      case 'long':
      case 'bigInteger':
      case 'intEnum': {
        const [min, max, label] = integerBounds[shape.type === 'intEnum' ? 'integer' : shape.type];
        node.kind = shape.type === 'intEnum' ? INT_ENUM : INTEGER;
        node.intMin = min;
        node.intMax = max;
        node.label = label;
        break;
      }
      case 'float':
      case 'double':
      case 'bigDecimal':
        node.kind = FLOAT;
        node.label = shape.type === 'float' ? 'a Float' : shape.type === 'double' ? 'a Double' : 'a BigDecimal';
        break;
      case 'timestamp':
        node.kind = TIMESTAMP;
        node.label = 'a Timestamp';
        break;
      case 'document':
        break;
    }
    return node;
  }
  return nodeFor;
}

/**
 * Builds the input parser of a service. All operations' input shapes are compiled here, once; the
 * returned function throws ServiceError (SerializationException, ValidationException,
 * UnknownOperationException) and otherwise returns the typed input.
 */
export function createInputParser(shapes: ShapeTable, spec: ServiceSpec): InputParser {
  const nodeFor = compile(shapes);
  const roots = new Map<string, Node>();
  for (const [name, op] of Object.entries(spec.operations)) roots.set(name, nodeFor(op.input));

  return (operation, raw, protocol) => {
    const root = roots.get(operation);
    if (root === undefined) throw new ServiceError('UnknownOperationException', `Unknown operation: ${operation}`);
    const ctx: Ctx = { json: protocol === 'json', path: [], errors: undefined };
    const input = parseStructure(root, raw === undefined || raw === null ? {} : raw, ctx);
    if (ctx.errors !== undefined) {
      const n = ctx.errors.length;
      throw new ServiceError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${ctx.errors.join('; ')}`);
    }
    return input;
  };
}
