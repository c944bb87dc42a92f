// Builds the console with Vite when dist/renderer is missing or older than its sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RENDERER_DIR } from './host';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCES = ['src/renderer', 'src/shared', 'resources/map', 'vite.config.ts'].map((p) =>
  join(REPO_ROOT, p),
);

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function rendererIsStale(): boolean {
  const index = join(RENDERER_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => newestMtime(source) > built);
}

export async function buildRenderer(): Promise<void> {
  // Loaded only when a build is due, so a host started with --no-build never pulls Vite in.
  const { build } = await import('vite');
  await build({ configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
