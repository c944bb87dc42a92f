// The pull reader's worker thread: decodes, parses and checks each pull answer (schema and record hashes) while the
// main thread applies the previous one, and hands back the checked text. See pull-reader.ts.
import { parentPort } from 'node:worker_threads';
import { toErrorInfo } from '../../shared/errors';
import { decodePullAnswer, readPullAnswer } from './pull-answer';
import type { ReaderReply, ReaderRequest } from './pull-reader';

const port = parentPort;
if (port) {
  port.on('message', ({ id, bytes }: ReaderRequest) => {
    let reply: ReaderReply;
    try {
      const text = decodePullAnswer(bytes);
      readPullAnswer(text);
      reply = { id, text };
    } catch (error) {
      reply = { id, error: toErrorInfo(error) };
    }
    port.postMessage(reply);
  });
  port.postMessage({ id: 0, text: '' } satisfies ReaderReply);
}
