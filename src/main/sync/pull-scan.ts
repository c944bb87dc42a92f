// The quickest reading of a pull answer: its bytes scanned once, as the server writes them, without building its
// values. Every field outside the records is checked where it lies against the protocol's shape (what
// PullResponseSchema asks, and stricter: no duplicate key, no escape in a key or in an id, integers written as
// plain digits), and every put's record is checked by hashing its bytes as they came: the server hashes exactly the
// canonical text it sends, so a match proves the record is the one the server hashed, and JSON.parse of the same
// bytes gives that record. Parsing the answer and writing each record back out to hash it cost the pull reader's
// worker 10-12 ms per 2,000-change page and most of its garbage; the scan takes 7 ms and makes almost none (one
// thread, real pages). Anything the scan cannot prove (another layout, an escape, a wrong hash, a malformed body)
// makes it say no, and the caller reads the answer the slower ways, which name what is wrong.
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { ID_PATTERN, LIMITS } from '../../shared/domain/model';
import { CHANGE_ID_LENGTH, CHANGE_ID_PATTERN, CHANGE_KINDS } from '../../shared/sync';
import type { PageCursor } from './pull-answer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
const ZERO = 0x30;
const NINE = 0x39;

/** Digits at most: below 2^53, so a plain run of digits is a safe integer. */
const SAFE_DIGITS = 15;

/**
 * The keys of an object the scan checks, as bytes; key i is bit 1 << i, and an object must hold each of its keys
 * exactly once. Keys are matched byte by byte (no string made per key).
 */
class Keys {
  readonly bytes: Uint8Array[];
  readonly all: number;

  constructor(readonly names: readonly string[]) {
    this.bytes = names.map((name) => Buffer.from(name, 'latin1'));
    this.all = (1 << names.length) - 1;
  }

  bit(name: string): number {
    return 1 << this.names.indexOf(name);
  }

  /** The bit of the key written at b[start, end); 0 when it is none of these. */
  match(b: Uint8Array, start: number, end: number): number {
    for (let k = 0; k < this.bytes.length; k += 1) {
      const key = this.bytes[k] as Uint8Array;
      if (key.length !== end - start) continue;
      let i = 0;
      while (i < key.length && key[i] === b[start + i]) i += 1;
      if (i === key.length) return 1 << k;
    }
    return 0;
  }
}

const ROOT_KEYS = new Keys(['pages', 'serverTime']);
const PAGE_KEYS = new Keys(['partition', 'changes', 'cursor', 'head', 'hasMore', 'checksum']);
const CHANGE_KEYS = new Keys(['seq', 'partition', 'kind', 'id', 'op', 'record', 'hash']);
const PAGES = ROOT_KEYS.bit('pages');
const [PARTITION, CHANGES, CURSOR, HEAD, HAS_MORE] = [
  'partition',
  'changes',
  'cursor',
  'head',
  'hasMore',
].map((name) => PAGE_KEYS.bit(name));
const [SEQ, CHANGE_PARTITION, KIND, ID, OP, RECORD] = ['seq', 'partition', 'kind', 'id', 'op', 'record'].map(
  (name) => CHANGE_KEYS.bit(name),
);

/** A put to hash once the shape is known to hold: where its kind, id, hash and record lie. */
interface Put {
  kind: number;
  kindEnd: number;
  id: number;
  idEnd: number;
  hash: number;
  record: number;
  recordEnd: number;
}

/** Where the prefix `kind NUL id NUL` and the record's bytes are put together to be hashed. */
let hashInput = Buffer.alloc(64 * 1024);

class Scan {
  readonly n: number;
  readonly puts: Put[] = [];
  readonly cursors: PageCursor[] = [];

  constructor(readonly b: Buffer) {
    this.n = b.length;
  }

  private at(i: number): number {
    return i < this.n ? (this.b[i] as number) : -1;
  }

  private space(i: number): number {
    for (; i < this.n; i += 1) {
      const c = this.b[i] as number;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    }
    return i;
  }

  /** The index of the quote closing the string that opens at `i`; -1 when it never closes. */
  private stringEnd(i: number): number {
    for (i += 1; i < this.n; i += 1) {
      const c = this.b[i] as number;
      if (c === QUOTE) return i;
      if (c === BACKSLASH) i += 1;
    }
    return -1;
  }

  /** The end of the object or array opening at `i` (brackets counted outside strings); -1 when it never closes. */
  private compositeEnd(i: number): number {
    let depth = 0;
    for (; i < this.n; i += 1) {
      const c = this.b[i] as number;
      if (c === QUOTE) {
        i = this.stringEnd(i);
        if (i < 0) return -1;
      } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth += 1;
      else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        depth -= 1;
        if (depth === 0) return i + 1;
      }
    }
    return -1;
  }

  /** The end of a number or literal starting at `i`: the next delimiter. */
  private scalarEnd(i: number): number {
    for (; i < this.n; i += 1) {
      const c = this.b[i] as number;
      if (
        c === COMMA ||
        c === CLOSE_OBJECT ||
        c === CLOSE_ARRAY ||
        c === 0x20 ||
        c === 0x0a ||
        c === 0x0d ||
        c === 0x09
      )
        break;
    }
    return i;
  }

  /** A string value without escapes at `i`: its contents' end (the closing quote), or -1. */
  private plainString(i: number): number {
    if (this.at(i) !== QUOTE) return -1;
    const end = this.stringEnd(i);
    if (end < 0) return -1;
    for (let k = i + 1; k < end; k += 1) if (this.b[k] === BACKSLASH) return -1;
    return end;
  }

  private text(start: number, end: number): string {
    return (this.b as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(start, end);
  }

  /** A non-negative integer written as plain digits at `i` (no sign, fraction, exponent or leading zero). */
  private count(i: number): { value: number; end: number } | undefined {
    const end = this.scalarEnd(i);
    const length = end - i;
    if (length < 1 || length > SAFE_DIGITS || (length > 1 && this.b[i] === ZERO)) return undefined;
    let value = 0;
    for (let k = i; k < end; k += 1) {
      const c = this.b[k] as number;
      if (c < ZERO || c > NINE) return undefined;
      value = value * 10 + (c - ZERO);
    }
    return { value, end };
  }

  private literal(i: number, word: string): number {
    const end = this.scalarEnd(i);
    return end - i === word.length && this.text(i, end) === word ? end : -1;
  }

  /** A 64-digit lower-case hex string at `i`: its contents' end, or -1. */
  private hexHash(i: number): number {
    const end = this.plainString(i);
    if (end - i - 1 !== 64) return -1;
    for (let k = i + 1; k < end; k += 1) {
      const c = this.b[k] as number;
      if (!((c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66))) return -1;
    }
    return end;
  }

  /**
   * The members of the object opening at `i`, each key one of `keys` and seen once, every one of them present;
   * `value` checks the value of a key at `start` and returns where it ends (-1 when it is wrong). The object's end,
   * or -1.
   */
  private object(i: number, keys: Keys, value: (key: number, start: number) => number): number {
    if (this.at(i) !== OPEN_OBJECT) return -1;
    let seen = 0;
    i = this.space(i + 1);
    if (this.at(i) === CLOSE_OBJECT) return seen === keys.all ? i + 1 : -1;
    for (;;) {
      const keyEnd = this.plainString(i);
      if (keyEnd < 0) return -1;
      const key = keys.match(this.b, i + 1, keyEnd);
      if (key === 0 || (seen & key) !== 0) return -1;
      seen |= key;
      let j = this.space(keyEnd + 1);
      if (this.at(j) !== COLON) return -1;
      j = value(key, this.space(j + 1));
      if (j < 0) return -1;
      i = this.space(j);
      const c = this.at(i);
      if (c === CLOSE_OBJECT) return seen === keys.all ? i + 1 : -1;
      if (c !== COMMA) return -1;
      i = this.space(i + 1);
    }
  }

  /** The items of the array opening at `i`, each checked by `item`; the array's end, or -1. */
  private array(i: number, item: (start: number) => number): number {
    if (this.at(i) !== OPEN_ARRAY) return -1;
    i = this.space(i + 1);
    if (this.at(i) === CLOSE_ARRAY) return i + 1;
    for (;;) {
      const end = item(i);
      if (end < 0) return -1;
      i = this.space(end);
      const c = this.at(i);
      if (c === CLOSE_ARRAY) return i + 1;
      if (c !== COMMA) return -1;
      i = this.space(i + 1);
    }
  }

  /** The whole answer: `{pages, serverTime}` and nothing after it but space. */
  answer(): boolean {
    const end = this.object(this.space(0), ROOT_KEYS, (key, start) => {
      if (key === PAGES) return this.array(start, (page) => this.page(page));
      return this.count(start)?.end ?? -1;
    });
    return end >= 0 && this.space(end) === this.n;
  }

  private page(start: number): number {
    let partition = '';
    let cursor = -1;
    let hasMore: boolean | undefined;
    // Each change's partition, compared with the page's once both are known (keys come in any order).
    const partitions: string[] = [];
    const end = this.object(start, PAGE_KEYS, (key, at) => {
      switch (key) {
        case PARTITION: {
          const close = this.plainString(at);
          if (close < 0) return -1;
          partition = this.text(at + 1, close);
          return partition.length <= LIMITS.idLength && ID_PATTERN.test(partition) ? close + 1 : -1;
        }
        case CHANGES:
          return this.array(at, (change) => this.change(change, partitions));
        case CURSOR: {
          const read = this.count(at);
          cursor = read?.value ?? -1;
          return read?.end ?? -1;
        }
        case HEAD:
          return this.count(at)?.end ?? -1;
        case HAS_MORE: {
          const yes = this.literal(at, 'true');
          hasMore = yes >= 0;
          return yes >= 0 ? yes : this.literal(at, 'false');
        }
        default: {
          const close = this.hexHash(at);
          return close < 0 ? -1 : close + 1;
        }
      }
    });
    if (end < 0 || hasMore === undefined || !partitions.every((other) => other === partition)) return -1;
    this.cursors.push({ partition, cursor, hasMore });
    return end;
  }

  private change(start: number, partitions: string[]): number {
    const put: Put = { kind: 0, kindEnd: 0, id: 0, idEnd: 0, hash: 0, record: 0, recordEnd: 0 };
    let op = '';
    let hashEnd = -1;
    const end = this.object(start, CHANGE_KEYS, (key, at) => {
      switch (key) {
        case SEQ: {
          const read = this.count(at);
          return read && read.value > 0 ? read.end : -1;
        }
        case CHANGE_PARTITION: {
          const close = this.plainString(at);
          if (close < 0) return -1;
          partitions.push(this.text(at + 1, close));
          return close + 1;
        }
        case KIND: {
          const close = this.plainString(at);
          if (close < 0 || !CHANGE_KINDS.has(this.text(at + 1, close))) return -1;
          put.kind = at + 1;
          put.kindEnd = close;
          return close + 1;
        }
        case ID: {
          const close = this.plainString(at);
          const length = close - at - 1;
          if (close < 0 || length < 1 || length > CHANGE_ID_LENGTH) return -1;
          if (!CHANGE_ID_PATTERN.test(this.text(at + 1, close))) return -1;
          put.id = at + 1;
          put.idEnd = close;
          return close + 1;
        }
        case OP: {
          const close = this.plainString(at);
          if (close < 0) return -1;
          op = this.text(at + 1, close);
          return close + 1;
        }
        case RECORD:
          if (this.at(at) === OPEN_OBJECT) {
            put.record = at;
            put.recordEnd = this.compositeEnd(at);
            return put.recordEnd;
          }
          put.recordEnd = -1;
          return this.literal(at, 'null');
        default: {
          const close = this.plainString(at);
          if (close < 0) return -1;
          put.hash = at + 1;
          hashEnd = close;
          return close + 1;
        }
      }
    });
    if (end < 0) return -1;
    if (op === 'put') {
      if (put.recordEnd < 0 || this.hexHash(put.hash - 1) !== hashEnd) return -1;
      this.puts.push(put);
      return end;
    }
    // A delete: its record null, its hash empty.
    return op === 'delete' && put.recordEnd === -1 && hashEnd === put.hash ? end : -1;
  }

  /** Whether every put's bytes, after `kind NUL id NUL`, hash to the hash sent with it. */
  hashesMatch(): boolean {
    for (const put of this.puts) {
      const size = put.kindEnd - put.kind + put.idEnd - put.id + put.recordEnd - put.record + 2;
      if (hashInput.length < size) hashInput = Buffer.alloc(Math.max(size, hashInput.length * 2));
      // Kind and id byte by byte (a few dozen bytes: cheaper than a native copy's set-up), the record copied whole.
      let at = 0;
      for (let k = put.kind; k < put.kindEnd; k += 1, at += 1) hashInput[at] = this.b[k] as number;
      hashInput[at] = 0;
      at += 1;
      for (let k = put.id; k < put.idEnd; k += 1, at += 1) hashInput[at] = this.b[k] as number;
      hashInput[at] = 0;
      at += 1;
      hashInput.set(this.b.subarray(put.record, put.recordEnd), at);
      at += put.recordEnd - put.record;
      if (hash('sha256', hashInput.subarray(0, at), 'hex') !== this.text(put.hash, put.hash + 64))
        return false;
    }
    return true;
  }
}

/**
 * True when the answer's bytes are UTF-8, hold the protocol's shape and every put's record hashes to its hash, all
 * checked on the bytes as they came (see the top of this file); false when any of it does not hold or the scan
 * cannot tell. `onCursors` hears the pages' cursors once the shape holds, before the hashes are checked.
 */
export function scanPullAnswer(bytes: Uint8Array, onCursors: (cursors: PageCursor[]) => void): boolean {
  if (!isUtf8(bytes)) return false;
  const scan = new Scan(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (!scan.answer()) return false;
  onCursors(scan.cursors);
  return scan.hashesMatch();
}
