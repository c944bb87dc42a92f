// The installer icons: electron-builder.yml names them, they exist, and they have the sizes each platform asks
// for (a 512×512 PNG for Linux, an .ico with 16 to 256 pixel images for Windows), with a drawing in them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodePng, type Image } from '../e2e/helpers/png';
import { REPO_ROOT } from '../e2e/helpers/build';

/** The `icon:` of a top-level section of electron-builder.yml (linux, win). */
function iconOf(section: string): string {
  const config = readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
  const body = new RegExp(`^${section}:\\n((?:[ #].*\\n|\\n)*)`, 'm').exec(config)?.[1] ?? '';
  const icon = /^ {2}icon: *(\S+)/m.exec(body)?.[1];
  if (!icon) throw new Error(`electron-builder.yml gives ${section} no icon`);
  return icon;
}

/** Whether the middle of the image is drawn (opaque) and its corner left transparent. */
function drawn(image: Image): boolean {
  const alpha = (x: number, y: number): number => image.pixels[(y * image.width + x) * 4 + 3] ?? 0;
  const middle = Math.floor(image.width / 2);
  return alpha(middle, middle) === 255 && alpha(0, 0) === 0;
}

interface IcoEntry {
  size: number;
  image: Image;
}

function readIco(file: Buffer): IcoEntry[] {
  expect(file.readUInt16LE(0), 'an .ico starts with a reserved zero').toBe(0);
  expect(file.readUInt16LE(2), 'type 1 is an icon').toBe(1);
  const count = file.readUInt16LE(4);
  const entries: IcoEntry[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = 6 + 16 * i;
    const size = file.readUInt8(at) || 256;
    const length = file.readUInt32LE(at + 8);
    const offset = file.readUInt32LE(at + 12);
    entries.push({ size, image: decodePng(file.subarray(offset, offset + length)) });
  }
  return entries;
}

describe('installer icons', () => {
  it('gives Linux a 512×512 PNG with the drawing in it', () => {
    const path = join(REPO_ROOT, iconOf('linux'));
    expect(existsSync(path), `${path} is missing (npx tsx scripts/build-icons.ts draws it)`).toBe(true);
    const image = decodePng(readFileSync(path));
    expect([image.width, image.height]).toEqual([512, 512]);
    expect(drawn(image), 'the Linux icon is blank or has no transparent corners').toBe(true);
  });

  it('gives Windows an .ico holding every size from 16 to 256 pixels, each drawn at its size', () => {
    const path = join(REPO_ROOT, iconOf('win'));
    expect(existsSync(path), `${path} is missing (npx tsx scripts/build-icons.ts draws it)`).toBe(true);
    const entries = readIco(readFileSync(path));
    expect(entries.map((entry) => entry.size)).toEqual(expect.arrayContaining([16, 32, 48, 256]));
    for (const { size, image } of entries) {
      expect([image.width, image.height], `the ${size} px entry holds another size`).toEqual([size, size]);
      expect(drawn(image), `the ${size} px entry is blank`).toBe(true);
    }
  });
});
