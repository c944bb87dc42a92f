// Reading a pull answer: its text decoded, its shape checked against the protocol's schema and every record against
// the hash the server sent, before anything of it is applied. Pure (no store, no network), so it runs in the pull
// reader's worker thread, or in the calling thread where no worker could be started.
import { isUtf8 } from 'node:buffer';
import { DeskError } from '../../shared/errors';
import { isPullResponse, PullResponseSchema, type PullPage } from '../../shared/sync';
import { parseInput } from '../../shared/validate';
import { asciiJson } from './ascii-json';
import { scanPullAnswer } from './pull-scan';
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
 * The fast reading: the bytes as Latin-1 (checked to be UTF-8 first), parsed, matched against the schema (its
 * hand-written twin isPullResponse) and every
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
  if (!isPullResponse(body)) return false;
  for (const page of body.pages)
    for (const change of page.changes)
      if (change.op === 'put' && !matchesHashAsBytes(change.kind, change.id, change.record, change.hash))
        return false;
  return true;
}

/**
 * Checks an answer's bytes and returns them as ASCII JSON (asciiJson) once its shape and every record's hash are
 * right; throws the DeskError that names what is wrong otherwise. Read the quickest way that can prove it: scanned
 * as bytes (pull-scan.ts), else parsed as Latin-1 (passesAsBytes), else decoded, which names the fault. For the pull
 * reader's worker: the main thread parses what it hands over. `onCursors` hears the cursors once, and may hear
 * those of an answer that is then refused.
 */
export function checkPullAnswer(bytes: Uint8Array, onCursors: (cursors: PageCursor[]) => void): Uint8Array {
  let told = false;
  const tell = (cursors: PageCursor[]) => {
    if (told) return;
    told = true;
    onCursors(cursors);
  };
  if (!scanPullAnswer(bytes, tell) && !passesAsBytes(bytes, tell)) {
    const pages = readPullAnswer(decodePullAnswer(bytes));
    if (!told) onCursors(pages.map(({ partition, cursor, hasMore }) => ({ partition, cursor, hasMore })));
  }
  return asciiJson(bytes);
}
