// `npm run desk -- enroll`: a new substation console exchanges its one-time token for its secret, as an admin
// hands it over; the answer lost on the way must not leave the token spent with a secret nobody holds.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransport, VERSIONS } from '../../src/main/sync/transport';
import { demoPassword } from '../../src/server/admin';
import { startServer, type RunningServer } from '../../src/server/app';

const ROOT = resolve(import.meta.dirname, '../..');
const PINGLI = '610926';
const OPERATOR = `op-${PINGLI}`;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The desk CLI in a child process (asynchronously: the server answering it runs in this process). */
function desk(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'src/main/cli.ts', ...args],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => done({ status: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

let server: RunningServer;
let serverDir: string;
let dir: string;

beforeAll(async () => {
  serverDir = mkdtempSync(join(tmpdir(), 'desk-enroll-server-'));
  dir = mkdtempSync(join(tmpdir(), 'desk-enroll-'));
  server = await startServer({ dataDir: serverDir, port: 0, demo: true });
}, 60_000);

afterAll(async () => {
  await server?.close();
  for (const d of [serverDir, dir]) rmSync(d, { recursive: true, force: true });
});

async function signsIn(workstationId: string, secret: string): Promise<string> {
  return new HttpTransport(server.url)
    .login({
      ...VERSIONS,
      operatorId: OPERATOR,
      password: demoPassword(OPERATOR),
      workstationId,
      workstationSecret: secret,
    })
    .then(
      (answer) => `signed in as ${answer.operator.id} in ${answer.workstation.jurisdictionId}`,
      (error: unknown) => `refused: ${(error as Error).message}`,
    );
}

describe('npm run desk -- enroll', () => {
  it('writes the secret to a file only its owner can read, and the console signs in with it', async () => {
    const { token } = server.hub.createEnrollToken(PINGLI);
    const file = join(dir, 'ws-pingli-new.secret');
    const run = await desk(
      ['enroll', '--server', server.url, '--workstation', 'ws-pingli-new', '--secret-file', file],
      { DESK_ENROLL_TOKEN: token },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`workstation ws-pingli-new enrolled in ${PINGLI}`);
    const secret = readFileSync(file, 'utf8').trim();
    expect(run.stdout + run.stderr, 'the secret is never printed').not.toContain(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await signsIn('ws-pingli-new', secret)).toBe(`signed in as ${OPERATOR} in ${PINGLI}`);
  });

  it('enrols the same id again with the same token when the first answer was lost, until someone signs in', async () => {
    const { token } = server.hub.createEnrollToken(PINGLI);
    // The server stored the enrolment; its answer never reached the console.
    const lost = await new HttpTransport(server.url).enroll(token, 'ws-pingli-lost');
    const file = join(dir, 'ws-pingli-lost.secret');
    const again = await desk([
      'enroll',
      '--server',
      server.url,
      '--token',
      token,
      '--workstation',
      'ws-pingli-lost',
      '--secret-file',
      file,
    ]);
    expect(again.status, again.stderr).toBe(0);
    const secret = readFileSync(file, 'utf8').trim();
    expect(secret).not.toBe(lost.workstationSecret);
    expect(await signsIn('ws-pingli-lost', lost.workstationSecret)).toMatch(/^refused: 401/);
    expect(await signsIn('ws-pingli-lost', secret)).toBe(`signed in as ${OPERATOR} in ${PINGLI}`);
    // Once an operator has signed in there, the token enrols nothing more: its secret has arrived.
    const other = join(dir, 'ws-pingli-lost-2.secret');
    const late = await desk(
      ['enroll', '--server', server.url, '--workstation', 'ws-pingli-lost', '--secret-file', other],
      { DESK_ENROLL_TOKEN: token },
    );
    expect(late.status).toBe(1);
    expect(late.stderr).toContain('enrolment token is unknown, used or expired');
    expect(existsSync(other), 'no empty secret file left behind').toBe(false);
    expect(await signsIn('ws-pingli-lost', secret)).toBe(`signed in as ${OPERATOR} in ${PINGLI}`);
    // Nor does it enrol another id.
    await expect(new HttpTransport(server.url).enroll(token, 'ws-pingli-other')).rejects.toThrow(/401/);
  });

  it('does not spend the token when the secret file exists or the server cannot be reached', async () => {
    const { token } = server.hub.createEnrollToken(PINGLI);
    const file = join(dir, 'taken.secret');
    writeFileSync(file, 'kept\n');
    const taken = await desk(
      ['enroll', '--server', server.url, '--workstation', 'ws-pingli-3', '--secret-file', file],
      { DESK_ENROLL_TOKEN: token },
    );
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain(`${file} exists already`);
    expect(readFileSync(file, 'utf8')).toBe('kept\n');
    const unreachable = await desk(
      [
        'enroll',
        '--server',
        'http://127.0.0.1:9',
        '--workstation',
        'ws-pingli-3',
        '--secret-file',
        join(dir, 'x'),
      ],
      { DESK_ENROLL_TOKEN: token },
    );
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toContain('run the same command again');
    expect(existsSync(join(dir, 'x'))).toBe(false);
    const fresh = join(dir, 'ws-pingli-3.secret');
    const enrolled = await desk(
      ['enroll', '--server', server.url, '--workstation', 'ws-pingli-3', '--secret-file', fresh],
      { DESK_ENROLL_TOKEN: token },
    );
    expect(enrolled.status, enrolled.stderr).toBe(0);
  });

  it('names what is missing or wrong', async () => {
    const noToken = await desk(['enroll', '--server', server.url, '--workstation', 'ws-x']);
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toContain('give the token with --token <t> or in DESK_ENROLL_TOKEN');
    const noFile = await desk(['enroll', '--server', server.url, '--workstation', 'ws-x', '--token', 't']);
    expect(noFile.status).toBe(2);
    expect(noFile.stderr).toContain('--secret-file <path> is required');
    const bad = await desk(
      ['enroll', '--server', server.url, '--workstation', 'ws x', '--secret-file', join(dir, 'y')],
      { DESK_ENROLL_TOKEN: 't' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--workstation must be');
  });
});
