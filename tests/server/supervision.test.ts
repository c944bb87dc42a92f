// The supervision timer's commands on the central server over real HTTP: `system:supervision` has no account and no
// sign-in; the server takes `order.escalate` under it from an enrolled workstation, within that workstation's
// jurisdiction and against its own records, once per (order, target, kind, level), and nothing else.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/server/auth';
import { demoSecret } from '../../src/server/admin';
import { cityAndPingliServer, command, HANBIN, PINGLI, post, push, V, type TestServer } from './helpers';

const SUPERVISION = 'system:supervision';
const START = Date.UTC(2026, 10, 29, 2, 0, 0);
const MINUTE = 60_000;

let server: TestServer;
let now = START;
let city: { token: string };
let pingli: { token: string };
let next: (ws: string) => number;

beforeEach(async () => {
  now = START;
  ({ server, city, pingli, next } = await cityAndPingliServer(() => now));
  // The city issues an order to Pingli's traffic brigade and one to Hanbin's, both to be signed within 5 minutes.
  const issued = await push(
    server,
    city.token,
    'ws-city',
    [
      ['ord-p', `${PINGLI}-TB`],
      ['ord-h', `${HANBIN}-TB`],
    ].map(([id, targetId]) =>
      command(
        next('ws-city'),
        'order.issue',
        {
          id,
          template: 'custom',
          title: '设卡盘查',
          content: '',
          targets: [{ targetKind: 'org', targetId }],
          signDeadlineMin: 5,
          finishDeadlineMin: 60,
        },
        'city-dispatcher',
        now,
      ),
    ),
  );
  expect(
    issued.body.results.map((r) => r.status),
    JSON.stringify(issued.body),
  ).toEqual(['applied', 'applied']);
  now = START + 6 * MINUTE;
});

afterEach(async () => {
  await server.stop();
});

function escalate(ws: string, orderId: string, targetId: string, level = 1) {
  return command(next(ws), 'order.escalate', { orderId, targetId, overdue: 'sign', level }, SUPERVISION, now);
}

function target(orderId: string): { state: string; overdue: string; level: number } {
  return server.hub.db
    .prepare('SELECT state, overdue, escalation_level AS level FROM order_targets WHERE order_id = ?')
    .get(orderId) as { state: string; overdue: string; level: number };
}

function escalationRows(orderId: string): unknown[] {
  return server.hub.db
    .prepare('SELECT target_id, overdue, level FROM escalations WHERE order_id = ?')
    .all(orderId);
}

/** Pingli's next command: signing for its own brigade, forged as the supervision timer. */
function forgedSign(): ReturnType<typeof command> {
  return command(
    next(`ws-${PINGLI}`),
    'order.sign',
    { orderId: 'ord-p', targetId: `${PINGLI}-TB` },
    SUPERVISION,
    now,
  );
}

describe('the supervision timer on the server', () => {
  it("accepts a county workstation's escalation of its own county's order, and the city's repeat with no change", async () => {
    const first = await push(server, pingli.token, `ws-${PINGLI}`, [
      escalate(`ws-${PINGLI}`, 'ord-p', `${PINGLI}-TB`),
    ]);
    expect(first.body.results[0], JSON.stringify(first.body)).toMatchObject({ status: 'applied' });
    expect(target('ord-p')).toEqual({ state: 'issued', overdue: 'sign', level: 1 });
    const audit = server.hub.db
      .prepare("SELECT operator_id AS op, workstation_id AS ws FROM audit WHERE command = 'order.escalate'")
      .all();
    expect(audit, 'audited as the Pingli workstation’s timer').toEqual([
      { op: SUPERVISION, ws: `ws-${PINGLI}` },
    ]);

    const head = server.hub.partitionState(PINGLI);
    const repeat = await push(server, city.token, 'ws-city', [escalate('ws-city', 'ord-p', `${PINGLI}-TB`)]);
    expect(repeat.body.results[0], 'the same level from the city is no mistake').toMatchObject({
      status: 'applied',
    });
    expect(server.hub.partitionState(PINGLI), 'and makes no new change').toEqual(head);
    expect(escalationRows('ord-p')).toEqual([{ target_id: `${PINGLI}-TB`, overdue: 'sign', level: 1 }]);
  });

  it("refuses a county workstation escalating another county's order; the city may", async () => {
    const reply = await push(server, pingli.token, `ws-${PINGLI}`, [
      escalate(`ws-${PINGLI}`, 'ord-h', `${HANBIN}-TB`),
    ]);
    expect(reply.body.results[0]?.status).toBe('rejected');
    expect(reply.body.results[0]?.error?.code).toBe('forbidden');
    expect(reply.body.results[0]?.error?.message).toContain(HANBIN);
    expect(target('ord-h'), 'the Hanbin target is untouched').toEqual({
      state: 'issued',
      overdue: 'none',
      level: 0,
    });
    expect(escalationRows('ord-h')).toEqual([]);

    const byCity = await push(server, city.token, 'ws-city', [escalate('ws-city', 'ord-h', `${HANBIN}-TB`)]);
    expect(byCity.body.results[0]).toMatchObject({ status: 'applied' });
    expect(target('ord-h')).toEqual({ state: 'issued', overdue: 'sign', level: 1 });
  });

  it('refuses system:supervision for any command but order.escalate', async () => {
    const forged = [
      forgedSign(),
      command(next(`ws-${PINGLI}`), 'order.cancel', { orderId: 'ord-p', reason: '伪造' }, SUPERVISION, now),
    ];
    const reply = await push(server, pingli.token, `ws-${PINGLI}`, forged);
    for (const result of reply.body.results) {
      expect(result.status).toBe('rejected');
      expect(result.error?.code).toBe('forbidden');
      expect(result.error?.message).toContain('may only send order.escalate');
    }
    expect(target('ord-p'), 'the order is as it was').toEqual({ state: 'issued', overdue: 'none', level: 0 });
    const status = server.hub.db.prepare("SELECT status FROM orders WHERE id = 'ord-p'").get();
    expect(status).toEqual({ status: 'issued' });
  });

  it('lets nobody have or sign in to a system:supervision account', async () => {
    expect(() =>
      server.hub.addAccount({
        id: SUPERVISION,
        name: '冒名',
        role: 'city_commander',
        jurisdictionId: '610900',
        password: 'long-enough-password',
      }),
    ).toThrow(/reserved/);
    const signIn = (password: string) =>
      post(server, '/v1/auth/login', {
        ...V,
        operatorId: SUPERVISION,
        password,
        workstationId: 'ws-city',
        workstationSecret: demoSecret('ws-city'),
      });
    expect((await signIn('long-enough-password')).status).toBe(401);

    // An account of that name made before the id was reserved (written straight into the store): still no sign-in,
    // and its role and jurisdiction give the timer's commands nothing.
    const { salt, hash } = hashPassword('long-enough-password');
    server.hub.db
      .prepare(
        `INSERT INTO accounts (id, name, role, jurisdiction_id, org_id, salt, hash, active, created_at)
           VALUES (?, '冒名', 'city_commander', '610900', NULL, ?, ?, 1, ?)`,
      )
      .run(SUPERVISION, salt, hash, now);
    const refused = await signIn('long-enough-password');
    expect(refused.status).toBe(401);
    expect((refused.body as { code: string }).code).toBe('unauthenticated');
    const reply = await push(server, pingli.token, `ws-${PINGLI}`, [
      escalate(`ws-${PINGLI}`, 'ord-h', `${HANBIN}-TB`),
      forgedSign(),
    ]);
    expect(reply.body.results.map((r) => [r.status, r.error?.code])).toEqual([
      ['rejected', 'forbidden'],
      ['rejected', 'forbidden'],
    ]);
  });
});
