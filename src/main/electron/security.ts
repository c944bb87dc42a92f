// The desktop app's security policy as plain data and pure decisions (window preferences, CSP, which URLs may
// load, navigate or open), kept apart from Electron so tests check the policy itself under Node.
import { extname, isAbsolute, join, normalize, relative, sep } from 'node:path';
import type { WebPreferences } from 'electron';

/** The app's own content is served on app://desk/ from the built renderer; nothing else is ever loaded. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'desk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * Sent with every response. maplibre starts its workers from blob: URLs and the basemap draws into canvases
 * read back as data:/blob: images; React sets inline style attributes. No eval, no remote host anywhere.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "worker-src 'self' blob:",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers added to every response the app's windows receive. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

/** The one set of preferences every window of the app gets, the main window and each popped-out panel alike. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    enableBlinkFeatures: '',
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  };
}

/** Panel names as the renderer's layout uses them: short, lower case, no room for anything else in the URL. */
const PANEL_NAME = /^[a-z][a-z0-9-]{0,31}$/;

export function isPanelName(name: string): boolean {
  return PANEL_NAME.test(name);
}

/** The URL a window loads: the console itself, or one panel popped out to its own window. */
export function appUrl(panel?: string): string {
  if (panel === undefined) return APP_ENTRY;
  if (!isPanelName(panel)) throw new Error(`"${panel}" is not a panel name`);
  return `${APP_ENTRY}?panel=${panel}`;
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for any URL of the app's own origin (app://desk/...), the only place a window's content comes from. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  return (
    parsed !== null &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

export type PageUrl = { kind: 'console' } | { kind: 'panel'; panel: string };

/**
 * Reads a URL as one of the app's two pages, app://desk/index.html and app://desk/index.html?panel=<name>,
 * or null for anything else (another path, another query, another origin).
 */
export function parsePageUrl(url: string): PageUrl | null {
  if (!isAppUrl(url)) return null;
  const parsed = new URL(url);
  if (parsed.pathname !== '/index.html' && parsed.pathname !== '/') return null;
  const keys = [...parsed.searchParams.keys()];
  if (keys.length === 0) return { kind: 'console' };
  const panel = parsed.searchParams.get('panel');
  if (keys.length !== 1 || panel === null || !isPanelName(panel)) return null;
  return { kind: 'panel', panel };
}

/** A window may only ever (re)load one of the app's own pages; links out, file: and remote pages are refused. */
export function isNavigationAllowed(url: string): boolean {
  return parsePageUrl(url) !== null;
}

export type WindowOpenDecision = { action: 'popout'; panel: string } | { action: 'deny' };

/**
 * window.open is honoured only for a panel pop-out; the main process then creates that window itself, with
 * the same preferences as every other, so the opener never gets a handle on it.
 */
export function decideWindowOpen(url: string): WindowOpenDecision {
  const page = parsePageUrl(url);
  return page?.kind === 'panel' ? { action: 'popout', panel: page.panel } : { action: 'deny' };
}

/**
 * Requests a window may make at all: its own origin, and the in-memory blob:/data: URLs maplibre creates.
 * Everything else (http, https, ws, file, ftp, ...) is cancelled before it leaves the process.
 */
export function isRequestAllowed(url: string): boolean {
  if (isAppUrl(url)) return true;
  if (url.startsWith('data:')) return true;
  if (url.startsWith(`blob:${APP_ORIGIN}/`)) return true;
  return url.startsWith('devtools:');
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.geojson': 'application/geo+json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.pbf': 'application/x-protobuf',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.wav': 'audio/wav',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps an app:// URL onto a file under the built renderer's folder, or null when the URL is not ours or would
 * leave that folder (../, encoded separators, absolute paths).
 */
export function resolveAppFile(url: string, root: string): string | null {
  if (!isAppUrl(url)) return null;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (path.includes('\0') || path.includes('\\')) return null;
  if (path === '/' || path === '') path = '/index.html';
  const file = normalize(join(root, path));
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return null;
  return file;
}
