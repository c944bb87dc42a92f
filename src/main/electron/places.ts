// Where each window was left (a small JSON file in userData), and where to put it back so it lands on a
// display that is still attached: an operator who unplugs the second monitor must not get an invisible window.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowPlace {
  bounds: Rect;
  maximized: boolean;
  fullScreen: boolean;
}

/** By window key: 'main', or 'panel:<name>' for a popped-out panel. */
export type Places = Record<string, WindowPlace>;

export const PLACES_FILE = 'window-places.json';

/** Smallest size a window is restored to, and how much of it must show on a display to count as visible. */
export const MIN_SIZE = { width: 640, height: 400 };
const VISIBLE = { width: 160, height: 60 };
const MAX_PLACES = 64;

function isRect(value: unknown): value is Rect {
  if (typeof value !== 'object' || value === null) return false;
  const rect = value as Record<string, unknown>;
  return ['x', 'y', 'width', 'height'].every(
    (key) => typeof rect[key] === 'number' && Number.isFinite(rect[key]) && Math.abs(rect[key]) < 100_000,
  );
}

function isPlace(value: unknown): value is WindowPlace {
  if (typeof value !== 'object' || value === null) return false;
  const place = value as Record<string, unknown>;
  return (
    isRect(place.bounds) && typeof place.maximized === 'boolean' && typeof place.fullScreen === 'boolean'
  );
}

/** A missing, unreadable or hand-edited file yields what is still valid in it, never a failed start. */
export function readPlaces(file: string): Places {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const places: Places = {};
  for (const [key, value] of Object.entries(parsed).slice(0, MAX_PLACES))
    if (isPlace(value)) places[key] = value;
  return places;
}

/** Written whole to a temporary file and renamed over the old one, so a crash mid-write keeps the last good file. */
export function writePlaces(file: string, places: Places): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, JSON.stringify(places, null, 2));
  renameSync(temporary, file);
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
    height: Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y)),
  };
}

/**
 * The bounds to open a window with: the saved ones when enough of the window's top strip (where the title bar
 * is) shows on some display's work area, else the default size centred on the primary display. Saved sizes
 * larger than the display they land on are shrunk to fit it.
 */
export function placeWindow(
  saved: WindowPlace | undefined,
  workAreas: readonly Rect[],
  primary: Rect,
  defaultSize: { width: number; height: number },
): Rect {
  if (saved) {
    const titleStrip = { ...saved.bounds, height: Math.min(saved.bounds.height, VISIBLE.height) };
    const area = workAreas.find((candidate) => {
      const seen = overlap(titleStrip, candidate);
      return (
        seen.width >= Math.min(VISIBLE.width, saved.bounds.width) &&
        seen.height >= Math.min(VISIBLE.height, titleStrip.height)
      );
    });
    if (area) {
      return {
        x: saved.bounds.x,
        y: saved.bounds.y,
        width: Math.min(Math.max(saved.bounds.width, MIN_SIZE.width), area.width),
        height: Math.min(Math.max(saved.bounds.height, MIN_SIZE.height), area.height),
      };
    }
  }
  const width = Math.min(defaultSize.width, primary.width);
  const height = Math.min(defaultSize.height, primary.height);
  return {
    x: primary.x + Math.round((primary.width - width) / 2),
    y: primary.y + Math.round((primary.height - height) / 2),
    width,
    height,
  };
}
