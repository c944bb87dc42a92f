// Canonical JSON: object keys sorted at every level, so equal records hash equally whatever built them.

interface Shape {
  /** Object.keys() of the objects of this shape, in their own order. */
  keys: string[];
  /** The same keys sorted, each with its quoted prefix (`"key":`). */
  sorted: string[];
  prefixes: string[];
}

/** Shapes by first key and key count; each bucket holds a few shapes, compared key by key. */
const shapes = new Map<string, Shape[]>();
const MAX_SHAPES_PER_BUCKET = 8;
/** Records with free-form keys (a ref's or a timeline entry's data) must not grow the cache without end. */
const MAX_BUCKETS = 1024;

/**
 * The sorted keys of an object whose own keys are `keys`. A server logs records of a handful of shapes thousands of
 * times per push: sorting and quoting the same twenty keys for each was most of canonicalJson's time.
 */
function shapeOf(keys: string[]): Shape {
  const bucketKey = keys.length === 0 ? '' : `${keys[0]}\u0000${keys.length}`;
  let bucket = shapes.get(bucketKey);
  if (bucket) {
    search: for (const shape of bucket) {
      const known = shape.keys;
      for (let i = 0; i < known.length; i += 1) if (known[i] !== keys[i]) continue search;
      return shape;
    }
  } else {
    if (shapes.size >= MAX_BUCKETS) shapes.clear();
    bucket = [];
    shapes.set(bucketKey, bucket);
  }
  // The default sort compares UTF-16 code units, as `<` on strings does.
  const sorted = [...keys].sort();
  const shape: Shape = { keys, sorted, prefixes: sorted.map((key) => `${JSON.stringify(key)}:`) };
  if (bucket.length < MAX_SHAPES_PER_BUCKET) bucket.push(shape);
  return shape;
}

/**
 * JSON with object keys sorted at every level (code unit order) and undefined properties left out. Byte for byte
 * what the first implementation gave for any value (tests/server/canonical-json.test.ts compares them), since
 * record hashes that servers and workstations have stored depend on it: JSON.stringify for anything that is not an
 * object, own enumerable keys for objects (toJSON is not called), and array holes and array elements that
 * JSON.stringify cannot represent written as nothing.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out += ',';
      // A function or symbol element stringifies to undefined: written as nothing, as Array.join writes it.
      if (i in value) out += (canonicalJson(value[i]) as string | undefined) ?? '';
    }
    return `${out}]`;
  }
  const { sorted, prefixes } = shapeOf(Object.keys(value));
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (let i = 0; i < sorted.length; i += 1) {
    const item = record[sorted[i] as string];
    if (item === undefined) continue;
    if (!first) out += ',';
    first = false;
    // A function or symbol property stringifies to undefined and is written as the word, as before.
    out += `${prefixes[i]}${canonicalJson(item) as string | undefined}`;
  }
  return `${out}}`;
}
