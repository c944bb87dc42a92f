// The pull reader's quickest path scans an answer's bytes without parsing them (pull-scan.ts): shape checked where
// each field lies, records checked by hashing their bytes as sent. It may say no to a good answer (the slower
// readings then decide) but must never say yes to one the full reading refuses: thousands of answers written as
// the server writes them are altered byte by byte and put to both. That real server answers pass it is checked in
// tests/server/pull-pages.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loggedRecord } from '../../src/main/sync/checksum';
import {
  checkPullAnswer,
  decodePullAnswer,
  readPullAnswer,
  type PageCursor,
} from '../../src/main/sync/pull-answer';
import { scanPullAnswer } from '../../src/main/sync/pull-scan';

/** Text with what makes JSON strings hard: quotes, backslashes, control characters, Chinese, beyond the BMP. */
const text = fc.string({
  unit: fc.constantFrom(
    'a',
    'Z',
    '0',
    ' ',
    '"',
    '\\',
    '/',
    '\n',
    '\u0001',
    '平',
    '利',
    '县',
    '😀',
    '{',
    '}',
    ':',
    ',',
  ),
  maxLength: 12,
});
const record = fc.record({
  summary: text,
  address: text,
  priority: fc.integer({ min: 1, max: 4 }),
  location: fc.record({
    lng: fc.double({ min: 100, max: 110, noNaN: true }),
    lat: fc.double({ min: 30, max: 35, noNaN: true }),
  }),
  data: fc.dictionary(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)), { maxKeys: 3 }),
});

/** One answer as the server writes it (hub.ts CHANGE_JSON and pullJson): keys in its order, no spaces. */
function serverAnswer(pages: { partition: string; changes: (Record<string, unknown> | null)[] }[]): string {
  const written = pages.map(({ partition, changes }, p) => {
    const items = changes.map((value, i) => {
      const id = `0193a1b2-${p}-${i}.incident1`;
      const seq = i + 1;
      const head = `{"seq":${seq},"partition":${JSON.stringify(partition)},"kind":"incident","id":${JSON.stringify(id)}`;
      if (value === null) return `${head},"op":"delete","hash":"","record":null}`;
      const logged = loggedRecord('incident', id, { id, ...value });
      return `${head},"op":"put","hash":"${logged.hash}","record":${logged.text}}`;
    });
    return (
      `{"partition":${JSON.stringify(partition)},"changes":[${items.join(',')}],"cursor":${changes.length},` +
      `"head":${changes.length + p},"hasMore":${p % 2 === 0},"checksum":"${'c'.repeat(64)}"}`
    );
  });
  return `{"pages":[${written.join(',')}],"serverTime":1796000000000}`;
}

const answer = fc
  .array(fc.array(fc.option(record, { freq: 5 }), { maxLength: 4 }), { minLength: 1, maxLength: 3 })
  .map((pages) =>
    serverAnswer(
      pages.map((changes, p) => ({ partition: ['610926', '610902', '610900'][p] ?? '610900', changes })),
    ),
  );

/** Bytes a corruption or another writer could leave: structure, quotes, escapes, digits, space, UTF-8 parts. */
const ODD_BYTES = [
  0x22, 0x5c, 0x7b, 0x7d, 0x5b, 0x5d, 0x2c, 0x3a, 0x20, 0x0a, 0x30, 0x31, 0x39, 0x61, 0x66, 0x6e, 0x75, 0x80,
  0xe5,
];

const altered = fc
  .tuple(answer, fc.nat(), fc.constantFrom('replace', 'insert', 'remove'), fc.constantFrom(...ODD_BYTES))
  .map(([json, where, how, byte]) => {
    const bytes = Buffer.from(json);
    const at = where % bytes.length;
    if (how === 'remove') return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    if (how === 'insert')
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([byte]), bytes.subarray(at)]);
    const copy = Buffer.from(bytes);
    copy[at] = byte;
    return copy;
  });

function scan(bytes: Uint8Array): { passed: boolean; cursors: PageCursor[] | undefined } {
  let cursors: PageCursor[] | undefined;
  const passed = scanPullAnswer(bytes, (heard) => (cursors = heard));
  return { passed, cursors };
}

describe('the pull answer scan', () => {
  it('passes answers as the server writes them, and hears their cursors', () => {
    fc.assert(
      fc.property(answer, (json) => {
        const { passed, cursors } = scan(Buffer.from(json));
        expect(passed).toBe(true);
        const pages = readPullAnswer(json);
        expect(cursors).toEqual(
          pages.map(({ partition, cursor, hasMore }) => ({ partition, cursor, hasMore })),
        );
      }),
      { numRuns: 300, seed: 3 },
    );
  });

  it('never passes an answer the full reading refuses, altered in one byte', () => {
    let passedAltered = 0;
    let refused = 0;
    fc.assert(
      fc.property(altered, (bytes) => {
        const { passed, cursors } = scan(bytes);
        let pages;
        try {
          pages = readPullAnswer(decodePullAnswer(bytes));
        } catch {
          refused += 1;
          expect(passed, bytes.toString('latin1').slice(0, 300)).toBe(false);
          return;
        }
        if (!passed) return;
        passedAltered += 1;
        expect(cursors).toEqual(
          pages.map(({ partition, cursor, hasMore }) => ({ partition, cursor, hasMore })),
        );
      }),
      { numRuns: 5000, seed: 5 },
    );
    expect(refused, 'most single-byte changes break an answer').toBeGreaterThan(2000);
    expect(passedAltered, 'harmless ones (a space between tokens) still pass').toBeGreaterThan(50);
  });

  it('leaves to the slower readings what it cannot prove, which still accept a good answer', () => {
    const json = serverAnswer([{ partition: '610926', changes: [{ summary: '入室盗窃', n: 1 }] }]);
    // An escaped character in the record (the server sends it raw: its hash is of the raw text), a duplicated key,
    // an integer written with an exponent: all valid JSON the full reading accepts.
    const variants = [
      json.replace('入', '\\u5165'),
      json.replace('"serverTime":', '"serverTime":5,"serverTime":'),
      json.replace('"head":1', '"head":1e0'),
    ];
    for (const variant of variants) {
      const bytes = Buffer.from(variant);
      expect(scan(bytes).passed, variant.slice(0, 80)).toBe(false);
      expect(() => checkPullAnswer(bytes, () => undefined)).not.toThrow();
    }
  });
});
