// The pull reader's fast path checks an answer's shape with isPullResponse, written out by hand, instead of the
// protocol's zod schema; an answer it refuses is checked by the schema. The two must agree: were the hand check to
// accept what the schema refuses, a malformed answer would be applied. Thousands of answers, each valid or altered
// in one place, are put to both.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPullResponse, PullResponseSchema } from '../../src/shared/sync';

const HEX = '0123456789abcdef';
const hash = fc.string({ unit: fc.constantFrom(...HEX), minLength: 64, maxLength: 64 });
const id = fc.string({ unit: fc.constantFrom(...'abcXYZ019_.:-'), minLength: 1, maxLength: 64 });
const changeId = fc.string({ unit: fc.constantFrom(...'abcXYZ019_.:-/'), minLength: 1, maxLength: 129 });
const kind = fc.constantFrom('incident', 'order', 'timeline', 'warning', 'incident_link');

const change = (partition: string) =>
  fc.oneof(
    fc.record({
      seq: fc.integer({ min: 1, max: 1e9 }),
      partition: fc.constant(partition),
      kind,
      id: changeId,
      op: fc.constant('put'),
      record: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
      hash,
    }),
    fc.record({
      seq: fc.integer({ min: 1, max: 1e9 }),
      partition: fc.constant(partition),
      kind,
      id: changeId,
      op: fc.constant('delete'),
      record: fc.constant(null),
      hash: fc.constant(''),
    }),
  );

const page = id.chain((partition) =>
  fc.record({
    partition: fc.constant(partition),
    changes: fc.array(change(partition), { maxLength: 4 }),
    cursor: fc.nat(),
    head: fc.nat(),
    hasMore: fc.boolean(),
    checksum: hash,
  }),
);

const answer = fc.record({ pages: fc.array(page, { maxLength: 3 }), serverTime: fc.nat() });

/** Values that break one field or another: wrong types, out of range, near misses of the patterns. */
const oddValue = fc.oneof(
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    1.5,
    -0,
    2 ** 53,
    '',
    'put',
    'delete',
    'incident',
    'bogus',
    'a b',
    'A'.repeat(64),
    'f'.repeat(63),
    'f'.repeat(65),
    'x'.repeat(65),
    'x'.repeat(130),
    '610926',
    'a/b',
    [],
    {},
    { a: 1 },
  ),
  fc.jsonValue({ maxDepth: 1 }),
);

/** Every object or array inside a value, with the key of each of its entries. */
function holders(value: unknown): (Record<string, unknown> | unknown[])[] {
  if (value === null || typeof value !== 'object') return [];
  const inner = Object.values(value as object).flatMap((entry) => holders(entry));
  return [value as Record<string, unknown>, ...inner];
}

/** The answer altered in one place: a value replaced, a key removed or added. */
const altered = fc
  .tuple(answer, fc.nat(), fc.nat(), fc.constantFrom('replace', 'remove', 'add'), oddValue)
  .map(([value, which, key, how, odd]) => {
    const copy = structuredClone(value) as unknown;
    const all = holders(copy);
    const holder = all[which % all.length] as Record<string, unknown>;
    const keys = Object.keys(holder);
    if (how === 'add' || keys.length === 0) holder[`extra${key % 3}`] = odd;
    else {
      const name = keys[key % keys.length] as string;
      if (how === 'remove') {
        if (Array.isArray(holder)) holder.splice(Number(name), 1);
        else delete holder[name];
      } else holder[name] = odd;
    }
    return copy;
  });

describe('the hand-written pull answer check', () => {
  it('accepts every answer the schema accepts', () => {
    fc.assert(
      fc.property(answer, (value) => {
        expect(PullResponseSchema.safeParse(value).success).toBe(true);
        expect(isPullResponse(value)).toBe(true);
      }),
      { numRuns: 500, seed: 7 },
    );
  });

  it('gives the schema’s verdict on answers altered in one place', () => {
    let refused = 0;
    fc.assert(
      fc.property(altered, (value) => {
        const schema = PullResponseSchema.safeParse(value).success;
        if (!schema) refused += 1;
        expect(isPullResponse(value), JSON.stringify(value).slice(0, 400)).toBe(schema);
      }),
      { numRuns: 5000, seed: 11 },
    );
    expect(refused, 'most alterations make an answer the schema refuses').toBeGreaterThan(2500);
  });

  it('refuses a change filed under another partition than its page, as the schema does', () => {
    const value = {
      pages: [
        {
          partition: '610926',
          changes: [
            { seq: 1, partition: '610902', kind: 'incident', id: 'a', op: 'delete', record: null, hash: '' },
          ],
          cursor: 1,
          head: 1,
          hasMore: false,
          checksum: 'f'.repeat(64),
        },
      ],
      serverTime: 1,
    };
    expect(PullResponseSchema.safeParse(value).success).toBe(false);
    expect(isPullResponse(value)).toBe(false);
    value.pages[0]!.changes[0]!.partition = '610926';
    expect(isPullResponse(value)).toBe(true);
  });
});
