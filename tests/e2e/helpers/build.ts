// Builds a test copy of the console (vite --mode test, which carries the map test hook) into its own folder,
// once for all e2e files and the render benchmark, and only when the sources are newer than the last build.
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Kept apart from dist/renderer so a rebuild by someone running start:web never pulls files from under a test. */
export const TEST_RENDERER_DIR = join(REPO_ROOT, 'test-output', 'e2e-build', 'renderer');
const LOCK_DIR = join(REPO_ROOT, 'test-output', 'e2e-build', '.lock');
const SOURCES = ['src/renderer', 'src/shared', 'resources/map', 'vite.config.ts'].map((p) =>
  join(REPO_ROOT, p),
);
/** A lock older than this was left by a killed run. */
const STALE_LOCK_MS = 180_000;

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function builtAt(): number {
  const stamp = join(TEST_RENDERER_DIR, '.built');
  return existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
}

function isStale(): boolean {
  const built = builtAt();
  return built === 0 || SOURCES.some((source) => newestMtime(source) > built);
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function takeLock(): Promise<() => void> {
  mkdirSync(join(LOCK_DIR, '..'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      if (existsSync(LOCK_DIR) && Date.now() - statSync(LOCK_DIR).mtimeMs > STALE_LOCK_MS)
        rmSync(LOCK_DIR, { recursive: true, force: true });
      await sleep(200);
    }
  }
}

/** Returns the folder of an up-to-date test build of the console. */
export async function ensureTestRenderer(): Promise<string> {
  if (!isStale()) return TEST_RENDERER_DIR;
  const release = await takeLock();
  try {
    // Another test file may have built it while this one waited for the lock.
    if (!isStale()) return TEST_RENDERER_DIR;
    const startedAt = Date.now();
    const { build } = await import('vite');
    await build({
      configFile: join(REPO_ROOT, 'vite.config.ts'),
      mode: 'test',
      logLevel: 'warn',
      build: { outDir: TEST_RENDERER_DIR, emptyOutDir: true },
    });
    // The stamp carries the time the build started, so a source saved during the build makes it stale again.
    const stamp = join(TEST_RENDERER_DIR, '.built');
    writeFileSync(stamp, '');
    utimesSync(stamp, new Date(startedAt), new Date(startedAt));
    return TEST_RENDERER_DIR;
  } finally {
    release();
  }
}
