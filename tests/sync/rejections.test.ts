// Rejections and clock skew: a command the server refuses is rolled back locally and listed with its reason while
// the commands after it still apply; a workstation whose clock is off by an hour or a day loses nothing.
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../src/main/core/apply';
import { appendOutbox, nextCounter } from '../../src/main/db/outbox';
import { CITY_ID } from '../../src/shared/domain/model';
import { CHANGAN, HANBIN, PINGLI, scriptedClock } from '../helpers/desk';
import { createHub, openTestWorkstation, outboxSize, partitionDump, signIn } from './harness';

const CALL = {
  source: 'call_110' as const,
  category: 'burglary' as const,
  priority: 2,
  address: '平利县长安镇',
  summary: '入室盗窃',
  location: CHANGAN,
};

describe('rejected commands', () => {
  it('a forged out-of-jurisdiction move is rolled back, listed with its reason, and the queue keeps flowing', async () => {
    const clock = scriptedClock();
    const hub = createHub(clock);
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli',
      jurisdictionId: PINGLI,
      operatorId: 'op-610926',
      clock,
    });
    await signIn(pingli);
    const incident = pingli.desk.command(pingli.actor, 'incident.create', CALL);
    expect((await pingli.client.syncNow()).ok).toBe(true);

    // A tampered console skips the local check: it acts as if it covered the whole city and writes the outbox itself.
    const forged = { ...pingli.actor, jurisdictionId: CITY_ID };
    applyCommand(
      pingli.db,
      forged,
      'incident.update',
      { id: incident.id, patch: { countyId: HANBIN } },
      {
        at: clock(),
        within: (ctx, done) =>
          appendOutbox(ctx.db, {
            counter: nextCounter(ctx.db),
            commandId: done.commandId,
            name: done.name,
            input: done.input,
            operatorId: pingli.operatorId,
            at: done.at,
          }),
      },
    );
    expect(pingli.desk.query(forged, 'incident.get', { id: incident.id }).countyId).toBe(HANBIN);
    const second = pingli.desk.command(pingli.actor, 'incident.create', { ...CALL, summary: '第二起' });

    const result = await pingli.client.syncNow();
    expect(result.ok, result.error?.message).toBe(true);

    const back = pingli.desk.query(pingli.actor, 'incident.get', { id: incident.id });
    expect(back.countyId, 'the refused move was not rolled back').toBe(PINGLI);
    const rejections = pingli.desk.query(pingli.actor, 'sync.rejections', {});
    expect(rejections.map((r) => [r.name, r.error.code])).toEqual([['incident.update', 'forbidden']]);
    expect(rejections[0]?.error.message).toMatch(/610902|jurisdiction/);

    // The command behind the refused one was applied by the server, and the queue keeps flowing after it.
    expect(hub.db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(second.id)).toBeDefined();
    const unit = pingli.desk.query(pingli.actor, 'unit.list', { countyId: PINGLI })[0]!;
    const note = pingli.desk.command(pingli.actor, 'incident.addNote', {
      id: incident.id,
      text: '嫌疑人驾车逃离',
    });
    pingli.desk.command(pingli.actor, 'unit.move', { id: unit.id, location: CHANGAN });
    expect((await pingli.client.syncNow()).ok).toBe(true);
    const serverIncident = hub.db
      .prepare('SELECT county_id, notes FROM incidents WHERE id = ?')
      .get(incident.id) as {
      county_id: string;
      notes: string;
    };
    expect(serverIncident).toEqual({ county_id: PINGLI, notes: note.text });
    expect(outboxSize(pingli.db)).toBe(0);
    expect(partitionDump(pingli.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));

    const status = pingli.desk.query(pingli.actor, 'sync.status', {});
    expect(status).toMatchObject({ mode: 'online', pending: 0, rejections: 1 });
    const left = pingli.desk.query(pingli.actor, 'sync.dismissRejection', {
      commandId: rejections[0]!.commandId,
    });
    expect(left).toEqual([]);
    expect(pingli.desk.query(pingli.actor, 'sync.status', {}).rejections).toBe(0);
    expect(() => pingli.desk.query(pingli.actor, 'sync.dismissRejection', { commandId: 'nope' })).toThrow(
      /no rejected command nope/,
    );
  });
});

describe('clock skew', () => {
  it.each([
    ['one hour behind', -3600_000],
    ['one hour ahead', 3600_000],
    ['one day ahead', 24 * 3600_000],
  ])('a Pingli workstation %s loses no update and its queue drains', async (_label, skew) => {
    const server = scriptedClock();
    const hub = createHub(server);
    const skewed = Object.assign(() => server() + skew, { advance: server.advance, set: server.set });
    const pingli = openTestWorkstation(hub, {
      id: 'ws-pingli',
      jurisdictionId: PINGLI,
      operatorId: 'op-610926',
      clock: skewed,
    });
    const city = openTestWorkstation(hub, {
      id: 'ws-city',
      jurisdictionId: CITY_ID,
      operatorId: 'city-dispatcher',
      clock: server,
    });
    await signIn(pingli);
    await signIn(city);

    const incident = pingli.desk.command(pingli.actor, 'incident.create', CALL);
    pingli.desk.command(pingli.actor, 'incident.update', { id: incident.id, patch: { summary: '平利更新' } });
    expect((await pingli.client.syncNow()).ok).toBe(true);
    expect((await city.client.syncNow()).ok).toBe(true);
    server.advance(60_000);
    city.desk.command(city.actor, 'incident.update', { id: incident.id, patch: { callerName: '张三' } });
    pingli.desk.command(pingli.actor, 'incident.addNote', { id: incident.id, text: '现场已封控' });
    server.advance(60_000);
    for (const ws of [city, pingli, city, pingli]) expect((await ws.client.syncNow()).ok).toBe(true);

    for (const ws of [pingli, city]) {
      const seen = ws.desk.query(ws.actor, 'incident.get', { id: incident.id });
      expect(seen, `${ws.id} lost an update`).toMatchObject({
        summary: '平利更新',
        callerName: '张三',
        notes: '现场已封控',
      });
      expect(outboxSize(ws.db), `${ws.id} queue is stuck`).toBe(0);
      expect(partitionDump(ws.db, PINGLI)).toEqual(partitionDump(hub.db, PINGLI));
    }
    const clamped = hub.db
      .prepare(
        "SELECT count(*) AS n FROM received_commands WHERE workstation_id = 'ws-pingli' AND at_clamped = 1",
      )
      .get() as { n: number };
    expect(clamped.n, 'future timestamps must be clamped, and only those').toBe(skew > 5 * 60_000 ? 3 : 0);
  });
});
