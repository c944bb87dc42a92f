// Store benchmark: one operator command with fsync, applying a large pull, and searching a million incidents,
// each against plain better-sqlite3 doing the least the same work needs, on file stores with the store's pragmas.
import { indexPendingIncidents } from '../src/main/db/search-index';
import { existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Desk } from '../src/main/api/desk';
import { openDatabase, type DB } from '../src/main/db/connection';
import { putIncident, searchIncidents } from '../src/main/db/incidents';
import { MIGRATIONS } from '../src/main/db/migrations/index';
import { actorOf, getOperator } from '../src/main/db/region';
import { loadRegionFile, seedRegion } from '../src/main/core/region/seed';
import { CITY_ID, type Actor, type Incident, type IncidentCategory } from '../src/shared/domain/model';
import { nowMs, percentile, pick, random } from './common';

const COMMAND_WARMUP = 200;
const COMMAND_SAMPLES = 2000;
const APPLY_ROWS = 100_000;
const APPLY_PAGE = 1000;
const SEARCH_ROWS = 1_000_000;
const SEARCH_QUERIES = 200;
/** Bump when the generated data or the schema changes, so a stale cache file is not reused. */
const SEARCH_CACHE_VERSION = `v5-m${MIGRATIONS.length}-${SEARCH_ROWS}`;

function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A plain handle with the same durability pragmas the store uses. */
function rawDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

// ---------- realistic data ----------

const region = loadRegionFile();
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙', '马', '胡', '朱'];
const ROADS = [
  '中心街',
  '人民路',
  '解放路',
  '建设路',
  '巴山路',
  '兴安路',
  '金州路',
  '江北大道',
  '育才路',
  '滨江路',
];
const STORIES: [IncidentCategory, string][] = [
  ['burglary', '多名嫌疑人入室盗窃后驾车逃离'],
  ['theft', '电动车在小区楼下被盗'],
  ['theft', '手机在集市被扒窃'],
  ['dispute', '邻里因停车发生纠纷'],
  ['traffic_accident', '两车追尾，无人员受伤'],
  ['fraud', '接到冒充客服电话被骗转账'],
  ['assault', '酒后斗殴，一人头部受伤'],
  ['missing_person', '老人走失，穿蓝色外套'],
  ['public_order', '歌厅噪音扰民'],
  ['help', '老人摔倒需要帮助'],
];

function makeIncident(i: number, next: () => number, base: number): Incident {
  const place = pick(region.places, next);
  const county = region.counties.find((c) => c.id === place.countyId) ?? region.counties[0]!;
  const [category, summary] = pick(STORIES, next);
  const phone = `1${3 + Math.floor(next() * 6)}${String(Math.floor(next() * 1e9)).padStart(9, '0')}`;
  const at = base + i * 30_000;
  return {
    id: `bench-${i}`,
    number: `${county.id}-${i}`,
    countyId: county.id,
    source: 'call_110',
    category,
    priority: 1 + Math.floor(next() * 4),
    status: 'received',
    callerName: `${pick(SURNAMES, next)}先生`,
    callerPhone: phone,
    address: `${county.name}${place.name}${pick(ROADS, next)}${1 + Math.floor(next() * 200)}号`,
    summary,
    notes: '',
    location: {
      lng: place.location[0] + (next() - 0.5) * 0.02,
      lat: place.location[1] + (next() - 0.5) * 0.02,
    },
    receivedAt: at,
    updatedAt: at,
    disposition: '',
    assignedOrgId: null,
    mergedIntoId: null,
    caseId: null,
    createdBy: `op-${county.id}`,
  };
}

function seededStore(file: string): { db: DB; desk: Desk; operator: Actor } {
  const db = openDatabase(file);
  seedRegion(db);
  const record = getOperator(db, 'op-610926');
  if (!record) throw new Error('the demo region has no Pingli operator');
  return { db, desk: new Desk(db), operator: actorOf(record, 'ws-bench') };
}

// ---------- one operator command ----------

function benchCommands(dir: string): Record<string, number> {
  const { db, desk, operator } = seededStore(join(dir, 'commands.db'));
  const next = random(1);
  const input = () => ({
    source: 'call_110',
    category: 'burglary',
    priority: 1,
    callerName: '王先生',
    callerPhone: `139${String(Math.floor(next() * 1e8)).padStart(8, '0')}`,
    address: '平利县长安镇中心街18号',
    summary: '多名嫌疑人入室盗窃后驾车逃离',
    location: { lng: 109.2852 + next() * 0.01, lat: 32.4702 + next() * 0.01 },
  });
  const raw = rawDatabase(join(dir, 'raw-commands.db'));
  raw.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL) STRICT');
  const insert = raw.prepare('INSERT INTO rows (payload) VALUES (?)');
  const oneRow = raw.transaction((payload: string) => insert.run(payload));

  for (let i = 0; i < COMMAND_WARMUP; i += 1) {
    desk.command(operator, 'incident.create', input());
    oneRow(`warm-up ${i}`);
  }
  // Commands and raw transactions alternate, so both see the same disk and the same neighbours on the machine.
  const samples: number[] = [];
  let rawTotal = 0;
  for (let i = 0; i < COMMAND_SAMPLES; i += 1) {
    const t0 = nowMs();
    desk.command(operator, 'incident.create', input());
    const t1 = nowMs();
    oneRow(`row ${i}`);
    rawTotal += nowMs() - t1;
    samples.push(t1 - t0);
  }
  db.close();
  raw.close();
  const commandsPerS = COMMAND_SAMPLES / (samples.reduce((a, b) => a + b, 0) / 1000);
  const rawPerS = COMMAND_SAMPLES / (rawTotal / 1000);

  samples.sort((a, b) => a - b);
  const figures = {
    command_p50_ms: round(percentile(samples, 50)),
    command_p99_ms: round(percentile(samples, 99)),
    commands_per_s: round(commandsPerS, 1),
    raw_transactions_per_s: round(rawPerS, 1),
    command_vs_raw: round(commandsPerS / rawPerS),
  };
  console.log(
    `command (incident.create, fsync on): p50 ${figures.command_p50_ms} ms, p99 ${figures.command_p99_ms} ms, ` +
      `${figures.commands_per_s}/s vs raw single-row transactions ${figures.raw_transactions_per_s}/s ` +
      `= ${figures.command_vs_raw}`,
  );
  return figures;
}

// ---------- applying a pull ----------

const BARE_COLUMNS =
  'id TEXT PRIMARY KEY, number TEXT, county_id TEXT, source TEXT, category TEXT, priority INTEGER, status TEXT, ' +
  'caller_name TEXT, caller_phone TEXT, address TEXT, summary TEXT, notes TEXT, lng REAL, lat REAL, ' +
  'received_at INTEGER, updated_at INTEGER, disposition TEXT, assigned_org_id TEXT, merged_into_id TEXT, ' +
  'case_id TEXT, created_by TEXT';

function benchApply(dir: string): Record<string, number> {
  const next = random(2);
  const base = Date.UTC(2026, 0, 1);
  const rows = Array.from({ length: APPLY_ROWS }, (_, i) => makeIncident(i, next, base));

  const { db } = seededStore(join(dir, 'apply.db'));
  const applyPage = db.transaction((page: Incident[]) => {
    for (const incident of page) putIncident(db, incident);
  });
  const raw = rawDatabase(join(dir, 'raw-apply.db'));
  raw.exec(`CREATE TABLE incidents (${BARE_COLUMNS}) STRICT`);
  const insert = raw.prepare(
    `INSERT INTO incidents VALUES (@id, @number, @county_id, @source, @category, @priority, @status, @caller_name,
       @caller_phone, @address, @summary, @notes, @lng, @lat, @received_at, @updated_at, @disposition,
       @assigned_org_id, @merged_into_id, @case_id, @created_by)`,
  );
  const rawPage = raw.transaction((page: Incident[]) => {
    for (const r of page) {
      insert.run({
        id: r.id,
        number: r.number,
        county_id: r.countyId,
        source: r.source,
        category: r.category,
        priority: r.priority,
        status: r.status,
        caller_name: r.callerName,
        caller_phone: r.callerPhone,
        address: r.address,
        summary: r.summary,
        notes: r.notes,
        lng: r.location.lng,
        lat: r.location.lat,
        received_at: r.receivedAt,
        updated_at: r.updatedAt,
        disposition: r.disposition,
        assigned_org_id: r.assignedOrgId,
        merged_into_id: r.mergedIntoId,
        case_id: r.caseId,
        created_by: r.createdBy,
      });
    }
  });
  // Pages alternate between the store and the bare table, so both see the same machine load.
  let applyMs = 0;
  let rawMs = 0;
  for (let offset = 0; offset < rows.length; offset += APPLY_PAGE) {
    const page = rows.slice(offset, offset + APPLY_PAGE);
    const t0 = nowMs();
    applyPage(page);
    const t1 = nowMs();
    rawPage(page);
    applyMs += t1 - t0;
    rawMs += nowMs() - t1;
  }
  // The search index catches up after the pages, in the background on a workstation; timed here on its own.
  const indexBatch = db.transaction(() => indexPendingIncidents(db, 2000));
  const indexStarted = nowMs();
  let indexed = 0;
  for (let n = indexBatch.immediate(); n > 0; n = indexBatch.immediate()) indexed += n;
  const indexMs = nowMs() - indexStarted;
  db.close();
  raw.close();
  const applyPerS = rows.length / (applyMs / 1000);
  const rawPerS = rows.length / (rawMs / 1000);
  const indexPerS = indexed / (indexMs / 1000);

  const figures = {
    apply_rows_per_s: round(applyPerS, 0),
    raw_rows_per_s: round(rawPerS, 0),
    apply_vs_raw: round(applyPerS / rawPerS),
    search_index_rows_per_s: round(indexPerS, 0),
    apply_and_index_vs_raw: round(rows.length / ((applyMs + indexMs) / 1000) / rawPerS),
  };
  console.log(
    `apply ${APPLY_ROWS} incidents in pages of ${APPLY_PAGE} (putIncident, indexes, search rows queued): ` +
      `${figures.apply_rows_per_s} rows/s vs bare-table inserts ${figures.raw_rows_per_s} rows/s = ${figures.apply_vs_raw}`,
  );
  console.log(
    `search index catch-up afterwards: ${indexed} rows at ${figures.search_index_rows_per_s} rows/s ` +
      `(apply + index together = ${figures.apply_and_index_vs_raw} of raw)`,
  );
  return figures;
}

// ---------- search over a million incidents ----------

/** Builds (or reuses) a store holding SEARCH_ROWS incidents, cached under the temp directory by version. */
function searchStore(): { db: DB; file: string; reused: boolean; buildSeconds: number } {
  const file = join(tmpdir(), `command-desk-bench-search-${SEARCH_CACHE_VERSION}.db`);
  if (existsSync(file)) return { db: openDatabase(file), file, reused: true, buildSeconds: 0 };
  const building = `${file}.building`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  const started = nowMs();
  const db = openDatabase(building);
  seedRegion(db);
  // Bulk load: no fsync per page while building a throw-away cache; the store's own pragmas apply when searching.
  db.pragma('synchronous = OFF');
  const next = random(3);
  const base = Date.UTC(2025, 0, 1);
  const load = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i += 1) putIncident(db, makeIncident(i, next, base));
    indexPendingIncidents(db, to - from);
  });
  const chunk = 50_000;
  for (let from = 0; from < SEARCH_ROWS; from += chunk) {
    load(from, Math.min(SEARCH_ROWS, from + chunk));
    process.stdout.write(`\rbuilding the search store: ${Math.min(SEARCH_ROWS, from + chunk)} incidents`);
  }
  process.stdout.write('\n');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec("INSERT INTO incidents_fts (incidents_fts) VALUES ('optimize')");
  db.exec('ANALYZE');
  db.close();
  renameSync(building, file);
  for (const suffix of ['-wal', '-shm']) rmSync(`${building}${suffix}`, { force: true });
  return { db: openDatabase(file), file, reused: false, buildSeconds: (nowMs() - started) / 1000 };
}

function searchTerms(): string[] {
  const next = random(4);
  const places = region.places.map((p) => p.name);
  const words = [
    '盗窃',
    '纠纷',
    '电动车',
    '追尾',
    '走失',
    '冒充客服',
    '斗殴',
    '噪音扰民',
    '扒窃',
    '驾车逃离',
  ];
  const terms: string[] = [];
  for (let i = 0; i < SEARCH_QUERIES; i += 1) {
    switch (i % 4) {
      case 0:
        terms.push(pick(places, next));
        break;
      case 1: {
        // 4 to 6 digits from the middle of a phone number, as an operator remembers them.
        const digits = 4 + Math.floor(next() * 3);
        terms.push(String(Math.floor(next() * 10 ** digits)).padStart(digits, '0'));
        break;
      }
      case 2:
        terms.push(pick(words, next));
        break;
      default:
        terms.push(`${pick(places, next)}${pick(ROADS, next)}`);
    }
  }
  return terms;
}

function benchSearch(): Record<string, number> {
  const { db, file, reused, buildSeconds } = searchStore();
  console.log(
    reused
      ? `search store: reusing the cached ${SEARCH_ROWS} incidents at ${file} (delete it to rebuild)`
      : `search store: built ${SEARCH_ROWS} incidents in ${round(buildSeconds, 1)} s, cached at ${file}`,
  );
  const terms = searchTerms();
  const county = ['610926', CITY_ID];
  // Warm the page cache the way a workstation that has been running is warm.
  for (const term of terms.slice(0, 20)) searchIncidents(db, term, undefined, 50);
  const samples: number[] = [];
  let found = 0;
  terms.forEach((term, i) => {
    const t0 = nowMs();
    // Half the searches from the city hall (all counties), half from a county (its own and the city's).
    const hits = searchIncidents(db, term, i % 2 === 0 ? undefined : county, 50);
    samples.push(nowMs() - t0);
    found += hits.length;
  });
  db.close();
  const byTerm = terms.map((term, i) => ({ term, ms: samples[i] ?? 0 })).sort((a, b) => b.ms - a.ms);
  samples.sort((a, b) => a - b);
  const figures = {
    search_p50_ms: round(percentile(samples, 50)),
    search_p95_ms: round(percentile(samples, 95)),
    search_max_ms: round(samples[samples.length - 1] ?? NaN),
  };
  console.log(
    `search ${SEARCH_QUERIES} terms over ${SEARCH_ROWS} incidents (limit 50): p50 ${figures.search_p50_ms} ms, ` +
      `p95 ${figures.search_p95_ms} ms, max ${figures.search_max_ms} ms; ${found} hits in all; slowest: ` +
      byTerm
        .slice(0, 3)
        .map((s) => `${s.term} ${round(s.ms, 1)} ms`)
        .join(', '),
  );
  return figures;
}

export async function runStoreBench(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'desk-bench-store-'));
  try {
    const commands = benchCommands(dir);
    const apply = benchApply(dir);
    const search = benchSearch();
    return { ...commands, ...apply, ...search };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
