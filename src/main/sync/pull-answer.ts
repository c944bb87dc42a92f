// Reading a pull answer: its text decoded, its shape checked against the protocol's schema and every record against
// the hash the server sent, before anything of it is applied. Pure (no store, no network), so it runs in the pull
// reader's worker thread, or in the calling thread where no worker could be started.
import { DeskError } from '../../shared/errors';
import { PullResponseSchema, type PullPage } from '../../shared/sync';
import { parseInput } from '../../shared/validate';
import { matchesHash } from './record-hash';

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
