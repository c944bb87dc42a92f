// Bad input at the boundary: every refusal is a DeskError that names what was wrong, and the store is left
// byte-for-byte as it was.
import { beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../src/shared/errors';
import { DeskError } from '../src/shared/errors';
import type { Incident, Order } from '../src/shared/domain/model';
import { burglaryCall, HANBIN_CENTRE, makeDesk, MORNING, type TestDesk } from './helpers/desk';
import { dumpStore } from './helpers/dump';

let t: TestDesk;
let pingliIncident: Incident;
let hanbinIncident: Incident;
let pingliOrder: Order;
let hanbinOrder: Order;

beforeAll(() => {
  t = makeDesk();
  pingliIncident = t.desk.command(t.pingli, 'incident.create', burglaryCall());
  hanbinIncident = t.desk.command(t.hanbin, 'incident.create', {
    ...burglaryCall(),
    address: '汉滨区巴山路12号',
    location: HANBIN_CENTRE,
  });
  pingliOrder = t.desk.command(t.pingli, 'order.issue', {
    incidentId: pingliIncident.id,
    template: 'checkpoint_search',
    title: '设卡盘查：长安镇',
    targets: [
      { targetKind: 'checkpoint', targetId: '610926-CP-02' },
      { targetKind: 'org', targetId: '610926-TB' },
    ],
  });
  t.desk.command(t.pingli, 'order.sign', { orderId: pingliOrder.id, targetId: '610926-CP-02' });
  hanbinOrder = t.desk.command(t.hanbin, 'order.issue', {
    incidentId: hanbinIncident.id,
    template: 'dispatch',
    title: '出警：巴山路',
    targets: [{ targetKind: 'unit', targetId: '610902-U-01' }],
  });
  t.desk.command(t.analyst, 'case.create', { title: '汉滨案', countyId: '610902', incidentIds: [] });
});

interface Case {
  what: string;
  run: () => unknown;
  code: ErrorCode;
  message: RegExp;
}

/** Runs a refused call and checks the error and that not one byte of the store moved. */
function expectRefusedUntouched({ run, code, message }: Case): void {
  const before = dumpStore(t.db);
  const eventsSeen: string[] = [];
  const offs = (['entity.changed', 'incident.created', 'order.overdue', 'warning.raised'] as const).map(
    (name) => t.desk.events.on(name, () => eventsSeen.push(name)),
  );
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  } finally {
    offs.forEach((off) => off());
  }
  expect(caught, 'the call was accepted but should have been refused').toBeInstanceOf(DeskError);
  const error = caught as DeskError;
  expect({ code: error.code, message: error.message }).toEqual({
    code,
    message: expect.stringMatching(message),
  });
  expect(eventsSeen, 'a refused call announced a change').toEqual([]);
  expect(dumpStore(t.db) === before, 'the refused call changed the store').toBe(true);
}

const cmd = (actor: () => TestDesk['pingli'], name: string, input: unknown) => () =>
  t.desk.command(actor(), name as 'incident.create', input);
const query = (actor: () => TestDesk['pingli'], name: string, input: unknown) => () =>
  t.desk.query(actor(), name as 'incident.get', input);

const pingli = () => t.pingli;
const hanbin = () => t.hanbin;
const analyst = () => t.analyst;
const supervisor = () => t.supervisor;

describe('malformed input', () => {
  const cases: Case[] = [
    {
      what: 'a priority given as text',
      run: cmd(pingli, 'incident.create', burglaryCall({ priority: 'high' })),
      code: 'invalid_input',
      message: /^incident\.create: priority: .*expected number/,
    },
    {
      what: 'a priority out of range',
      run: cmd(pingli, 'incident.create', burglaryCall({ priority: 7 })),
      code: 'invalid_input',
      message: /priority: .*<=4/,
    },
    {
      what: 'an unknown category',
      run: cmd(pingli, 'incident.create', burglaryCall({ category: 'alien_landing' })),
      code: 'invalid_input',
      message: /category:/,
    },
    {
      what: 'a latitude off the globe',
      run: cmd(pingli, 'incident.create', burglaryCall({ location: { lng: 109.2, lat: 91 } })),
      code: 'invalid_input',
      message: /location\.lat:/,
    },
    {
      what: 'a missing address',
      run: cmd(pingli, 'incident.create', burglaryCall({ address: undefined })),
      code: 'invalid_input',
      message: /address:/,
    },
    {
      what: 'a field the command does not have',
      run: cmd(pingli, 'incident.create', burglaryCall({ status: 'closed' })),
      code: 'invalid_input',
      message: /Unrecognized key.*"status"/,
    },
    {
      what: 'letters in a phone number',
      run: cmd(pingli, 'incident.create', burglaryCall({ callerPhone: 'call me maybe' })),
      code: 'invalid_input',
      message: /callerPhone: a phone number holds digits/,
    },
    {
      what: 'an id with spaces',
      run: cmd(pingli, 'incident.addNote', { id: 'drop table', text: 'x' }),
      code: 'invalid_input',
      message: /id: ids use letters, digits/,
    },
    {
      what: 'no input at all',
      run: cmd(pingli, 'incident.update', null),
      code: 'invalid_input',
      message: /^incident\.update: \(input\):/,
    },
    {
      what: 'an array instead of an object',
      run: cmd(pingli, 'order.sign', [pingliOrder?.id, '610926-TB']),
      code: 'invalid_input',
      message: /^order\.sign: \(input\):/,
    },
    {
      what: 'an order without targets',
      run: cmd(pingli, 'order.issue', { template: 'custom', title: '空指令', targets: [] }),
      code: 'invalid_input',
      message: /targets:/,
    },
    {
      what: 'an unknown command name',
      run: cmd(pingli, 'incident.destroy', { id: 'x' }),
      code: 'invalid_input',
      message: /unknown command "incident\.destroy"/,
    },
    {
      what: 'an inherited property name as a command',
      run: cmd(pingli, 'toString', {}),
      code: 'invalid_input',
      message: /unknown command "toString"/,
    },
    {
      what: 'an unknown query name',
      run: query(pingli, 'incident.everything', {}),
      code: 'invalid_input',
      message: /unknown query "incident\.everything"/,
    },
    {
      what: 'a query with a wrong type',
      run: query(pingli, 'incident.search', { text: 42 }),
      code: 'invalid_input',
      message: /^incident\.search: text:/,
    },
    {
      what: 'an input that cannot be serialised (a cycle)',
      run: () => {
        const input: Record<string, unknown> = { id: 'x', text: 'y' };
        input.self = input;
        return t.desk.command(t.pingli, 'incident.addNote', input);
      },
      code: 'invalid_input',
      message: /incident\.addNote: input is not plain data/,
    },
  ];
  it.each(cases)('refuses $what', expectRefusedUntouched);
});

describe('oversized input', () => {
  const cases: Case[] = [
    {
      what: 'a summary over 4000 characters',
      run: cmd(pingli, 'incident.create', burglaryCall({ summary: '盗'.repeat(4001) })),
      code: 'invalid_input',
      message: /summary: .*<=4000/,
    },
    {
      what: 'an address over 200 characters',
      run: cmd(pingli, 'incident.create', burglaryCall({ address: 'a'.repeat(201) })),
      code: 'invalid_input',
      message: /address: .*<=200/,
    },
    {
      what: 'an id over 64 characters',
      run: cmd(pingli, 'incident.addNote', { id: 'x'.repeat(65), text: 'note' }),
      code: 'invalid_input',
      message: /id: .*<=64/,
    },
    {
      what: 'an order to more than 200 targets',
      run: cmd(pingli, 'order.issue', {
        template: 'custom',
        title: 'too many',
        targets: Array.from({ length: 201 }, (_, i) => ({ targetKind: 'unit', targetId: `u${i}` })),
      }),
      code: 'invalid_input',
      message: /targets: .*<=200/,
    },
    {
      what: 'a payload over 256 KB',
      run: cmd(pingli, 'incident.addNote', { id: 'x', text: 'a'.repeat(300 * 1024) }),
      code: 'too_large',
      message: /^incident\.addNote: input is \d+ bytes, more than the 262144 allowed/,
    },
    {
      what: 'a payload over 256 KB of Chinese text (counted in bytes, not characters)',
      run: cmd(pingli, 'incident.addNote', { id: 'x', text: '盗'.repeat(90 * 1024) }),
      code: 'too_large',
      message: /input is \d+ bytes, more than the 262144 allowed/,
    },
  ];
  it.each(cases)('refuses $what', expectRefusedUntouched);
});

describe('unknown records', () => {
  const cases: Case[] = [
    {
      what: 'an update of an incident that does not exist',
      run: cmd(pingli, 'incident.update', { id: 'no-such-incident', patch: { priority: 2 } }),
      code: 'not_found',
      message: /^incident no-such-incident does not exist$/,
    },
    {
      what: 'signing an order that does not exist',
      run: cmd(pingli, 'order.sign', { orderId: 'no-such-order', targetId: '610926-TB' }),
      code: 'not_found',
      message: /^order no-such-order does not exist$/,
    },
    {
      what: 'signing for a unit the order was not sent to',
      run: () => t.desk.command(t.pingli, 'order.sign', { orderId: pingliOrder.id, targetId: '610926-U-01' }),
      code: 'not_found',
      message: /has no target 610926-U-01/,
    },
    {
      what: 'an order to a unit that does not exist',
      run: cmd(pingli, 'order.issue', {
        template: 'dispatch',
        title: '出警',
        targets: [{ targetKind: 'unit', targetId: '610926-U-99' }],
      }),
      code: 'not_found',
      message: /^unit 610926-U-99 does not exist$/,
    },
    {
      what: 'an order for an incident that does not exist',
      run: cmd(pingli, 'order.issue', {
        incidentId: 'no-such-incident',
        template: 'dispatch',
        title: '出警',
        targets: [{ targetKind: 'unit', targetId: '610926-U-01' }],
      }),
      code: 'not_found',
      message: /^incident no-such-incident does not exist$/,
    },
    {
      what: 'a unit that does not exist',
      run: cmd(pingli, 'unit.move', { id: 'ghost-car', location: { lng: 109, lat: 32 } }),
      code: 'not_found',
      message: /^unit ghost-car does not exist$/,
    },
    {
      what: 'a county that does not exist',
      run: cmd(() => t.city, 'incident.create', burglaryCall({ countyId: '999999' })),
      code: 'not_found',
      message: /^county 999999 does not exist$/,
    },
    {
      what: 'reading an incident that does not exist',
      run: query(pingli, 'incident.get', { id: 'no-such-incident' }),
      code: 'not_found',
      message: /^incident no-such-incident does not exist$/,
    },
    {
      what: 'a case opened on an incident that does not exist, after attaching a real one',
      run: () =>
        t.desk.command(t.pingli, 'case.create', {
          title: '半途而废',
          incidentIds: [pingliIncident.id, 'no-such-incident'],
        }),
      code: 'not_found',
      message: /^incident no-such-incident does not exist$/,
    },
  ];
  it.each(cases)('refuses $what', expectRefusedUntouched);
});

describe('illegal steps', () => {
  const cases: Case[] = [
    {
      what: 'closing an incident that was never handled',
      run: () =>
        t.desk.command(t.pingli, 'incident.setStatus', {
          id: pingliIncident.id,
          status: 'closed',
          disposition: '结',
        }),
      code: 'illegal_transition',
      message: /^incident .* is dispatched: cannot close \(allowed from handled\)$/,
    },
    {
      what: 'signing a target twice',
      run: () =>
        t.desk.command(t.pingli, 'order.sign', { orderId: pingliOrder.id, targetId: '610926-CP-02' }),
      code: 'illegal_transition',
      message: /^order target .*\/610926-CP-02 is signed: cannot sign/,
    },
    {
      what: 'completing a target that has not reported',
      run: () =>
        t.desk.command(t.pingli, 'order.complete', { orderId: pingliOrder.id, targetId: '610926-CP-02' }),
      code: 'illegal_transition',
      message: /is signed: cannot complete \(allowed from reported\)/,
    },
    {
      what: 'sending an available unit straight on scene',
      run: cmd(pingli, 'unit.setStatus', { id: '610926-U-05', status: 'on_scene' }),
      code: 'illegal_transition',
      message: /^unit 610926-U-05 is available: cannot on_scene/,
    },
    {
      what: 'a case solved before investigation',
      run: () => {
        const record = t.desk.query(t.city, 'case.list', {}).items[0];
        return t.desk.command(t.city, 'case.setStatus', { id: record?.id ?? 'none', status: 'solved' });
      },
      code: 'illegal_transition',
      message: /^case .* is open: cannot solve/,
    },
    {
      what: 'an escalation of a target that is not yet due',
      run: () =>
        t.desk.command(t.supervisor, 'order.escalate', {
          orderId: pingliOrder.id,
          targetId: '610926-TB',
          overdue: 'sign',
          level: 1,
        }),
      code: 'illegal_transition',
      message: /not overdue for sign/,
    },
  ];
  it.each(cases)('refuses $what', expectRefusedUntouched);
});

describe('another county’s records', () => {
  const cases: Case[] = [
    {
      what: 'Pingli updating a Hanbin incident',
      run: () =>
        t.desk.command(t.pingli, 'incident.update', { id: hanbinIncident.id, patch: { priority: 4 } }),
      code: 'forbidden',
      message: /^incident .* belongs to county 610902, outside op-610926's jurisdiction 610926$/,
    },
    {
      what: 'Pingli adding a note to a Hanbin incident',
      run: () => t.desk.command(t.pingli, 'incident.addNote', { id: hanbinIncident.id, text: '越权备注' }),
      code: 'forbidden',
      message: /belongs to county 610902, outside op-610926/,
    },
    {
      what: 'Pingli merging its incident into a Hanbin one',
      run: () =>
        t.desk.command(t.pingli, 'incident.merge', { id: pingliIncident.id, intoId: hanbinIncident.id }),
      code: 'forbidden',
      message: /belongs to county 610902/,
    },
    {
      what: 'Pingli moving a Hanbin patrol car',
      run: cmd(pingli, 'unit.move', { id: '610902-U-02', location: { lng: 109.3, lat: 32.4 } }),
      code: 'forbidden',
      message: /^unit 610902-U-02 belongs to county 610902, outside op-610926/,
    },
    {
      what: 'Pingli standing down a Hanbin checkpoint',
      run: cmd(pingli, 'checkpoint.setActive', { id: '610902-CP-01', active: true }),
      code: 'forbidden',
      message: /^checkpoint 610902-CP-01 belongs to county 610902/,
    },
    {
      what: 'Pingli signing for a Hanbin order target',
      run: () => t.desk.command(t.pingli, 'order.sign', { orderId: hanbinOrder.id, targetId: '610902-U-01' }),
      code: 'forbidden',
      message: /^target 610902-U-01 of order .* belongs to county 610902/,
    },
    {
      what: 'Pingli cancelling a Hanbin order',
      run: () => t.desk.command(t.pingli, 'order.cancel', { orderId: hanbinOrder.id, reason: '越权' }),
      code: 'forbidden',
      message: /^order .* belongs to county 610902/,
    },
    {
      what: 'Pingli ordering a Hanbin unit',
      run: cmd(pingli, 'order.issue', {
        template: 'dispatch',
        title: '出警',
        targets: [
          { targetKind: 'unit', targetId: '610926-U-01' },
          { targetKind: 'unit', targetId: '610902-U-03' },
        ],
      }),
      code: 'forbidden',
      message: /^unit 610902-U-03 belongs to county 610902/,
    },
    {
      what: 'Pingli opening a case on its own and a Hanbin incident',
      run: () =>
        t.desk.command(t.pingli, 'case.create', {
          title: '跨县',
          incidentIds: [pingliIncident.id, hanbinIncident.id],
        }),
      code: 'forbidden',
      message: /belongs to county 610902/,
    },
    {
      what: 'Pingli reading a Hanbin incident',
      run: () => t.desk.query(t.pingli, 'incident.get', { id: hanbinIncident.id }),
      code: 'forbidden',
      message: /^incident .* belongs to county 610902, outside op-610926's jurisdiction$/,
    },
    {
      what: 'Pingli reading a Hanbin timeline',
      run: () => t.desk.query(t.pingli, 'incident.timeline', { id: hanbinIncident.id }),
      code: 'forbidden',
      message: /belongs to county 610902/,
    },
    {
      what: 'Pingli reading a Hanbin order',
      run: () => t.desk.query(t.pingli, 'order.get', { id: hanbinOrder.id }),
      code: 'forbidden',
      message: /^order .* belongs to county 610902/,
    },
    {
      what: 'Pingli reading the inbox of a Hanbin station',
      run: query(pingli, 'order.inbox', { orgId: '610902-PS-01' }),
      code: 'forbidden',
      message: /^organisation 610902-PS-01 belongs to county 610902/,
    },
    {
      what: 'Hanbin reading a Pingli incident',
      run: () => t.desk.query(t.hanbin, 'incident.get', { id: pingliIncident.id }),
      code: 'forbidden',
      message: /belongs to county 610926, outside op-610902/,
    },
  ];
  it.each(cases)('refuses $what', expectRefusedUntouched);
});

describe('roles', () => {
  const cases: Case[] = [
    {
      what: 'an analyst issuing an order',
      run: cmd(analyst, 'order.issue', {
        template: 'dispatch',
        title: '出警',
        targets: [{ targetKind: 'unit', targetId: '610926-U-01' }],
      }),
      code: 'forbidden',
      message: /^city-analyst \(analyst\) may not run order\.issue$/,
    },
    {
      what: 'an analyst moving a unit',
      run: cmd(analyst, 'unit.move', { id: '610926-U-01', location: { lng: 109, lat: 32 } }),
      code: 'forbidden',
      message: /^city-analyst \(analyst\) may not run unit\.move$/,
    },
    {
      what: 'a supervisor taking a call',
      run: cmd(supervisor, 'incident.create', burglaryCall({ countyId: '610926' })),
      code: 'forbidden',
      message: /^city-supervisor \(supervisor\) may not run incident\.create$/,
    },
    {
      what: 'a county operator reading the audit trail',
      run: query(hanbin, 'audit.list', {}),
      code: 'forbidden',
      message: /op-610902 \(county_operator\) may not read the audit trail/,
    },
  ];
  it.each(cases)('refuses $what', expectRefusedUntouched);
});

describe('the watch list, checks and warnings', () => {
  const PLATE = '陕G7M352';
  let pingliWarning = '';
  let hanbinWarning = '';
  beforeAll(() => {
    t.desk.command(t.city, 'watch.add', { kind: 'plate', value: PLATE, reason: '盗窃嫌疑车辆', level: 1 });
    const check = (actor: TestDesk['pingli'], checkpointId: string): string =>
      t.desk.command(actor, 'checkpoint.logCheck', { checkpointId, plate: PLATE }).warnings[0]?.id ?? '';
    pingliWarning = check(t.pingli, '610926-CP-02');
    hanbinWarning = check(t.hanbin, '610902-CP-01');
    t.desk.command(t.pingli, 'warning.handle', { id: pingliWarning, note: '已核查' });
  });
  const watch = (actor: () => TestDesk['pingli'], input: Record<string, unknown>) => () =>
    t.desk.command(actor(), 'watch.add', { kind: 'plate', value: '陕G12345', reason: '盗抢车辆', ...input });
  const check = (actor: () => TestDesk['pingli'], input: Record<string, unknown>) => () =>
    t.desk.command(actor(), 'checkpoint.logCheck', { checkpointId: '610926-CP-02', ...input });
  const cases: Case[] = [
    {
      what: 'a plate with characters no plate has',
      run: watch(pingli, { value: '陕G@#1' }),
      code: 'invalid_input',
      message: /^watch\.add: value: a plate has 3 to 11 letters/,
    },
    {
      what: 'a phone number of two digits',
      run: watch(pingli, { kind: 'phone', value: '1-2' }),
      code: 'invalid_input',
      message: /^watch\.add: value: a phone number has 3 to 20 digits/,
    },
    {
      what: 'an ID number of the wrong length',
      run: watch(pingli, { kind: 'person', value: '6109261985' }),
      code: 'invalid_input',
      message: /value: an ID number has 17 digits and a digit or X/,
    },
    {
      what: 'a watch level of 4',
      run: watch(pingli, { level: 4 }),
      code: 'invalid_input',
      message: /^watch\.add: level: .*<=3/,
    },
    {
      what: 'a kind the watch list does not have',
      run: watch(pingli, { kind: 'email' }),
      code: 'invalid_input',
      message: /^watch\.add: kind:/,
    },
    {
      what: 'an entry that has already expired',
      run: watch(pingli, { validUntil: MORNING - 1 }),
      code: 'invalid_input',
      message: /validUntil .* is not after now/,
    },
    {
      what: 'an entry for a county that does not exist',
      run: watch(() => t.city, { countyId: '610999' }),
      code: 'not_found',
      message: /jurisdiction 610999 does not exist/,
    },
    {
      what: 'a check that names nothing checked',
      run: check(pingli, { note: '过往车辆' }),
      code: 'invalid_input',
      message: /a check names at least one of plate, personId, phone/,
    },
    {
      what: 'a check of a plate that is not a plate',
      run: check(pingli, { plate: '!!' }),
      code: 'invalid_input',
      message: /^checkpoint\.logCheck: plate: a plate has/,
    },
    {
      what: 'a check dated an hour ahead',
      run: check(pingli, { plate: PLATE, at: MORNING + 3_600_000 }),
      code: 'invalid_input',
      message: /at is 60 minutes ahead of now/,
    },
    {
      what: 'a check at a checkpoint that does not exist',
      run: check(pingli, { checkpointId: '610926-CP-99', plate: PLATE }),
      code: 'not_found',
      message: /checkpoint 610926-CP-99 does not exist/,
    },
    {
      what: 'signing for a warning that does not exist',
      run: cmd(pingli, 'warning.acknowledge', { id: 'warn-nothing' }),
      code: 'not_found',
      message: /warning warn-nothing does not exist/,
    },
    {
      what: 'handling a warning without a note',
      run: () => t.desk.command(t.pingli, 'warning.handle', { id: hanbinWarning, note: '' }),
      code: 'invalid_input',
      message: /^warning\.handle: note:/,
    },
    {
      what: 'handling a warning that was already handled',
      run: () => t.desk.command(t.city, 'warning.handle', { id: pingliWarning, note: '再处置' }),
      code: 'illegal_transition',
      message: /warning warn-\w+ is handled: cannot handle/,
    },
    {
      what: 'Pingli logging a check at a Hanbin checkpoint',
      run: check(pingli, { checkpointId: '610902-CP-01', plate: PLATE }),
      code: 'forbidden',
      message: /checkpoint 610902-CP-01 belongs to county 610902/,
    },
    {
      what: 'Pingli putting a plate on Hanbin’s watch list',
      run: watch(pingli, { countyId: '610902' }),
      code: 'forbidden',
      message: /belongs to county 610902, outside op-610926's jurisdiction/,
    },
    {
      what: 'Pingli signing for a Hanbin warning',
      run: () => t.desk.command(t.pingli, 'warning.acknowledge', { id: hanbinWarning }),
      code: 'forbidden',
      message: /warning warn-\w+ belongs to county 610902/,
    },
    {
      what: 'Hanbin reading a Pingli warning',
      run: () => t.desk.query(t.hanbin, 'warning.get', { id: pingliWarning }),
      code: 'forbidden',
      message: /warning warn-\w+ belongs to county 610926/,
    },
    {
      what: 'an analyst putting a plate on the watch list',
      run: watch(analyst, {}),
      code: 'forbidden',
      message: /^city-analyst \(analyst\) may not run watch\.add$/,
    },
    {
      what: 'a supervisor logging a check',
      run: check(supervisor, { plate: PLATE }),
      code: 'forbidden',
      message: /^city-supervisor \(supervisor\) may not run checkpoint\.logCheck$/,
    },
  ];
  it.each(cases)('refuses $what', expectRefusedUntouched);
});

describe('the checks themselves', () => {
  it('see a change when there is one', () => {
    const before = dumpStore(t.db);
    t.desk.command(t.pingli, 'incident.addNote', { id: pingliIncident.id, text: '复核' });
    expect(dumpStore(t.db)).not.toBe(before);
  });
});
