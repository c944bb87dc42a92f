// A push batch is applied in one transaction with the audit chain's tail, the actors and the partitions' heads kept
// in memory and the change log written once per touched record at the end: a rejected command in the middle must
// leave nothing of itself, the audit chain must verify entry by entry, and the log and checksums must equal what
// command-by-command pushes and a recomputation from scratch give.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyAudit } from '../../src/main/db/audit';
import { liveRecords, partitionChecksum } from '../../src/main/sync/checksum';
import { canonicalJson } from '../../src/shared/canonical';
import { demoPassword, demoSecret } from '../../src/server/admin';
import { SyncHub } from '../../src/server/hub';
import type { Session } from '../../src/server/auth';
import type { PushedCommand, PushStatus } from '../../src/shared/sync';
import { burglaryCall, demoSession, CHANGAN, demoDataDir, HANBIN, HANBIN_CENTRE, PINGLI, V } from './helpers';

const START = Date.UTC(2026, 10, 29, 2, 0, 0);
const CITY_WS = 'ws-city';
const DISPATCHER = 'city-dispatcher';

const hubs: { hub: SyncHub; dir: string }[] = [];

afterEach(() => {
  for (const { hub, dir } of hubs.splice(0)) {
    hub.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

function openHub(): { hub: SyncHub; session: Session } {
  const dir = demoDataDir();
  const hub = SyncHub.open(dir, { now: () => START });
  hubs.push({ hub, dir });
  return { hub, session: demoSession(hub, DISPATCHER, CITY_WS) };
}

function commands(list: readonly (readonly [string, unknown])[], first = 1): PushedCommand[] {
  return list.map(([name, input], i) => ({
    commandId: `cmd-batch-${first + i}`,
    counter: first + i,
    name,
    input,
    operatorId: DISPATCHER,
    at: START + (first + i) * 1000,
  }));
}

function push(hub: SyncHub, session: Session, batch: PushedCommand[]): PushStatus[] {
  return hub.push(session, { ...V, workstationId: CITY_WS, commands: batch }).results.map((r) => r.status);
}

function partitions(hub: SyncHub): string[] {
  return (hub.db.prepare('SELECT id FROM jurisdictions ORDER BY id').all() as { id: string }[]).map(
    (r) => r.id,
  );
}

/** The live puts of a partition's log: kind, id, hash and record, in a stable order. */
function loggedPuts(hub: SyncHub, partition: string): string[] {
  return (
    hub.db
      .prepare(
        "SELECT kind, id, hash, record FROM changes WHERE partition = ? AND op = 'put' ORDER BY kind, id",
      )
      .all(partition) as { kind: string; id: string; hash: string; record: string }[]
  ).map((row) => `${row.kind} ${row.id} ${row.hash} ${row.record}`);
}

/**
 * Every partition's running checksum equals a recomputation, its live puts are exactly its records, and each put
 * holds its record as the store has it now, byte for byte (canonical JSON of the row read back).
 */
function expectLogMatchesStore(hub: SyncHub): void {
  for (const partition of partitions(hub)) {
    expect(hub.partitionState(partition).checksum, `running checksum of partition ${partition}`).toBe(
      partitionChecksum(hub.db, partition),
    );
    const logged = hub.db
      .prepare("SELECT kind, id, record FROM changes WHERE partition = ? AND op = 'put' ORDER BY kind, id")
      .all(partition) as { kind: string; id: string; record: string }[];
    const live = liveRecords(hub.db, partition)
      .map((r) => ({ kind: r.kind, id: r.id, record: canonicalJson(r.record) }))
      .sort((a, b) => (`${a.kind} ${a.id}` < `${b.kind} ${b.id}` ? -1 : 1));
    expect(logged, `live records logged in partition ${partition}`).toEqual(live);
  }
}

// Two incidents, then a case whose second incident does not exist: the case command links the first incident
// (an audit entry, a timeline entry, a changed incident) before it fails, so its savepoint has something to undo.
const FIVE = [
  ['incident.create', burglaryCall('inc-1', { countyId: PINGLI })],
  ['incident.create', burglaryCall('inc-2', { countyId: PINGLI })],
  [
    'case.create',
    { id: 'case-x', title: '系列盗窃', countyId: PINGLI, incidentIds: ['inc-1', 'inc-missing'] },
  ],
  ['incident.addNote', { id: 'inc-2', text: '现场已封锁' }],
  ['incident.update', { id: 'inc-1', patch: { priority: 2 } }],
] as const;

describe('a push batch applied in one transaction', () => {
  it('rolls back the third of five commands alone; the audit chain verifies and the log matches the store', () => {
    const { hub, session } = openHub();
    const batch = commands(FIVE);
    const reply = hub.push(session, { ...V, workstationId: CITY_WS, commands: batch });
    expect(reply.results.map((r) => r.status)).toEqual([
      'applied',
      'applied',
      'rejected',
      'applied',
      'applied',
    ]);
    expect(reply.results[2]?.error?.code).toBe('not_found');

    const audit = verifyAudit(hub.db);
    expect(audit, 'the audit chain verifies entry by entry').toMatchObject({ ok: true, firstBroken: null });
    const entries = hub.db.prepare('SELECT command_id, entity_id FROM audit ORDER BY seq').all() as {
      command_id: string;
      entity_id: string;
    }[];
    expect(audit.checked).toBe(entries.length);
    expect(
      entries.filter((e) => e.command_id === 'cmd-batch-3'),
      'the rejected command leaves no audit entry',
    ).toEqual([]);
    expect(entries.map((e) => e.command_id)).toEqual([
      'cmd-batch-1',
      'cmd-batch-2',
      'cmd-batch-4',
      'cmd-batch-5',
    ]);

    const inc1 = hub.db.prepare("SELECT case_id, priority FROM incidents WHERE id = 'inc-1'").get();
    expect(inc1, 'the rejected case did not link inc-1; the later update did apply').toEqual({
      case_id: null,
      priority: 2,
    });
    expect(hub.db.prepare("SELECT count(*) AS n FROM timeline WHERE kind = 'case_linked'").get()).toEqual({
      n: 0,
    });
    expect(hub.db.prepare("SELECT count(*) AS n FROM changes WHERE id = 'case-x'").get()).toEqual({ n: 0 });

    // Each record is logged once, in its state at the end of the batch.
    const logged = hub.db
      .prepare("SELECT record FROM changes WHERE kind = 'incident' AND id = 'inc-1'")
      .all() as {
      record: string;
    }[];
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]?.record ?? 'null')).toMatchObject({ id: 'inc-1', priority: 2, caseId: null });
    expectLogMatchesStore(hub);

    // A resend of the whole batch changes nothing and answers the rejected command with the same reason.
    const head = hub.partitionState(PINGLI);
    const again = hub.push(session, { ...V, workstationId: CITY_WS, commands: batch });
    expect(again.results.map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'rejected',
      'duplicate',
      'duplicate',
    ]);
    expect(again.results[2]?.error).toEqual(reply.results[2]?.error);
    expect(hub.partitionState(PINGLI)).toEqual(head);
    expect(verifyAudit(hub.db).checked).toBe(audit.checked);
  });

  it('still detects a changed audit entry written in a batch', () => {
    const { hub, session } = openHub();
    push(hub, session, commands(FIVE));
    const seq = (
      hub.db.prepare("SELECT seq FROM audit WHERE command_id = 'cmd-batch-4'").get() as { seq: number }
    ).seq;
    hub.db
      .prepare("UPDATE audit SET after = replace(after, '现场已封锁', '现场未封锁') WHERE seq = ?")
      .run(seq);
    expect(verifyAudit(hub.db)).toMatchObject({
      ok: false,
      firstBroken: { seq, reason: `entry ${seq} was changed after it was written` },
    });
  });

  it('writes the same live log and checksums as pushing the commands one by one, moves included', () => {
    const story = [
      ...FIVE,
      ['incident.create', burglaryCall('inc-3', { countyId: PINGLI, location: CHANGAN })],
      ['incident.addRef', { id: 'inc-3', ref: { kind: 'vehicle', plate: '陕G12345' } }],
      ['case.create', { id: 'case-1', title: '系列盗窃', countyId: PINGLI, incidentIds: ['inc-1', 'inc-3'] }],
      // inc-3 leaves Pingli with its timeline and ref; inc-2 goes to Hanbin and comes back in the same batch.
      ['incident.update', { id: 'inc-3', patch: { countyId: HANBIN, location: HANBIN_CENTRE } }],
      ['incident.update', { id: 'inc-2', patch: { countyId: HANBIN } }],
      ['incident.addNote', { id: 'inc-2', text: '转汉滨' }],
      ['incident.update', { id: 'inc-2', patch: { countyId: PINGLI } }],
      ['incident.setStatus', { id: 'inc-1', status: 'dispatched' }],
    ] as const;
    const all = commands(story);
    // Two batches, so the second one moves records that are already in the log.
    const batched = openHub();
    const single = openHub();
    const batchedStatuses = [
      ...push(batched.hub, batched.session, all.slice(0, 7)),
      ...push(batched.hub, batched.session, all.slice(7)),
    ];
    const singleStatuses = all.flatMap((c) => push(single.hub, single.session, [c]));
    expect(batchedStatuses).toEqual(singleStatuses);
    expect(batchedStatuses.filter((s) => s === 'rejected')).toHaveLength(1);

    for (const partition of partitions(batched.hub)) {
      expect(loggedPuts(batched.hub, partition), `live log of partition ${partition}`).toEqual(
        loggedPuts(single.hub, partition),
      );
      expect(batched.hub.partitionState(partition).checksum, `checksum of partition ${partition}`).toBe(
        single.hub.partitionState(partition).checksum,
      );
    }
    // inc-3 and its children left Pingli: deletes there, puts in Hanbin.
    const deleted = batched.hub.db
      .prepare("SELECT DISTINCT kind FROM changes WHERE partition = ? AND op = 'delete' ORDER BY kind")
      .all(PINGLI) as { kind: string }[];
    expect(deleted.map((r) => r.kind)).toEqual(['incident', 'ref', 'timeline']);
    expectLogMatchesStore(batched.hub);
    expect(verifyAudit(batched.hub.db).ok).toBe(true);
  });

  it('applies a command repeated inside one batch once, and refuses a counter or an id used for another command', () => {
    const { hub, session } = openHub();
    // Pingli's workstation pushes first, so one command id is already taken by another workstation.
    const pingli = hub.login({
      ...V,
      operatorId: `op-${PINGLI}`,
      password: demoPassword(`op-${PINGLI}`),
      workstationId: `ws-${PINGLI}`,
      workstationSecret: demoSecret(`ws-${PINGLI}`),
    });
    const theirs = {
      commandId: 'cmd-theirs',
      counter: 1,
      name: 'incident.create',
      input: burglaryCall('inc-theirs', { countyId: PINGLI }),
      operatorId: `op-${PINGLI}`,
      at: START,
    };
    expect(
      hub.push(hub.session(pingli.token), { ...V, workstationId: `ws-${PINGLI}`, commands: [theirs] })
        .results,
    ).toMatchObject([{ status: 'applied' }]);

    const [first, second] = commands([
      ['incident.create', burglaryCall('inc-a', { countyId: PINGLI })],
      ['incident.create', burglaryCall('inc-b', { countyId: PINGLI })],
    ]) as [PushedCommand, PushedCommand];
    const batch = [
      first,
      first, // the same command twice in one request
      { ...second, counter: first.counter }, // another command under a counter the batch just used
      { ...first, counter: 7 }, // the same command again under a new counter: still that command
      { ...second, commandId: 'cmd-theirs' }, // a command id another workstation used
      second,
    ];
    const reply = hub.push(session, { ...V, workstationId: CITY_WS, commands: batch });
    expect(reply.results.map((r) => r.status)).toEqual([
      'applied',
      'duplicate',
      'rejected',
      'duplicate',
      'rejected',
      'applied',
    ]);
    for (const refused of [reply.results[2], reply.results[4]])
      expect(refused?.error?.message).toMatch(/was already used for another command/);
    expect(reply.results[4]?.error?.message).toContain(`ws-${PINGLI} #1 cmd-theirs`);
    expect(
      hub.db.prepare("SELECT id FROM incidents WHERE id IN ('inc-a', 'inc-b') ORDER BY id").all(),
    ).toEqual([{ id: 'inc-a' }, { id: 'inc-b' }]);
    expect(
      hub.db
        .prepare('SELECT counter, command_id, status FROM received_commands WHERE workstation_id = ?')
        .all(CITY_WS),
      'one outcome per command actually received',
    ).toEqual([
      { counter: first.counter, command_id: first.commandId, status: 'applied' },
      { counter: second.counter, command_id: second.commandId, status: 'applied' },
    ]);
    expect(verifyAudit(hub.db).ok).toBe(true);
    expectLogMatchesStore(hub);
  });

  it('refuses a create whose incident id is taken and leaves no trace of it, not even a used-up number', () => {
    const { hub, session } = openHub();
    const batch = commands([
      ['incident.create', burglaryCall('inc-a', { countyId: PINGLI, number: undefined })],
      ['incident.create', burglaryCall('inc-a', { countyId: PINGLI, number: undefined, summary: '另一起' })],
      ['incident.create', burglaryCall('inc-b', { countyId: PINGLI, number: undefined })],
    ]);
    const reply = hub.push(session, { ...V, workstationId: CITY_WS, commands: batch });
    expect(reply.results.map((r) => r.status)).toEqual(['applied', 'rejected', 'applied']);
    expect(reply.results[1]?.error).toMatchObject({
      code: 'conflict',
      message: 'incident inc-a already exists',
      details: { id: 'inc-a' },
    });
    const rows = hub.db.prepare('SELECT id, number, summary FROM incidents ORDER BY id').all() as {
      id: string;
      number: string;
      summary: string;
    }[];
    expect(rows.map((r) => r.id)).toEqual(['inc-a', 'inc-b']);
    expect(rows[0]?.summary, 'the first create is kept as it was').not.toBe('另一起');
    // The refused create drew a number before the key refused it; its savepoint gave the number back.
    expect(rows.map((r) => r.number.slice(-4))).toEqual(['0001', '0002']);
    expect(
      hub.db.prepare("SELECT count(*) AS n FROM audit WHERE command_id = 'cmd-batch-2'").get(),
      'no audit entry for the refused create',
    ).toEqual({ n: 0 });
    expect(hub.db.prepare("SELECT count(*) AS n FROM timeline WHERE incident_id = 'inc-a'").get()).toEqual({
      n: 1,
    });
    expectLogMatchesStore(hub);
    expect(verifyAudit(hub.db).ok).toBe(true);
  });

  it('logs created incidents and timeline entries as stored: a lone surrogate as SQLite kept it, a later change', () => {
    const { hub, session } = openHub();
    const statuses = push(
      hub,
      session,
      commands([
        [
          'incident.create',
          burglaryCall('inc-lone', {
            countyId: PINGLI,
            summary: 'lone \ud800 surrogate',
            address: '长安镇\udc00', // in its timeline entry's text too
          }),
        ],
        ['incident.create', burglaryCall('inc-pair', { countyId: PINGLI, callerName: '王\ud83d\ude00' })],
        ['incident.create', burglaryCall('inc-plain', { countyId: PINGLI })],
        ['incident.create', burglaryCall('inc-later', { countyId: PINGLI })],
        ['incident.update', { id: 'inc-later', patch: { priority: 1, summary: '改' } }],
      ]),
    );
    expect(statuses).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    const record = (id: string): Record<string, unknown> =>
      JSON.parse(
        (
          hub.db.prepare("SELECT record FROM changes WHERE kind = 'incident' AND id = ?").get(id) as {
            record: string;
          }
        ).record,
      ) as Record<string, unknown>;
    const stored = hub.db.prepare("SELECT summary FROM incidents WHERE id = 'inc-lone'").get() as {
      summary: string;
    };
    expect(stored.summary, 'SQLite does not keep a lone surrogate').not.toBe('lone \ud800 surrogate');
    expect(record('inc-lone').summary, 'the summary as the row holds it').toBe(stored.summary);
    expect(record('inc-pair').callerName).toBe('王\ud83d\ude00');
    expect(record('inc-later')).toMatchObject({ priority: 1, summary: '改' });
    expectLogMatchesStore(hub);
  });

  it('looks actors up per batch but still refuses an operator who never signed in on the workstation', () => {
    const { hub, session } = openHub();
    const batch = commands([
      ['incident.create', burglaryCall('inc-a', { countyId: PINGLI })],
      ['incident.create', burglaryCall('inc-b', { countyId: PINGLI })],
      ['incident.create', burglaryCall('inc-c', { countyId: PINGLI })],
    ]);
    const stranger = { ...batch[1]!, operatorId: 'city-commander' };
    const statuses = push(hub, session, [batch[0]!, stranger, batch[2]!]);
    expect(statuses).toEqual(['applied', 'rejected', 'applied']);
    expect(hub.db.prepare("SELECT count(*) AS n FROM incidents WHERE id = 'inc-b'").get()).toEqual({ n: 0 });
    expectLogMatchesStore(hub);
  });
});
