// Incident numbers count per county and per day in China Standard Time (UTC+8), whatever order the days come in.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/main/db/connection';
import { nextIncidentNumber } from '../src/main/db/incidents';

describe('nextIncidentNumber', () => {
  it('numbers each county day from 1, the day turning at 16:00 UTC, days interleaved', () => {
    const db = openDatabase(':memory:');
    const lastOf29th = Date.UTC(2026, 10, 29, 15, 59, 59, 999); // 23:59:59.999 CST on the 29th
    const firstOf30th = lastOf29th + 1;
    expect(nextIncidentNumber(db, '610926', lastOf29th)).toBe('610926-20261129-0001');
    expect(nextIncidentNumber(db, '610926', firstOf30th)).toBe('610926-20261130-0001');
    expect(nextIncidentNumber(db, '610926', lastOf29th - 3600_000)).toBe('610926-20261129-0002');
    expect(nextIncidentNumber(db, '610902', firstOf30th, 'X')).toBe('610902-20261130-X0001');
    expect(nextIncidentNumber(db, '610926', firstOf30th + 3600_000)).toBe('610926-20261130-0002');
    expect(() => nextIncidentNumber(db, '610926', 9e15)).toThrow(RangeError);
    db.close();
  });
});
