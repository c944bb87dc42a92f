// SIGKILL of real processes at write points tests/sync/crash.test.ts and tests/server/process.test.ts do not reach.
// Each kill lands at an exact point (DESK_SYNC_CRASH=<point>, read there); after a restart nothing is lost or
// doubled, nothing is left half-written, and what guards the system still guards it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSessionKey, signToken } from '../../src/server/auth';
import { LinkDown, ServerRefusal } from '../../src/main/sync/http-post';
import { HttpTransport, VERSIONS } from '../../src/main/sync/transport';
import { CITY_ID } from '../../src/shared/domain/model';
import {
  Cleanup,
  runServerCli,
  seedServer,
  serverFile,
  startServerProcess,
  readStore,
} from './fixtures/processes';

const cleanup = new Cleanup();
afterAll(() => cleanup.run());

/** What the server answers a pull of the city partition made with `token`: 'ok', or the refusal's status. */
async function pullWith(transport: HttpTransport, token: string, workstationId: string): Promise<string> {
  try {
    await transport.pull(token, {
      ...VERSIONS,
      workstationId,
      partitions: [{ partition: CITY_ID, cursor: 0 }],
      limit: 10,
    });
    return 'ok';
  } catch (error) {
    if (error instanceof ServerRefusal) return `refused ${error.status}`;
    if (error instanceof LinkDown) return 'link down';
    throw error;
  }
}

describe('SIGKILL of the server', () => {
  it('killed on its first start between creating the session key file and writing it: the next start signs sessions with a real key', async () => {
    const dataDir = cleanup.dir('desk-crash-key-');
    // The first thing to open a new data directory is usually `seed`; it makes the session key.
    const crashed = await runServerCli(['seed', '--data', dataDir], { DESK_SYNC_CRASH: 'session-key' });
    expect(crashed.exit.signal, 'the first start was killed at the session key').toBe('SIGKILL');

    const tokens = await seedServer(dataDir);
    const server = await startServerProcess(cleanup, dataDir);
    try {
      const transport = new HttpTransport(server.url);
      const workstationId = 'ws-after-key-crash';
      const enrolled = await transport.enroll(tokens.get(CITY_ID)!, workstationId);
      const login = await transport.login({
        ...VERSIONS,
        operatorId: 'city-dispatcher',
        password: 'demo-city-dispatcher',
        workstationId,
        workstationSecret: enrolled.workstationSecret,
      });
      expect(await pullWith(transport, login.token, workstationId), 'a real session works').toBe('ok');

      // Anyone can sign a session with an empty key: a server whose key file was left empty takes it.
      const forged = signToken(
        {
          operatorId: 'city-commander',
          workstationId,
          jurisdictionId: CITY_ID,
          role: 'city_commander',
          exp: Date.now() + 3_600_000,
        },
        Buffer.alloc(0),
      );
      expect(
        await pullWith(transport, forged, workstationId),
        'a session signed with an empty key is refused',
      ).toBe('refused 401');
    } finally {
      await server.stop();
    }
    expect(
      readStore(serverFile(dataDir), (db) => db.pragma('integrity_check', { simple: true })),
      'the server store passes the integrity check',
    ).toBe('ok');
  }, 30_000);

  it('a key file an older build left empty is made again; one holding anything else stops the start, named', () => {
    const dataDir = cleanup.dir('desk-key-file-');
    const file = join(dataDir, 'session.key');
    writeFileSync(file, '');
    expect(loadSessionKey(file).length, 'a 32-byte key replaces the empty file').toBe(32);
    expect(readFileSync(file, 'utf8')).toMatch(/^[0-9a-f]{64}$/);
    writeFileSync(file, 'abc');
    expect(() => loadSessionKey(file)).toThrow(/session\.key does not hold a session key/);
  });
});
