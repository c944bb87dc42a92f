// Record hashes stored on servers and workstations depend on canonicalJson's exact bytes: the faster implementation
// (sorted keys cached per object shape) must give what the first one gave, for any value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/shared/canonical';

/** The first implementation, kept here as the reference. */
function referenceCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(',')}}`;
}

// Keys that sort differently as numbers and as strings, that V8 orders integer-first, that look like
// Object.prototype's, and plain, Chinese and astral ones.
const keys = fc.oneof(
  fc.constantFrom('id', 'countyId', 'a', 'B', '_', '', '9', '10', '01', '-1', '1.5', '__proto__', 'toString'),
  fc.constantFrom('地址', '😀', '\ud800', 'é', 'e\u0301'),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
);

const leaf = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1e21, 1e-7, Number.MAX_SAFE_INTEGER + 2, NaN, Infinity, -Infinity),
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\ud800', '\udfff x', '王先生', '"quoted"\n\\', '\u2028'),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 5 }),
  object: fc.dictionary(keys, tie('value'), { maxKeys: 8 }),
}));

describe('canonicalJson', () => {
  it('gives the first implementation’s bytes for random values', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
      }),
      { numRuns: 5000 },
    );
  });

  it('gives them for many objects of few shapes, as the cache sees them on a server', () => {
    const shaped = fc.array(
      fc.record({ id: fc.string(), countyId: fc.string(), priority: fc.integer(), notes: leaf, data: value }),
      { maxLength: 20 },
    );
    fc.assert(
      fc.property(shaped, (records) => {
        for (const record of records) expect(canonicalJson(record)).toBe(referenceCanonicalJson(record));
      }),
      { numRuns: 500 },
    );
  });

  it('gives them for what JSON cannot say plainly: holes, functions, symbols, dates, boxed and null-prototype objects', () => {
    const holes: unknown[] = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const nullPrototype = Object.assign(Object.create(null) as object, { b: 1, a: [2] });
    const withToJson = { toJSON: () => 'x', z: 1 };
    const cases: unknown[] = [
      holes,
      [undefined, () => 1, Symbol('s')],
      { f: () => 1, s: Symbol('s'), u: undefined, n: null },
      new Date(0),
      new String('ab'),
      nullPrototype,
      withToJson,
      JSON.parse('{"__proto__": {"a": 1}, "b": 2}'),
      { 10: 'ten', 9: 'nine', b: 1, a: 2 },
      [],
      {},
      undefined,
    ];
    for (const c of cases) expect(canonicalJson(c)).toBe(referenceCanonicalJson(c));
  });

  it('keeps the key order of every level however the objects were built', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ y: 1, x: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}',
    );
    expect(canonicalJson({ a: { d: [{ x: 2, y: 1 }], c: null }, b: 1 })).toBe(
      '{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}',
    );
  });
});
