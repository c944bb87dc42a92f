// The watch list (布控) and warnings (预警) through the Desk, on the real region: a checkpoint check that matches an
// active entry raises exactly one warning at the checkpoint, in the checkpoint's county, seen and audited; the
// warning moves forward only; each county keeps to its own entries and checkpoints.
import { beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult, EventPayloads } from '../src/shared/contract';
import { CITY_ID, type Warning, type WatchEntry } from '../src/shared/domain/model';
import { normalisePersonId, normalisePhone, normalisePlate } from '../src/shared/domain/watch';
import { DeskError } from '../src/shared/errors';
import { applyCommand } from '../src/main/core/apply';
import { runWatchDemo } from '../src/main/core/demo/watchlist';
import { warningIdFor } from '../src/main/core/watch/commands';
import { listAudit } from '../src/main/db/audit';
import { listOutbox } from '../src/main/db/outbox';
import { burglaryCall, HANBIN, makeDesk, MORNING, PINGLI, type TestDesk } from './helpers/desk';

const HOUR = 3_600_000;
/** 长安收费站 on the G6911, Pingli; and a checkpoint of Hanbin. */
const CHANGAN_TOLL = '610926-CP-02';
const HANBIN_TOLL = '610902-CP-01';
const PLATE = '陕G7M352';

let t: TestDesk;
let raised: EventPayloads['warning.raised'][];

beforeEach(() => {
  t = makeDesk();
  raised = [];
  t.desk.events.on('warning.raised', (payload) => raised.push(payload));
});

function refusal(run: () => unknown): DeskError {
  try {
    run();
  } catch (error) {
    if (error instanceof DeskError) return error;
    throw error;
  }
  throw new Error('the command was accepted but should have been refused');
}

function watchPlate(overrides: Record<string, unknown> = {}, actor = t.pingli): WatchEntry {
  return t.desk.command(actor, 'watch.add', {
    kind: 'plate',
    value: PLATE,
    label: '白色五菱面包车',
    reason: '入室盗窃嫌疑车辆',
    level: 1,
    ...overrides,
  });
}

function checkPlate(plate: string, checkpointId = CHANGAN_TOLL, actor = t.pingli): CheckResult {
  return t.desk.command(actor, 'checkpoint.logCheck', { checkpointId, plate });
}

describe('values in one written form', () => {
  it('writes plates upper case without spaces or separators', () => {
    expect(normalisePlate('陕g 7m352')).toBe(PLATE);
    expect(normalisePlate('陕G·7M352')).toBe(PLATE);
    expect(normalisePlate(' 陕G-7M 352 ')).toBe(PLATE);
  });

  it('keeps only the digits of a phone, and drops the country code of a mobile', () => {
    expect(normalisePhone('138-0915 0001')).toBe('13809150001');
    expect(normalisePhone('+86 138 0915 0001')).toBe('13809150001');
    expect(normalisePhone('0915-3216110')).toBe('09153216110');
  });

  it('writes the check digit of an ID number upper case', () => {
    expect(normalisePersonId('61092619850312001x')).toBe('61092619850312001X');
  });

  it('stores an entry normalised, so a check typed differently still matches', () => {
    const entry = watchPlate({ value: '陕g·7m 352' });
    expect(entry.value).toBe(PLATE);
    const { warnings } = checkPlate('陕G 7M352');
    expect(warnings.map((w) => w.watchId)).toEqual([entry.id]);
  });
});

describe('a check that matches the watch list', () => {
  it('raises exactly one warning at the checkpoint, in its county, with the entry’s level and reason', () => {
    const entry = watchPlate();
    const checkpoint = t.desk
      .query(t.pingli, 'checkpoint.list', { countyId: PINGLI })
      .find((c) => c.id === CHANGAN_TOLL);
    t.clock.advance(HOUR);
    const { check, warnings } = checkPlate(PLATE);
    expect(check).toMatchObject({
      checkpointId: CHANGAN_TOLL,
      countyId: PINGLI,
      plate: PLATE,
      by: 'op-610926',
    });
    expect(warnings).toHaveLength(1);
    const [warning] = warnings as [Warning];
    expect(warning).toMatchObject({
      id: warningIdFor(check.id, entry.id),
      watchId: entry.id,
      checkId: check.id,
      checkpointId: CHANGAN_TOLL,
      countyId: PINGLI,
      location: checkpoint?.location,
      kind: 'plate',
      value: PLATE,
      level: 1,
      reason: '入室盗窃嫌疑车辆',
      status: 'new',
      raisedAt: MORNING + HOUR,
    });
    expect(
      raised.map((event) => event.warning.id),
      'the warning is announced once',
    ).toEqual([warning.id]);
    const list = t.desk.query(t.city, 'warning.list', {});
    expect(
      list.items.map((w) => w.id),
      'the city sees it',
    ).toEqual([warning.id]);
  });

  it('writes the check and the warning in the command’s audit and outbox row', () => {
    watchPlate();
    const { check, warnings } = checkPlate(PLATE);
    const last = listOutbox(t.db).at(-1);
    expect(last?.name).toBe('checkpoint.logCheck');
    const audit = listAudit(t.db, { limit: 100, offset: 0 }).filter((e) => e.commandId === last?.commandId);
    expect(audit.map((e) => [e.entityKind, e.entityId]).sort()).toEqual(
      [
        ['check', check.id],
        ['warning', warnings[0]?.id],
      ].sort(),
    );
  });

  it('raises the same warning wherever the same check is applied (the server re-derives it)', () => {
    const other = makeDesk();
    const entry = { kind: 'plate', value: PLATE, reason: '盗窃', id: 'watch-1' };
    applyCommand(t.db, t.pingli, 'watch.add', entry, { commandId: 'c-watch', at: MORNING });
    applyCommand(other.db, other.pingli, 'watch.add', entry, { commandId: 'c-watch', at: MORNING });
    const input = { checkpointId: CHANGAN_TOLL, plate: PLATE };
    const here = applyCommand(t.db, t.pingli, 'checkpoint.logCheck', input, {
      commandId: 'c-check',
      at: MORNING,
    });
    const there = applyCommand(other.db, other.pingli, 'checkpoint.logCheck', input, {
      commandId: 'c-check',
      at: MORNING,
    });
    expect(there.result).toEqual(here.result);
    expect(here.result.warnings).toHaveLength(1);
  });

  it('raises one warning per matching entry: a plate and a phone on the list give two', () => {
    watchPlate();
    t.desk.command(t.pingli, 'watch.add', {
      kind: 'phone',
      value: '13809150001',
      reason: '涉案手机',
      level: 2,
    });
    const { warnings } = t.desk.command(t.pingli, 'checkpoint.logCheck', {
      checkpointId: CHANGAN_TOLL,
      plate: PLATE,
      phone: '+86 138 0915 0001',
      note: '驾驶员手机号',
    });
    expect(warnings.map((w) => [w.kind, w.value, w.level])).toEqual([
      ['plate', PLATE, 1],
      ['phone', '13809150001', 2],
    ]);
  });

  it('matches a person by ID number', () => {
    t.desk.command(t.pingli, 'watch.add', {
      kind: 'person',
      value: '61092619850312001x',
      label: '张某',
      reason: '网上逃犯',
    });
    const { warnings } = t.desk.command(t.pingli, 'checkpoint.logCheck', {
      checkpointId: CHANGAN_TOLL,
      personId: '61092619850312001X',
    });
    expect(warnings.map((w) => [w.kind, w.label])).toEqual([['person', '张某']]);
  });

  it('matches a city-wide entry at any county’s checkpoint', () => {
    const entry = watchPlate({}, t.city);
    expect(entry.countyId, 'a city dispatcher’s entry is city-wide').toBe(CITY_ID);
    expect(checkPlate(PLATE).warnings.map((w) => w.countyId)).toEqual([PINGLI]);
    expect(checkPlate(PLATE, HANBIN_TOLL, t.hanbin).warnings.map((w) => w.countyId)).toEqual([HANBIN]);
  });

  it('links the warning to the entry’s incident and puts it on the incident’s timeline', () => {
    const incident = t.desk.command(t.pingli, 'incident.create', burglaryCall());
    watchPlate({ incidentId: incident.id });
    const [warning] = checkPlate(PLATE).warnings;
    expect(warning?.incidentId).toBe(incident.id);
    t.desk.command(t.pingli, 'warning.handle', { id: warning?.id ?? '', note: '嫌疑车辆已拦停' });
    const kinds = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id }).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(['warning_raised', 'warning_handled']));
  });
});

describe('a check that matches nothing', () => {
  it('raises no warning for an entry switched off', () => {
    const entry = watchPlate();
    t.desk.command(t.pingli, 'watch.setActive', { id: entry.id, active: false });
    expect(checkPlate(PLATE).warnings).toEqual([]);
    t.desk.command(t.pingli, 'watch.setActive', { id: entry.id, active: true });
    expect(checkPlate(PLATE).warnings, 'switched on again, it matches again').toHaveLength(1);
  });

  it('raises no warning for an entry past its validity', () => {
    watchPlate({ validUntil: MORNING + HOUR });
    t.clock.advance(HOUR);
    expect(checkPlate(PLATE).warnings).toEqual([]);
    expect(
      t.desk.command(t.pingli, 'checkpoint.logCheck', {
        checkpointId: CHANGAN_TOLL,
        plate: PLATE,
        at: MORNING + HOUR / 2,
      }).warnings,
      'a check made while the entry was valid, logged later, still matches',
    ).toHaveLength(1);
  });

  it('raises no warning for another plate, nor for another county’s entry', () => {
    watchPlate();
    expect(checkPlate('陕G7M353').warnings).toEqual([]);
    expect(checkPlate(PLATE, HANBIN_TOLL, t.hanbin).warnings, 'a Pingli entry watches Pingli').toEqual([]);
    expect(raised).toEqual([]);
    expect(t.desk.query(t.city, 'checkpoint.checks', {}).total, 'the checks are logged anyway').toBe(2);
  });
});

describe('who may keep the watch list and log checks', () => {
  it('keeps a county operator to their own county', () => {
    const other = refusal(() => watchPlate({ countyId: HANBIN }));
    expect(other.code).toBe('forbidden');
    expect(other.message).toMatch(/610902/);
    expect(refusal(() => watchPlate({ countyId: CITY_ID })).code, 'no city-wide entry either').toBe(
      'forbidden',
    );
    const check = refusal(() => checkPlate(PLATE, HANBIN_TOLL));
    expect(check.code).toBe('forbidden');
    expect(check.message).toMatch(/checkpoint 610902-CP-01/);
    const hanbinEntry = watchPlate({}, t.hanbin);
    expect(
      refusal(() => t.desk.command(t.pingli, 'watch.setActive', { id: hanbinEntry.id, active: false })).code,
    ).toBe('forbidden');
  });

  it('lets an analyst read the watch list and the warnings but not change them', () => {
    watchPlate();
    checkPlate(PLATE);
    expect(refusal(() => watchPlate({ value: '陕G11111' }, t.analyst)).code).toBe('forbidden');
    expect(refusal(() => checkPlate(PLATE, CHANGAN_TOLL, t.analyst)).code).toBe('forbidden');
    expect(t.desk.query(t.analyst, 'watch.list', {}).total).toBe(1);
    const [warning] = t.desk.query(t.analyst, 'warning.list', {}).items;
    expect(
      refusal(() => t.desk.command(t.analyst, 'warning.acknowledge', { id: warning?.id ?? '' })).code,
    ).toBe('forbidden');
  });

  it('shows a county its own and the city-wide entries and warnings, not another county’s', () => {
    const pingliEntry = watchPlate();
    const cityEntry = watchPlate({ value: '陕A12345' }, t.city);
    watchPlate({ value: '陕G99999' }, t.hanbin);
    const ids = (actor: TestDesk['pingli']) =>
      t.desk
        .query(actor, 'watch.list', {})
        .items.map((e) => e.id)
        .sort();
    expect(ids(t.pingli)).toEqual([pingliEntry.id, cityEntry.id].sort());
    expect(ids(t.city)).toHaveLength(3);
    const [warning] = checkPlate(PLATE).warnings;
    expect(t.desk.query(t.hanbin, 'warning.list', {}).items).toEqual([]);
    expect(refusal(() => t.desk.query(t.hanbin, 'warning.get', { id: warning?.id ?? '' })).code).toBe(
      'forbidden',
    );
  });

  it('refuses a second active entry for the same value in the same county', () => {
    const first = watchPlate();
    const twin = refusal(() => watchPlate({ value: '陕G 7M352', reason: '再次布控' }));
    expect(twin.code).toBe('conflict');
    expect(twin.message).toContain(first.id);
    t.desk.command(t.pingli, 'watch.setActive', { id: first.id, active: false });
    const second = watchPlate({ reason: '再次布控' });
    expect(
      refusal(() => t.desk.command(t.pingli, 'watch.setActive', { id: first.id, active: true })).code,
      'the old entry cannot come back beside the new one',
    ).toBe('conflict');
    expect(second.active).toBe(true);
  });
});

describe('a warning moves forward only: 新预警 → 已签收 → 已处置', () => {
  function raise(): Warning {
    watchPlate();
    const [warning] = checkPlate(PLATE).warnings;
    if (!warning) throw new Error('no warning was raised');
    return warning;
  }

  it('is signed for, then handled with a note', () => {
    const warning = raise();
    t.clock.advance(60_000);
    const signed = t.desk.command(t.pingli, 'warning.acknowledge', { id: warning.id });
    expect(signed).toMatchObject({
      status: 'acknowledged',
      acknowledgedAt: MORNING + 60_000,
      acknowledgedBy: 'op-610926',
    });
    const handled = t.desk.command(t.city, 'warning.handle', {
      id: warning.id,
      note: '已拦停，移交长安派出所',
    });
    expect(handled).toMatchObject({
      status: 'handled',
      handledBy: 'city-dispatcher',
      acknowledgedBy: 'op-610926',
    });
    expect(t.desk.query(t.city, 'warning.list', { status: ['new', 'acknowledged'] }).total).toBe(0);
  });

  it('never goes back: signing for a handled warning leaves it handled and changes nothing', () => {
    const warning = raise();
    const handled = t.desk.command(t.pingli, 'warning.handle', { id: warning.id, note: '已核查' });
    const auditBefore = listAudit(t.db, { entityId: warning.id, limit: 100, offset: 0 }).length;
    const changed: string[] = [];
    t.desk.events.on('entity.changed', (event) => changed.push(event.kind));
    t.clock.advance(60_000);
    const again = t.desk.command(t.city, 'warning.acknowledge', { id: warning.id });
    expect(again, 'the warning is exactly as it was').toEqual(handled);
    expect(t.desk.query(t.city, 'warning.get', { id: warning.id })).toEqual(handled);
    expect(listAudit(t.db, { entityId: warning.id, limit: 100, offset: 0 })).toHaveLength(auditBefore);
    expect(changed, 'nothing is announced as changed').toEqual([]);
  });

  it('refuses to handle twice, keeping the first note', () => {
    const warning = raise();
    t.desk.command(t.pingli, 'warning.handle', { id: warning.id, note: '第一次处置' });
    const error = refusal(() => t.desk.command(t.city, 'warning.handle', { id: warning.id, note: '第二次' }));
    expect(error.code).toBe('illegal_transition');
    expect(error.message).toMatch(/warning .* is handled: cannot handle/);
    expect(t.desk.query(t.city, 'warning.get', { id: warning.id }).handleNote).toBe('第一次处置');
  });

  it('can be linked to an incident of the operator’s jurisdiction', () => {
    const warning = raise();
    const incident = t.desk.command(t.pingli, 'incident.create', burglaryCall());
    const linked = t.desk.command(t.pingli, 'warning.linkIncident', {
      id: warning.id,
      incidentId: incident.id,
    });
    expect(linked.incidentId).toBe(incident.id);
    const kinds = t.desk.query(t.pingli, 'incident.timeline', { id: incident.id }).map((e) => e.kind);
    expect(kinds).toContain('warning_linked');
  });
});

describe('listing warnings', () => {
  it('filters by status, county and place, newest first', () => {
    watchPlate({}, t.city);
    const first = checkPlate(PLATE).warnings[0];
    t.clock.advance(60_000);
    const second = checkPlate(PLATE, HANBIN_TOLL, t.hanbin).warnings[0];
    t.desk.command(t.city, 'warning.acknowledge', { id: first?.id ?? '' });
    const ids = (input: Parameters<typeof t.desk.query<'warning.list'>>[2]) =>
      t.desk.query(t.city, 'warning.list', input).items.map((w) => w.id);
    expect(ids({})).toEqual([second?.id, first?.id]);
    expect(ids({ status: ['new'] })).toEqual([second?.id]);
    expect(ids({ countyId: PINGLI })).toEqual([first?.id]);
    expect(ids({ bbox: { west: 109.2, south: 32.4, east: 109.4, north: 32.6 } })).toEqual([first?.id]);
  });
});

describe('the demo watch list (desk seed --incidents)', () => {
  it('raises warnings in every state at checkpoints of several counties, through normal commands', () => {
    const result = runWatchDemo(t.desk, { until: MORNING + 8 * HOUR });
    expect(result).toEqual({ entries: 5, checks: 5, warnings: 4, open: 3 });
    const warnings = t.desk.query(t.city, 'warning.list', {}).items;
    expect(warnings.map((w) => w.status).sort()).toEqual(['acknowledged', 'handled', 'new', 'new']);
    expect(new Set(warnings.map((w) => w.countyId)).size).toBe(4);
    expect(raised, 'each raised warning was announced').toHaveLength(4);
    expect(t.desk.query(t.city, 'audit.verify', {}).ok).toBe(true);
  });
});

describe('warnings brought by sync', () => {
  it('sound an alarm only while nobody has signed for them and they are recent', () => {
    watchPlate();
    const first = checkPlate(PLATE).warnings[0] as Warning;
    raised.length = 0;
    // Sync brings it to another console 29 minutes later: still an alarm.
    t.clock.advance(29 * 60_000);
    t.desk.announceWarnings([first.id]);
    expect(raised.map(({ warning }) => warning.id)).toEqual([first.id]);
    // A workstation catching up 31 minutes after it was raised lists it, without an alarm.
    raised.length = 0;
    t.clock.advance(2 * 60_000);
    t.desk.announceWarnings([first.id]);
    expect(raised).toEqual([]);
    // A recent one that has been signed for is not announced either.
    const second = checkPlate(PLATE).warnings[0] as Warning;
    t.desk.command(t.pingli, 'warning.acknowledge', { id: second.id });
    raised.length = 0;
    t.desk.announceWarnings([second.id, 'no-such-warning']);
    expect(raised).toEqual([]);
  });
});
