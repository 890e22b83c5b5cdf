/**
 * Which operations answer with a "plain" output: one that can hold no blob and no timestamp anywhere
 * (PutRecords, ListShards, …). For those the JSON codec can hand the output to the native
 * JSON.stringify — AWS JSON 1.1 renders strings, numbers, booleans, lists and maps exactly as JSON
 * does — instead of walking it in JavaScript to convert Uint8Array → base64 and Date → epoch seconds.
 */
import type { ServiceSpec } from './operation.js';
import type { ShapeTable } from './shape.js';

function isPlain(shapes: ShapeTable, name: string, visiting: Set<string>): boolean {
  if (visiting.has(name)) return true; // a recursive reference adds no new member kinds
  const shape = shapes[name];
  if (shape === undefined) return false;
  switch (shape.type) {
    case 'blob':
    case 'timestamp':
    case 'document':
      return false;
    case 'structure':
    case 'union': {
      if (shape.type === 'union' && shape.streaming) return false;
      visiting.add(name);
      const ok = Object.values(shape.members).every((m) => isPlain(shapes, m.target, visiting));
      visiting.delete(name);
      return ok;
    }
    case 'list': {
      visiting.add(name);
      const ok = isPlain(shapes, shape.member.target, visiting);
      visiting.delete(name);
      return ok;
    }
    case 'map': {
      visiting.add(name);
      const ok = isPlain(shapes, shape.key.target, visiting) && isPlain(shapes, shape.value.target, visiting);
      visiting.delete(name);
      return ok;
    }
    default:
      return true;
  }
}

/** Names of the operations whose output (or lack of one) contains no blob, timestamp or event stream. */
export function plainOutputOperations(shapes: ShapeTable, spec: ServiceSpec): ReadonlySet<string> {
  const out = new Set<string>();
  for (const op of Object.values(spec.operations)) {
    if (op.eventStreamMember !== undefined) continue;
    if (op.output === undefined || isPlain(shapes, op.output, new Set())) out.add(op.name);
  }
  return out;
}
