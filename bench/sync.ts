// Sync benchmark: a real server process and workstations on loopback. Push throughput at the server, pull/apply
// throughput of a workstation catching up, live latency with 50 connected workstations, and a substation's
// catch-up after a week offline (run in a child process so its peak memory is its own).
// `DESK_BENCH_SYNC_PARTS=pull,catchup` runs only the parts named (push, pull, live, catchup); all by default.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Desk } from '../src/main/api/desk';
import { timeOrderedId } from '../src/main/core/ids';
import { openDatabase, type DB } from '../src/main/db/connection';
import { MIGRATIONS } from '../src/main/db/migrations/index';
import { pendingSearchRows } from '../src/main/db/search-index';
import { seedRegion } from '../src/main/core/region/seed';
import { openWorkstation } from '../src/main/host';
import { SyncClient } from '../src/main/sync/client';
import {
  HttpTransport,
  InProcessTransport,
  VERSIONS,
  type SyncEndpoint,
  type SyncTransport,
} from '../src/main/sync/transport';
import { demoPassword, seedDemo } from '../src/server/admin';
import { SyncHub } from '../src/server/hub';
import { SERVER_MIGRATIONS } from '../src/server/migrations';
import { CITY_ID } from '../src/shared/domain/model';
import {
  MAX_PUSH_COMMANDS,
  PROTOCOL_VERSION,
  SCHEMA_VERSION,
  type PushedCommand,
  type PushRequest,
  type PushResponse,
} from '../src/shared/sync';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { cpuAccount, cpuSpent, mainThreadCpuSeconds, nowMs, percentile } from './common';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SELF = fileURLToPath(import.meta.url);

const PINGLI = '610926';
const HANBIN = '610902';
const CHANGAN = { lng: 109.2852, lat: 32.4702 };
const HANBIN_CENTRE = { lng: 109.0293, lat: 32.6849 };

const PUSH_COMMANDS = 20_000;
const LIVE_WORKSTATIONS = 50;
const LIVE_SAMPLES = 200;
/** The week offline of the issue: 50,000 local commands and 500,000 remote changes. */
const FULL_LOCAL = 50_000;
const FULL_REMOTE = 500_000;
/**
 * The whole week by default. Its stores are built in-process (no HTTP, no fsync) once and cached under the temp
 * directory, keyed by CATCHUP_CACHE_VERSION; each run catches up on a copy. `DESK_BENCH_CATCHUP_SCALE=0.1` runs a
 * tenth of it; the scale used is printed and is part of the figures.
 */
const CATCHUP_SCALE = Number(process.env.DESK_BENCH_CATCHUP_SCALE ?? 1);
/** Bump when the generated week changes; the schema and protocol versions are part of the key already. */
const CATCHUP_CACHE_VERSION = `v2-x${CATCHUP_SCALE}-m${MIGRATIONS.length}-sm${SERVER_MIGRATIONS.length}-p${PROTOCOL_VERSION}s${SCHEMA_VERSION}`;

const PARTS = ['push', 'pull', 'live', 'catchup'] as const;
type Part = (typeof PARTS)[number];

function isPart(name: string): name is Part {
  return (PARTS as readonly string[]).includes(name);
}

/** The parts DESK_BENCH_SYNC_PARTS names (comma-separated), or all of them. */
function selectedParts(): Set<Part> {
  const names = (process.env.DESK_BENCH_SYNC_PARTS ?? PARTS.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !isPart(name));
  if (unknown.length > 0 || names.length === 0)
    throw new Error(
      `DESK_BENCH_SYNC_PARTS=${process.env.DESK_BENCH_SYNC_PARTS ?? ''}: choose parts among ${PARTS.join(', ')} (comma-separated)`,
    );
  return new Set(names.filter(isPart));
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function secretOf(id: string): string {
  return `bench-secret-${id}-0123456789abcdef`;
}

/** An incident.create input as a console's operator types it. */
interface BenchCall {
  id?: string;
  source: string;
  category: string;
  priority: number;
  callerName: string;
  callerPhone: string;
  address: string;
  summary: string;
  location: { lng: number; lat: number };
  countyId: string;
}

/** A pushed incident.create as the bench makes it: its input completed as a console's outbox holds it. */
type BenchCommand = PushedCommand & { input: BenchCall & { id: string; number: string; receivedAt: number } };

/**
 * The i-th bench call. Its incident id is left to the command (`<command id>.incident1`, time-ordered like a
 * console's) unless the bench must know it (`named`): random ids would cost the server half its push rate.
 */
function call(i: number, countyId: string, tag: string, named = false): BenchCall {
  return {
    ...(named ? { id: `inc-${tag}-${i}` } : {}),
    source: 'call_110',
    category: i % 3 === 0 ? 'theft' : 'burglary',
    priority: 1 + (i % 4),
    callerName: '王先生',
    callerPhone: '13912345678',
    address: countyId === PINGLI ? `平利县长安镇中心街${i % 200}号` : `汉滨区新城街道${i % 200}号`,
    summary: `第${i}起：嫌疑人入室盗窃后驾车逃离，车牌陕G${String(i % 100000).padStart(5, '0')}`,
    location: countyId === PINGLI ? CHANGAN : HANBIN_CENTRE,
    countyId,
  };
}

// ---------- server process ----------

interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Seeds a server store in this process (accounts, enrolled workstations), then runs the server as a process. */
function prepareServer(dir: string, workstations: { id: string; jurisdictionId: string }[]): void {
  const hub = SyncHub.open(dir);
  try {
    seedDemo(hub);
    for (const ws of workstations) hub.enrollDirect(ws.id, ws.jurisdictionId, secretOf(ws.id));
  } finally {
    hub.close();
  }
}

function startServerProcess(dir: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      // DESK_BENCH_SERVER_PROFILE=<dir>: each server process writes a CPU profile there when it stops.
      ...(process.env.DESK_BENCH_SERVER_PROFILE
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.DESK_BENCH_SERVER_PROFILE}`]
        : []),
      '--import',
      'tsx',
      'src/server/cli.ts',
      '--data',
      dir,
      '--port',
      '0',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg: string; url?: string };
      if (entry.msg === 'server listening' && entry.url)
        resolve({
          url: entry.url,
          child,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
    });
    void exited.then(() => reject(new Error('the server exited before listening')));
  });
}

async function login(transport: HttpTransport, workstationId: string, operatorId: string): Promise<string> {
  const answer = await transport.login({
    ...VERSIONS,
    operatorId,
    password: demoPassword(operatorId),
    workstationId,
    workstationSecret: secretOf(workstationId),
  });
  return answer.token;
}

/** YYYYMMDD of `at` in China Standard Time, as a console's incident numbers carry it. */
function cstDay(at: number): string {
  return new Date(at + 8 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * The bench's incident.create commands number `from` to `to` - 1, as a workstation pushes them: its outbox holds
 * the input completed by the local apply (core/apply.ts completeInput), with the incident's id (derived from the
 * command's), its number (the console's county-day sequence; `numberPrefix` keeps two consoles' apart) and its
 * received time, so the server neither numbers nor names it.
 */
function benchCommands(
  from: number,
  to: number,
  operatorId: string,
  countyId: string,
  tag: string,
  firstCounter: number,
  at: number,
  numberPrefix = '',
): BenchCommand[] {
  const commands: BenchCommand[] = [];
  for (let i = from; i < to; i += 1) {
    // As a console names its commands (core/ids.ts): time first.
    const commandId = timeOrderedId(at + i);
    const counter = firstCounter + i;
    commands.push({
      commandId,
      counter,
      name: 'incident.create',
      input: {
        ...call(i, countyId, tag),
        id: `${commandId}.incident1`,
        number: `${countyId}-${cstDay(at + i)}-${numberPrefix}${String(counter).padStart(4, '0')}`,
        receivedAt: at + i,
      },
      operatorId,
      at: at + i,
    });
  }
  return commands;
}

/**
 * `count` incident.create commands in full batches, made ahead as they sit in a workstation's outbox (what is timed
 * is sending them and the server accepting them).
 */
function pushBatches(
  operatorId: string,
  count: number,
  countyId: string,
  tag: string,
  firstCounter = 1,
  numberPrefix = '',
): BenchCommand[][] {
  const at = Date.now();
  const batches: BenchCommand[][] = [];
  for (let start = 0; start < count; start += MAX_PUSH_COMMANDS)
    batches.push(
      benchCommands(
        start,
        Math.min(count, start + MAX_PUSH_COMMANDS),
        operatorId,
        countyId,
        tag,
        firstCounter,
        at,
        numberPrefix,
      ),
    );
  return batches;
}

/** Throws if the server refused a bench command (they are all valid: a refusal is a bench or server bug). */
function expectAccepted(answer: PushResponse): void {
  const refused = answer.results.find((result) => result.status === 'rejected');
  if (refused) throw new Error(`the server refused a bench command: ${refused.error?.message}`);
}

/** Sends batches one after another, as a workstation's drain does; throws if the server refuses a command. */
async function sendBatches(
  transport: HttpTransport,
  token: string,
  workstationId: string,
  batches: PushedCommand[][],
): Promise<void> {
  for (const commands of batches)
    expectAccepted(await transport.push(token, { ...VERSIONS, workstationId, commands }));
}

function memoryStore(clock = Date.now): { db: DB; desk: Desk } {
  const db = openDatabase(':memory:');
  seedRegion(db, undefined, clock());
  return { db, desk: new Desk(db) };
}

// ---------- in-process setup ----------

/** The hub behind an in-process transport: setup talks to the server's core without HTTP. */
function hubEndpoint(hub: SyncHub): SyncEndpoint {
  return {
    login: (request) => hub.login(request),
    push: (token, request) => hub.push(hub.session(token), request),
    pull: (token, request) => hub.pull(hub.session(token), request),
    subscribe: () => () => undefined,
  };
}

/** Pushes `count` incident.create commands straight into the hub, as the push part does over HTTP (setup only). */
function pushInProcess(
  hub: SyncHub,
  workstationId: string,
  operatorId: string,
  count: number,
  countyId: string,
  tag: string,
  firstCounter = 1,
): void {
  const { token } = hub.login({
    ...VERSIONS,
    operatorId,
    password: demoPassword(operatorId),
    workstationId,
    workstationSecret: secretOf(workstationId),
  });
  const session = hub.session(token);
  for (const commands of pushBatches(operatorId, count, countyId, tag, firstCounter))
    expectAccepted(hub.push(session, { ...VERSIONS, workstationId, commands }));
}

// ---------- push ----------

/**
 * Timed rounds of push and of the warm pull; the figure is their median (every round is printed). One round on
 * this host moves by a fifth from one minute to the next: five rounds keep one slow round out of the median.
 */
const ROUNDS = 5;
const PULL_WORKSTATIONS = Array.from({ length: ROUNDS }, (_, round) => `ws-pull-${round + 1}`);
const PUSH_WORKSTATIONS = [
  { id: 'ws-push', jurisdictionId: PINGLI },
  { id: 'ws-push-2', jurisdictionId: PINGLI },
  { id: 'ws-pull-first', jurisdictionId: CITY_ID },
  ...PULL_WORKSTATIONS.map((id) => ({ id, jurisdictionId: CITY_ID })),
];

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}
/**
 * Commands pushed before the clock starts: a server runs for days, and its first few thousand commands run at
 * about half the later rate while V8 compiles its hot paths (1,000 were not enough to reach the steady rate).
 */
const PUSH_WARMUP = 5000;

/** Returns the figures and the server's store, which then holds what the pull part downloads. */
async function benchPush(dir: string): Promise<{ figures: Record<string, number>; serverDir: string }> {
  // One seeded store, copied for each round: each round's server starts from the same state (the first round's
  // store is what the pull part reads).
  const template = join(dir, 'server-push-template');
  prepareServer(template, PUSH_WORKSTATIONS);
  const rates: number[] = [];
  const raws: number[] = [];
  for (let pass = 1; pass <= ROUNDS; pass += 1) {
    const serverDir = join(dir, `server-push-${pass}`);
    cpSync(template, serverDir, { recursive: true });
    const server = await startServerProcess(serverDir);
    try {
      const transport = new HttpTransport(server.url);
      const token = await login(transport, 'ws-push', `op-${PINGLI}`);
      // Warm-up: compile the server's statements and the JIT before timing.
      await sendBatches(
        transport,
        token,
        'ws-push',
        pushBatches(`op-${PINGLI}`, PUSH_WARMUP, PINGLI, 'warm'),
      );
      // Timed: two Pingli consoles draining at once, half the commands each (a command hall's consoles push side
      // by side; one console alone leaves the server idle while it reads each answer and sends the next batch).
      const consoles = [
        {
          id: 'ws-push',
          token,
          batches: pushBatches(`op-${PINGLI}`, PUSH_COMMANDS / 2, PINGLI, 'push', PUSH_WARMUP + 1),
        },
        {
          id: 'ws-push-2',
          token: await login(transport, 'ws-push-2', `op-${PINGLI}`),
          batches: pushBatches(`op-${PINGLI}`, PUSH_COMMANDS / 2, PINGLI, 'push2', 1, 'B'),
        },
      ];
      const cpu0 = mainThreadCpuSeconds(server.child.pid);
      const t0 = nowMs();
      await Promise.all(consoles.map((c) => sendBatches(transport, c.token, c.id, c.batches)));
      const seconds = (nowMs() - t0) / 1000;
      const cpu1 = mainThreadCpuSeconds(server.child.pid);
      const cpu =
        cpu0 === undefined || cpu1 === undefined
          ? ''
          : ` (server main thread CPU ${round(cpu1 - cpu0, 2)} s)`;
      rates.push(PUSH_COMMANDS / seconds);
      console.log(
        `push, round ${pass} of ${ROUNDS}: ${PUSH_COMMANDS} incident.create from two consoles at once, in batches of ${MAX_PUSH_COMMANDS}, ` +
          `accepted in ${round(seconds, 2)} s: ${Math.round(PUSH_COMMANDS / seconds)} commands/s${cpu}`,
      );
    } finally {
      await server.stop();
    }
    // Once the server has stopped: the baseline does not share the cores with it.
    const raw = rawPushCommandsPerSecond(dir, pushBatches(`op-${PINGLI}`, PUSH_COMMANDS, PINGLI, 'raw'));
    raws.push(raw);
    console.log(
      `push: baseline just after round ${pass}, the same rows by plain better-sqlite3 inserts: ${Math.round(raw)} ` +
        `commands/s (push/raw ${round((rates[pass - 1] ?? NaN) / raw, 2)})`,
    );
  }
  const figures = {
    push_cmds_per_s: Math.round(median(rates)),
    push_raw_cmds_per_s: Math.round(median(raws)),
    // The median of each round's ratio: a round and its baseline ran on the host at the same pace.
    push_vs_raw: round(median(rates.map((rate, index) => rate / (raws[index] ?? NaN))), 2),
  };
  console.log(
    `push: median of ${ROUNDS} rounds ${figures.push_cmds_per_s} commands/s; baselines ${figures.push_raw_cmds_per_s} ` +
      `commands/s; push_vs_raw (median of the rounds' ratios) ${figures.push_vs_raw}`,
  );
  return { figures, serverDir: join(dir, 'server-push-1') };
}

// ---------- pull ----------

/** Counts the time spent waiting for push answers (a drain sends one batch after another). */
class PushTimer implements SyncTransport {
  pushSeconds = 0;

  constructor(private readonly inner: HttpTransport) {}

  login: SyncTransport['login'] = (request) => this.inner.login(request);
  pull: SyncTransport['pull'] = (token, request) => this.inner.pull(token, request);
  live: SyncTransport['live'] = (token, handlers) => this.inner.live(token, handlers);
  pullSource: NonNullable<SyncTransport['pullSource']> = () => this.inner.pullSource();

  async push(token: string, request: PushRequest): Promise<PushResponse> {
    const t0 = nowMs();
    try {
      return await this.inner.push(token, request);
    } finally {
      this.pushSeconds += (nowMs() - t0) / 1000;
    }
  }
}

/**
 * Seconds this process's event loop sat idle (waiting for the server) and worked since `from`: the next pull
 * answer is asked for while one is applied, so waiting is what the overlap did not hide.
 */
function loopSeconds(from: EventLoopUtilization): { idle: number; active: number } {
  const elu = performance.eventLoopUtilization(from);
  return { idle: elu.idle / 1000, active: elu.active / 1000 };
}

/** The push part's server store, built in-process (same commands) when the push part did not run. */
function preparePullServer(dir: string): string {
  const serverDir = join(dir, 'server-pull');
  prepareServer(serverDir, PUSH_WORKSTATIONS);
  const hub = SyncHub.open(serverDir);
  try {
    hub.db.pragma('synchronous = OFF');
    pushInProcess(hub, 'ws-push', `op-${PINGLI}`, PUSH_WARMUP, PINGLI, 'warm');
    pushInProcess(hub, 'ws-push', `op-${PINGLI}`, PUSH_COMMANDS, PINGLI, 'push', PUSH_WARMUP + 1);
  } finally {
    hub.close();
  }
  return serverDir;
}

/** A fresh city workstation (file store, as on a console) pulls everything: the seeded region and 42,000 changes. */
/** One fresh city workstation (file store, as on a console) pulls everything; seconds, changes and loop times. */
async function pullOnce(
  dir: string,
  url: string,
  workstationId: string,
  serverPid?: number,
): Promise<{
  seconds: number;
  pulled: number;
  idle: number;
  active: number;
  cpu: number | undefined;
  spent: string;
}> {
  const ws = openWorkstation({ dataDir: join(dir, workstationId), jurisdiction: CITY_ID });
  const client = new SyncClient({
    db: ws.db,
    desk: ws.desk,
    transport: new HttpTransport(url),
    workstationId,
    workstationSecret: secretOf(workstationId),
    jurisdictionId: CITY_ID,
    automatic: false,
  });
  try {
    await client.signIn('city-dispatcher', demoPassword('city-dispatcher'));
    const t0 = nowMs();
    const loop = performance.eventLoopUtilization();
    const cpu0 = mainThreadCpuSeconds();
    const account0 = cpuAccount(serverPid === undefined ? [] : [serverPid]);
    const cycle = await client.syncNow();
    const seconds = (nowMs() - t0) / 1000;
    const cpu1 = mainThreadCpuSeconds();
    const spent = cpuSpent(account0, cpuAccount(serverPid === undefined ? [] : [serverPid]), 'server');
    if (!cycle.ok) throw new Error(`the pull failed: ${cycle.error?.message}`);
    const cpu = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0;
    return { seconds, pulled: cycle.pulled, ...loopSeconds(loop), cpu, spent };
  } finally {
    await client.stop();
    ws.close();
  }
}

/**
 * What plain SQLite does on this host at this moment, to compare a part with: `write` runs on a fresh WAL file
 * with `pragmas` and `schema` (neither timed), and the answer is `count` per second of it. This host's speed
 * drifts by a third over minutes, so each baseline runs just after what it is compared with. The file and its WAL
 * are removed afterwards.
 */
function plainSqliteRate(
  file: string,
  pragmas: string[],
  schema: string,
  count: number,
  write: (db: Database.Database) => void,
): number {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    for (const pragma of pragmas) db.pragma(pragma);
    db.exec(schema);
    const t0 = nowMs();
    write(db);
    return count / ((nowMs() - t0) / 1000);
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }
}

/**
 * The pull's baseline, run just after the pulls it is compared with: as many rows as the pull applies (half
 * incident-like rows with the store's four incident indexes, half timeline-like rows with theirs), written by
 * plain better-sqlite3 statements in transactions of 2,000. pull_vs_raw says how the pull compares with what plain
 * SQLite did on this host at that moment.
 */
function rawRowsPerSecond(dir: string, rows: number): number {
  const schema = `
    CREATE TABLE incidents (id TEXT PRIMARY KEY, county TEXT NOT NULL, status TEXT NOT NULL, received INTEGER NOT NULL,
      lng REAL NOT NULL, lat REAL NOT NULL, body TEXT NOT NULL) STRICT;
    CREATE INDEX incidents_status ON incidents (status, received);
    CREATE INDEX incidents_county ON incidents (county, received);
    CREATE INDEX incidents_received ON incidents (received);
    CREATE INDEX incidents_place ON incidents (lng, lat);
    CREATE TABLE timeline (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, at INTEGER NOT NULL, text TEXT NOT NULL) STRICT;
    CREATE INDEX timeline_incident ON timeline (incident_id, at);`;
  return plainSqliteRate(join(dir, 'raw-baseline.sqlite'), ['synchronous = NORMAL'], schema, rows, (db) => {
    const incident = db.prepare('INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?)');
    const entry = db.prepare('INSERT INTO timeline VALUES (?, ?, ?, ?)');
    const at = Date.now();
    for (let start = 0; start < rows; start += 2000) {
      db.transaction(() => {
        for (let i = start; i < Math.min(rows, start + 2000); i += 2) {
          const id = `inc-raw-${i}`;
          const body = JSON.stringify(call(i, PINGLI, 'raw'));
          incident.run(id, PINGLI, 'received', at + i, CHANGAN.lng + (i % 100) / 1000, CHANGAN.lat, body);
          entry.run(`tl-raw-${i}`, id, at + i, '接警：入室盗窃');
        }
      })();
    }
  });
}

/**
 * The server's tables a pushed incident.create writes to, shaped as its store has them after the core and server
 * migrations (the server drops the incident list indexes; the change log keeps one index beside its key).
 */
const PUSH_BASELINE_SCHEMA = `
  CREATE TABLE incidents (
    id TEXT PRIMARY KEY, number TEXT NOT NULL, county_id TEXT NOT NULL,
    source TEXT NOT NULL, category TEXT NOT NULL, priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 4),
    status TEXT NOT NULL, caller_name TEXT NOT NULL, caller_phone TEXT NOT NULL,
    address TEXT NOT NULL, summary TEXT NOT NULL, notes TEXT NOT NULL,
    lng REAL NOT NULL, lat REAL NOT NULL, received_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
    disposition TEXT NOT NULL, assigned_org_id TEXT, merged_into_id TEXT, case_id TEXT, created_by TEXT NOT NULL
  ) STRICT;
  CREATE TABLE timeline (
    id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL,
    text TEXT NOT NULL, by TEXT NOT NULL, data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX timeline_incident ON timeline (incident_id, at);
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, operator_id TEXT NOT NULL, workstation_id TEXT NOT NULL,
    command_id TEXT NOT NULL, command TEXT NOT NULL, entity_kind TEXT NOT NULL, entity_id TEXT NOT NULL,
    county_id TEXT NOT NULL, before TEXT NOT NULL, after TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL
  ) STRICT;
  CREATE INDEX audit_entity ON audit (entity_id, seq);
  CREATE TABLE received_commands (
    workstation_id TEXT NOT NULL, counter INTEGER NOT NULL, command_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
    operator_id TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('applied','rejected')), error TEXT,
    at INTEGER NOT NULL, received_at INTEGER NOT NULL, at_clamped INTEGER NOT NULL,
    PRIMARY KEY (workstation_id, counter)
  ) STRICT;
  CREATE TABLE changes (
    partition TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
    op TEXT NOT NULL CHECK (op IN ('put','delete')), record TEXT NOT NULL, hash TEXT NOT NULL,
    PRIMARY KEY (partition, seq)
  ) STRICT;
  CREATE UNIQUE INDEX changes_record ON changes (kind, id, partition);`;

/** Stands in for the SHA-256 hex digests the server computes (audit chain, change log): text of their size. */
const HASH_TEXT = 'f'.repeat(64);

/**
 * The push's baseline, run just after each round: the rows the server writes per incident.create (the incident,
 * its timeline entry, its audit entry, the received_commands row, the incident's and the entry's changes) for
 * `batches` (the same commands as the round's), by plain better-sqlite3 statements in one transaction per batch
 * (the server commits one per push batch, one fsync each with synchronous = FULL). Without the app: no HTTP, no
 * validation, savepoints or lookups, no hashing. push_vs_raw says how the push compares with what plain SQLite did
 * on this host at that moment.
 */
function rawPushCommandsPerSecond(dir: string, batches: BenchCommand[][]): number {
  const file = join(dir, 'raw-push-baseline.sqlite');
  const count = batches.reduce((sum, batch) => sum + batch.length, 0);
  // The server leaves checkpoints to a worker thread (its writer only checkpoints past WRITER_CHECKPOINT_PAGES);
  // the baseline's writer leaves its throw-away WAL alone.
  const pragmas = ['synchronous = FULL', 'wal_autocheckpoint = 0'];
  return plainSqliteRate(file, pragmas, PUSH_BASELINE_SCHEMA, count, (db) => {
    // What every bench command writes alike is written by the statements themselves.
    const incident = db.prepare(
      `INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, 'received', ?, ?, ?, ?, '', ?, ?, ?, ?, '', NULL, NULL, NULL, ?)`,
    );
    const entry = db.prepare(`INSERT INTO timeline VALUES (?, ?, ?, 'received', ?, ?, ?)`);
    const audit = db.prepare(
      `INSERT INTO audit VALUES (?, ?, ?, 'ws-raw', ?, 'incident.create', 'incident', ?, ?, 'null', ?, ?, ?)`,
    );
    const received = db.prepare(
      `INSERT INTO received_commands VALUES ('ws-raw', ?, ?, 'incident.create', ?, 'applied', NULL, ?, ?, 0)`,
    );
    const change = db.prepare(`INSERT INTO changes VALUES (?, ?, ?, ?, 'put', ?, ?)`);
    let seq = 0;
    for (const batch of batches) {
      db.transaction(() => {
        for (const { commandId, counter, operatorId, at, input } of batch) {
          seq += 1;
          const { id, number, countyId, source, priority, address, location, receivedAt } = input;
          // The incident as the server stores and logs it: the completed input and the fields the apply adds.
          const record = JSON.stringify({
            ...input,
            status: 'received',
            notes: '',
            updatedAt: receivedAt,
            disposition: '',
            assignedOrgId: null,
            mergedIntoId: null,
            caseId: null,
            createdBy: operatorId,
          });
          incident.run(
            id,
            number,
            countyId,
            source,
            input.category,
            priority,
            input.callerName,
            input.callerPhone,
            address,
            input.summary,
            location.lng,
            location.lat,
            receivedAt,
            receivedAt,
            operatorId,
          );
          const entryId = `${commandId}.t1`;
          const text = `${number} ${address}`;
          const data = { source, priority };
          entry.run(entryId, id, at, text, operatorId, JSON.stringify(data));
          const logged = { at, by: operatorId, data, id: entryId, incidentId: id, kind: 'received', text };
          audit.run(seq, at, operatorId, commandId, id, countyId, record, HASH_TEXT, HASH_TEXT);
          received.run(counter, commandId, operatorId, at, at);
          change.run(countyId, 2 * seq - 1, 'incident', id, record, HASH_TEXT);
          change.run(countyId, 2 * seq, 'timeline', entryId, JSON.stringify(logged), HASH_TEXT);
        }
      })();
    }
  });
}

/**
 * A fresh city workstation pulls the seeded region and everything pushed: first in a new process (its code
 * still cold: a workstation just installed), then three more in the same process, as a workstation that has
 * been running all shift catches up when its link comes back (the figure: their median).
 */
async function benchPull(dir: string, pushServerDir: string | undefined): Promise<Record<string, number>> {
  const serverDir = pushServerDir ?? preparePullServer(dir);
  const server = await startServerProcess(serverDir);
  try {
    const figures: Record<string, number> = {};
    const rounds: { workstationId: string; label: string }[] = [
      { workstationId: 'ws-pull-first', label: 'first pull in a new process' },
      ...PULL_WORKSTATIONS.map((workstationId, index) => ({
        workstationId,
        label: `pull in a running process, round ${index + 1} of ${ROUNDS}`,
      })),
    ];
    const warm: number[] = [];
    for (const { workstationId, label } of rounds) {
      const { seconds, pulled, idle, active, cpu, spent } = await pullOnce(
        dir,
        server.url,
        workstationId,
        server.child.pid,
      );
      const rate = pulled / seconds;
      if (workstationId === 'ws-pull-first') figures.pull_first_rows_per_s = Math.round(rate);
      else warm.push(rate);
      console.log(
        `pull: a fresh city workstation, ${label}, applied ${pulled} changes in ${round(seconds, 2)} s: ` +
          `${Math.round(rate)} rows/s (waiting for answers ${round(idle, 2)} s, its own work ${round(active, 2)} s` +
          `${cpu === undefined ? '' : `, main thread CPU ${round(cpu, 2)} s`})`,
      );
      if (spent) console.log(`pull: ${label}: ${spent}`);
    }
    figures.pull_rows_per_s = Math.round(median(warm));
    const raw = rawRowsPerSecond(dir, PUSH_WARMUP * 2 + PUSH_COMMANDS * 2);
    figures.pull_raw_rows_per_s = Math.round(raw);
    figures.pull_vs_raw = round(figures.pull_rows_per_s / raw, 2);
    console.log(
      `pull: median of ${ROUNDS} rounds in a running process ${figures.pull_rows_per_s} rows/s; baseline just after, ` +
        `the same number of rows by plain better-sqlite3 inserts: ${Math.round(raw)} rows/s; pull_vs_raw ${figures.pull_vs_raw}`,
    );
    return figures;
  } finally {
    await server.stop();
  }
}

// ---------- live ----------

async function benchLive(dir: string): Promise<Record<string, number>> {
  const serverDir = join(dir, 'server-live');
  const specs = Array.from({ length: LIVE_WORKSTATIONS }, (_, i) => ({
    id: `ws-live-${i}`,
    // Half the consoles are Hanbin's, half the city hall's: every one of them reads what the sender writes.
    jurisdictionId: i % 2 === 0 ? HANBIN : CITY_ID,
  }));
  prepareServer(serverDir, specs);
  const server = await startServerProcess(serverDir);
  const clients: { client: SyncClient; desk: Desk; db: DB; operatorId: string }[] = [];
  try {
    for (const spec of specs) {
      const { db, desk } = memoryStore();
      const operatorId = spec.jurisdictionId === CITY_ID ? 'city-dispatcher' : `op-${HANBIN}`;
      const client = new SyncClient({
        db,
        desk,
        transport: new HttpTransport(server.url),
        workstationId: spec.id,
        workstationSecret: secretOf(spec.id),
        jurisdictionId: spec.jurisdictionId,
        verifierCost: 1 << 10,
      });
      await client.signIn(operatorId, demoPassword(operatorId));
      client.start();
      clients.push({ client, desk, db, operatorId });
    }
    // Everyone at head with the live channel open before sampling.
    await Promise.all(clients.map(({ client }) => client.syncNow()));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [sender] = clients as [(typeof clients)[number]];
    const actor = sender.client.actorFor(sender.operatorId);
    const samples: number[] = [];
    const allSamples: number[] = [];
    for (let i = 0; i < LIVE_SAMPLES + 10; i += 1) {
      const id = `inc-live-${i}`;
      const arrivals = clients.slice(1).map(
        ({ desk }) =>
          new Promise<number>((resolve) => {
            const off = desk.events.on('entity.changed', (payload) => {
              if (payload.kind === 'incident' && payload.ids.includes(id)) {
                off();
                resolve(nowMs());
              }
            });
          }),
      );
      const t0 = nowMs();
      sender.desk.command(actor, 'incident.create', call(i, HANBIN, 'live', true));
      const times = await Promise.all(arrivals);
      if (i >= 10) {
        // The first other console is the one "another" workstation; all of them give the spread.
        samples.push((times[0] ?? NaN) - t0);
        for (const t of times) allSamples.push(t - t0);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    samples.sort((a, b) => a - b);
    allSamples.sort((a, b) => a - b);
    const figures = {
      live_p50_ms: round(percentile(samples, 50), 2),
      live_p99_ms: round(percentile(samples, 99), 2),
      live_all_p99_ms: round(percentile(allSamples, 99), 2),
    };
    console.log(
      `live: ${LIVE_WORKSTATIONS} workstations connected (in this one process); a command on one until applied on ` +
        `another: p50 ${figures.live_p50_ms} ms, p99 ${figures.live_p99_ms} ms over ${LIVE_SAMPLES} commands; ` +
        `until applied on all ${LIVE_WORKSTATIONS - 1} others: p50 ${round(percentile(allSamples, 50), 2)} ms, ` +
        `p99 ${figures.live_all_p99_ms} ms`,
    );
    return figures;
  } finally {
    for (const { client, db } of clients) {
      await client.stop();
      db.close();
    }
    await server.stop();
  }
}

// ---------- catch-up after a week offline ----------

interface CatchupResult {
  seconds: number;
  peakRssMb: number;
  pushed: number;
  pulled: number;
  /** Seconds waiting for push answers; then the event loop's idle (waiting for the server) and active seconds. */
  pushWaitSeconds: number;
  idleSeconds: number;
  activeSeconds: number;
  /** Seconds the background search index took to catch up once the sync was done (not in `seconds`). */
  indexSeconds: number;
}

/** In a child process: open the substation's store, sign in, sync to head; report time and peak RSS. */
async function catchupChild(dataDir: string, url: string): Promise<void> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = nowMs();
  const loop = performance.eventLoopUtilization();
  const ws = openWorkstation({ dataDir, jurisdiction: PINGLI });
  const transport = new PushTimer(new HttpTransport(url, 120_000));
  const client = new SyncClient({
    db: ws.db,
    desk: ws.desk,
    transport,
    workstationId: 'ws-substation',
    workstationSecret: secretOf('ws-substation'),
    jurisdictionId: PINGLI,
    automatic: false,
  });
  await client.signIn(`op-${PINGLI}`, demoPassword(`op-${PINGLI}`));
  const cycle = await client.syncNow();
  const seconds = (nowMs() - t0) / 1000;
  const { idle, active } = loopSeconds(loop);
  if (!cycle.ok || client.pending().pending !== 0)
    throw new Error(
      `catch-up did not finish: ${cycle.error?.message ?? `${client.pending().pending} pending`}`,
    );
  // The search index catches up in the background afterwards (rows are found by a scan until then).
  const indexStart = nowMs();
  while (pendingSearchRows(ws.db) > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  const indexSeconds = (nowMs() - indexStart) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  await client.stop();
  ws.close();
  const result: CatchupResult = {
    seconds,
    peakRssMb: peak / 1024 / 1024,
    pushed: cycle.pushed,
    pulled: cycle.pulled,
    pushWaitSeconds: transport.pushSeconds,
    idleSeconds: idle,
    activeSeconds: active,
    indexSeconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/**
 * Builds the week in `root`: a server store (`server/`) and the substation's store (`ws/`). The substation synced
 * once, then recorded `local` commands offline, while the city hall's consoles made `remote` changes in Pingli
 * (an incident and its timeline entry each). All in this process, without fsync: it is a throw-away cache.
 */
async function buildWeek(root: string, local: number, remote: number): Promise<void> {
  const serverDir = join(root, 'server');
  prepareServer(serverDir, [
    { id: 'ws-substation', jurisdictionId: PINGLI },
    { id: 'ws-hall', jurisdictionId: CITY_ID },
  ]);
  const hub = SyncHub.open(serverDir);
  try {
    hub.db.pragma('synchronous = OFF');
    const ws = openWorkstation({ dataDir: join(root, 'ws'), jurisdiction: PINGLI });
    try {
      ws.db.pragma('synchronous = OFF');
      const client = new SyncClient({
        db: ws.db,
        desk: ws.desk,
        transport: new InProcessTransport(hubEndpoint(hub)),
        workstationId: 'ws-substation',
        workstationSecret: secretOf('ws-substation'),
        jurisdictionId: PINGLI,
        automatic: false,
      });
      await client.signIn(`op-${PINGLI}`, demoPassword(`op-${PINGLI}`));
      const first = await client.syncNow();
      if (!first.ok) throw new Error(`first sync failed: ${first.error?.message}`);
      const actor = client.actorFor(`op-${PINGLI}`);
      const t0 = nowMs();
      // A thousand commands per transaction so a week's work is written in seconds.
      for (let start = 0; start < local; start += 1000) {
        ws.db.transaction(() => {
          for (let i = start; i < Math.min(local, start + 1000); i += 1)
            ws.desk.command(actor, 'incident.create', call(i, PINGLI, 'offline'));
        })();
      }
      await client.stop();
      console.log(
        `catch-up setup: ${local} offline commands written in ${round((nowMs() - t0) / 1000, 1)} s`,
      );
    } finally {
      ws.close();
    }
    const t0 = nowMs();
    pushInProcess(hub, 'ws-hall', 'city-dispatcher', remote / 2, PINGLI, 'hall');
    console.log(
      `catch-up setup: ${remote} remote changes made by the city (in-process) in ${round((nowMs() - t0) / 1000, 1)} s`,
    );
  } finally {
    hub.close();
  }
}

/** The week's two stores, built once per CATCHUP_CACHE_VERSION and kept under the temp directory. */
async function weekStores(local: number, remote: number): Promise<string> {
  const cache = join(tmpdir(), `command-desk-bench-catchup-${CATCHUP_CACHE_VERSION}`);
  if (existsSync(join(cache, 'ready'))) {
    console.log(`catch-up setup: reusing the week cached at ${cache} (delete it to rebuild)`);
    return cache;
  }
  const building = `${cache}.building`;
  rmSync(building, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
  const t0 = nowMs();
  await buildWeek(building, local, remote);
  writeFileSync(join(building, 'ready'), `${CATCHUP_CACHE_VERSION}\n`);
  renameSync(building, cache);
  console.log(`catch-up setup: built in ${round((nowMs() - t0) / 1000, 1)} s, cached at ${cache}`);
  return cache;
}

async function benchCatchup(dir: string): Promise<Record<string, number>> {
  const local = Math.round(FULL_LOCAL * CATCHUP_SCALE);
  const remote = Math.round(FULL_REMOTE * CATCHUP_SCALE);
  const cache = await weekStores(local, remote);
  // The catch-up changes both stores: it runs on a copy.
  const root = join(dir, 'catchup');
  cpSync(cache, root, { recursive: true });
  const server = await startServerProcess(join(root, 'server'));
  try {
    const profile = process.env.DESK_BENCH_CPU_PROF;
    const child = spawn(
      process.execPath,
      [
        ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
        '--import',
        'tsx',
        SELF,
        '--catchup-child',
        join(root, 'ws'),
        server.url,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    if (code !== 0) throw new Error(`the catch-up process failed (${code})`);
    const result = JSON.parse(output.trim().split('\n').pop() ?? '{}') as CatchupResult;
    console.log(
      `catch-up (scale ${CATCHUP_SCALE}: ${local} local commands, ${remote} remote changes): pushed ${result.pushed}, ` +
        `pulled ${result.pulled} in ${round(result.seconds, 1)} s, peak RSS ${Math.round(result.peakRssMb)} MB ` +
        `(waiting for push answers ${round(result.pushWaitSeconds, 1)} s; the workstation waited ` +
        `${round(result.idleSeconds, 1)} s in all and worked ${round(result.activeSeconds, 1)} s); the search ` +
        `index caught up ${round(result.indexSeconds, 1)} s after that`,
    );
    return {
      catchup_s: round(result.seconds, 2),
      catchup_peak_rss_mb: Math.round(result.peakRssMb),
      catchup_scale: CATCHUP_SCALE,
      catchup_local_cmds: local,
      catchup_remote_changes: remote,
    };
  } finally {
    await server.stop();
  }
}

export async function runSyncBench(): Promise<Record<string, number>> {
  const parts = selectedParts();
  const dir = mkdtempSync(join(tmpdir(), 'desk-bench-sync-'));
  try {
    let figures: Record<string, number> = {};
    let pushServerDir: string | undefined;
    if (parts.has('push')) {
      const push = await benchPush(dir);
      figures = { ...figures, ...push.figures };
      pushServerDir = push.serverDir;
    }
    if (parts.has('pull')) figures = { ...figures, ...(await benchPull(dir, pushServerDir)) };
    if (parts.has('live')) figures = { ...figures, ...(await benchLive(dir)) };
    if (parts.has('catchup')) figures = { ...figures, ...(await benchCatchup(dir)) };
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--catchup-child' && process.argv[1] === SELF) {
  const [, , , dataDir, url] = process.argv;
  catchupChild(dataDir ?? '', url ?? '').catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
