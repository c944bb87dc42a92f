// Draws the installer icons from resources/icons/icon.svg: icon.png (512×512, Linux) and icon.ico (16 to 256
// pixels, Windows), rendered by Debian's Chromium so no image tool or download is needed.
// Run: npx tsx scripts/build-icons.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const ICONS = join(ROOT, 'resources', 'icons');
const CHROMIUM = '/usr/bin/chromium';
/** What Windows picks from for title bars, the taskbar, Explorer views and the installer. */
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];
const PNG_SIZE = 512;

/** The icon as a PNG of the given size, transparent outside the rounded square. */
async function render(svg: string, size: number): Promise<Buffer> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 });
    const sized = svg.replace(/width="\d+" height="\d+"/, `width="${size}" height="${size}"`);
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:transparent">${sized}</body></html>`,
    );
    return await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } });
  } finally {
    await browser.close();
  }
}

/**
 * An .ico holding one PNG per size (Windows Vista and later read PNG entries). The directory says 0 for 256,
 * which the format cannot write in one byte.
 */
function ico(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries: Buffer[] = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const entry = Buffer.alloc(16);
    entry.writeUInt8(size >= 256 ? 0 : size, 0);
    entry.writeUInt8(size >= 256 ? 0 : size, 1);
    entry.writeUInt8(0, 2);
    entry.writeUInt8(0, 3);
    entry.writeUInt16LE(1, 4);
    entry.writeUInt16LE(32, 6);
    entry.writeUInt32LE(png.length, 8);
    entry.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(entry);
  }
  return Buffer.concat([header, ...entries, ...images.map((image) => image.png)]);
}

async function main(): Promise<void> {
  const svg = readFileSync(join(ICONS, 'icon.svg'), 'utf8');
  const png = await render(svg, PNG_SIZE);
  writeFileSync(join(ICONS, 'icon.png'), png);
  const images: { size: number; png: Buffer }[] = [];
  for (const size of ICO_SIZES) images.push({ size, png: await render(svg, size) });
  const file = ico(images);
  writeFileSync(join(ICONS, 'icon.ico'), file);
  console.log(
    `resources/icons/icon.png ${PNG_SIZE}×${PNG_SIZE} (${png.length} bytes), ` +
      `icon.ico ${ICO_SIZES.join(', ')} (${file.length} bytes)`,
  );
}

await main();
