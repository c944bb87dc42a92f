// The browser-mode host's files: the page is never cached, the build's hashed assets are kept for good (so a
// reload reuses them and the code compiled from them), everything else is checked again and answered 304.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../src/main/web/host';

let host: WebHost;
let rendererDir: string;

beforeAll(async () => {
  // A stand-in for a build: the host only serves files, so no real console is needed here.
  rendererDir = mkdtempSync(join(tmpdir(), 'command-desk-host-files-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
  writeFileSync(join(rendererDir, 'assets', 'index-AbC12_-9.js'), 'export {};');
  writeFileSync(join(rendererDir, 'assets', 'notes.txt'), 'not a hashed asset');
  host = await startWebHost({ dataDir: null, rendererDir, supervisionMs: 0 });
});

afterAll(async () => {
  await host?.close();
  rmSync(rendererDir, { recursive: true, force: true });
});

describe('how the host lets the browser cache the console', () => {
  it('never lets the page itself be cached', async () => {
    const page = await fetch(`${host.origin}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('lets a hashed asset be kept for good: its name changes whenever its content does', async () => {
    const asset = await fetch(`${host.origin}/assets/index-AbC12_-9.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('text/javascript');
  });

  it('has the browser check anything else again, and answers 304 when it has not changed', async () => {
    for (const path of ['/assets/notes.txt', '/map/counties.geojson']) {
      const first = await fetch(`${host.origin}${path}`);
      expect(first.status, `${path} should be served`).toBe(200);
      expect(first.headers.get('cache-control'), `${path} must not be kept unchecked`).toBe('no-cache');
      const etag = first.headers.get('etag');
      expect(etag, `${path} should carry a validator`).toBeTruthy();
      const again = await fetch(`${host.origin}${path}`, { headers: { 'If-None-Match': etag ?? '' } });
      expect(again.status, `${path} unchanged should be answered 304`).toBe(304);
      const other = await fetch(`${host.origin}${path}`, { headers: { 'If-None-Match': '"stale"' } });
      expect(other.status, `${path} with an old validator should be served again`).toBe(200);
    }
  });
});
