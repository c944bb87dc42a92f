// The pull reader's worker thread: parses and checks each pull answer (schema and record hashes) while the main
// thread applies the previous one, and hands it back checked, as ASCII JSON (quick to take in); the pages' cursors
// go ahead of it, as soon as the body has parsed, so the next pages can be asked for meanwhile. Over HTTP it follows
// a catch-up itself: it asks for each answer the moment the one before has parsed, which the main thread, busy
// applying, could not. See pull-reader.ts.
import { parentPort } from 'node:worker_threads';
import { toErrorInfo } from '../../shared/errors';
import type { PullRequest } from '../../shared/sync';
import { LinkDown, postForBytes, postTarget, ServerRefusal, type PostTarget } from './http-post';
import { checkPullAnswer, type PageCursor } from './pull-answer';
import type {
  FollowRequest,
  ReaderReply,
  ReaderRequest,
  StreamFailure,
  StreamReply,
  WorkerRequest,
} from './pull-reader';
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

/** Answers a stream may have checked and handed over before the main thread has taken them. */
const AHEAD = 2;

interface Stream {
  id: number;
  target: PostTarget;
  token: string;
  posted: number;
  taken: number;
  /** The next request, when the answer before it came while too many answers were waiting to be taken. */
  deferred: PullRequest | undefined;
  ended: boolean;
}

const targets = new Map<string, PostTarget>();
const streams = new Map<number, Stream>();

function targetOf(url: string, timeoutMs: number): PostTarget {
  const key = `${timeoutMs} ${url}`;
  let target = targets.get(key);
  if (!target) {
    target = postTarget(url, timeoutMs);
    targets.set(key, target);
  }
  return target;
}

/** The request for the pages after an answer's: the same partitions, each from where the answer left it. */
function advance(request: PullRequest, cursors: PageCursor[]): PullRequest {
  const at = new Map(cursors.map((cursor) => [cursor.partition, cursor.cursor]));
  return {
    ...request,
    partitions: request.partitions.map((p) => ({
      partition: p.partition,
      cursor: at.get(p.partition) ?? p.cursor,
    })),
  };
}

function failureOf(error: unknown): StreamFailure {
  if (error instanceof ServerRefusal) return { refusal: { status: error.status, info: error.info } };
  if (error instanceof LinkDown) return { link: error.message };
  return { error: toErrorInfo(error) };
}

function end(stream: Stream, reply: StreamReply | undefined): void {
  stream.ended = true;
  streams.delete(stream.id);
  if (reply) parentPort?.postMessage(reply);
}

/** Asks for one answer; checks it once it comes, asking for the next as soon as its cursors are known. */
function ask(stream: Stream, request: PullRequest): void {
  postForBytes(stream.target, '/v1/pull', request, stream.token).then(
    (bytes) => answer(stream, request, bytes),
    (error: unknown) => {
      if (!stream.ended) end(stream, { stream: stream.id, failure: failureOf(error) });
    },
  );
}

function answer(stream: Stream, request: PullRequest, bytes: Uint8Array): void {
  if (stream.ended) return;
  let more = false;
  let json: Uint8Array;
  try {
    json = checkPullAnswer(bytes, (cursors) => {
      if (!cursors.some((cursor) => cursor.hasMore)) return;
      more = true;
      // The server reads the next answer while this one is checked (and the main thread applies earlier ones).
      const next = advance(request, cursors);
      if (stream.posted - stream.taken < AHEAD) ask(stream, next);
      else stream.deferred = next;
    });
  } catch (error) {
    end(stream, { stream: stream.id, failure: failureOf(error) });
    return;
  }
  stream.posted += 1;
  parentPort?.postMessage({ stream: stream.id, json } satisfies StreamReply, [json.buffer as ArrayBuffer]);
  // An answer with no more pages ends the stream; one refused after its next was asked for ended it above.
  if (!more) end(stream, undefined);
}

function follow(message: FollowRequest): void {
  const stream: Stream = {
    id: message.follow,
    target: targetOf(message.url, message.timeoutMs),
    token: message.token,
    posted: 0,
    taken: 0,
    deferred: undefined,
    ended: false,
  };
  streams.set(stream.id, stream);
  ask(stream, message.request);
}

function took(id: number): void {
  const stream = streams.get(id);
  if (!stream) return;
  stream.taken += 1;
  const next = stream.deferred;
  if (next && stream.posted - stream.taken < AHEAD) {
    stream.deferred = undefined;
    ask(stream, next);
  }
}

function check({ id, bytes }: ReaderRequest): void {
  let json: Uint8Array;
  try {
    json = checkPullAnswer(bytes, (cursors) =>
      parentPort?.postMessage({ id, cursors } satisfies ReaderReply),
    );
  } catch (error) {
    parentPort?.postMessage({ id, error: toErrorInfo(error) } satisfies ReaderReply);
    return;
  }
  parentPort?.postMessage({ id, json } satisfies ReaderReply, [json.buffer as ArrayBuffer]);
}

const port = parentPort;
if (port) {
  port.on('message', (message: WorkerRequest) => {
    if ('bytes' in message) check(message);
    else if ('follow' in message) follow(message);
    else if ('took' in message) took(message.took);
    else {
      const stream = streams.get(message.close);
      if (stream) end(stream, undefined);
    }
  });
  warmUp();
  port.postMessage({ id: 0, ready: true } satisfies ReaderReply);
}
