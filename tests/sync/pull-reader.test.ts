// The pull reader checks each answer in its worker thread exactly as it would in the calling thread: the same pages
// for a good answer, the same refusal (naming the change) for a record that does not match its hash, a wrong shape
// or a body that is not UTF-8.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loggedRecord } from '../../src/main/sync/checksum';
import { asciiJson, parseAsciiJson } from '../../src/main/sync/ascii-json';
import {
  checkPullAnswer,
  decodePullAnswer,
  passesAsBytes,
  readPullAnswer,
} from '../../src/main/sync/pull-answer';
import { pullReader } from '../../src/main/sync/pull-reader';
import type { PullResponse } from '../../src/shared/sync';

const INCIDENT = { id: 'inc-1', countyId: '610926', summary: '第1起：入室盗窃', priority: 2 };
const TIMELINE = {
  id: 'tl-1',
  incidentId: 'inc-1',
  at: 1,
  kind: 'created',
  text: '接警',
  by: 'op',
  data: {},
};

function answer(): PullResponse {
  const incident = loggedRecord('incident', 'inc-1', INCIDENT);
  const timeline = loggedRecord('timeline', 'tl-1', TIMELINE);
  return {
    pages: [
      {
        partition: '610926',
        changes: [
          {
            seq: 1,
            partition: '610926',
            kind: 'incident',
            id: 'inc-1',
            op: 'put',
            record: JSON.parse(incident.text),
            hash: incident.hash,
          },
          {
            seq: 2,
            partition: '610926',
            kind: 'timeline',
            id: 'tl-1',
            op: 'put',
            record: JSON.parse(timeline.text),
            hash: timeline.hash,
          },
          {
            seq: 3,
            partition: '610926',
            kind: 'incident',
            id: 'inc-0',
            op: 'delete',
            record: null,
            hash: '',
          },
        ],
        cursor: 3,
        head: 3,
        hasMore: false,
        checksum: 'f'.repeat(64),
      },
    ],
    serverTime: 1_764_460_000_000,
  };
}

function bytes(value: unknown): Uint8Array {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
}

async function readyReader(): Promise<ReturnType<typeof pullReader>> {
  const reader = pullReader();
  reader.warm();
  for (let i = 0; i < 400 && !reader.inWorker(); i += 1)
    await new Promise((resolve) => setTimeout(resolve, 25));
  return reader;
}

async function refusal(read: Promise<unknown>): Promise<Error> {
  try {
    await read;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the answer was read but should have been refused');
}

describe('the pull reader', () => {
  it('reads in a worker thread, with the same pages as the calling thread', async () => {
    const reader = await readyReader();
    expect(reader.inWorker(), 'the worker has loaded').toBe(true);
    const body = bytes(answer());
    const inThread = readPullAnswer(decodePullAnswer(body));
    const reading = reader.read(bytes(answer()));
    expect(await reading.cursors, 'the cursors come ahead of the pages').toEqual([
      { partition: '610926', cursor: 3, hasMore: false },
    ]);
    expect(await reading.pages).toEqual(inThread);
    expect(inThread[0]?.changes.map((change) => change.id)).toEqual(['inc-1', 'tl-1', 'inc-0']);
  });

  it('refuses, naming the change, a record that does not match its hash', async () => {
    const reader = await readyReader();
    const tampered = answer();
    (tampered.pages[0]!.changes[1]!.record as { text: string }).text = '被篡改';
    const error = await refusal(reader.read(bytes(tampered)).pages);
    expect(error.message).toMatch(/change 2 of partition 610926 \(timeline tl-1\) does not match its hash/);
    expect((error as { details?: unknown }).details).toEqual({
      partition: '610926',
      seq: 2,
      kind: 'timeline',
      id: 'tl-1',
    });
    expect(() => readPullAnswer(decodePullAnswer(bytes(tampered)))).toThrow(error.message);
  });

  it('refuses an answer of the wrong shape, unreadable JSON and a body that is not UTF-8', async () => {
    const reader = await readyReader();
    const extra = answer();
    (extra.pages[0]!.changes[0] as unknown as Record<string, unknown>).colour = 'red';
    expect((await refusal(reader.read(bytes(extra)).pages)).message).toMatch(
      /pull answer: pages\.0\.changes\.0/,
    );
    expect((await refusal(reader.read(bytes('{"pages": [')).pages)).message).toMatch(/unreadable JSON/);
    const latin1 = Buffer.from(JSON.stringify(answer()).replace('入室盗窃', 'caf\u00e9'), 'latin1');
    expect((await refusal(reader.read(latin1).pages)).message).toMatch(/not UTF-8/);
    expect(reader.inWorker(), 'a refused answer does not stop the worker').toBe(true);
  });

  it('lets a process that has read its answers exit by itself (an idle worker holds nothing open)', () => {
    const reader = fileURLToPath(new URL('../../src/main/sync/pull-reader.ts', import.meta.url));
    const script = `
      const { pullReader } = await import(${JSON.stringify(reader)});
      const reader = pullReader();
      reader.warm();
      while (!reader.inWorker()) await new Promise((resolve) => setTimeout(resolve, 10));
      const pages = await reader.read(Buffer.from(JSON.stringify({ pages: [], serverTime: 1 }))).pages;
      console.log('read', pages.length, 'pages in the worker');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stdout.trim(), run.stderr).toBe('read 0 pages in the worker');
    expect(run.signal, 'the process had to be killed: something kept it alive').toBeNull();
    expect(run.status).toBe(0);
  });

  it('checks the bytes as they came, and otherwise as decoded text, with the same verdict and pages', () => {
    const read = (body: Uint8Array) => {
      const heard: unknown[] = [];
      const json = checkPullAnswer(body, (cursors) => heard.push(cursors));
      expect(
        json.every((byte) => byte < 0x80),
        'handed over as ASCII',
      ).toBe(true);
      expect(parseAsciiJson(json)).toEqual(JSON.parse(Buffer.from(body).toString('utf8')));
      expect(heard, 'the cursors are heard once').toHaveLength(1);
      return parseAsciiJson(json) as PullResponse;
    };
    const plain = bytes(answer());
    const asBytes = (body: Uint8Array) => passesAsBytes(body, () => undefined);
    expect(asBytes(plain), 'a plain answer passes as bytes, without decoding').toBe(true);
    expect(read(plain).pages).toEqual(readPullAnswer(decodePullAnswer(plain)));
    // Non-ASCII written as escapes, and keys JSON.parse reorders (integer-like): the bytes do not hash as sent, the
    // decoded text's canonical form does.
    const escaped = bytes(
      JSON.stringify(answer()).replace(
        /[\u0080-\uffff]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      ),
    );
    expect(escaped.every((byte) => byte < 0x80)).toBe(true);
    expect(asBytes(escaped)).toBe(false);
    expect(read(escaped).pages).toEqual(readPullAnswer(decodePullAnswer(plain)));
    const numbered = answer();
    const record = { ...TIMELINE, data: { b: '乙', 10: '十', 2: '二' } };
    const logged = loggedRecord('timeline', 'tl-1', record);
    Object.assign(numbered.pages[0]!.changes[1]!, { record: JSON.parse(logged.text), hash: logged.hash });
    const body = Buffer.from(
      JSON.stringify(numbered).replace(JSON.stringify(JSON.parse(logged.text)), logged.text),
    );
    expect(asBytes(body)).toBe(false);
    expect(read(body).pages[0]?.changes[1]?.record).toEqual(record);
    // A tampered record is refused by both readings with the same message, naming the change.
    const tampered = answer();
    (tampered.pages[0]!.changes[0]!.record as { summary: string }).summary = '被篡改';
    expect(asBytes(bytes(tampered))).toBe(false);
    expect(() => checkPullAnswer(bytes(tampered), () => undefined)).toThrow(
      /change 1 of partition 610926 \(incident inc-1\) does not match its hash/,
    );
  });

  it('hands JSON over as ASCII that parses to the same values, whatever the characters', () => {
    const values = {
      plain: 'abc "quoted" \\ back\nslash',
      chinese: '平利县长安镇中心街18号：入室盗窃',
      beyondBmp: '𠀀𪚥 and 😀',
      accents: 'café ñ ü',
      edges: '\u0080\u07ff\u0800\uffff\u2028',
      nested: [{ key: '键', n: 1.5 }],
      键名: true,
    };
    const json = asciiJson(Buffer.from(JSON.stringify(values)));
    expect(json.every((byte) => byte < 0x80)).toBe(true);
    expect(parseAsciiJson(json)).toEqual(values);
    expect(Buffer.from(json).toString('latin1')).toContain('\\u5e73\\u5229');
  });
});
