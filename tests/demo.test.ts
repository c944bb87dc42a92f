// The demo incident stream: deterministic per seed, valid for incident.create, placed in its county, busier at night than at dawn.
import { describe, expect, it } from 'vitest';
import { commandSchemas } from '../src/shared/contract';
import { distanceKm } from '../src/shared/geo';
import { DeskError } from '../src/shared/errors';
import { cstHour, generateIncidents, mulberry32 } from '../src/main/core/demo/generator';
import { loadRegionFile } from '../src/main/core/region/seed';
import { actorFor, makeDesk } from './helpers/desk';

const FROM = Date.parse('2026-11-01T00:00:00+08:00');
const DAY = 24 * 3600_000;
const region = loadRegionFile();

describe('the demo incident stream', () => {
  it('is the same stream for the same seed, and a different one for another seed', () => {
    const a = generateIncidents({ seed: 42, from: FROM, count: 300 });
    const b = generateIncidents({ seed: 42, from: FROM, count: 300 });
    const c = generateIncidents({ seed: 43, from: FROM, count: 300 });
    expect(a).toEqual(b);
    expect(a).toHaveLength(300);
    expect(c.map((input) => input.summary)).not.toEqual(a.map((input) => input.summary));
    expect(c.map((input) => input.receivedAt)).not.toEqual(a.map((input) => input.receivedAt));
  });

  it('draws from a seeded generator that repeats exactly', () => {
    const first = mulberry32(7);
    const second = mulberry32(7);
    const draws = Array.from({ length: 1000 }, () => first());
    expect(draws).toEqual(Array.from({ length: 1000 }, () => second()));
    expect(draws.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('gives inputs that all pass the incident.create schema', () => {
    for (const input of generateIncidents({ seed: 5, from: FROM, count: 2000 })) {
      const parsed = commandSchemas['incident.create'].safeParse(input);
      expect(parsed.success, `rejected: ${JSON.stringify(input)}`).toBe(true);
    }
  });

  it('places every incident within 15 km of one of its county’s places', () => {
    const placesOf = new Map<string, { lng: number; lat: number }[]>();
    for (const place of region.places) {
      const list = placesOf.get(place.countyId) ?? [];
      list.push({ lng: place.location[0], lat: place.location[1] });
      placesOf.set(place.countyId, list);
    }
    const counties = new Set<string>();
    for (const input of generateIncidents({ seed: 9, from: FROM, count: 3000 })) {
      counties.add(input.countyId);
      const nearest = Math.min(
        ...(placesOf.get(input.countyId) ?? []).map((p) => distanceKm(p, input.location)),
      );
      expect(
        nearest,
        `${input.address} is ${nearest.toFixed(1)} km from any place of ${input.countyId}`,
      ).toBeLessThan(15);
    }
    expect(counties.size, 'every county gets calls').toBe(region.counties.length);
  });

  it('writes Chinese addresses in the county, callers with 11-digit mobiles, and summaries', () => {
    const names = new Map(region.counties.map((county) => [county.id, county.name]));
    const stream = generateIncidents({ seed: 11, from: FROM, count: 1000 });
    for (const input of stream) {
      expect(input.address.startsWith(names.get(input.countyId) ?? '?'), input.address).toBe(true);
      expect(input.summary).toMatch(/[\u4e00-\u9fff]/);
      if (input.callerPhone) {
        expect(input.callerPhone).toMatch(/^1[3-9]\d{9}$/);
        expect(input.callerName).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
      }
    }
    expect(
      stream.some((input) => /村\d+组$/.test(input.address)),
      'villages as 村X组',
    ).toBe(true);
    expect(
      stream.some((input) => /路\d+号$|街\d+号$|大道\d+号$/.test(input.address)),
      'streets in seats',
    ).toBe(true);
    const categories = new Set(stream.map((input) => input.category));
    expect(categories.size).toBeGreaterThanOrEqual(10);
    const robbery = stream.filter((input) => input.category === 'robbery' || input.category === 'fire');
    const help = stream.filter((input) => input.category === 'help');
    const mean = (xs: { priority: number }[]): number => xs.reduce((s, x) => s + x.priority, 0) / xs.length;
    expect(mean(robbery), 'robbery and fire are more urgent than help').toBeLessThan(mean(help));
  });

  it('is busier at 20:00–22:00 than at 03:00–05:00', () => {
    const hours = new Array<number>(24).fill(0);
    for (const input of generateIncidents({ seed: 3, from: FROM, count: 5000 }))
      hours[cstHour(input.receivedAt)] = (hours[cstHour(input.receivedAt)] ?? 0) + 1;
    const evening = (hours[20] ?? 0) + (hours[21] ?? 0);
    const dawn = (hours[3] ?? 0) + (hours[4] ?? 0);
    expect(evening, `evening ${evening} vs dawn ${dawn}`).toBeGreaterThan(2 * dawn);
  });

  it('spreads a count over a window, in time order, and stops at until', () => {
    const until = FROM + 7 * DAY;
    const spread = generateIncidents({ seed: 1, from: FROM, until, count: 500 });
    expect(spread).toHaveLength(500);
    const times = spread.map((input) => input.receivedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.every((at) => at >= FROM && at < until)).toBe(true);
    const open = generateIncidents({ seed: 1, from: FROM, until: FROM + DAY, perDay: 200 });
    expect(open.length, 'about 200 a day').toBeGreaterThan(140);
    expect(open.length).toBeLessThan(260);
    expect(open.every((input) => input.receivedAt < FROM + DAY)).toBe(true);
  });

  it('refuses options it cannot honour with a clear error', () => {
    expect(() => generateIncidents({ seed: 1, from: FROM })).toThrow(DeskError);
    expect(() => generateIncidents({ seed: 1, from: FROM, count: -1 })).toThrow(/count/);
    expect(() => generateIncidents({ seed: 1, from: FROM, until: FROM - 1 })).toThrow(/until/);
  });

  it('is accepted by the Desk from each county’s own operator', () => {
    const t = makeDesk();
    const stream = generateIncidents({ seed: 21, from: FROM, count: 60 });
    for (const input of stream) {
      const incident = t.desk.command(actorFor(t.db, `op-${input.countyId}`), 'incident.create', input);
      expect(incident).toMatchObject({ countyId: input.countyId, receivedAt: input.receivedAt });
    }
    expect(t.desk.query(t.city, 'incident.list', { limit: 1 }).total).toBe(60);
  });
});
