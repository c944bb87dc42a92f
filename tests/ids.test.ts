// Command ids are version 7 UUIDs: time first, so a workstation's new records are appended to the id indexes.
import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../src/main/core/ids';
import { burglaryCall, makeDesk } from './helpers/desk';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function timeOf(id: string): number {
  return parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('timeOrderedId', () => {
  it('is a version 7 UUID carrying its time in the first 48 bits', () => {
    for (const ms of [0, 1, 0xffff_ffff, 0x1_0000_0000, Date.UTC(2026, 10, 30), 0xffff_ffff_ffff]) {
      const id = timeOrderedId(ms);
      expect(id).toMatch(V7);
      expect(timeOf(id)).toBe(ms);
    }
  });

  it('sorts in time order, as text, across the 32-bit boundary and a day', () => {
    const times = [
      0xffff_fffe,
      0xffff_ffff,
      0x1_0000_0000,
      Date.UTC(2026, 10, 29),
      Date.UTC(2026, 10, 30) - 1,
    ];
    const ids = times.map((ms) => timeOrderedId(ms));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeats within one millisecond', () => {
    const ids = new Set(Array.from({ length: 100_000 }, () => timeOrderedId(Date.UTC(2026, 10, 30))));
    expect(ids.size).toBe(100_000);
  });

  it('refuses a time it cannot hold, naming it', () => {
    for (const bad of [-1, 1.5, 2 ** 48, Number.NaN])
      expect(() => timeOrderedId(bad)).toThrow(/time in milliseconds from 0 to 2\^48 - 1/);
  });

  it('names the commands a desk makes, and the records derived from them', () => {
    const { desk, pingli } = makeDesk();
    const before = Date.now();
    const incident = desk.command(pingli, 'incident.create', burglaryCall());
    const commandId = incident.id.slice(0, incident.id.indexOf('.'));
    expect(commandId).toMatch(V7);
    expect(timeOf(commandId)).toBeGreaterThanOrEqual(before);
    expect(timeOf(commandId)).toBeLessThanOrEqual(Date.now());
  });
});
