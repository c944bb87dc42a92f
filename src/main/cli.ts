// The desk command line (npm run desk -- <command>): create a demo store, show what a store holds, verify it,
// enrol this machine as a workstation of a central server.
import { closeSync, existsSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Id } from '../shared/domain/model';
import { toErrorInfo } from '../shared/errors';
import { openDatabase, type DB } from './db/connection';
import { verifyAudit } from './db/audit';
import { getMeta } from './db/region';
import { generateIncidents } from './core/demo/generator';
import { runStory } from './core/demo/story';
import { runWatchDemo } from './core/demo/watchlist';
import { openWorkstation, storeFile } from './host';
import { HttpTransport, LinkDown, ServerRefusal } from './sync/transport';

const USAGE = `usage: npm run desk -- <command> [flags]

commands:
  seed    --data <dir> [--story [--date YYYY-MM-DD]] [--incidents N [--seed S] [--days D]] [--force]
          create a store in <dir> holding the Ankang demo region, optionally the scripted story
          (on --date, default yesterday) and N generated incidents spread over the last D days (default 7),
          with a demo watch list and checkpoint checks of the last hours (some raising warnings)
  info    --data <dir>    counts per table, migration version, audit chain check
  verify  --data <dir>    SQLite integrity check and audit chain check; exit 1 on failure
  enroll  --server <url> --workstation <id> --secret-file <path> [--token <t>]
          exchange a one-time enrolment token (npm run server -- workstation enroll; or DESK_ENROLL_TOKEN)
          for the workstation's secret, written to <path> readable by its owner only (never printed)
  help                    this text`;

class UsageError extends Error {}

type FlagKind = 'string' | 'boolean';

const COMMAND_FLAGS: Record<string, Record<string, FlagKind>> = {
  seed: {
    data: 'string',
    story: 'boolean',
    date: 'string',
    incidents: 'string',
    seed: 'string',
    days: 'string',
    force: 'boolean',
  },
  info: { data: 'string' },
  verify: { data: 'string' },
  enroll: { server: 'string', workstation: 'string', 'secret-file': 'string', token: 'string' },
  help: {},
};

interface Parsed {
  command: string;
  flags: Map<string, string | true>;
}

function parseArgs(argv: string[]): Parsed {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') return { command: 'help', flags: new Map() };
  const known = COMMAND_FLAGS[command];
  if (!known) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const flags = new Map<string, string | true>();
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i] ?? '';
    if (!arg.startsWith('--')) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(arg)}`);
    const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = known[name];
    if (!kind) throw new UsageError(`${command}: unknown flag --${name}`);
    if (flags.has(name)) throw new UsageError(`${command}: --${name} is given twice`);
    if (kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`${command}: --${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = inline ?? rest[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      throw new UsageError(`${command}: --${name} needs a value`);
    if (inline === undefined) i += 1;
    flags.set(name, value);
  }
  return { command, flags };
}

function text(flags: Parsed['flags'], name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function dataDir(parsed: Parsed): string {
  const dir = text(parsed.flags, 'data');
  if (!dir) throw new UsageError(`${parsed.command}: --data <dir> is required`);
  return resolve(dir);
}

function wholeNumber(flags: Parsed['flags'], name: string, fallback: number, max: number): number {
  const value = text(flags, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) > max)
    throw new UsageError(`--${name} must be a whole number from 0 to ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

function positive(flags: Parsed['flags'], name: string, fallback: number, max: number): number {
  const value = text(flags, name);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(number > 0) || number > max)
    throw new UsageError(
      `--${name} must be a number above 0 and at most ${max}, got ${JSON.stringify(value)}`,
    );
  return number;
}

const DAY = 24 * 3600_000;
const CST_OFFSET = 8 * 3600_000;

function yesterdayCst(now: number): string {
  return new Date(now + CST_OFFSET - DAY).toISOString().slice(0, 10);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function count(db: DB, table: string): number {
  return (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
}

function seed(parsed: Parsed): number {
  const dir = dataDir(parsed);
  const file = storeFile(dir);
  const incidents = wholeNumber(parsed.flags, 'incidents', 0, 1_000_000);
  const streamSeed = wholeNumber(parsed.flags, 'seed', 1, 2 ** 32 - 1);
  const days = positive(parsed.flags, 'days', 7, 3650);
  const date = text(parsed.flags, 'date');
  if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date))
    throw new UsageError(`--date must be YYYY-MM-DD, got ${JSON.stringify(date)}`);
  if (existsSync(file)) {
    if (!parsed.flags.has('force')) {
      console.error(`${file} already exists; pass --force to replace it`);
      return 1;
    }
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
  }

  const started = performance.now();
  const wallClock = Date.now();
  // Generated incidents are applied at their own receive time, so their audit and updates read true.
  let scripted: number | null = null;
  const station = openWorkstation({ dataDir: dir, clock: () => scripted ?? Date.now() });
  try {
    const { db, desk } = station;
    console.log(`seeded ${file}`);
    console.log(
      `  region: ${count(db, 'jurisdictions') - 1} counties, ${count(db, 'orgs')} organisations, ` +
        `${count(db, 'places')} places, ${count(db, 'units')} units, ${count(db, 'checkpoints')} checkpoints, ` +
        `${count(db, 'operators')} operators`,
    );
    if (parsed.flags.has('story')) {
      const storyDate = date ?? yesterdayCst(wallClock);
      const story = runStory(desk, { date: storyDate });
      console.log(
        `  story ${storyDate}: incident ${story.incidentId}, order ${story.orderId} to ${story.targetIds.length} ` +
          `targets, case ${story.caseId} (${story.steps.length} commands)`,
      );
    }
    if (incidents > 0) {
      const stream = generateIncidents({
        seed: streamSeed,
        from: wallClock - days * DAY,
        until: wallClock,
        count: incidents,
      });
      const applyStarted = performance.now();
      const actors = new Map<string, ReturnType<typeof station.actor>>();
      // One transaction for the whole stream: one fsync instead of one per incident.
      db.transaction(() => {
        for (const input of stream) {
          let actor = actors.get(input.countyId);
          if (!actor) {
            actor = station.actor(`op-${input.countyId}`);
            actors.set(input.countyId, actor);
          }
          scripted = input.receivedAt;
          desk.command(actor, 'incident.create', input);
        }
      })();
      scripted = null;
      const elapsed = performance.now() - applyStarted;
      console.log(
        `  incidents: ${stream.length} generated (seed ${streamSeed}, last ${days} days), applied in ${seconds(elapsed)} ` +
          `(${Math.round(stream.length / Math.max(elapsed / 1000, 1e-3))}/s)`,
      );
      const watch = runWatchDemo(desk, { until: wallClock });
      console.log(
        `  watch list: ${watch.entries} entries, ${watch.checks} checkpoint checks, ${watch.warnings} warnings ` +
          `(${watch.open} open)`,
      );
    }
    console.log(
      `  totals: ${count(db, 'incidents')} incidents, ${count(db, 'orders')} orders, ${count(db, 'cases')} cases, ` +
        `${count(db, 'audit')} audit entries, ${count(db, 'outbox')} outbox commands`,
    );
    console.log(`done in ${seconds(performance.now() - started)}`);
    return 0;
  } finally {
    station.close();
  }
}

function openExisting(parsed: Parsed): { db: DB; file: string } {
  const file = storeFile(dataDir(parsed));
  if (!existsSync(file))
    throw new Error(`no store at ${file}: create one with npm run desk -- seed --data <dir>`);
  return { db: openDatabase(file, { readonly: true }), file };
}

function userTables(db: DB): string[] {
  const rows = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
       AND name NOT LIKE 'incidents_fts%' ORDER BY name`,
    )
    .all() as { name: string }[];
  return rows.map((row) => row.name);
}

function info(parsed: Parsed): number {
  const { db, file } = openExisting(parsed);
  try {
    const migration = db
      .prepare('SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1')
      .get() as { version: number; name: string } | undefined;
    console.log(`store: ${file}`);
    console.log(`workstation: ${getMeta(db, 'workstation_id') ?? '(none)'}`);
    console.log(`migration: ${migration ? `${migration.version} (${migration.name})` : 'none'}`);
    console.log('tables:');
    const tables = userTables(db);
    const width = Math.max(...tables.map((name) => name.length));
    for (const table of tables) console.log(`  ${table.padEnd(width)}  ${count(db, table)}`);
    const audit = verifyAudit(db);
    console.log(
      audit.ok
        ? `audit: ok (${audit.checked} entries checked)`
        : `audit: BROKEN at entry ${audit.firstBroken?.seq}: ${audit.firstBroken?.reason}`,
    );
    return 0;
  } finally {
    db.close();
  }
}

function verify(parsed: Parsed): number {
  const { db, file } = openExisting(parsed);
  try {
    const integrity = (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map(
      (row) => row.integrity_check,
    );
    const integrityOk = integrity.length === 1 && integrity[0] === 'ok';
    console.log(`store: ${file}`);
    console.log(`integrity: ${integrityOk ? 'ok' : `FAILED\n  ${integrity.slice(0, 20).join('\n  ')}`}`);
    const audit = verifyAudit(db);
    console.log(
      audit.ok
        ? `audit: ok (${audit.checked} entries checked)`
        : `audit: BROKEN at entry ${audit.firstBroken?.seq}: ${audit.firstBroken?.reason}`,
    );
    return integrityOk && audit.ok ? 0 : 1;
  } finally {
    db.close();
  }
}

function requiredText(parsed: Parsed, name: string, what: string): string {
  const value = text(parsed.flags, name);
  if (!value) throw new UsageError(`${parsed.command}: --${name} <${what}> is required`);
  return value;
}

/**
 * Exchanges a one-time enrolment token for the workstation's secret. The secret file is created (empty, owner
 * only, never over an existing one) before the token is spent, so a path that cannot be written costs no token;
 * the secret is written and fsynced before this says it is done. If the answer never comes, the server may or may
 * not have enrolled the id: running the same command again is safe, since the token enrols the same id again
 * until someone signs in on it.
 */
async function enroll(parsed: Parsed): Promise<number> {
  const server = requiredText(parsed, 'server', 'url');
  const workstationId = requiredText(parsed, 'workstation', 'id');
  if (!Id.safeParse(workstationId).success)
    throw new UsageError(
      `enroll: --workstation must be letters, digits and -_.: (at most 64), got ${JSON.stringify(workstationId)}`,
    );
  const token = text(parsed.flags, 'token') ?? process.env.DESK_ENROLL_TOKEN;
  if (!token) throw new UsageError('enroll: give the token with --token <t> or in DESK_ENROLL_TOKEN');
  const secretFile = resolve(requiredText(parsed, 'secret-file', 'path'));
  let fd: number;
  try {
    fd = openSync(secretFile, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === 'EEXIST'
        ? `desk: ${secretFile} exists already (this workstation may be enrolled): move it away to enrol again`
        : `desk: cannot create ${secretFile}: ${toErrorInfo(error).message}`,
    );
    return 1;
  }
  let written = false;
  try {
    const answer = await new HttpTransport(server).enroll(token, workstationId);
    writeSync(fd, `${answer.workstationSecret}\n`);
    fsyncSync(fd);
    written = true;
    console.log(
      `workstation ${answer.workstationId} enrolled in ${answer.jurisdictionId}; its secret is in ${secretFile}\n` +
        `start it with: DESK_SYNC_SECRET="$(cat ${secretFile})" npm run start:web -- --server ${server} ` +
        `--workstation ${answer.workstationId} --operator <your id>`,
    );
    return 0;
  } catch (error) {
    console.error(
      error instanceof LinkDown
        ? `desk: no answer from ${server} (${error.message}): the server may or may not have enrolled ` +
            `${workstationId}; run the same command again (the token enrols the same id again until someone ` +
            `signs in on it)`
        : `desk: enrolment refused: ${error instanceof ServerRefusal ? error.info.message : toErrorInfo(error).message}`,
    );
    return 1;
  } finally {
    closeSync(fd);
    if (!written) rmSync(secretFile, { force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  try {
    const parsed = parseArgs(argv);
    switch (parsed.command) {
      case 'seed':
        return seed(parsed);
      case 'info':
        return info(parsed);
      case 'verify':
        return verify(parsed);
      case 'enroll':
        return await enroll(parsed);
      default:
        console.log(USAGE);
        return 0;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`desk: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    console.error(`desk: ${toErrorInfo(error).message}`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
