// The pull reader's worker thread: parses and checks each pull answer (schema and record hashes) while the main
// thread applies the previous one, and hands back the checked text; the pages' cursors go ahead of it, as soon as
// the body has parsed, so the next pages can be asked for meanwhile. See pull-reader.ts.
import { parentPort } from 'node:worker_threads';
import { toErrorInfo } from '../../shared/errors';
import { checkPullAnswer } from './pull-answer';
import type { ReaderReply, ReaderRequest } from './pull-reader';
import { loggedRecord } from './record-hash';

/**
 * Reads a made-up answer a few times before saying it is ready: the first real answers were read by cold code (the
 * schema's checks and the hashing interpreted), slower than the main thread applied them, and it sat waiting.
 */
function warmUp(): void {
  const changes = Array.from({ length: 400 }, (_, i) => {
    const id = `warm-${i}`;
    const record = {
      id,
      countyId: '610926',
      summary: `第${i}起：入室盗窃`,
      priority: 1 + (i % 4),
      at: i,
      data: {},
    };
    const logged = loggedRecord('incident', id, record);
    return { seq: i + 1, partition: '610926', kind: 'incident', id, op: 'put', record, hash: logged.hash };
  });
  const page = {
    partition: '610926',
    changes,
    cursor: 400,
    head: 400,
    hasMore: false,
    checksum: '0'.repeat(64),
  };
  const body = new TextEncoder().encode(JSON.stringify({ pages: [page], serverTime: 1 }));
  for (let round = 0; round < 5; round += 1) checkPullAnswer(body, () => undefined);
}

const port = parentPort;
if (port) {
  port.on('message', ({ id, bytes }: ReaderRequest) => {
    let reply: ReaderReply;
    try {
      const text = checkPullAnswer(bytes, (cursors) =>
        port.postMessage({ id, cursors } satisfies ReaderReply),
      );
      reply = { id, text };
    } catch (error) {
      reply = { id, error: toErrorInfo(error) };
    }
    port.postMessage(reply);
  });
  warmUp();
  port.postMessage({ id: 0, text: '' } satisfies ReaderReply);
}
