// The central server's push, pull and permission rules over real HTTP: exactly-once, re-authorisation against the
// server's own state, partitions and moves, checksums, versions, clock skew and conflicts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionChecksum, liveRecords } from '../../src/main/sync/checksum';
import { MAX_CLOCK_SKEW_MS, PROTOCOL_VERSION, type PullResponse } from '../../src/shared/sync';
import {
  burglaryCall,
  cityAndPingliServer,
  command,
  HANBIN,
  HANBIN_CENTRE,
  PINGLI,
  post,
  pull,
  push,
  V,
  type TestServer,
} from './helpers';

const CITY = '610900';
const DAY = 24 * 60 * 60_000;
const START = Date.UTC(2026, 10, 29, 2, 0, 0);

let server: TestServer;
let now = START;
let city: { token: string };
let pingli: { token: string };
let next: (ws: string) => number;

beforeEach(async () => {
  now = START;
  ({ server, city, pingli, next } = await cityAndPingliServer(() => now));
});

afterEach(async () => {
  await server.stop();
});

async function cityCreates(id: string, countyId: string, location = HANBIN_CENTRE): Promise<void> {
  const reply = await push(server, city.token, 'ws-city', [
    command(
      next('ws-city'),
      'incident.create',
      burglaryCall(id, { countyId, location, address: '汉滨区 测试地址' }),
      'city-dispatcher',
      now,
    ),
  ]);
  expect(reply.body.results[0]?.status, JSON.stringify(reply.body)).toBe('applied');
}

async function pullAll(token: string, ws: string, partitions: string[]): Promise<PullResponse> {
  const reply = await pull(
    server,
    token,
    ws,
    partitions.map((partition) => ({ partition, cursor: 0 })),
  );
  expect(reply.status, JSON.stringify(reply.body)).toBe(200);
  return reply.body;
}

describe('push is applied exactly once', () => {
  it('answers a resent batch with duplicate and leaves the state as it was', async () => {
    const batch = [
      command(1, 'incident.create', burglaryCall('inc-a'), `op-${PINGLI}`, now),
      command(2, 'incident.addNote', { id: 'inc-a', text: '现场已封锁' }, `op-${PINGLI}`, now),
    ];
    const first = await push(server, pingli.token, `ws-${PINGLI}`, batch);
    expect(first.body.results.map((r) => r.status)).toEqual(['applied', 'applied']);
    const headAfterFirst = server.hub.partitionState(PINGLI);
    const notes = () =>
      server.hub.db.prepare("SELECT count(*) AS n FROM timeline WHERE incident_id = 'inc-a'").get() as {
        n: number;
      };
    const timelineBefore = notes().n;

    const again = await push(server, pingli.token, `ws-${PINGLI}`, batch);
    expect(again.status).toBe(200);
    expect(again.body.results.map((r) => r.status)).toEqual(['duplicate', 'duplicate']);
    expect(server.hub.partitionState(PINGLI), 'a resend must not write new changes').toEqual(headAfterFirst);
    expect(notes().n, 'a resent note must not be added twice').toBe(timelineBefore);
    const incident = server.hub.db.prepare("SELECT notes FROM incidents WHERE id = 'inc-a'").get() as {
      notes: string;
    };
    expect(incident.notes).toBe('现场已封锁');
  });

  it('keeps going after a rejected command in the same batch, and answers its resend with the same reason', async () => {
    await cityCreates('inc-hanbin', HANBIN);
    const batch = [
      command(1, 'incident.addNote', { id: 'inc-hanbin', text: '越权' }, `op-${PINGLI}`, now),
      command(2, 'incident.create', burglaryCall('inc-ok'), `op-${PINGLI}`, now),
    ];
    const reply = await push(server, pingli.token, `ws-${PINGLI}`, batch);
    expect(reply.body.results.map((r) => r.status)).toEqual(['rejected', 'applied']);
    expect(reply.body.results[0]?.error?.code).toBe('forbidden');
    const resend = await push(server, pingli.token, `ws-${PINGLI}`, batch);
    expect(resend.body.results.map((r) => r.status)).toEqual(['rejected', 'duplicate']);
    expect(resend.body.results[0]?.error?.code).toBe('forbidden');
  });
});

describe('permissions are checked against the server state', () => {
  it('refuses a Pingli workstation writing a Hanbin record', async () => {
    await cityCreates('inc-h', HANBIN);
    const reply = await push(server, pingli.token, `ws-${PINGLI}`, [
      command(1, 'incident.update', { id: 'inc-h', patch: { priority: 3 } }, `op-${PINGLI}`, now),
    ]);
    expect(reply.body.results[0]?.status).toBe('rejected');
    expect(reply.body.results[0]?.error?.code).toBe('forbidden');
    expect(reply.body.results[0]?.error?.message).toContain(HANBIN);
  });

  it('refuses moving a Pingli incident into Hanbin without jurisdiction there', async () => {
    await push(server, pingli.token, `ws-${PINGLI}`, [
      command(1, 'incident.create', burglaryCall('inc-p'), `op-${PINGLI}`, now),
    ]);
    const reply = await push(server, pingli.token, `ws-${PINGLI}`, [
      command(2, 'incident.update', { id: 'inc-p', patch: { countyId: HANBIN } }, `op-${PINGLI}`, now),
    ]);
    expect(reply.body.results[0]?.status).toBe('rejected');
    expect(reply.body.results[0]?.error?.code).toBe('forbidden');
    const row = server.hub.db.prepare("SELECT county_id FROM incidents WHERE id = 'inc-p'").get() as {
      county_id: string;
    };
    expect(row.county_id, 'the incident must stay in Pingli').toBe(PINGLI);
  });

  it("refuses a Pingli workstation pulling Hanbin's partition", async () => {
    const reply = await pull(server, pingli.token, `ws-${PINGLI}`, [{ partition: HANBIN, cursor: 0 }]);
    expect(reply.status).toBe(403);
    expect((reply.body as unknown as { code: string }).code).toBe('forbidden');
    const own = await pull(server, pingli.token, `ws-${PINGLI}`, [
      { partition: PINGLI, cursor: 0 },
      { partition: CITY, cursor: 0 },
    ]);
    expect(own.status).toBe(200);
  });

  it('refuses a token for one workstation used in the name of another', async () => {
    const reply = await push(server, pingli.token, 'ws-city', [
      command(1, 'incident.create', burglaryCall('inc-forged'), 'city-dispatcher', now),
    ]);
    expect(reply.status).toBe(403);
    const forgedPull = await pull(server, pingli.token, 'ws-city', [{ partition: HANBIN, cursor: 0 }]);
    expect(forgedPull.status).toBe(403);
    expect(server.hub.db.prepare("SELECT 1 FROM incidents WHERE id = 'inc-forged'").get()).toBeUndefined();
  });

  it('refuses a command of an operator who never signed in on that workstation', async () => {
    const reply = await push(server, city.token, 'ws-city', [
      command(1, 'incident.create', burglaryCall('inc-x', { countyId: PINGLI }), 'city-commander', now),
    ]);
    expect(reply.body.results[0]?.status).toBe('rejected');
    expect(reply.body.results[0]?.error?.message).toContain('never signed in');
  });

  it('refuses an expired token and a tampered one with 401', async () => {
    now += 2 * 60 * 60_000;
    const expired = await push(server, pingli.token, `ws-${PINGLI}`, []);
    expect(expired.status).toBe(401);
    expect((expired.body as unknown as { message: string }).message).toContain('expired');
    now = START;
    const [payload, mac] = pingli.token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, jurisdictionId: CITY })).toString('base64url');
    const tampered = await pull(server, `${widened}.${mac}`, `ws-${PINGLI}`, [
      { partition: HANBIN, cursor: 0 },
    ]);
    expect(tampered.status).toBe(401);
    const missing = await post(server, '/v1/push', { ...V, workstationId: `ws-${PINGLI}`, commands: [] });
    expect(missing.status).toBe(401);
  });

  it('refuses a wrong password and an unknown workstation secret', async () => {
    const bad = await post(server, '/v1/auth/login', {
      ...V,
      operatorId: `op-${PINGLI}`,
      password: 'wrong-password',
      workstationId: `ws-${PINGLI}`,
      workstationSecret: `demo-secret-ws-${PINGLI}`,
    });
    expect(bad.status).toBe(401);
    const wrongWs = await post(server, '/v1/auth/login', {
      ...V,
      operatorId: `op-${PINGLI}`,
      password: `demo-op-${PINGLI}`,
      workstationId: `ws-${PINGLI}`,
      workstationSecret: 'not-the-secret-at-all',
    });
    expect(wrongWs.status).toBe(401);
    const cityOnCounty = await post(server, '/v1/auth/login', {
      ...V,
      operatorId: 'city-dispatcher',
      password: 'demo-city-dispatcher',
      workstationId: `ws-${PINGLI}`,
      workstationSecret: `demo-secret-ws-${PINGLI}`,
    });
    expect(cityOnCounty.status).toBe(403);
  });
});

describe('enrolment', () => {
  it('binds a workstation with a one-time token and refuses the token a second time', async () => {
    const { token } = server.hub.createEnrollToken(HANBIN);
    const first = await post<{ workstationSecret: string; jurisdictionId: string }>(server, '/v1/enroll', {
      ...V,
      enrollToken: token,
      workstationId: 'ws-hanbin-1',
    });
    expect(first.status).toBe(200);
    expect(first.body.jurisdictionId).toBe(HANBIN);
    const again = await post(server, '/v1/enroll', {
      ...V,
      enrollToken: token,
      workstationId: 'ws-hanbin-2',
    });
    expect(again.status).toBe(401);
    server.hub.addAccount({
      id: 'op-hanbin-2',
      name: '汉滨值班员',
      role: 'county_operator',
      jurisdictionId: HANBIN,
      password: 'long-enough-pw',
    });
    const signIn = await post(server, '/v1/auth/login', {
      ...V,
      operatorId: 'op-hanbin-2',
      password: 'long-enough-pw',
      workstationId: 'ws-hanbin-1',
      workstationSecret: first.body.workstationSecret,
    });
    expect(signIn.status).toBe(200);
  });
});

describe('versions and clocks', () => {
  it('answers a protocol or schema mismatch with 409 and the server versions', async () => {
    const reply = await post<{ code: string; message: string; server: { protocol: number } }>(
      server,
      '/v1/push',
      { ...V, protocol: PROTOCOL_VERSION + 1, workstationId: `ws-${PINGLI}`, commands: [] },
      pingli.token,
    );
    expect(reply.status).toBe(409);
    expect(reply.body.code).toBe('version_mismatch');
    expect(reply.body.message).toMatch(/protocol/);
    expect(reply.body.server.protocol).toBe(PROTOCOL_VERSION);
    const login = await post(server, '/v1/auth/login', { protocol: 0, schema: 0 });
    expect(login.status).toBe(409);
  });

  it('clamps a command stamped a day ahead to the receive time, and records both', async () => {
    const reply = await push(server, pingli.token, `ws-${PINGLI}`, [
      command(
        1,
        'incident.create',
        burglaryCall('inc-future', { receivedAt: now }),
        `op-${PINGLI}`,
        now + DAY,
      ),
    ]);
    expect(reply.body.results[0]?.status).toBe('applied');
    const row = server.hub.db
      .prepare('SELECT at, received_at, at_clamped FROM received_commands WHERE counter = 1')
      .get() as { at: number; received_at: number; at_clamped: number };
    expect(row).toEqual({ at: now, received_at: now, at_clamped: 1 });
    const incident = server.hub.db
      .prepare("SELECT updated_at FROM incidents WHERE id = 'inc-future'")
      .get() as {
      updated_at: number;
    };
    expect(incident.updated_at, 'the record must carry the clamped time').toBe(now);
    const within = await push(server, pingli.token, `ws-${PINGLI}`, [
      command(
        2,
        'incident.addNote',
        { id: 'inc-future', text: 'x' },
        `op-${PINGLI}`,
        now + MAX_CLOCK_SKEW_MS - 1,
      ),
    ]);
    expect(within.body.results[0]?.status).toBe('applied');
    const kept = server.hub.db
      .prepare('SELECT at, at_clamped FROM received_commands WHERE counter = 2')
      .get();
    expect(kept).toEqual({ at: now + MAX_CLOCK_SKEW_MS - 1, at_clamped: 0 });
  });
});

describe('partitions', () => {
  it('moves a record with its children: a delete in the old county, a put in the new', async () => {
    await cityCreates('inc-move', PINGLI, { lng: 109.2852, lat: 32.4702 });
    await push(server, city.token, 'ws-city', [
      command(
        next('ws-city'),
        'incident.addNote',
        { id: 'inc-move', text: '转汉滨' },
        'city-dispatcher',
        now,
      ),
      command(
        next('ws-city'),
        'incident.update',
        { id: 'inc-move', patch: { countyId: HANBIN } },
        'city-dispatcher',
        now,
      ),
    ]);
    const pages = await pullAll(city.token, 'ws-city', [PINGLI, HANBIN]);
    const [pingliPage, hanbinPage] = pages.pages;
    const inPingli = pingliPage?.changes.filter((c) => c.id === 'inc-move' || c.kind === 'timeline') ?? [];
    expect(inPingli.length).toBeGreaterThan(1);
    expect(
      inPingli.every((c) => c.op === 'delete'),
      'everything of the moved incident must leave Pingli',
    ).toBe(true);
    const incidentInHanbin = hanbinPage?.changes.find((c) => c.kind === 'incident' && c.id === 'inc-move');
    expect(incidentInHanbin?.op).toBe('put');
    expect((incidentInHanbin?.record as { countyId: string }).countyId).toBe(HANBIN);
    const timelineInHanbin = hanbinPage?.changes.filter((c) => c.kind === 'timeline' && c.op === 'put') ?? [];
    expect(timelineInHanbin.length, 'the timeline follows the incident').toBeGreaterThanOrEqual(3);
    // A Pingli workstation sees the delete and no longer the record.
    const pingliView = await pullAll(pingli.token, `ws-${PINGLI}`, [PINGLI]);
    expect(pingliView.pages[0]?.changes.find((c) => c.id === 'inc-move')?.op).toBe('delete');
  });

  it('keeps each running checksum equal to a recomputation from scratch', async () => {
    await cityCreates('inc-1', PINGLI, { lng: 109.2852, lat: 32.4702 });
    await cityCreates('inc-2', HANBIN);
    const units = server.hub.db
      .prepare('SELECT id, county_id FROM units WHERE county_id IN (?, ?) ORDER BY id')
      .all(PINGLI, HANBIN) as { id: string; county_id: string }[];
    const pingliUnit = units.find((u) => u.county_id === PINGLI);
    const hanbinUnit = units.find((u) => u.county_id === HANBIN);
    if (!pingliUnit || !hanbinUnit) throw new Error('the demo region has no units in Pingli and Hanbin');
    const cmds = [
      ['incident.link', { id: 'inc-1', otherId: 'inc-2' }],
      [
        'order.issue',
        {
          id: 'ord-1',
          incidentId: 'inc-1',
          template: 'dispatch',
          title: '设卡盘查',
          targets: [
            { targetKind: 'unit', targetId: pingliUnit.id },
            { targetKind: 'unit', targetId: hanbinUnit.id },
          ],
        },
      ],
      ['order.sign', { orderId: 'ord-1', targetId: pingliUnit.id }],
      ['order.feedback', { orderId: 'ord-1', targetId: pingliUnit.id, text: '已到位' }],
      ['incident.addRef', { id: 'inc-1', ref: { kind: 'vehicle', plate: '陕G12345' } }],
      ['case.create', { id: 'case-1', title: '系列盗窃', countyId: PINGLI, incidentIds: ['inc-1'] }],
      ['case.addRef', { id: 'case-1', ref: { kind: 'person', name: '张三', role: 'suspect' } }],
      // From Pingli's console, which saw priority 3: someone else's concurrent change, kept as a conflict.
      ['incident.update', { id: 'inc-1', patch: { priority: 2 }, expected: { priority: 3 } }, 'pingli'],
      ['incident.update', { id: 'inc-1', patch: { countyId: HANBIN } }],
      ['unit.move', { id: hanbinUnit.id, location: HANBIN_CENTRE }],
    ] as const;
    for (const [name, input, from] of cmds as readonly (readonly [string, unknown, 'pingli'?])[]) {
      now += 60_000;
      const reply =
        from === 'pingli'
          ? await push(server, pingli.token, `ws-${PINGLI}`, [
              command(next(`ws-${PINGLI}`), name, input, `op-${PINGLI}`, now),
            ])
          : await push(server, city.token, 'ws-city', [
              command(next('ws-city'), name, input, 'city-dispatcher', now),
            ]);
      expect(reply.body.results[0]?.status, `${name}: ${JSON.stringify(reply.body.results[0]?.error)}`).toBe(
        'applied',
      );
    }
    const partitions = server.hub.db.prepare('SELECT id FROM jurisdictions ORDER BY id').all() as {
      id: string;
    }[];
    for (const { id } of partitions) {
      expect(server.hub.partitionState(id).checksum, `checksum of partition ${id}`).toBe(
        partitionChecksum(server.hub.db, id),
      );
      // The log's live puts are exactly the partition's records.
      const logged = (
        server.hub.db
          .prepare("SELECT kind || ':' || id AS k FROM changes WHERE partition = ? AND op = 'put' ORDER BY k")
          .all(id) as { k: string }[]
      ).map((row) => row.k);
      const live = liveRecords(server.hub.db, id)
        .map((r) => `${r.kind}:${r.id}`)
        .sort();
      expect(logged, `live records of partition ${id}`).toEqual(live);
    }
    const conflicts = server.hub.db.prepare('SELECT count(*) AS n FROM conflicts').get() as { n: number };
    expect(conflicts.n, 'the stale priority change is kept as a conflict').toBe(1);
  });

  it('pages a pull and reports head and more', async () => {
    const first = await pull(server, pingli.token, `ws-${PINGLI}`, [{ partition: PINGLI, cursor: 0 }], 5);
    const page = first.body.pages[0];
    expect(page?.changes).toHaveLength(5);
    expect(page?.hasMore).toBe(true);
    expect(page?.cursor).toBe(page?.changes[4]?.seq);
    let cursor = page?.cursor ?? 0;
    let seen = 5;
    for (;;) {
      const next = await pull(server, pingli.token, `ws-${PINGLI}`, [{ partition: PINGLI, cursor }], 5);
      const p = next.body.pages[0];
      if (!p) throw new Error('no page');
      seen += p.changes.length;
      cursor = p.cursor;
      if (!p.hasMore) break;
    }
    expect(cursor).toBe(server.hub.partitionState(PINGLI).head);
    expect(seen).toBe(server.hub.partitionState(PINGLI).head);
  });
});

describe('conflicts', () => {
  it('keeps a concurrent status change as a conflict and lets the operator choose', async () => {
    await push(server, pingli.token, `ws-${PINGLI}`, [
      command(1, 'incident.create', burglaryCall('inc-c'), `op-${PINGLI}`, now),
    ]);
    // The city cancels it; Pingli, offline, saw it as received and marks it dispatched.
    await push(server, city.token, 'ws-city', [
      command(
        next('ws-city'),
        'incident.setStatus',
        { id: 'inc-c', status: 'cancelled', expected: { status: 'received' } },
        'city-dispatcher',
        now,
      ),
    ]);
    const stale = await push(server, pingli.token, `ws-${PINGLI}`, [
      command(
        2,
        'incident.setStatus',
        { id: 'inc-c', status: 'dispatched', expected: { status: 'received' } },
        `op-${PINGLI}`,
        now,
      ),
    ]);
    expect(stale.body.results[0]?.status, 'a conflict is not a rejection').toBe('applied');
    const status = () =>
      (server.hub.db.prepare("SELECT status FROM incidents WHERE id = 'inc-c'").get() as { status: string })
        .status;
    expect(status(), "the city's cancellation is not overwritten").toBe('cancelled');
    const pulled = await pullAll(pingli.token, `ws-${PINGLI}`, [PINGLI]);
    const conflict = pulled.pages[0]?.changes.find((c) => c.kind === 'conflict');
    expect(conflict?.record).toMatchObject({ field: 'status', mine: 'dispatched', theirs: 'cancelled' });
    const resolve = await push(server, pingli.token, `ws-${PINGLI}`, [
      command(3, 'conflict.resolve', { id: conflict?.id, choice: 'theirs' }, `op-${PINGLI}`, now),
    ]);
    expect(resolve.body.results[0]?.status).toBe('applied');
    const open = server.hub.db.prepare('SELECT count(*) AS n FROM conflicts WHERE resolved_at IS NULL').get();
    expect(open).toEqual({ n: 0 });
    expect(status()).toBe('cancelled');
  });
});

describe('live pokes', () => {
  it('pokes a connected workstation whose partition changed, and not one that cannot read it', async () => {
    const { WebSocket } = await import('ws');
    const open = (token: string) =>
      new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
        const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live`, ['desk-live', token]);
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    const pingliLive = await open(pingli.token);
    const cityLive = await open(city.token);
    const pokes: { who: string; partition: string }[] = [];
    pingliLive.on('message', (data) =>
      pokes.push({ who: 'pingli', ...(JSON.parse(String(data)) as { partition: string }) }),
    );
    const cityPoked = new Promise<void>((resolve) =>
      cityLive.on('message', (data) => {
        pokes.push({ who: 'city', ...(JSON.parse(String(data)) as { partition: string }) });
        resolve();
      }),
    );
    await cityCreates('inc-live', HANBIN);
    await cityPoked;
    await push(server, pingli.token, `ws-${PINGLI}`, [
      command(1, 'incident.create', burglaryCall('inc-live-p'), `op-${PINGLI}`, now),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pokes).toContainEqual(expect.objectContaining({ who: 'city', partition: HANBIN }));
    expect(pokes).toContainEqual(expect.objectContaining({ who: 'pingli', partition: PINGLI }));
    expect(
      pokes.filter((p) => p.who === 'pingli' && p.partition === HANBIN),
      'Pingli hears nothing of Hanbin',
    ).toEqual([]);
    const refused = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/v1/live?token=forged.token`);
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('open', () => resolve(101));
    });
    expect(refused).toBe(401);
    pingliLive.close();
    cityLive.close();
  });
});
