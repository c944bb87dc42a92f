// Pull answers are written by SQLite (each change's JSON and the page joined in one statement): they must be the
// bytes the change-by-change assembly in JavaScript gave, page by page, for a store with moves between counties,
// for city and county workstations and any page size.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MMAP_BYTES, PAGE_SQL, PAGE_SQL_SORTED, SyncHub, risesStrictly } from '../../src/server/hub';
import { EMPTY_CHECKSUM } from '../../src/main/sync/checksum';
import { scanPullAnswer } from '../../src/main/sync/pull-scan';
import type { Session } from '../../src/server/auth';
import { burglaryCall, demoSession, command, demoDataDir, HANBIN, HANBIN_CENTRE, PINGLI, V } from './helpers';

const CITY = '610900';
const NOW = Date.UTC(2026, 10, 29, 2, 0, 0);

let dir: string;
let hub: SyncHub;
let city: Session;
let pingli: Session;

function signIn(operatorId: string, workstationId: string): Session {
  return demoSession(hub, operatorId, workstationId);
}

/** The answer as the server assembled it before, from the rows read one by one (kept as the reference). */
function referencePull(
  session: Session,
  partitions: { partition: string; cursor: number }[],
  limit: number,
): string {
  const select = hub.db.prepare(
    'SELECT seq, kind, id, op, hash, record FROM changes WHERE partition = ? AND seq > ? ORDER BY seq LIMIT ?',
  );
  const state = hub.db.prepare('SELECT head, checksum FROM partitions WHERE id = ?');
  const pages = partitions.map(({ partition, cursor }) => {
    const rows = select.all(partition, cursor, limit + 1) as {
      seq: number;
      kind: string;
      id: string;
      op: string;
      hash: string;
      record: string;
    }[];
    const hasMore = rows.length > limit;
    if (hasMore) rows.pop();
    const p = (state.get(partition) as { head: number; checksum: string } | undefined) ?? {
      head: 0,
      checksum: EMPTY_CHECKSUM,
    };
    const changes = rows.map(
      (r) =>
        `{"seq":${r.seq},"partition":${JSON.stringify(partition)},"kind":${JSON.stringify(r.kind)},` +
        `"id":${JSON.stringify(r.id)},"op":${JSON.stringify(r.op)},"hash":${JSON.stringify(r.hash)},"record":${r.record}}`,
    );
    return (
      `{"partition":${JSON.stringify(partition)},"changes":[${changes.join(',')}],"cursor":${rows.at(-1)?.seq ?? cursor},` +
      `"head":${p.head},"hasMore":${hasMore},"checksum":"${p.checksum}"}`
    );
  });
  return `{"pages":[${pages.join(',')}],"serverTime":${NOW}}`;
}

/** Pages through to the heads with both assemblies; returns how many answers and changes there were. */
function compareToHead(
  session: Session,
  partitions: string[],
  limit: number,
): { answers: number; changes: number } {
  const cursors = new Map(partitions.map((partition) => [partition, 0]));
  let answers = 0;
  let changes = 0;
  for (;;) {
    const request = [...cursors].map(([partition, cursor]) => ({ partition, cursor }));
    const bytes = hub.pullJson(session, {
      ...V,
      workstationId: session.workstationId,
      partitions: request,
      limit,
    });
    expect(bytes.toString('utf8'), `answer ${answers} at limit ${limit}`).toBe(
      referencePull(session, request, limit),
    );
    // The workstation's quickest reading proves it as it came (tests/sync/pull-scan.test.ts).
    expect(
      scanPullAnswer(bytes, () => undefined),
      `answer ${answers} passes the pull reader's scan`,
    ).toBe(true);
    const answer = JSON.parse(bytes.toString('utf8')) as {
      pages: { partition: string; cursor: number; hasMore: boolean; changes: { seq: number }[] }[];
    };
    answers += 1;
    for (const page of answer.pages) {
      cursors.set(page.partition, page.cursor);
      changes += page.changes.length;
    }
    if (!answer.pages.some((page) => page.hasMore)) return { answers, changes };
  }
}

beforeAll(() => {
  dir = demoDataDir();
  hub = SyncHub.open(dir, { now: () => NOW });
  city = signIn('city-dispatcher', 'ws-city');
  pingli = signIn(`op-${PINGLI}`, `ws-${PINGLI}`);
  // Incidents in two counties with notes, some moved from Pingli to Hanbin and one back: deletes in the old
  // partition, puts in the new, children moving with their parents, records logged again at higher seqs.
  let counter = 0;
  const commands = [];
  for (let i = 0; i < 40; i += 1) {
    const countyId = i % 2 === 0 ? PINGLI : HANBIN;
    commands.push(
      command(
        ++counter,
        'incident.create',
        burglaryCall(`inc-${i}`, {
          countyId,
          ...(countyId === HANBIN ? { location: HANBIN_CENTRE, address: '汉滨区 "引号" \\ 地址' } : {}),
        }),
        'city-dispatcher',
        NOW,
      ),
    );
    commands.push(
      command(
        ++counter,
        'incident.addNote',
        { id: `inc-${i}`, text: `第${i}条\n备注` },
        'city-dispatcher',
        NOW,
      ),
    );
  }
  // Batches of their own: the change log is written once per batch, with each record's state at its end.
  const moves = [];
  for (let i = 0; i < 40; i += 4)
    moves.push(
      command(
        ++counter,
        'incident.update',
        { id: `inc-${i}`, patch: { countyId: HANBIN } },
        'city-dispatcher',
        NOW,
      ),
    );
  const back = [
    command(
      ++counter,
      'incident.update',
      { id: 'inc-0', patch: { countyId: PINGLI } },
      'city-dispatcher',
      NOW,
    ),
  ];
  for (const batch of [commands, moves, back]) {
    const answer = hub.push(city, { ...V, workstationId: 'ws-city', commands: batch });
    expect(answer.results.filter((r) => r.status !== 'applied')).toEqual([]);
  }
});

afterAll(() => {
  hub.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pull answers written by SQLite', () => {
  it('are the bytes of the change-by-change assembly for a city workstation, at every page size', () => {
    const partitions = hub.readable(city);
    const deletes = hub.db.prepare("SELECT count(*) AS n FROM changes WHERE op = 'delete' AND partition = ?");
    expect((deletes.get(PINGLI) as { n: number }).n, 'the store must hold moves').toBeGreaterThan(10);
    const all = (hub.db.prepare('SELECT count(*) AS n FROM changes').get() as { n: number }).n;
    for (const limit of [1, 2, 7, 50, 1000, 5000]) {
      const { answers, changes } = compareToHead(city, partitions, limit);
      expect(changes, `limit ${limit}: every change once`).toBe(all);
      if (limit === 1) expect(answers).toBeGreaterThan(50);
    }
  });

  it('are the same for a county workstation, which reads its county and the city', () => {
    const expected = (
      hub.db.prepare('SELECT count(*) AS n FROM changes WHERE partition IN (?, ?)').get(PINGLI, CITY) as {
        n: number;
      }
    ).n;
    for (const limit of [1, 3, 1000])
      expect(compareToHead(pingli, [PINGLI, CITY], limit).changes).toBe(expected);
  });

  it('start anywhere: at a cursor between seqs, at the head and past it', () => {
    const head = hub.partitionState(PINGLI).head;
    for (const cursor of [0, 5, Math.floor(head / 2), head - 1, head, head + 10]) {
      const request = [
        { partition: PINGLI, cursor },
        { partition: HANBIN, cursor },
      ];
      const bytes = hub.pullJson(city, { ...V, workstationId: 'ws-city', partitions: request, limit: 4 });
      expect(bytes.toString('utf8'), `cursor ${cursor}`).toBe(referencePull(city, request, 4));
    }
  });

  it('still refuse a county workstation a partition it may not read', () => {
    expect(() =>
      hub.pullJson(pingli, {
        ...V,
        workstationId: `ws-${PINGLI}`,
        partitions: [{ partition: HANBIN, cursor: 0 }],
        limit: 10,
      }),
    ).toThrow(/may not read partition 610902/);
  });
});

describe('the store file', () => {
  it('is read through a memory map', () => {
    expect(hub.db.pragma('mmap_size', { simple: true })).toBe(MMAP_BYTES);
  });
});

describe('the sorted statement the server falls back on', () => {
  it('gives the bytes and seqs of the joined one for every page', () => {
    const joined = hub.db.prepare(PAGE_SQL).raw();
    const sorted = hub.db.prepare(PAGE_SQL_SORTED).raw();
    for (const partition of [PINGLI, HANBIN, CITY])
      for (const cursor of [0, 3, 17])
        for (const limit of [1, 5, 1000]) {
          const params = { partition, quoted: JSON.stringify(partition), cursor, limit };
          const [body, seqs] = sorted.get(params) as [Buffer | null, string | null];
          expect([body, seqs]).toEqual(joined.get(params));
          if (seqs !== null) expect(risesStrictly(seqs)).toBe(true);
        }
  });
});

describe('risesStrictly (the check that a page was joined in seq order)', () => {
  it('accepts rising lists and refuses a fall or a repeat', () => {
    expect(risesStrictly('7')).toBe(true);
    expect(risesStrictly('1,2,10,11')).toBe(true);
    expect(risesStrictly('1,10,2')).toBe(false);
    expect(risesStrictly('3,3')).toBe(false);
    expect(risesStrictly('1,,2')).toBe(false);
  });
});
