// Reading a pull answer: its text decoded, its shape checked against the protocol's schema and every record against
// the hash the server sent, before anything of it is applied. Pure (no store, no network), so it runs in the pull
// reader's worker thread, or in the calling thread where no worker could be started.
import { isUtf8 } from 'node:buffer';
import { DeskError } from '../../shared/errors';
import { PullResponseSchema, type PullPage } from '../../shared/sync';
import { parseInput } from '../../shared/validate';
import { matchesHash, matchesHashAsBytes } from './record-hash';

/** The answer's UTF-8 body as text; a body that is not UTF-8 is refused rather than read with replacement marks. */
export function decodePullAnswer(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new DeskError('invalid_input', 'pull answer refused: its body is not UTF-8 text');
  }
}

/** Refuses the whole answer when a record does not hash to what the server sent, naming the change. */
function checkHashes(pages: PullPage[]): void {
  for (const page of pages)
    for (const change of page.changes) {
      if (change.op !== 'put' || matchesHash(change.kind, change.id, change.record, change.hash)) continue;
      throw new DeskError(
        'invalid_input',
        `pull answer refused: change ${change.seq} of partition ${change.partition} (${change.kind} ` +
          `${change.id}) does not match its hash; nothing of this answer was applied`,
        { partition: change.partition, seq: change.seq, kind: change.kind, id: change.id },
      );
    }
}

/** The answer's pages once its text parsed, matched the schema and every record its hash; throws otherwise. */
export function readPullAnswer(text: string): PullPage[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new DeskError(
      'invalid_input',
      `pull answer refused: unreadable JSON (${(error as Error).message})`,
    );
  }
  const pages = parseInput('pull answer', PullResponseSchema, body).pages;
  checkHashes(pages);
  return pages;
}

/** Where a page of an answer leaves its partition's cursor. */
export interface PageCursor {
  partition: string;
  cursor: number;
  hasMore: boolean;
}

/** The cursors of a parsed body that has pages of the right types there; undefined otherwise. */
function cursorsOf(body: unknown): PageCursor[] | undefined {
  const pages = (body as { pages?: unknown } | null)?.pages;
  if (!Array.isArray(pages)) return undefined;
  const cursors: PageCursor[] = [];
  for (const page of pages as { partition?: unknown; cursor?: unknown; hasMore?: unknown }[]) {
    if (
      typeof page?.partition !== 'string' ||
      typeof page.cursor !== 'number' ||
      typeof page.hasMore !== 'boolean'
    )
      return undefined;
    cursors.push({ partition: page.partition, cursor: page.cursor, hasMore: page.hasMore });
  }
  return cursors;
}

/**
 * The fast reading: the bytes as Latin-1 (checked to be UTF-8 first), parsed, matched against the schema and every
 * record against its hash (see matchesHashAsBytes). True when all of it holds, which proves what readPullAnswer
 * would; false sends the caller to readPullAnswer, which names what is wrong. `onCursors` hears the pages'
 * cursors as soon as the body has parsed, before the checks: enough to ask for the next pages.
 */
export function passesAsBytes(bytes: Uint8Array, onCursors: (cursors: PageCursor[]) => void): boolean {
  if (!isUtf8(bytes)) return false;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'));
  } catch {
    return false;
  }
  const cursors = cursorsOf(body);
  if (cursors) onCursors(cursors);
  const parsed = PullResponseSchema.safeParse(body);
  if (!parsed.success) return false;
  for (const page of parsed.data.pages)
    for (const change of page.changes)
      if (change.op === 'put' && !matchesHashAsBytes(change.kind, change.id, change.record, change.hash))
        return false;
  return true;
}

/** The two hex digits of a byte, as ASCII codes: high digit, low digit. */
const HEX_HIGH = new Uint8Array(256);
const HEX_LOW = new Uint8Array(256);
for (let byte = 0; byte < 256; byte += 1) {
  HEX_HIGH[byte] = '0123456789abcdef'.charCodeAt(byte >> 4);
  HEX_LOW[byte] = '0123456789abcdef'.charCodeAt(byte & 15);
}

/** Writes `\uXXXX` for a UTF-16 code unit at `at`; returns where the next byte goes. */
function writeEscape(out: Uint8Array, at: number, unit: number): number {
  const high = unit >> 8;
  const low = unit & 255;
  out[at] = 0x5c;
  out[at + 1] = 0x75;
  out[at + 2] = HEX_HIGH[high] ?? 0;
  out[at + 3] = HEX_LOW[high] ?? 0;
  out[at + 4] = HEX_HIGH[low] ?? 0;
  out[at + 5] = HEX_LOW[low] ?? 0;
  return at + 6;
}

/**
 * The same JSON in ASCII: every non-ASCII character of valid UTF-8 JSON written as a \u escape (a pair for one
 * beyond the BMP). Non-ASCII can only be inside JSON strings, where an escape means the same character, so it parses
 * to the same values. Handed from the worker to the main thread: a one-byte string is made from it in a fraction of
 * a millisecond and parses in two thirds of the time, where the decoded two-byte text cost ~15 ms per 2,000-change
 * page to receive and parse. ASCII runs are copied whole (~5 ms per 1 MB page).
 */
export function asciiJson(utf8: Uint8Array): Uint8Array {
  const n = utf8.length;
  // Two UTF-8 bytes become six, three become six, four become twelve: at most three times the input.
  const out = new Uint8Array(n * 3);
  let j = 0;
  let run = 0;
  for (let i = 0; i < n;) {
    const b = utf8[i] ?? 0;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    if (i > run) {
      out.set(utf8.subarray(run, i), j);
      j += i - run;
    }
    const b1 = (utf8[i + 1] ?? 0) & 0x3f;
    if (b < 0xe0) {
      j = writeEscape(out, j, ((b & 0x1f) << 6) | b1);
      i += 2;
    } else if (b < 0xf0) {
      j = writeEscape(out, j, ((b & 0x0f) << 12) | (b1 << 6) | ((utf8[i + 2] ?? 0) & 0x3f));
      i += 3;
    } else {
      const point =
        (((b & 0x07) << 18) | (b1 << 12) | (((utf8[i + 2] ?? 0) & 0x3f) << 6) | ((utf8[i + 3] ?? 0) & 0x3f)) -
        0x10000;
      j = writeEscape(out, j, 0xd800 + (point >> 10));
      j = writeEscape(out, j, 0xdc00 + (point & 0x3ff));
      i += 4;
    }
    run = i;
  }
  if (n > run) {
    out.set(utf8.subarray(run, n), j);
    j += n - run;
  }
  return out.slice(0, j);
}

/** Parses JSON handed over as ASCII bytes (see asciiJson). */
export function parseAsciiJson(json: Uint8Array): unknown {
  return JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('latin1'));
}

/**
 * Checks an answer's bytes and returns them as ASCII JSON (asciiJson) once its shape and every record's hash are
 * right; throws the DeskError that names what is wrong otherwise. For the pull reader's worker: the main thread
 * parses what it hands over. `onCursors` may hear the cursors of an answer that is then refused.
 */
export function checkPullAnswer(bytes: Uint8Array, onCursors: (cursors: PageCursor[]) => void): Uint8Array {
  let told = false;
  const tell = (cursors: PageCursor[]) => {
    told = true;
    onCursors(cursors);
  };
  if (!passesAsBytes(bytes, tell)) {
    const pages = readPullAnswer(decodePullAnswer(bytes));
    if (!told) onCursors(pages.map(({ partition, cursor, hasMore }) => ({ partition, cursor, hasMore })));
  }
  return asciiJson(bytes);
}
