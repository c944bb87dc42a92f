// The audit trail is a hash chain: a changed, removed or re-hashed entry is found, and named by its sequence number.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditVerifyResult } from '../src/shared/contract';
import { burglaryCall, makeDesk, type TestDesk } from './helpers/desk';

let t: TestDesk;
let entries: number;

beforeEach(() => {
  t = makeDesk();
  const incident = t.desk.command(t.pingli, 'incident.create', burglaryCall());
  const order = t.desk.command(t.pingli, 'order.issue', {
    incidentId: incident.id,
    template: 'checkpoint_search',
    title: '设卡盘查：长安镇',
    targets: [
      { targetKind: 'checkpoint', targetId: '610926-CP-02' },
      { targetKind: 'org', targetId: '610926-TB' },
    ],
  });
  t.desk.command(t.pingli, 'order.sign', { orderId: order.id, targetId: '610926-TB' });
  t.desk.command(t.pingli, 'incident.addNote', { id: incident.id, text: '嫌疑车辆为白色面包车' });
  entries = (t.db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
});

const verify = (): AuditVerifyResult => t.desk.query(t.supervisor, 'audit.verify', {});

describe('the audit chain', () => {
  it('holds after ordinary work', () => {
    expect(entries).toBeGreaterThanOrEqual(6);
    expect(verify()).toEqual({ ok: true, checked: entries, firstBroken: null });
  });

  it('names the entry whose content was changed afterwards', () => {
    const k = 3;
    t.db.prepare(`UPDATE audit SET after = json_set(after, '$.status', 'closed') WHERE seq = ?`).run(k);
    const result = verify();
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ seq: k, reason: `entry ${k} was changed after it was written` });
    expect(result.checked).toBe(k - 1);
  });

  it('names a changed operator or time as well as a changed record', () => {
    t.db.prepare("UPDATE audit SET operator_id = 'someone-else' WHERE seq = 2").run();
    expect(verify().firstBroken?.seq).toBe(2);
    t.db.prepare("UPDATE audit SET operator_id = 'op-610926' WHERE seq = 2").run();
    expect(verify().ok, 'putting the value back restores the chain').toBe(true);
    t.db.prepare('UPDATE audit SET at = at + 1 WHERE seq = 5').run();
    expect(verify().firstBroken?.seq).toBe(5);
  });

  it('names a removed entry', () => {
    t.db.prepare('DELETE FROM audit WHERE seq = 4').run();
    const result = verify();
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ seq: 4, reason: 'entry 4 is missing' });
  });

  it('names an entry whose hash was overwritten along with its content', () => {
    const k = 2;
    t.db
      .prepare("UPDATE audit SET after = json_set(after, '$.priority', 4), hash = ? WHERE seq = ?")
      .run('f'.repeat(64), k);
    const result = verify();
    expect(result.ok).toBe(false);
    expect(result.firstBroken?.seq).toBe(k);
  });

  it('names the next entry when a change is hidden by recomputing the changed entry’s hash', async () => {
    const { createHash } = await import('node:crypto');
    const k = 2;
    const row = t.db.prepare('SELECT * FROM audit WHERE seq = ?').get(k) as Record<string, string | number>;
    const after = JSON.stringify({ ...(JSON.parse(String(row.after)) as object), priority: 4 });
    // The same canonical form the store hashes: every column but the hash, in table order.
    const canonical = JSON.stringify([
      row.seq,
      row.at,
      row.operator_id,
      row.workstation_id,
      row.command_id,
      row.command,
      row.entity_kind,
      row.entity_id,
      row.county_id,
      row.before,
      after,
      row.prev_hash,
    ]);
    const forged = createHash('sha256').update(canonical).digest('hex');
    t.db.prepare('UPDATE audit SET after = ?, hash = ? WHERE seq = ?').run(after, forged, k);
    const result = verify();
    expect(result.ok).toBe(false);
    expect(result.firstBroken).toEqual({ seq: k + 1, reason: `entry ${k + 1} does not follow entry ${k}` });
    expect(result.checked).toBe(k);
  });

  it('is readable only by those who supervise', () => {
    const list = t.desk.query(t.supervisor, 'audit.list', { limit: 3 });
    expect(list.map((entry) => entry.seq)).toEqual([entries, entries - 1, entries - 2]);
    expect(list[0]?.prevHash).toBe(list[1]?.hash);
  });
});
