// Record hashes: sha256 of `kind NUL id NUL canonical JSON`. Kept apart from checksum.ts, which reads the store,
// so the pull reader's worker thread can check pulled records without loading the store's modules.
import { hash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical';
import type { ChangeKind } from '../../shared/sync';

/** Order targets are hashed by target id: their row order is a local detail, not part of the record. */
function normalised(kind: ChangeKind, record: unknown): unknown {
  if (kind === 'order' && record && typeof record === 'object' && 'targets' in record) {
    const order = record as { targets: { targetId: string }[] };
    return {
      ...order,
      targets: [...order.targets].sort((a, b) =>
        a.targetId < b.targetId ? -1 : a.targetId > b.targetId ? 1 : 0,
      ),
    };
  }
  return record;
}

/** The hash of a record given the text it is hashed as: sha256 of `kind NUL id NUL text`, hex. */
function hashRecordText(kind: ChangeKind, id: string, text: string): string {
  return hash('sha256', `${kind}\u0000${id}\u0000${text}`, 'hex');
}

export function recordHash(kind: ChangeKind, id: string, record: unknown): string {
  return hashRecordText(kind, id, canonicalJson(normalised(kind, record)));
}

/**
 * A record as a server logs and sends it: its canonical JSON (an order's targets in the record's own order, the
 * order the dispatcher chose, which consoles show), and its hash.
 */
export function loggedRecord(kind: ChangeKind, id: string, record: unknown): { text: string; hash: string } {
  const text = canonicalJson(record);
  const normal = normalised(kind, record);
  return { text, hash: hashRecordText(kind, id, normal === record ? text : canonicalJson(normal)) };
}

/**
 * Whether a pulled record hashes to the hash the server sent with it. The server sends each record's canonical
 * text, so JSON.stringify of the parsed record reproduces it and the check costs one stringify and one sha256;
 * a match proves the record is the one the server hashed. Otherwise (a key order JSON.parse does not keep, such
 * as integer-like keys, or an older server's text) the canonical form decides.
 */
export function matchesHash(kind: ChangeKind, id: string, record: unknown, expected: string): boolean {
  return (
    hashRecordText(kind, id, JSON.stringify(normalised(kind, record))) === expected ||
    recordHash(kind, id, record) === expected
  );
}

/**
 * The same check on a record parsed from the answer's bytes read as Latin-1 (each byte one character), as the pull
 * reader's worker reads them first: decoding UTF-8 into a string took a third of its time, and parsing the
 * two-byte text another third. JSON.stringify gives back the record's bytes one per character (it escapes only
 * control characters, quotes and backslashes, which are ASCII), so hashing them as Latin-1 hashes the server's
 * UTF-8 text. False for anything else (an escaped non-ASCII character, a key order JSON.parse does not keep):
 * the caller then checks the answer decoded as UTF-8, with matchesHash. `kind` and `id` are ASCII (the schema).
 */
export function matchesHashAsBytes(kind: ChangeKind, id: string, record: unknown, expected: string): boolean {
  const text = `${kind}\u0000${id}\u0000${JSON.stringify(normalised(kind, record))}`;
  return hash('sha256', Buffer.from(text, 'latin1'), 'hex') === expected;
}
