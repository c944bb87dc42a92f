// The write mode the shadow triggers read: a local write keeps the server's version of the row, a pulled (server)
// write drops it, a restore leaves shadows alone; and the mode comes back after a write that failed and was rolled
// back, so the operator's next command is still captured.
import { describe, expect, it } from 'vitest';
import { openDatabase, type DB } from '../../src/main/db/connection';
import { getIncident, putIncident } from '../../src/main/db/incidents';
import { installShadows, shadowCount, withWriteMode } from '../../src/main/sync/shadow';
import type { Incident } from '../../src/shared/domain/model';

const INCIDENT: Incident = {
  id: 'inc-shadow-1',
  number: '610926-20261130-0001',
  countyId: '610926',
  source: 'call_110',
  category: 'theft',
  priority: 2,
  status: 'received',
  callerName: '王先生',
  callerPhone: '13912345678',
  address: '平利县长安镇中心街1号',
  summary: '入室盗窃',
  notes: '',
  location: { lng: 109.2852, lat: 32.4702 },
  receivedAt: 1_764_460_000_000,
  updatedAt: 1_764_460_000_000,
  disposition: '',
  assignedOrgId: null,
  mergedIntoId: null,
  caseId: null,
  createdBy: 'op-610926',
};

function shadowOf(db: DB, id: string): { summary: string | null; _existed: number } | undefined {
  return db.prepare('SELECT summary, _existed FROM shadow_incidents WHERE id = ?').get(id) as
    { summary: string | null; _existed: number } | undefined;
}

function storeWithServerIncident(): DB {
  const db = openDatabase(':memory:');
  installShadows(db);
  withWriteMode(db, 'server', () => putIncident(db, INCIDENT));
  expect(shadowCount(db), 'a pulled row has no shadow').toBe(0);
  return db;
}

describe('shadow write modes', () => {
  it('captures a local change once, drops it on a server write, and leaves it alone while restoring', () => {
    const db = storeWithServerIncident();
    putIncident(db, { ...INCIDENT, summary: '本地第一次' });
    putIncident(db, { ...INCIDENT, summary: '本地第二次' });
    expect(shadowOf(db, INCIDENT.id), 'the first capture keeps the server version').toEqual({
      summary: '入室盗窃',
      _existed: 1,
    });

    withWriteMode(db, 'restore', () => putIncident(db, { ...INCIDENT, summary: '恢复中' }));
    expect(shadowOf(db, INCIDENT.id)?.summary, 'a restore neither captures nor drops').toBe('入室盗窃');

    withWriteMode(db, 'server', () => putIncident(db, { ...INCIDENT, summary: '服务器新版' }));
    expect(shadowOf(db, INCIDENT.id), 'the server wrote the row: it is confirmed').toBeUndefined();
    db.close();
  });

  it('is local again after a server write that failed inside its transaction', () => {
    const db = storeWithServerIncident();
    const pulled = db.transaction(() =>
      withWriteMode(db, 'server', () => {
        putIncident(db, { ...INCIDENT, summary: '拉取中' });
        throw new Error('the page failed half-way');
      }),
    );
    expect(() => pulled.immediate()).toThrow(/half-way/);
    expect(getIncident(db, INCIDENT.id)?.summary, 'the failed page left nothing').toBe('入室盗窃');

    putIncident(db, { ...INCIDENT, summary: '操作员的修改' });
    expect(shadowOf(db, INCIDENT.id), "the operator's next change is captured").toEqual({
      summary: '入室盗窃',
      _existed: 1,
    });
    db.close();
  });

  it('is local again after a server write that failed outside a transaction', () => {
    const db = storeWithServerIncident();
    expect(() =>
      withWriteMode(db, 'server', () => {
        throw new Error('no answer');
      }),
    ).toThrow(/no answer/);
    putIncident(db, { ...INCIDENT, summary: '操作员的修改' });
    expect(shadowOf(db, INCIDENT.id)?.summary).toBe('入室盗窃');
    db.close();
  });
});
