// Window places: remembered in a small file, restored only onto a display that is still attached.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  placeWindow,
  readPlaces,
  writePlaces,
  type Rect,
  type WindowPlace,
} from '../../src/main/electron/places';

const LEFT: Rect = { x: 0, y: 0, width: 1920, height: 1040 };
const RIGHT: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };
const DEFAULT = { width: 1600, height: 960 };

function place(bounds: Rect, maximized = false): WindowPlace {
  return { bounds, maximized, fullScreen: false };
}

let dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'desk-places-'));
  dirs.push(dir);
  return join(dir, 'window-places.json');
}

describe('where a window opens', () => {
  it('goes back where it was, on the second monitor', () => {
    const saved = place({ x: 2200, y: 100, width: 1200, height: 900 });
    expect(placeWindow(saved, [LEFT, RIGHT], LEFT, DEFAULT)).toEqual(saved.bounds);
  });

  it('comes back to the primary display when the second monitor is unplugged', () => {
    const saved = place({ x: 2200, y: 100, width: 1200, height: 900 });
    const bounds = placeWindow(saved, [LEFT], LEFT, DEFAULT);
    expect(bounds, 'centred on the primary display').toEqual({ x: 160, y: 40, width: 1600, height: 960 });
  });

  it('is not restored with its title bar above the top of every display', () => {
    const saved = place({ x: 100, y: -900, width: 1200, height: 950 });
    expect(placeWindow(saved, [LEFT], LEFT, DEFAULT).y).toBeGreaterThanOrEqual(0);
  });

  it('is shrunk to the display it lands on', () => {
    const saved = place({ x: 10, y: 10, width: 5000, height: 3000 });
    const bounds = placeWindow(saved, [LEFT], LEFT, DEFAULT);
    expect(bounds.width).toBeLessThanOrEqual(LEFT.width);
    expect(bounds.height).toBeLessThanOrEqual(LEFT.height);
  });

  it('opens at the default size the first time', () => {
    expect(placeWindow(undefined, [LEFT, RIGHT], LEFT, DEFAULT)).toEqual({
      x: 160,
      y: 40,
      width: 1600,
      height: 960,
    });
  });
});

describe('the places file', () => {
  it('keeps what was written', () => {
    const file = tempFile();
    const places = { main: place({ x: 1, y: 2, width: 1300, height: 800 }, true), 'panel:map': place(RIGHT) };
    writePlaces(file, places);
    expect(readPlaces(file)).toEqual(places);
  });

  it('starts empty when the file is missing or damaged, and keeps the entries that are still valid', () => {
    const file = tempFile();
    expect(readPlaces(file)).toEqual({});
    writeFileSync(file, '{"main": {"bounds": {"x": 1');
    expect(readPlaces(file)).toEqual({});
    writeFileSync(
      file,
      JSON.stringify({
        main: place(LEFT),
        'panel:map': { bounds: { x: 'left' }, maximized: false, fullScreen: false },
      }),
    );
    expect(readPlaces(file)).toEqual({ main: place(LEFT) });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('panel:map');
  });
});
