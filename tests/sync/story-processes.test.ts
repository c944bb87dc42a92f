// The story of DESIGN.md across real processes: a server, a city workstation and a Pingli substation over HTTP and
// WebSocket. The city issues a 设卡盘查 order to Pingli's units; Pingli's link drops, it signs and reports back
// offline, the link returns, and the city sees every signature and report once, in the order they were made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DispatchProposal, SyncStatus } from '../../src/shared/contract';
import type { Incident, Order, OrderFeedback, TimelineEntry } from '../../src/shared/domain/model';
import { CITY_ID } from '../../src/shared/domain/model';
import {
  Cleanup,
  countIn,
  dumpIn,
  LinkProxy,
  seedServer,
  serverFile,
  startServerProcess,
  startWorkstation,
  waitFor,
  type ServerProcess,
  type WorkstationProcess,
} from './fixtures/processes';

const PINGLI = '610926';
const CHANGAN = { lng: 109.2852, lat: 32.4702 };

const cleanup = new Cleanup();
let serverDir: string;
let server: ServerProcess;
let link: LinkProxy;
let city: WorkstationProcess;
let pingli: WorkstationProcess;

beforeAll(async () => {
  serverDir = cleanup.dir('desk-story-server-');
  const tokens = await seedServer(serverDir);
  server = await startServerProcess(cleanup, serverDir);
  link = cleanup.proxy(new LinkProxy(server.port));
  const viaLink = await link.listen();
  [city, pingli] = await Promise.all([
    startWorkstation(cleanup, 'city', {
      dataDir: cleanup.dir('desk-story-city-'),
      url: server.url,
      operatorId: 'city-dispatcher',
      password: 'demo-city-dispatcher',
      jurisdictionId: CITY_ID,
      enrollToken: tokens.get(CITY_ID),
    }).ready(),
    startWorkstation(cleanup, 'pingli', {
      dataDir: cleanup.dir('desk-story-pingli-'),
      url: viaLink,
      operatorId: `op-${PINGLI}`,
      password: `demo-op-${PINGLI}`,
      jurisdictionId: PINGLI,
      enrollToken: tokens.get(PINGLI),
    }).ready(),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all([city?.exit(), pingli?.exit()]);
  await server?.stop();
  await cleanup.run();
});

const status = (ws: WorkstationProcess) => ws.call<SyncStatus>('status');

describe('the story across a server, a city workstation and a Pingli substation', () => {
  let incident: Incident;
  let order: Order;
  /** The order in which Pingli signed and reported, target by target. */
  const signedInOrder: string[] = [];
  const reports: string[] = [];

  it('both workstations signed in online and hold the server’s units and checkpoints of Pingli', async () => {
    expect(city.online, 'the city signed in online').toBe(true);
    expect(pingli.online, 'Pingli signed in online').toBe(true);
    await waitFor('both workstations finished their first pull', async () => {
      const [a, b] = await Promise.all([status(city), status(pingli)]);
      return a.lastSyncAt !== null && b.lastSyncAt !== null && a.mode === 'online' && b.mode === 'online';
    });
    const onServer = dumpIn(serverFile(serverDir), PINGLI);
    expect(await pingli.call('dump', { partition: PINGLI })).toEqual(onServer);
  });

  it('the city records the Pingli burglary and issues one 设卡盘查 order to Pingli’s units; Pingli gets it live', async () => {
    incident = await city.command<Incident>('incident.create', {
      source: 'call_110',
      category: 'burglary',
      priority: 1,
      callerName: '王先生',
      callerPhone: '13912345678',
      address: '平利县长安镇中心街18号',
      summary: '多名嫌疑人入室盗窃后驾车逃离，车牌陕G开头',
      location: CHANGAN,
      countyId: PINGLI,
    });
    const proposal = await city.query<DispatchProposal>('dispatch.preview', {
      template: 'checkpoint_search',
      incidentId: incident.id,
      radiusKm: 15,
    });
    const targets = proposal.targets
      .filter((target) => target.countyId === PINGLI)
      .map((target) => ({ targetKind: target.targetKind, targetId: target.targetId }));
    expect(targets.length, 'the proposal names several Pingli units').toBeGreaterThanOrEqual(3);
    order = await city.command<Order>('order.issue', {
      incidentId: incident.id,
      template: 'checkpoint_search',
      title: proposal.title,
      content: proposal.content,
      targets,
      signDeadlineMin: 5,
    });
    expect(order.countyId).toBe(PINGLI);

    // No timer pulls while online: the order can only arrive because the server poked Pingli.
    const received = await waitFor('the order reached Pingli', async () => {
      const found = await pingli.query<Order>('order.get', { id: order.id }).catch(() => undefined);
      return found && found.targets.length === order.targets.length ? found : undefined;
    });
    expect(received.targets.map((t) => t.state)).toEqual(order.targets.map(() => 'issued'));
    const inbox = await pingli.query<unknown[]>('order.inbox', {});
    expect(inbox.length, 'every Pingli target is in Pingli’s inbox').toBeGreaterThanOrEqual(
      order.targets.length,
    );
    await waitFor('the city’s outbox drained', async () => (await status(city)).pending === 0);
  });

  it('with its link down, Pingli signs every target and reports back; its operator sees the work at once', async () => {
    link.cut();
    for (const target of order.targets) {
      const signed = await pingli.command<Order>('order.sign', {
        orderId: order.id,
        targetId: target.targetId,
      });
      expect(signed.targets.find((t) => t.targetId === target.targetId)?.state).toBe('signed');
      signedInOrder.push(target.targetId);
      // Distinct times, so "in order" is decided by the data and not by a tie.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    for (const target of [...order.targets].reverse()) {
      const text = `${target.name}：已到位设卡，盘查车辆${reports.length + 1}批`;
      await pingli.command('order.feedback', { orderId: order.id, targetId: target.targetId, text });
      reports.push(text);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const offline = await waitFor('Pingli noticed the link is down', async () => {
      const current = await status(pingli);
      return current.mode === 'offline' ? current : undefined;
    });
    expect(offline.pending, 'every offline command waits in the outbox').toBe(order.targets.length * 2);
    expect(offline.oldestPendingAt).not.toBeNull();
    const local = await pingli.query<Order>('order.get', { id: order.id });
    expect(
      local.targets.every((t) => t.state === 'reported'),
      'Pingli sees its own reports',
    ).toBe(true);

    // The city, still online, sees none of it yet.
    await city.call('sync');
    const atCity = await city.query<Order>('order.get', { id: order.id });
    expect(
      atCity.targets.every((t) => t.state === 'issued'),
      'nothing reached the city while Pingli was cut off',
    ).toBe(true);
  });

  it('when the link returns, Pingli drains and the city sees every signature and report, in order, once', async () => {
    link.restore();
    await waitFor('Pingli’s outbox drained after the link returned', async () => {
      const current = await status(pingli);
      return current.mode === 'online' && current.pending === 0;
    });
    // The city learns of it through a poke, with no request from the test.
    const atCity = await waitFor('the city sees every target reported', async () => {
      const current = await city.query<Order>('order.get', { id: order.id });
      return current.targets.every((t) => t.state === 'reported') ? current : undefined;
    });
    for (const target of atCity.targets) {
      expect(target.signedBy, `${target.name} was signed by Pingli's operator`).toBe(`op-${PINGLI}`);
      expect(target.signedAt).not.toBeNull();
    }

    const timeline = await city.query<TimelineEntry[]>('incident.timeline', { id: incident.id });
    const signs = timeline.filter((entry) => entry.kind === 'order_signed');
    expect(
      signs.map((entry) => entry.data.targetId),
      'the city sees the signatures in the order Pingli made them',
    ).toEqual(signedInOrder);
    const feedbackNotes = timeline.filter((entry) => entry.kind === 'order_feedback');
    expect(feedbackNotes).toHaveLength(reports.length);
    const feedback = await city.query<OrderFeedback[]>('order.feedbackList', { orderId: order.id });
    expect(
      feedback.map((item) => item.text),
      'the city reads the reports in the order Pingli wrote them, each once',
    ).toEqual(reports);

    // The same rows, counted in all three stores.
    const timelineSql = 'SELECT count(*) AS n FROM timeline WHERE incident_id = ?';
    const feedbackSql = 'SELECT count(*) AS n FROM order_feedback WHERE order_id = ?';
    const onServer = {
      timeline: countIn(serverFile(serverDir), timelineSql, incident.id),
      feedback: countIn(serverFile(serverDir), feedbackSql, order.id),
    };
    expect(onServer.feedback, 'the server stored each report once').toBe(reports.length);
    expect(
      countIn(serverFile(serverDir), `${timelineSql} AND kind = 'order_signed'`, incident.id),
      'the server stored each signature once',
    ).toBe(signedInOrder.length);
    for (const ws of [city, pingli]) {
      expect(await ws.count(timelineSql, incident.id), `${ws.name} holds the server's timeline`).toBe(
        onServer.timeline,
      );
      expect(await ws.count(feedbackSql, order.id), `${ws.name} holds the server's reports`).toBe(
        onServer.feedback,
      );
    }
    expect(
      countIn(
        serverFile(serverDir),
        "SELECT count(*) AS n FROM received_commands WHERE workstation_id = ? AND status = 'applied'",
        pingli.workstationId,
      ),
      'the server applied each of Pingli’s offline commands once',
    ).toBe(signedInOrder.length + reports.length);
    expect(pingli.pushed.filter((result) => result.status === 'rejected')).toEqual([]);

    // Every outbox is empty and both workstations hold exactly the server's Pingli and city partitions.
    await waitFor('the city finished pulling', async () => (await status(city)).pending === 0);
    await city.call('sync');
    await pingli.call('sync');
    for (const partition of [PINGLI, CITY_ID]) {
      const reference = dumpIn(serverFile(serverDir), partition);
      expect(await city.call('dump', { partition }), `the city's copy of partition ${partition}`).toEqual(
        reference,
      );
      expect(await pingli.call('dump', { partition }), `Pingli's copy of partition ${partition}`).toEqual(
        reference,
      );
    }
    for (const ws of [city, pingli]) {
      const current = await status(ws);
      expect(current, `${ws.name} is in sync`).toMatchObject({ mode: 'online', pending: 0, rejections: 0 });
    }
  });
});
