// The deferred search index: rows a pull writes are searchable at once (queue scan) and indexed later;
// edits and deletes never leave stale matches.
import { describe, expect, it } from 'vitest';
import { deleteIncident, getIncident, putIncident, searchIncidents } from '../src/main/db/incidents';
import { indexPendingIncidents, pendingSearchRows, startSearchIndexer } from '../src/main/db/search-index';
import type { Incident } from '../src/shared/domain/model';
import { CITY_ID } from '../src/shared/domain/model';
import { burglaryCall, HANBIN, HANBIN_CENTRE, makeDesk, PINGLI } from './helpers/desk';

function pulledIncident(id: string, address: string, summary: string): Incident {
  return {
    id,
    number: `${PINGLI}-20261129-S${id}`,
    countyId: PINGLI,
    source: 'call_110',
    category: 'theft',
    priority: 3,
    status: 'received',
    callerName: '赵女士',
    callerPhone: '13700001111',
    address,
    summary,
    notes: '',
    location: { lng: 109.3, lat: 32.4 },
    receivedAt: Date.UTC(2026, 10, 29),
    updatedAt: Date.UTC(2026, 10, 29),
    disposition: '',
    assignedOrgId: null,
    mergedIntoId: null,
    caseId: null,
    createdBy: 'op-610926',
  };
}

const ids = (list: Incident[]): string[] => list.map((incident) => incident.id).sort();

describe('the deferred search index', () => {
  it('indexes a local command inside the command, leaving nothing queued', () => {
    const { desk, db, pingli } = makeDesk();
    const created = desk.command(pingli, 'incident.create', burglaryCall({ address: '平利县老县镇锦屏村' }));
    expect(pendingSearchRows(db), 'a local incident was left for the background indexer').toBe(0);
    expect(ids(searchIncidents(db, '老县镇', undefined, 10))).toEqual([created.id]);
  });

  it('finds rows written by a pull before and after they are indexed', () => {
    const { db } = makeDesk();
    putIncident(db, pulledIncident('p1', '平利县八仙镇龙洞河村', '摩托车被盗'));
    putIncident(db, pulledIncident('p2', '平利县西河镇', '店铺被盗'));
    expect(pendingSearchRows(db)).toBe(2);
    expect(ids(searchIncidents(db, '八仙镇', undefined, 10)), 'a queued row was not found').toEqual(['p1']);
    expect(
      ids(searchIncidents(db, '被盗', undefined, 10)),
      'two-character search missed a queued row',
    ).toEqual(['p1', 'p2']);
    expect(indexPendingIncidents(db, 10)).toBe(2);
    expect(pendingSearchRows(db)).toBe(0);
    expect(ids(searchIncidents(db, '八仙镇', undefined, 10)), 'an indexed row was not found').toEqual(['p1']);
    expect(ids(searchIncidents(db, '0001111', undefined, 10)), 'partial phone not found').toEqual([
      'p1',
      'p2',
    ]);
  });

  it('forgets the old text of an edited row and the whole of a deleted one', () => {
    const { db } = makeDesk();
    putIncident(db, pulledIncident('p1', '平利县八仙镇龙洞河村', '摩托车被盗'));
    indexPendingIncidents(db, 10);
    const before = getIncident(db, 'p1');
    if (!before) throw new Error('the pulled incident is missing');
    putIncident(db, { ...before, address: '平利县正阳镇' });
    expect(
      ids(searchIncidents(db, '正阳镇', undefined, 10)),
      'the new address is not found while queued',
    ).toEqual(['p1']);
    expect(searchIncidents(db, '八仙镇', undefined, 10), 'the old address still matches').toEqual([]);
    indexPendingIncidents(db, 10);
    expect(ids(searchIncidents(db, '正阳镇', undefined, 10))).toEqual(['p1']);
    expect(searchIncidents(db, '八仙镇', undefined, 10), 'the old address matches after re-indexing').toEqual(
      [],
    );
    deleteIncident(db, 'p1');
    expect(searchIncidents(db, '正阳镇', undefined, 10), 'a deleted incident is still found').toEqual([]);
    expect(() =>
      db.prepare("INSERT INTO incidents_fts (incidents_fts) VALUES ('integrity-check')").run(),
    ).not.toThrow();
  });

  it('catches up in the background in batches and stops when told', async () => {
    const { db } = makeDesk();
    for (let i = 0; i < 25; i += 1) putIncident(db, pulledIncident(`b${i}`, `平利县长安镇${i}组`, '纠纷'));
    const stop = startSearchIndexer(db, { batch: 10, intervalMs: 5 });
    for (let turn = 0; turn < 100 && pendingSearchRows(db) > 0; turn += 1)
      await new Promise((r) => setTimeout(r, 5));
    stop();
    expect(pendingSearchRows(db), 'the background indexer did not catch up').toBe(0);
    expect(searchIncidents(db, '长安镇', undefined, 100)).toHaveLength(25);
  });

  it('keeps a county operator to their own county and the city, also after an incident moves', () => {
    const { desk, db, city } = makeDesk();
    const pingliCall = desk.command(
      city,
      'incident.create',
      burglaryCall({ summary: '仓库失窃电缆若干', countyId: PINGLI }),
    );
    const hanbinCall = desk.command(
      city,
      'incident.create',
      burglaryCall({ summary: '仓库失窃电缆若干', countyId: HANBIN, location: HANBIN_CENTRE }),
    );
    expect(ids(searchIncidents(db, '失窃电缆', undefined, 10))).toEqual(ids([pingliCall, hanbinCall]));
    expect(
      ids(searchIncidents(db, '失窃电缆', [PINGLI, CITY_ID], 10)),
      'Pingli sees a Hanbin incident',
    ).toEqual([pingliCall.id]);
    desk.command(city, 'incident.update', { id: hanbinCall.id, patch: { countyId: PINGLI } });
    expect(
      ids(searchIncidents(db, '失窃电缆', [PINGLI, CITY_ID], 10)),
      'a moved incident keeps its old county',
    ).toEqual(ids([pingliCall, hanbinCall]));
    expect(
      searchIncidents(db, '失窃电缆', [HANBIN, CITY_ID], 10),
      'Hanbin still finds the incident it gave away',
    ).toEqual([]);
  });

  it('indexes a new row edited before it was indexed exactly once', () => {
    const { db } = makeDesk();
    putIncident(db, pulledIncident('p1', '平利县八仙镇龙洞河村', '摩托车被盗'));
    const stored = getIncident(db, 'p1');
    if (!stored) throw new Error('the pulled incident is missing');
    putIncident(db, { ...stored, address: '平利县正阳镇' });
    expect(indexPendingIncidents(db, 10)).toBe(2);
    const docs = db.prepare('SELECT count(*) AS n FROM incidents_fts_docsize').get() as { n: number };
    expect(docs.n, 'the row has more than one entry in the search index').toBe(1);
    expect(ids(searchIncidents(db, '正阳镇', undefined, 10))).toEqual(['p1']);
    expect(searchIncidents(db, '八仙镇', undefined, 10)).toEqual([]);
  });
});
