/**
 * Generates the model code of each service from its AWS Smithy model (JSON AST,
 * https://smithy.io/2.0/spec/json-ast.html) in ../shared/aws-models/ beside the repository:
 *
 *   packages/server/src/model/generated/<service>-types.ts   TS types for every reachable shape + operation map
 *   packages/server/src/model/generated/<service>-schema.ts  runtime shape descriptors (model/shape.ts) + ServiceSpec
 *   packages/server/src/model/generated/<service>-errors.ts  the service's error shapes (fault, httpError)
 *
 * Usage: node --import tsx scripts/generate-model.ts [--check]
 *   --check  regenerate in memory; exit 1 listing the files that differ from the committed ones, else 0.
 *
 * The generated files are committed; the server never reads ../shared at run time. The botocore form of
 * the model (service-2.json beside the Smithy file), when present, is read only for how AWS prints a
 * pattern in validation messages: the Smithy conversion anchors patterns (`^…$`), AWS prints them as the
 * service defines them (`[a-zA-Z0-9_.-]+`).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

interface ServiceConfig {
  /** File prefix and identifier prefix: kinesis → kinesis-types.ts, kinesisShapes, kinesisServiceSpec. */
  readonly id: string;
  /** Type-name prefix: Kinesis → KinesisOperationMap, KinesisHandlers. */
  readonly typePrefix: string;
  /** Model path relative to the repository root. */
  readonly model: string;
}

export const services: readonly ServiceConfig[] = [
  { id: 'kinesis', typePrefix: 'Kinesis', model: '../shared/aws-models/kinesis/kinesis.smithy.json' },
];

const root = new URL('..', import.meta.url).pathname;
const outDir = 'packages/server/src/model/generated';

// ---------------------------------------------------------------------------------------------
// Smithy JSON AST

interface SmithyRef {
  readonly target: string;
  readonly traits?: Traits;
}
type Traits = Readonly<Record<string, unknown>>;
interface SmithyShape {
  readonly type: string;
  readonly members?: Readonly<Record<string, SmithyRef>>;
  readonly member?: SmithyRef;
  readonly key?: SmithyRef;
  readonly value?: SmithyRef;
  readonly input?: SmithyRef;
  readonly output?: SmithyRef;
  readonly errors?: readonly SmithyRef[];
  readonly operations?: readonly SmithyRef[];
  readonly resources?: readonly SmithyRef[];
  readonly traits?: Traits;
  readonly [lifecycle: string]: unknown;
}
interface SmithyModel {
  readonly smithy: string;
  readonly shapes: Readonly<Record<string, SmithyShape>>;
}

const UNIT = 'smithy.api#Unit';

/** Prelude shapes (https://smithy.io/2.0/spec/model.html#prelude) a model may target without defining. */
const prelude: Readonly<Record<string, string>> = {
  String: 'string',
  Blob: 'blob',
  Boolean: 'boolean',
  PrimitiveBoolean: 'boolean',
  Byte: 'byte',
  PrimitiveByte: 'byte',
  Short: 'short',
  PrimitiveShort: 'short',
  Integer: 'integer',
  PrimitiveInteger: 'integer',
  Long: 'long',
  PrimitiveLong: 'long',
  Float: 'float',
  PrimitiveFloat: 'float',
  Double: 'double',
  PrimitiveDouble: 'double',
  BigInteger: 'bigInteger',
  BigDecimal: 'bigDecimal',
  Timestamp: 'timestamp',
  Document: 'document',
  Unit: 'structure',
};

const simpleTypes = new Set([
  'string', 'blob', 'boolean', 'byte', 'short', 'integer', 'long', 'float', 'double', 'bigInteger', 'bigDecimal',
  'timestamp', 'document',
]);
const numberTypes = new Set(['byte', 'short', 'integer', 'long', 'float', 'double', 'bigInteger', 'bigDecimal']);

/** Globals the generated types file refers to: a shape with one of these names would shadow it. */
const reservedNames = new Set(['Date', 'Uint8Array', 'AsyncIterable', 'Promise', 'RequestContext', 'Array', 'Readonly']);

class GenerationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerationError';
  }
}

class Model {
  readonly shapes: Readonly<Record<string, SmithyShape>>;
  readonly serviceId: string;
  readonly service: SmithyShape;
  /** Reachable shape ids, in a stable order (sorted by name). */
  readonly reachable: readonly string[];
  readonly operations: readonly string[];
  private readonly names = new Map<string, string>();

  constructor(
    ast: SmithyModel,
    private readonly botocorePatterns: ReadonlyMap<string, string>,
  ) {
    this.shapes = ast.shapes;
    const serviceIds = Object.keys(ast.shapes).filter((id) => ast.shapes[id].type === 'service');
    if (serviceIds.length !== 1) throw new GenerationError(`expected exactly one service shape, found ${serviceIds.length}`);
    this.serviceId = serviceIds[0];
    this.service = ast.shapes[this.serviceId];
    const ops = new Set<string>();
    this.collectOperations(this.service, ops);
    this.operations = [...ops].sort((a, b) => cmp(this.name(a), this.name(b)));
    const seen = new Set<string>();
    const visit = (id: string): void => {
      if (seen.has(id)) return;
      seen.add(id);
      const shape = this.shape(id);
      for (const ref of this.children(shape)) visit(ref.target);
    };
    for (const op of this.operations) {
      const shape = this.shape(op);
      visit(shape.input?.target ?? UNIT);
      visit(shape.output?.target ?? UNIT);
      for (const e of shape.errors ?? []) visit(e.target);
    }
    for (const e of this.service.errors ?? []) visit(e.target);
    const byName = new Map<string, string>();
    for (const id of seen) {
      const name = this.name(id);
      const other = byName.get(name);
      if (other !== undefined && other !== id) throw new GenerationError(`shape name ${name} is used by ${other} and ${id}`);
      byName.set(name, id);
    }
    this.reachable = [...seen].sort((a, b) => cmp(this.name(a), this.name(b)));
  }

  private collectOperations(container: SmithyShape, out: Set<string>): void {
    for (const ref of container.operations ?? []) out.add(ref.target);
    for (const key of ['create', 'put', 'read', 'update', 'delete', 'list']) {
      const ref = container[key] as SmithyRef | undefined;
      if (ref !== undefined) out.add(ref.target);
    }
    for (const ref of container.resources ?? []) this.collectOperations(this.shape(ref.target), out);
  }

  /** Name used in generated code: the shape name without namespace; prelude shapes keep their full id. */
  name(id: string): string {
    let name = this.names.get(id);
    if (name === undefined) {
      name = id.startsWith('smithy.api#') ? id : id.slice(id.indexOf('#') + 1);
      this.names.set(id, name);
    }
    return name;
  }

  shape(id: string): SmithyShape {
    const shape = this.shapes[id];
    if (shape !== undefined) return shape;
    if (id.startsWith('smithy.api#')) {
      const type = prelude[id.slice('smithy.api#'.length)];
      if (type !== undefined) return type === 'structure' ? { type, members: {} } : { type };
    }
    throw new GenerationError(`unknown shape ${id}`);
  }

  children(shape: SmithyShape): SmithyRef[] {
    const refs: SmithyRef[] = [];
    if (shape.type === 'enum' || shape.type === 'intEnum') return refs;
    if (shape.members !== undefined) refs.push(...Object.values(shape.members));
    if (shape.member !== undefined) refs.push(shape.member);
    if (shape.key !== undefined) refs.push(shape.key);
    if (shape.value !== undefined) refs.push(shape.value);
    return refs;
  }

  /** Smithy type, with Smithy 1 `@enum` strings reported as 'enum'. */
  kind(id: string): string {
    const shape = this.shape(id);
    if (shape.type === 'string' && shape.traits?.['smithy.api#enum'] !== undefined) return 'enum';
    return shape.type;
  }

  enumEntries(id: string): { key: string; value: string | number }[] {
    const shape = this.shape(id);
    if (shape.type === 'enum' || shape.type === 'intEnum') {
      return Object.entries(shape.members ?? {}).map(([key, member]) => {
        const value = member.traits?.['smithy.api#enumValue'];
        return { key, value: typeof value === 'string' || typeof value === 'number' ? value : key };
      });
    }
    const defs = (shape.traits?.['smithy.api#enum'] ?? []) as readonly { value: string; name?: string }[];
    return defs.map((d) => ({ key: d.name ?? identifierFor(d.value), value: d.value }));
  }

  /** Constraints of a shape's own traits. */
  constraints(id: string, traits: Traits | undefined): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const length = traits?.['smithy.api#length'] as { min?: number; max?: number } | undefined;
    if (length?.min !== undefined) out.lengthMin = length.min;
    if (length?.max !== undefined) out.lengthMax = length.max;
    const range = traits?.['smithy.api#range'] as { min?: number; max?: number } | undefined;
    if (range?.min !== undefined) out.rangeMin = Number(range.min);
    if (range?.max !== undefined) out.rangeMax = Number(range.max);
    const pattern = traits?.['smithy.api#pattern'];
    if (typeof pattern === 'string') {
      try {
        new RegExp(pattern);
      } catch (cause) {
        throw new GenerationError(`${id}: pattern ${pattern} is not a valid JavaScript regular expression (${String(cause)})`);
      }
      out.pattern = pattern;
      out.patternText = this.botocorePatterns.get(this.name(id)) ?? unanchor(pattern);
    }
    const tsFormat = traits?.['smithy.api#timestampFormat'];
    if (typeof tsFormat === 'string') out.timestampFormat = tsFormat;
    return out;
  }

  /** Member descriptor: target traits merged with the member's own (the member's win). */
  member(ref: SmithyRef): Record<string, unknown> {
    const target = this.shape(ref.target);
    const merged: Record<string, unknown> = { target: this.name(ref.target) };
    if (ref.traits?.['smithy.api#required'] !== undefined) merged.required = true;
    const kind = this.kind(ref.target);
    if (kind === 'enum') merged.enum = this.enumEntries(ref.target).map((e) => String(e.value));
    if (kind === 'intEnum') merged.intEnum = this.enumEntries(ref.target).map((e) => Number(e.value));
    Object.assign(merged, this.constraints(ref.target, target.traits));
    const own = this.constraints(ref.target, ref.traits);
    if (ref.traits?.['smithy.api#pattern'] !== undefined) own.patternText = unanchor(String(own.pattern));
    Object.assign(merged, own);
    return merged;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function identifierFor(value: string): string {
  const id = value.replace(/[^A-Za-z0-9_$]/g, '_');
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** `^X$` → `X`, and `(A|B)` left by the anchoring of an alternation → `A|B`. */
export function unanchor(pattern: string): string {
  let p = pattern;
  if (p.startsWith('^') && p.endsWith('$') && !p.endsWith('\\$') && p.length >= 2) {
    p = p.slice(1, -1);
    if (p.startsWith('(') && p.endsWith(')') && closingParen(p, 0) === p.length - 1 && hasTopLevelBar(p.slice(1, -1))) {
      p = p.slice(1, -1);
    }
  }
  return p;
}

function closingParen(s: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i;
  }
  return -1;
}

function hasTopLevelBar(s: string): boolean {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Rendering helpers

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function key(k: string): string {
  return identifier.test(k) ? k : quote(k);
}

/** A compact TS literal for descriptor data (objects on one line). */
function literal(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return '{}';
    return `{ ${entries.map(([k, v]) => `${key(k)}: ${literal(v)}`).join(', ')} }`;
  }
  return 'null';
}

const entities: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** First sentence of a Smithy documentation string (HTML), as plain text for a `/** … *\/` comment. */
function firstSentence(doc: unknown): string | undefined {
  if (typeof doc !== 'string') return undefined;
  let text = doc
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#\d+|[a-z]+);/g, (m, e: string) =>
      e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : (entities[e] ?? m),
    )
    .replace(/\s+/g, ' ')
    .replace(/ ([.,;:)])/g, '$1')
    .replace(/\( /g, '(')
    .trim();
  if (text === '') return undefined;
  const end = text.search(/[.!?](\s|$)/);
  if (end >= 0) text = text.slice(0, end + 1);
  if (text.length > 200) text = `${text.slice(0, 197).trimEnd()}…`;
  return text.replace(/\*\//g, '*\\/');
}

function docComment(doc: unknown, indent: string): string {
  const text = firstSentence(doc);
  return text === undefined ? '' : `${indent}/** ${text} */\n`;
}

function header(config: ServiceConfig, what: string): string {
  return [
    `// GENERATED FILE — do not edit. ${what}`,
    `// Source: ${config.model} (Smithy JSON AST).`,
    '// Regenerate: node --import tsx scripts/generate-model.ts   (check: … --check)',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------
// <service>-types.ts

function tsType(model: Model, id: string): string {
  const kind = model.kind(id);
  const name = model.name(id);
  switch (kind) {
    case 'structure':
    case 'union':
    case 'enum':
    case 'intEnum':
      return name;
    case 'list': {
      const element = tsType(model, model.shape(id).member!.target);
      const sparse = model.shape(id).traits?.['smithy.api#sparse'] !== undefined;
      const el = sparse ? `(${element} | null)` : /[ |&]/.test(element) ? `(${element})` : element;
      return `${el}[]`;
    }
    case 'map': {
      const value = tsType(model, model.shape(id).value!.target);
      return `{ [key: string]: ${value} }`;
    }
    case 'string':
      return 'string';
    case 'blob':
      return 'Uint8Array';
    case 'timestamp':
      return 'Date';
    case 'boolean':
      return 'boolean';
    case 'document':
      return 'unknown';
    default:
      if (numberTypes.has(kind)) return 'number';
      throw new GenerationError(`${id}: no TypeScript type for shape type ${kind}`);
  }
}

function isStreaming(model: Model, id: string): boolean {
  return model.shape(id).traits?.['smithy.api#streaming'] !== undefined;
}

function renderTypes(model: Model, config: ServiceConfig): string {
  const out: string[] = [header(config, 'TypeScript types of the service model.')];
  out.push(`import type { RequestContext } from '../context.js';\n`);
  const aliases: string[] = [];
  for (const id of model.reachable) {
    if (id === UNIT) continue;
    const shape = model.shape(id);
    const name = model.name(id);
    if (reservedNames.has(name)) throw new GenerationError(`shape ${id} would shadow the global ${name}`);
    const kind = model.kind(id);
    const doc = docComment(shape.traits?.['smithy.api#documentation'], '');
    if (kind === 'structure') {
      const members = Object.entries(shape.members ?? {});
      if (members.length === 0) {
        out.push(`${doc}export type ${name} = { [key: string]: never };\n`);
        continue;
      }
      const lines = members.map(([memberName, ref]) => {
        const type = isStreaming(model, ref.target) ? `AsyncIterable<${tsType(model, ref.target)}>` : tsType(model, ref.target);
        const required = ref.traits?.['smithy.api#required'] !== undefined;
        const mdoc = docComment(ref.traits?.['smithy.api#documentation'], '  ');
        return required ? `${mdoc}  ${key(memberName)}: ${type};` : `${mdoc}  ${key(memberName)}?: ${type} | undefined;`;
      });
      out.push(`${doc}export interface ${name} {\n${lines.join('\n')}\n}\n`);
    } else if (kind === 'union') {
      const variants = Object.entries(shape.members ?? {}).map(
        ([memberName, ref]) => `  | { ${key(memberName)}: ${tsType(model, ref.target)} }`,
      );
      out.push(`${doc}export type ${name} =\n${variants.join('\n')};\n`);
    } else if (kind === 'enum' || kind === 'intEnum') {
      const entries = model
        .enumEntries(id)
        .map((e) => `  ${key(e.key)}: ${typeof e.value === 'number' ? String(e.value) : quote(e.value)},`);
      out.push(
        `${doc}export const ${name} = {\n${entries.join('\n')}\n} as const;\n` +
          `export type ${name} = (typeof ${name})[keyof typeof ${name}];\n`,
      );
    } else if (simpleTypes.has(kind) || kind === 'list' || kind === 'map') {
      aliases.push(`export type ${name} = ${tsType(model, id)};`);
    } else {
      throw new GenerationError(`${id}: unsupported shape type ${kind}`);
    }
  }
  out.push('// Simple, list and map shapes (members above inline these types).');
  out.push(`${aliases.join('\n')}\n`);

  const p = config.typePrefix;
  const ops = model.operations.map((opId) => {
    const op = model.shape(opId);
    const inputId = op.input?.target ?? UNIT;
    const outputId = op.output?.target ?? UNIT;
    const input = inputId === UNIT ? '{ [key: string]: never }' : model.name(inputId);
    const output = outputId === UNIT ? 'void' : model.name(outputId);
    return `  ${model.name(opId)}: { input: ${input}; output: ${output} };`;
  });
  out.push(`/** Every operation of the service with its input and output types (Unit output: void). */`);
  out.push(`export interface ${p}OperationMap {\n${ops.join('\n')}\n}\n`);
  out.push(`export type ${p}OperationName = keyof ${p}OperationMap;\n`);
  out.push(`/** A handler for every operation: typed input in, typed output out (or a thrown ServiceError). */`);
  out.push(
    `export type ${p}Handlers = {\n` +
      `  [K in ${p}OperationName]: (input: ${p}OperationMap[K]['input'], context: RequestContext) => Promise<${p}OperationMap[K]['output']>;\n` +
      `};\n`,
  );
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// <service>-schema.ts

function descriptor(model: Model, id: string): Record<string, unknown> {
  const shape = model.shape(id);
  const kind = model.kind(id);
  const d: Record<string, unknown> = { type: kind };
  const fault = shape.traits?.['smithy.api#error'];
  if (fault === 'client' || fault === 'server') d.error = fault;
  const httpError = shape.traits?.['smithy.api#httpError'];
  if (typeof httpError === 'number') d.httpError = httpError;
  if (kind === 'enum') d.enum = model.enumEntries(id).map((e) => String(e.value));
  if (kind === 'intEnum') d.intEnum = model.enumEntries(id).map((e) => Number(e.value));
  Object.assign(d, model.constraints(id, shape.traits));
  if (kind === 'structure' || kind === 'union') {
    const members: Record<string, unknown> = {};
    for (const [memberName, ref] of Object.entries(shape.members ?? {})) members[memberName] = model.member(ref);
    d.members = members;
    if (kind === 'union' && isStreaming(model, id)) d.streaming = true;
  } else if (kind === 'list') {
    d.member = model.member(shape.member!);
    if (shape.traits?.['smithy.api#sparse'] !== undefined) d.sparse = true;
  } else if (kind === 'map') {
    d.key = model.member(shape.key!);
    d.value = model.member(shape.value!);
    if (shape.traits?.['smithy.api#sparse'] !== undefined) d.sparse = true;
  }
  return d;
}

function targetPrefix(model: Model): string {
  // awsJson1_0/1_1: X-Amz-Target is "<service shape name>.<operation name>".
  return model.name(model.serviceId);
}

function signingName(model: Model): string {
  const sigv4 = model.service.traits?.['aws.auth#sigv4'] as { name?: string } | undefined;
  const api = model.service.traits?.['aws.api#service'] as { arnNamespace?: string; endpointPrefix?: string } | undefined;
  const name = sigv4?.name ?? api?.arnNamespace ?? api?.endpointPrefix;
  if (name === undefined) throw new GenerationError(`${model.serviceId}: no signing name (aws.auth#sigv4)`);
  return name;
}

function renderSchema(model: Model, config: ServiceConfig): string {
  const out: string[] = [header(config, 'Runtime shape descriptors and the service spec.')];
  out.push(`import type { ServiceSpec } from '../operation.js';`);
  out.push(`import type { ShapeTable } from '../shape.js';\n`);
  out.push(`/** Every shape reachable from the operations, keyed by shape name (member constraints merged). */`);
  out.push(`export const ${config.id}Shapes: ShapeTable = {`);
  for (const id of model.reachable) {
    const d = descriptor(model, id);
    const line = `  ${key(model.name(id))}: ${literal(d)},`;
    if (line.length <= 140 || d.members === undefined) {
      out.push(line);
      continue;
    }
    // One member per line for readability.
    const { members, ...rest } = d;
    const head = literal(rest).slice(0, -2);
    out.push(`  ${key(model.name(id))}: ${head}, members: {`);
    for (const [memberName, m] of Object.entries(members as Record<string, unknown>)) out.push(`    ${key(memberName)}: ${literal(m)},`);
    out.push('  } },');
  }
  out.push('};\n');
  out.push(`export const ${config.id}ServiceSpec: ServiceSpec = {`);
  out.push(`  targetPrefix: ${quote(targetPrefix(model))},`);
  out.push(`  signingName: ${quote(signingName(model))},`);
  out.push('  operations: {');
  for (const opId of model.operations) {
    const op = model.shape(opId);
    const outputId = op.output?.target;
    let eventStreamMember: string | undefined;
    if (outputId !== undefined && outputId !== UNIT) {
      for (const [memberName, ref] of Object.entries(model.shape(outputId).members ?? {})) {
        if (isStreaming(model, ref.target) && model.kind(ref.target) === 'union') eventStreamMember = memberName;
      }
    }
    const spec = {
      name: model.name(opId),
      input: model.name(op.input?.target ?? UNIT),
      output: outputId === undefined || outputId === UNIT ? undefined : model.name(outputId),
      errors: (op.errors ?? []).map((e) => model.name(e.target)),
      eventStreamMember,
    };
    out.push(`    ${key(spec.name)}: ${literal(spec)},`);
  }
  out.push('  },');
  out.push('};\n');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// <service>-errors.ts

function renderErrors(model: Model, config: ServiceConfig): string {
  const out: string[] = [header(config, 'The error shapes of the service.')];
  out.push(`import type { ModelErrorSpec } from '../shape.js';\n`);
  out.push(`/** Every error shape of the service: fault (client/server), and httpError/retryable when modeled. */`);
  out.push(`export const ${config.id}ErrorShapes = {`);
  for (const id of model.reachable) {
    const traits = model.shape(id).traits;
    const fault = traits?.['smithy.api#error'];
    if (fault !== 'client' && fault !== 'server') continue;
    const spec: Record<string, unknown> = { fault };
    const httpError = traits?.['smithy.api#httpError'];
    if (typeof httpError === 'number') spec.httpError = httpError;
    if (traits?.['smithy.api#retryable'] !== undefined) spec.retryable = true;
    out.push(`  ${key(model.name(id))}: ${literal(spec)},`);
  }
  out.push('} as const satisfies Readonly<Record<string, ModelErrorSpec>>;\n');
  out.push(`export type ${config.typePrefix}ErrorShapeName = keyof typeof ${config.id}ErrorShapes;\n`);
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------

function loadBotocorePatterns(smithyPath: string): Map<string, string> {
  const patterns = new Map<string, string>();
  const botocore = join(dirname(smithyPath), 'service-2.json');
  if (!existsSync(botocore)) return patterns;
  const shapes = (JSON.parse(readFileSync(botocore, 'utf8')) as { shapes?: Record<string, { pattern?: unknown }> }).shapes ?? {};
  for (const [name, shape] of Object.entries(shapes)) {
    if (typeof shape.pattern === 'string') patterns.set(name, shape.pattern);
  }
  return patterns;
}

/** Generated files of one service: repository-relative path → content. */
export function generateService(config: ServiceConfig, repoRoot: string = root): Map<string, string> {
  const modelPath = join(repoRoot, config.model);
  const ast = JSON.parse(readFileSync(modelPath, 'utf8')) as SmithyModel;
  if (!String(ast.smithy).startsWith('2') && !String(ast.smithy).startsWith('1')) {
    throw new GenerationError(`${config.model}: unsupported Smithy version ${ast.smithy}`);
  }
  const model = new Model(ast, loadBotocorePatterns(modelPath));
  return new Map([
    [`${outDir}/${config.id}-types.ts`, renderTypes(model, config)],
    [`${outDir}/${config.id}-schema.ts`, renderSchema(model, config)],
    [`${outDir}/${config.id}-errors.ts`, renderErrors(model, config)],
  ]);
}

function main(): void {
  const check = process.argv.includes('--check');
  const differing: string[] = [];
  for (const config of services) {
    for (const [path, content] of generateService(config)) {
      const full = join(root, path);
      const current = existsSync(full) ? readFileSync(full, 'utf8') : undefined;
      if (current === content) continue;
      if (check) {
        differing.push(path);
      } else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
        console.log(`wrote ${path}`);
      }
    }
  }
  if (check) {
    if (differing.length > 0) {
      console.error(`generated model code is out of date; run: node --import tsx scripts/generate-model.ts\n  ${differing.join('\n  ')}`);
      process.exit(1);
    }
    console.log('generated model code is up to date');
  }
}

if (process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1]) main();
