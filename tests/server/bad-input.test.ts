// Hostile and broken requests: each is answered with a 4xx and a reason, the server keeps serving, and the
// stored data is byte-for-byte what it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_PUSH_COMMANDS } from '../../src/shared/sync';
import { dumpStore } from '../helpers/dump';
import {
  burglaryCall,
  command,
  login,
  PINGLI,
  post,
  push,
  rawPost,
  startTestServer,
  V,
  type TestServer,
} from './helpers';

const ENDPOINTS = ['/v1/auth/login', '/v1/enroll', '/v1/push', '/v1/pull'] as const;
const WS = `ws-${PINGLI}`;

let server: TestServer;
let token: string;
let before: string;

/** mulberry32: a small seeded PRNG, so a failing byte string can be reproduced. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  server = await startTestServer();
  token = (await login(server, `op-${PINGLI}`, WS)).token;
  const seeded = await push(server, token, WS, [
    command(1, 'incident.create', burglaryCall('inc-base'), `op-${PINGLI}`),
  ]);
  expect(seeded.body.results[0]?.status).toBe('applied');
  before = dumpStore(server.hub.db);
});

afterAll(async () => {
  await server.stop();
});

function expect4xx(reply: { status: number; body: { code?: string; message?: string } }, what: string): void {
  expect(reply.status, `${what}: ${JSON.stringify(reply.body).slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(reply.status, `${what}: must be the client's fault, not a server error`).toBeLessThan(500);
  expect(reply.body.code, `${what}: an error code`).toBeTypeOf('string');
  expect(reply.body.message?.length ?? 0, `${what}: a reason`).toBeGreaterThan(0);
}

describe('bad input to the server', () => {
  it('answers malformed JSON with 400 naming the problem', async () => {
    for (const path of ENDPOINTS) {
      const reply = await rawPost(server, path, Buffer.from('{"protocol": 1, "schema":'), {}, token);
      expect4xx(reply, path);
      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(/JSON/);
    }
  });

  it('answers wrong shapes with 400 naming the field', async () => {
    const wrong = await post<{ code: string; message: string }>(
      server,
      '/v1/push',
      { ...V, workstationId: WS, commands: [{ counter: 'one' }] },
      token,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.message).toContain('commands.0');
    const extra = await post(
      server,
      '/v1/pull',
      { ...V, workstationId: WS, partitions: [], sneaky: 1 },
      token,
    );
    expect(extra.status).toBe(400);
    const twice = await post<{ code: string; message: string }>(
      server,
      '/v1/pull',
      {
        ...V,
        workstationId: WS,
        partitions: [
          { partition: PINGLI, cursor: 0 },
          { partition: PINGLI, cursor: 5 },
        ],
      },
      token,
    );
    expect(twice.status).toBe(400);
    expect(twice.body.message).toMatch(/partitions\.1\.partition.*partition 610926 is asked twice/);
    const tooMany = await post(
      server,
      '/v1/push',
      {
        ...V,
        workstationId: WS,
        commands: Array.from({ length: MAX_PUSH_COMMANDS + 1 }, (_, i) =>
          command(i + 1, 'incident.addNote', { id: 'inc-base', text: 'x' }, `op-${PINGLI}`),
        ),
      },
      token,
    );
    expect(tooMany.status).toBe(400);
    const array = await post(server, '/v1/auth/login', [1, 2, 3]);
    expect(array.status).toBe(400);
  });

  it('rejects an unknown command inside a batch without blocking the next one', async () => {
    const reply = await push(server, token, WS, [
      command(100, 'incident.explode', {}, `op-${PINGLI}`),
      command(101, 'incident.addNote', { id: 'inc-base', text: '继续' }, `op-${PINGLI}`),
    ]);
    expect(reply.body.results.map((r) => r.status)).toEqual(['rejected', 'applied']);
    expect(reply.body.results[0]?.error?.message).toContain('unknown command');
    before = dumpStore(server.hub.db);
  });

  it('answers an oversized body with 413 without reading it all', async () => {
    // Declared length over the limit, only a few bytes actually sent: the answer must not wait for the rest.
    const declared = await rawPost(
      server,
      '/v1/push',
      Buffer.from('{"protocol":1'),
      {
        'content-length': MAX_BODY_BYTES + 1,
      },
      token,
    );
    expect(declared.status).toBe(413);
    expect(declared.body.code).toBe('too_large');
    // Chunked, no declared length: cut off once the limit is passed.
    const big = Buffer.alloc(MAX_BODY_BYTES + 64 * 1024, 0x20);
    const chunked = await rawPost(
      server,
      '/v1/pull',
      big,
      { 'content-length': '', 'transfer-encoding': 'chunked' },
      token,
    );
    expect(chunked.status).toBe(413);
    const still = await post(
      server,
      '/v1/pull',
      { ...V, workstationId: WS, partitions: [{ partition: PINGLI, cursor: 0 }] },
      token,
    );
    expect(still.status, 'the server keeps serving after a 413').toBe(200);
  });

  it('answers unknown routes with 404', async () => {
    const reply = await rawPost(server, '/v1/drop-tables', Buffer.from('{}'));
    expect(reply.status).toBe(404);
    expect(reply.body.code).toBe('not_found');
  });

  it('answers 1,000 random byte strings on each endpoint with a 4xx and leaves the data unchanged', async () => {
    const seed = Number(process.env.DESK_FUZZ_SEED ?? 20261129);
    const random = prng(seed);
    const jsonish = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      'protocol',
      'schema',
      '1',
      'null',
      'commands',
      '\\u0000',
    ];
    for (const path of ENDPOINTS) {
      for (let i = 0; i < 1000; i += 1) {
        const length = Math.floor(random() * 300);
        const bytes = Buffer.alloc(length);
        const mode = random();
        if (mode < 0.5) {
          for (let j = 0; j < length; j += 1) bytes[j] = Math.floor(random() * 256);
        } else {
          // JSON-looking noise reaches the parser and the shape checks, not only the JSON error.
          const text = Array.from(
            { length: Math.max(1, length / 4) },
            () => jsonish[Math.floor(random() * jsonish.length)],
          ).join('');
          bytes.write(text.slice(0, length));
        }
        const reply = await rawPost(server, path, bytes.subarray(0, length), {}, token);
        expect4xx(
          reply,
          `${path} random #${i} (seed ${seed}, base64 ${bytes.subarray(0, length).toString('base64').slice(0, 80)})`,
        );
      }
    }
    const after = dumpStore(server.hub.db);
    expect(after === before, 'random input must not change stored data').toBe(true);
    const alive = await post(
      server,
      '/v1/pull',
      { ...V, workstationId: WS, partitions: [{ partition: PINGLI, cursor: 0 }] },
      token,
    );
    expect(alive.status).toBe(200);
  });
});
