// A small PNG decoder (8-bit RGB/RGBA, not interlaced: what Chromium's screenshots are) so a test can look at
// the pixels of the map it drew.
import { inflateSync } from 'node:zlib';

export interface Image {
  width: number;
  height: number;
  /** RGBA, four bytes per pixel, row after row. */
  pixels: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function decodePng(file: Buffer): Image {
  if (!file.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  let width = 0;
  let height = 0;
  let channels = 0;
  const data: Buffer[] = [];
  for (let at = 8; at < file.length;) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    const body = file.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8];
      const colour = body[9];
      const interlace = body[12];
      if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6))
        throw new Error(
          `PNG kind not supported (depth ${depth}, colour type ${colour}, interlace ${interlace})`,
        );
      channels = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') data.push(body);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const rows = new Uint8Array(height * stride);
  for (let y = 0; y < height; y += 1) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = y * stride;
    for (let x = 0; x < stride; x += 1) {
      const left = x >= channels ? (rows[out + x - channels] ?? 0) : 0;
      const up = y > 0 ? (rows[out - stride + x] ?? 0) : 0;
      const upLeft = y > 0 && x >= channels ? (rows[out - stride + x - channels] ?? 0) : 0;
      const value = line[x] ?? 0;
      const predicted =
        filter === 0
          ? 0
          : filter === 1
            ? left
            : filter === 2
              ? up
              : filter === 3
                ? (left + up) >> 1
                : filter === 4
                  ? paeth(left, up, upLeft)
                  : NaN;
      if (Number.isNaN(predicted)) throw new Error(`PNG row ${y} has unknown filter ${filter}`);
      rows[out + x] = (value + predicted) & 0xff;
    }
  }
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < width * height; i += 1, j += channels) {
    pixels[i * 4] = rows[j] ?? 0;
    pixels[i * 4 + 1] = rows[j + 1] ?? 0;
    pixels[i * 4 + 2] = rows[j + 2] ?? 0;
    pixels[i * 4 + 3] = channels === 4 ? (rows[j + 3] ?? 0) : 255;
  }
  return { width, height, pixels };
}

export function hexToRgb(hex: string): [number, number, number] {
  const value = Number.parseInt(hex.replace('#', ''), 16);
  return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
}

/** How many pixels are within `tolerance` (per channel) of the colour. */
export function countColour(image: Image, hex: string, tolerance = 3): number {
  const [r, g, b] = hexToRgb(hex);
  let count = 0;
  for (let i = 0; i < image.pixels.length; i += 4) {
    if (
      Math.abs((image.pixels[i] ?? 0) - r) <= tolerance &&
      Math.abs((image.pixels[i + 1] ?? 0) - g) <= tolerance &&
      Math.abs((image.pixels[i + 2] ?? 0) - b) <= tolerance
    )
      count += 1;
  }
  return count;
}

/** Distinct colours, ignoring the last bits so antialiasing does not count as a palette. */
export function distinctColours(image: Image): number {
  const seen = new Set<number>();
  for (let i = 0; i < image.pixels.length; i += 4)
    seen.add(
      (((image.pixels[i] ?? 0) >> 3) << 10) |
        (((image.pixels[i + 1] ?? 0) >> 3) << 5) |
        ((image.pixels[i + 2] ?? 0) >> 3),
    );
  return seen.size;
}
