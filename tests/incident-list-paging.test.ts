// incident.list paged by cursor: the pages a console reads one after another hold every incident of its scope
// exactly once and in the list's order, the same order as offset paging, and a bad cursor is refused by name.
import { describe, expect, it } from 'vitest';
import { putIncident } from '../src/main/db/incidents';
import type { Incident, IncidentStatus } from '../src/shared/domain/model';
import { HANBIN, makeDesk, MORNING, PINGLI, type TestDesk } from './helpers/desk';

const STATUSES: IncidentStatus[] = ['received', 'dispatched', 'on_scene', 'closed'];
const OPEN: IncidentStatus[] = ['received', 'dispatched', 'on_scene', 'handled'];

/** Incidents spread over two counties and four statuses, several received at the very same moment. */
function seed(t: TestDesk, count: number): Incident[] {
  const made: Incident[] = [];
  for (let n = 0; n < count; n += 1) {
    const incident: Incident = {
      id: `page-${n}`,
      number: `${n % 3 === 0 ? HANBIN : PINGLI}-P${n}`,
      countyId: n % 3 === 0 ? HANBIN : PINGLI,
      source: 'call_110',
      category: 'theft',
      priority: 1 + (n % 4),
      status: STATUSES[n % STATUSES.length] as IncidentStatus,
      callerName: '',
      callerPhone: '',
      address: `长安镇${n}号`,
      summary: '',
      notes: '',
      location: { lng: 109.28, lat: 32.47 },
      // Groups of five share a receipt time, so the order's tie-break is exercised across page edges.
      receivedAt: MORNING - Math.floor(n / 5) * 60_000,
      updatedAt: MORNING,
      disposition: '',
      assignedOrgId: null,
      mergedIntoId: null,
      caseId: null,
      createdBy: 'op-test',
    };
    putIncident(t.db, incident);
    made.push(incident);
  }
  return made;
}

function readByCursor(
  t: TestDesk,
  input: { status?: IncidentStatus[]; limit: number },
  actor = t.city,
): { ids: string[]; pages: number; total: number } {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  let total = -1;
  for (;;) {
    const page = t.desk.query(actor, 'incident.list', cursor ? { ...input, cursor } : input);
    pages += 1;
    total = page.total;
    ids.push(...page.items.map((incident) => incident.id));
    if (!page.next) break;
    cursor = page.next;
    if (pages > 1000) throw new Error('the cursor never reached the end of the list');
  }
  return { ids, pages, total };
}

function readByOffset(t: TestDesk, input: { status?: IncidentStatus[]; limit: number }): string[] {
  const ids: string[] = [];
  for (let offset = 0; ; offset += input.limit) {
    const page = t.desk.query(t.city, 'incident.list', { ...input, offset });
    ids.push(...page.items.map((incident) => incident.id));
    if (page.items.length < input.limit) return ids;
  }
}

describe('incident.list paged by cursor', () => {
  it('reads every open incident once, newest first, in the same order as offset paging', () => {
    const t = makeDesk();
    seed(t, 230);
    const byCursor = readByCursor(t, { status: OPEN, limit: 40 });
    const open = t.desk.query(t.city, 'incident.list', { status: OPEN, limit: 1 }).total;
    expect(byCursor.total, 'the total should count the scope, not the page').toBe(open);
    expect(new Set(byCursor.ids).size, 'an incident came twice across the pages').toBe(byCursor.ids.length);
    expect(byCursor.ids, 'the pages should hold exactly the open incidents').toHaveLength(open);
    expect(byCursor.ids, 'cursor pages and offset pages should agree on the order').toEqual(
      readByOffset(t, { status: OPEN, limit: 40 }),
    );
    expect(byCursor.pages, 'a last page that ends the list should say so with no next').toBe(
      Math.ceil(open / 40),
    );
  });

  it('reads the whole store when no status is given, and keeps to a county operator’s jurisdiction', () => {
    const t = makeDesk();
    const made = seed(t, 120);
    const all = readByCursor(t, { limit: 25 });
    expect(all.ids.sort()).toEqual(made.map((incident) => incident.id).sort());
    const pingli = readByCursor(t, { limit: 25 }, t.pingli);
    expect(pingli.ids.sort(), 'a county operator read incidents of another county').toEqual(
      made
        .filter((incident) => incident.countyId === PINGLI)
        .map((incident) => incident.id)
        .sort(),
    );
  });

  it('continues after the cursor even when newer incidents arrived meanwhile', () => {
    const t = makeDesk();
    seed(t, 60);
    const first = t.desk.query(t.city, 'incident.list', { limit: 20 });
    const newer = { ...(first.items[0] as Incident), id: 'page-newer', receivedAt: MORNING + 60_000 };
    putIncident(t.db, newer);
    const second = t.desk.query(t.city, 'incident.list', { limit: 20, cursor: first.next ?? '' });
    expect(second.items.map((incident) => incident.id)).not.toContain('page-newer');
    expect(second.items[0]?.id, 'the second page should start right after the first').toBe(
      readByOffset(t, { limit: 20 })[21],
    );
  });

  it('refuses a cursor it did not give, naming it', () => {
    const t = makeDesk();
    expect(() => t.desk.query(t.city, 'incident.list', { limit: 10, cursor: 'page-3' })).toThrow(/cursor/);
  });
});
